import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { listenApp } from '../../api/server.js';
import { slaCsvFileName } from '../../api/routes/reports-routes.js';
import { parseConfig } from '../../domain/config.js';
import {
  buildTestApp, createHouseholdWithPeople, createResponder, createTestUser, insertAlert, login, loginAs, notifyResponder, type TestLogin,
} from '../helpers/api.js';
import { createTestDb, type TestDb } from '../helpers/db.js';

/**
 * What the console needs from the API so it computes nothing from constants and shows no
 * English (issue 20): the SLA settings and the shift in the live snapshot and GET /settings;
 * errors with codes and params; a 24-hour roster shift only on purpose; the holder's name on
 * alerts and people's names on the timeline; per-caller rights; the CSV's file name.
 */
const config = parseConfig({ SLA_ONSITE_S: '240', SLA_WARN_S: '120', ACK_TIMEOUT_S: '60', DAY_SHIFT: '07:00-19:00' });
let db: TestDb;
let app: FastifyInstance;
let base: string;
let op: TestLogin;

beforeAll(async () => {
  db = await createTestDb();
  app = await buildTestApp(db, { config, live: { pollMs: 250, gapWaitMs: 300, heartbeatMs: 30_000 } });
  const port = await listenApp(app, { host: '127.0.0.1', port: 0 });
  base = `ws://127.0.0.1:${port}`;
  op = await loginAs(app, db, 'operator');
});
afterAll(async () => {
  await app.close();
  await db.drop();
});

const act = (alertId: string, action: string, who: TestLogin, payload: Record<string, unknown> = {}) =>
  app.inject({ method: 'POST', url: `/api/v1/alerts/${alertId}/${action}`, headers: who.bearer, payload });

async function responderLogin(name: string, gridIds: string[] = []) {
  const id = await createResponder(db, undefined, { name, gridIds });
  const u = await createTestUser(db, 'responder', { responderId: id });
  return { id, login: await login(app, u.username, u.password) };
}

describe('the timing the screens count with (item 1)', () => {
  test('the live snapshot carries SLA_ONSITE_S, SLA_WARN_S, ACK_TIMEOUT_S and the current shift — for a responder too', async () => {
    const r = await responderLogin('手机上的网格员');
    for (const who of [op, r.login]) {
      const ws = new WebSocket(`${base}/api/v1/live`, { headers: who.bearer });
      const snap = await new Promise<{ type: string; data: { config?: Record<string, unknown> } }>((resolve, reject) => {
        ws.once('message', (raw) => resolve(JSON.parse(String(raw))));
        ws.once('error', reject);
      });
      ws.close();
      expect(snap.type).toBe('snapshot');
      expect(snap.data.config).toMatchObject({ slaOnsiteS: 240, slaWarnS: 120, ackTimeoutS: 60, dayShift: '07:00-19:00', tz: 'Asia/Shanghai' });
      const shift = snap.data.config!.shift as { name: string; date: string; endsAt: string };
      expect(['day', 'night']).toContain(shift.name);
      expect(shift.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(Date.parse(shift.endsAt)).toBeGreaterThan(Date.now());
      expect(Date.parse(shift.endsAt) - Date.now()).toBeLessThanOrEqual(12 * 3600_000);
    }
  });

  test('GET /settings names the shift in force', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/settings', headers: op.bearer });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ slaOnsiteS: 240, dayShift: '07:00-19:00', shift: { name: expect.stringMatching(/^(day|night)$/) } });
  });
});

describe('errors as codes and params (item 5)', () => {
  test('a threshold below the minimum: the field, the rule and the limit in seconds, for the console to say in hours', async () => {
    const h = await createHouseholdWithPeople(db);
    const res = await app.inject({ method: 'PATCH', url: `/api/v1/households/${h.id}`, headers: op.bearer, payload: { inactivityDayS: 300 } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'bad_request', params: { field: 'body.inactivityDayS', rule: 'minimum', limit: 600 } });
  });

  test('someone else holds it: 403 not_holder with the holder\'s name as a param', async () => {
    const h = await createHouseholdWithPeople(db);
    const alertId = await insertAlert(db, { householdId: h.id, kind: 'sos', state: 'notified', openedAt: new Date(Date.now() - 60_000) });
    const a = await responderLogin('王芳');
    const b = await responderLogin('李强');
    await notifyResponder(db, alertId, a.id);
    await notifyResponder(db, alertId, b.id);
    expect((await act(alertId, 'accept', a.login)).statusCode).toBe(200);
    const refused = await act(alertId, 'arrive', b.login);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error).toMatchObject({ code: 'not_holder', params: { holder: '王芳' } });
    const late = await act(alertId, 'accept', b.login);
    expect(late.statusCode).toBe(409);
    expect(late.json().error).toMatchObject({ code: 'already_accepted', params: { holder: '王芳' } });
  });
});

describe('forms (item 6): a 24-hour shift only on purpose', () => {
  test('09:00-09:00 is refused with shift_24h_unconfirmed, and added with fullDay: true', async () => {
    const rid = await createResponder(db, undefined, { name: '排班测试' });
    const body = { responderId: rid, weekday: 1, starts: '09:00', ends: '09:00' };
    const refused = await app.inject({ method: 'POST', url: '/api/v1/rosters', headers: op.bearer, payload: body });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error).toMatchObject({ code: 'shift_24h_unconfirmed', params: { starts: '09:00', ends: '09:00' } });
    const ok = await app.inject({ method: 'POST', url: '/api/v1/rosters', headers: op.bearer, payload: { ...body, fullDay: true } });
    expect(ok.statusCode).toBe(201);
  });
});

describe('names, not ids; rights per caller (the phone half of the hole, item 10)', () => {
  test('the holder\'s name on the list, the live event and the detail; the timeline names people; rights say who may press what', async () => {
    const h = await createHouseholdWithPeople(db);
    const alertId = await insertAlert(db, { householdId: h.id, kind: 'fall', state: 'notified', openedAt: new Date(Date.now() - 60_000) });
    const holder = await responderLogin('赵敏');
    const other = await responderLogin('钱进');
    await notifyResponder(db, alertId, holder.id);
    await notifyResponder(db, alertId, other.id);

    const before = await app.inject({ method: 'GET', url: `/api/v1/alerts/${alertId}`, headers: other.login.bearer });
    expect(before.json().rights).toEqual(expect.arrayContaining(['accept']));
    expect((await act(alertId, 'accept', holder.login)).statusCode).toBe(200);

    const list = await app.inject({ method: 'GET', url: `/api/v1/alerts?householdId=${h.id}`, headers: op.bearer });
    expect(list.json().items[0]).toMatchObject({ id: alertId, acceptedBy: holder.id, acceptedByName: '赵敏' });
    const live = await db.pool.query(`SELECT data FROM live_events WHERE data->>'id' = $1 ORDER BY seq DESC LIMIT 1`, [alertId]);
    expect(live.rows[0].data).toMatchObject({ acceptedBy: holder.id, acceptedByName: '赵敏' });

    // The paged colleague: may not record the arrival or resolve someone else's alert.
    const theirs = (await app.inject({ method: 'GET', url: `/api/v1/alerts/${alertId}`, headers: other.login.bearer })).json();
    expect(theirs.acceptedByName).toBe('赵敏');
    expect(theirs.rights).not.toContain('arrive');
    expect(theirs.rights).not.toContain('resolve');
    const mine = (await app.inject({ method: 'GET', url: `/api/v1/alerts/${alertId}`, headers: holder.login.bearer })).json();
    expect(mine.rights).toEqual(expect.arrayContaining(['arrive', 'resolve', 'cancel']));
    const dispatchRoom = (await app.inject({ method: 'GET', url: `/api/v1/alerts/${alertId}`, headers: op.bearer })).json();
    expect(dispatchRoom.rights).toEqual(['accept', 'arrive', 'resolve', 'cancel', 'escalate', 'note', 'decline', 'hand_back']);

    // The operator records the arrival on the holder's behalf: the timeline names both people.
    expect((await act(alertId, 'arrive', op, { responderId: holder.id })).statusCode).toBe(200);
    const timeline = (await app.inject({ method: 'GET', url: `/api/v1/alerts/${alertId}`, headers: op.bearer })).json().timeline as Array<{ actor: string; actorName: string | null; byName: string | null; toState: string | null }>;
    const accepted = timeline.find((e) => e.toState === 'accepted')!;
    expect(accepted.actor).toBe(`user:${holder.login.username}`);
    expect(accepted.actorName).toMatch(/^responder /); // the user's display name (helpers: "<role> <username>")
    const arrived = timeline.find((e) => e.toState === 'on_site')!;
    expect(arrived.actorName).toBe(`operator ${op.username}`);
    expect(arrived.byName).toBe('赵敏');
  });
});

describe('reports (item 9): the CSV file name names the chosen dates', () => {
  test('1-7 December in Asia/Shanghai is sla-shift-2026-12-01-2026-12-07.csv, not …-11-30-…-12-08', async () => {
    const from = new Date('2026-12-01T00:00:00+08:00'), to = new Date('2026-12-08T00:00:00+08:00');
    expect(slaCsvFileName({ groupBy: 'shift', from, to }, 'Asia/Shanghai')).toBe('sla-shift-2026-12-01-2026-12-07.csv');
    const res = await app.inject({ method: 'GET', url: `/api/v1/reports/sla?from=${from.toISOString()}&to=${to.toISOString()}&groupBy=shift&format=csv`, headers: op.bearer });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-disposition']).toBe('attachment; filename="sla-shift-2026-12-01-2026-12-07.csv"');
  });
});
