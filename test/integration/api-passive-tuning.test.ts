import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { buildTestApp, createHouseholdWithPeople, loginAs } from '../helpers/api.js';
import { createTestDb, type TestDb } from '../helpers/db.js';

/**
 * The passive tuning of one home (issue 19 item 6) through the API: the dispatch room sets
 * sensitivity and away mode, every change is audited with before/after, a responder reads but
 * may not change it, and a past end date is refused with what to do instead.
 */
let db: TestDb;
let app: FastifyInstance;

beforeAll(async () => {
  db = await createTestDb();
  app = await buildTestApp(db);
});
afterAll(async () => {
  await app.close();
  await db.drop();
});

test('set, read back, audited; a responder reads only; away mode must end in the future', async () => {
  const h = await createHouseholdWithPeople(db);
  const op = await loginAs(app, db, 'operator', { communityIds: ['c-api'] });
  const url = `/api/v1/households/${h.id}/passive`;

  const before = await app.inject({ method: 'GET', url, headers: op.bearer });
  expect(before.statusCode).toBe(200);
  expect(before.json()).toMatchObject({ policy: 'learned', tuning: { sensitivity: 'normal', awayUntil: null, updatedBy: null }, rooms: [], explanations: [] });

  const until = new Date(Date.now() + 3 * 86_400_000).toISOString();
  const put = await app.inject({ method: 'PUT', url, headers: op.bearer, payload: { sensitivity: 'high', awayUntil: until, awayNote: '住院' } });
  expect(put.statusCode, put.body).toBe(200);
  expect(put.json()).toMatchObject({ sensitivity: 'high', awayNote: '住院', updatedBy: op.username });
  expect(new Date(put.json().awayUntil).toISOString()).toBe(until);
  const after = (await app.inject({ method: 'GET', url, headers: op.bearer })).json();
  expect(after.tuning).toMatchObject({ sensitivity: 'high', awayNote: '住院', updatedBy: op.username });

  const audit = (await db.pool.query(`SELECT username, action, data FROM audit_log WHERE target = $1 AND action = 'household.passive_tuning'`, [h.id])).rows;
  expect(audit).toEqual([{ username: op.username, action: 'household.passive_tuning', data: {
    before: { sensitivity: 'normal', awayUntil: null, awayNote: null },
    after: { sensitivity: 'high', awayUntil: until, awayNote: '住院' },
  } }]);

  const past = await app.inject({ method: 'PUT', url, headers: op.bearer, payload: { sensitivity: 'high', awayUntil: new Date(Date.now() - 60_000).toISOString(), awayNote: null } });
  expect(past.statusCode).toBe(400);
  expect(past.json().error).toMatchObject({ code: 'away_until_past' });

  const bad = await app.inject({ method: 'PUT', url, headers: op.bearer, payload: { sensitivity: 'max', awayUntil: null, awayNote: null } });
  expect(bad.statusCode).toBe(400);

  const responder = await loginAs(app, db, 'responder');
  const denied = await app.inject({ method: 'PUT', url, headers: responder.bearer, payload: { sensitivity: 'low', awayUntil: null, awayNote: null } });
  expect(denied.statusCode).toBe(403);
});
