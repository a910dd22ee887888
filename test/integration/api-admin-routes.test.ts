import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { putSetting, SETTING_KEYS } from '../../store/settings-repository.js';
import { provisionDevice } from '../../store/devices-repository.js';
import { buildTestApp, createHouseholdWithPeople, createResponder, login, loginAs, type HouseholdSeed, type TestLogin } from '../helpers/api.js';
import { createTestDb, type TestDb } from '../helpers/db.js';

/** The household file's edits (thresholds, visits, activity), users and roles, settings and Web Push subscriptions. */
let db: TestDb;
let app: FastifyInstance;
let admin: TestLogin, op: TestLogin, responder: TestLogin;
let responderId: string;
let hh: HouseholdSeed;

beforeAll(async () => {
  db = await createTestDb();
  app = await buildTestApp(db);
  admin = await loginAs(app, db, 'admin');
  op = await loginAs(app, db, 'operator');
  // The grid worker of the home's grid (g-api): the home is in their scope.
  responderId = await createResponder(db, undefined, { name: '周网格', role: 'grid_worker', gridIds: ['g-api'] });
  responder = await loginAs(app, db, 'responder', { responderId });
  hh = await createHouseholdWithPeople(db);
});
afterAll(async () => {
  await app.close();
  await db.drop();
});

const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, who: TestLogin, payload?: unknown) =>
  app.inject({ method, url, headers: who.bearer, ...(payload !== undefined ? { payload: payload as object } : {}) });
const lastAudit = async (action: string) =>
  (await db.pool.query(`SELECT username, action, target, data FROM audit_log WHERE action = $1 ORDER BY id DESC LIMIT 1`, [action])).rows[0];

describe('household file edits', () => {
  test('operator changes the inactivity thresholds; the audit keeps before and after; a responder may not', async () => {
    const r = await call('PATCH', `/api/v1/households/${hh.id}`, op, { inactivityDayS: 4 * 3600, notes: '独居，耳背，敲门要用力' });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ id: hh.id, inactivityDayS: 14_400, inactivityNightS: 43_200, notes: "独居，耳背，敲门要用力" });
    expect(await lastAudit('household.update')).toMatchObject({
      username: op.username, target: hh.id,
      data: { before: { inactivityDayS: 21_600, notes: null }, after: { inactivityDayS: 14_400, notes: '独居，耳背，敲门要用力' } },
    });
    expect((await call('PATCH', `/api/v1/households/${hh.id}`, responder, { inactivityDayS: 3600 })).statusCode).toBe(403);
  });

  test('bad thresholds are 400s that change nothing; an unknown home is a 404', async () => {
    for (const body of [{ inactivityDayS: 60 }, { inactivityNightS: 'long' }, {}, { colour: 'red' }]) {
      const r = await call('PATCH', `/api/v1/households/${hh.id}`, op, body);
      expect(r.statusCode, JSON.stringify(body)).toBe(400);
      expect(r.json().error.code).toBeTruthy();
    }
    expect((await call('PATCH', '/api/v1/households/h-nope', op, { inactivityDayS: 3600 })).statusCode).toBe(404);
    expect((await db.pool.query(`SELECT inactivity_day_s FROM households WHERE id = $1`, [hh.id])).rows[0].inactivity_day_s).toBe(14_400);
  });

  test('a responder records a visit; it shows in the file with who made it', async () => {
    const r = await call('POST', `/api/v1/households/${hh.id}/visits`, responder, { kind: 'visit', note: '上门探访，老人精神好' });
    expect(r.statusCode).toBe(201);
    expect(r.json()).toMatchObject({ kind: 'visit', note: '上门探访，老人精神好', byUser: responder.username, responderId });
    const file = (await call('GET', `/api/v1/households/${hh.id}`, op)).json();
    expect(file.visits[0]).toMatchObject({ id: r.json().id, kind: 'visit' });
    expect(await lastAudit('household.visit')).toMatchObject({ username: responder.username, target: hh.id });
    expect((await call('POST', `/api/v1/households/${hh.id}/visits`, op, { kind: 'coffee', note: 'x' })).statusCode).toBe(400);
    expect((await call('POST', `/api/v1/households/${hh.id}/visits`, op, { kind: 'phone', note: '' })).statusCode).toBe(400);
    const future = new Date(Date.now() + 86_400_000).toISOString();
    expect((await call('POST', `/api/v1/households/${hh.id}/visits`, op, { kind: 'phone', note: 'x', at: future })).json().error.code).toBe('visit_in_future');
  });

  test('the file carries the hourly activity of the last 7 days from activity_hourly', async () => {
    const { deviceId } = await provisionDevice(db.pool, { householdId: hh.id, kind: 'pir' });
    const hourAgo = new Date(Date.now() - 3600_000);
    const old = new Date(Date.now() - 9 * 86_400_000);
    await db.pool.query(
      `INSERT INTO signals (ts, received_at, device_ts, device_id, household_id, event_id, type, value)
       SELECT t, t, t, $1, $2, 'a-' || n, ty, 'true'
         FROM (VALUES ($3::timestamptz, 1, 'motion'), ($3, 2, 'door'), ($3, 3, 'heartbeat'), ($4::timestamptz, 4, 'motion')) v(t, n, ty)`,
      [deviceId, hh.id, hourAgo, old]);
    const file = (await call('GET', `/api/v1/households/${hh.id}`, op)).json();
    const bucket = new Date(Math.floor(hourAgo.getTime() / 3600_000) * 3600_000).toISOString();
    // motion + door count, the heartbeat does not, the 9-day-old motion is outside the week.
    expect(file.activity).toEqual([{ bucket, events: 2 }]);
  });
});

describe('users and roles (admin)', () => {
  test('add with a generated password shown once, log in, change role, disable → signed out at once', async () => {
    const created = await call('POST', '/api/v1/users', admin, { username: 'duty-op', role: 'operator', displayName: '夜班调度' });
    expect(created.statusCode).toBe(201);
    const { user, password } = created.json();
    expect(password).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(user).toMatchObject({ username: 'duty-op', role: 'operator', disabled: false, displayName: '夜班调度' });
    expect(JSON.stringify(await lastAudit('user.create'))).not.toContain(password);

    const session = await login(app, 'duty-op', password);
    expect((await call('GET', '/api/v1/alerts', session)).statusCode).toBe(200);
    const listed = (await call('GET', '/api/v1/users?role=operator', admin)).json();
    expect(listed.items.map((u: { username: string }) => u.username)).toContain('duty-op');

    expect((await call('PATCH', `/api/v1/users/${user.id}`, admin, { role: 'supervisor' })).json().role).toBe('supervisor');
    expect((await call('PATCH', `/api/v1/users/${user.id}`, admin, { disabled: true })).json().disabled).toBe(true);
    expect((await call('GET', '/api/v1/alerts', session)).statusCode).toBe(401);
    expect((await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'duty-op', password } })).statusCode).toBe(401);
  });

  test('a responder login needs a responder; duplicates 409; an admin cannot lock themselves out; others get 403', async () => {
    expect((await call('POST', '/api/v1/users', admin, { username: 'gw-x', role: 'responder' })).json().error.code).toBe('responder_required');
    const linked = await call('POST', '/api/v1/users', admin, { username: 'gw-y', role: 'responder', responderId, password: 'a-long-password' });
    expect(linked.statusCode).toBe(201);
    expect(linked.json()).toMatchObject({ password: null, user: { responderId, responderName: '周网格', displayName: '周网格' } });
    expect((await call('POST', '/api/v1/users', admin, { username: 'gw-y', role: 'operator' })).statusCode).toBe(409);
    const me = (await call('GET', '/api/v1/users?role=admin', admin)).json().items.find((u: { username: string }) => u.username === admin.username);
    expect((await call('PATCH', `/api/v1/users/${me.id}`, admin, { disabled: true })).json().error.code).toBe('self_lockout');
    expect((await call('GET', '/api/v1/users', op)).statusCode).toBe(403);
    expect((await call('POST', '/api/v1/users', op, { username: 'sneaky', role: 'admin' })).statusCode).toBe(403);
  });

  test('password reset returns a new one once and ends the sessions', async () => {
    const u = (await call('POST', '/api/v1/users', admin, { username: 'reset-me', role: 'operator', password: 'first-password' })).json().user;
    const s = await login(app, 'reset-me', 'first-password');
    const r = (await call('POST', `/api/v1/users/${u.id}/password`, admin, {})).json();
    expect(r.sessionsEnded).toBe(1);
    expect((await call('GET', '/api/v1/alerts', s)).statusCode).toBe(401);
    await login(app, 'reset-me', r.password);
  });
});

describe('settings and Web Push', () => {
  test('settings in force for the dispatch room, without secrets', async () => {
    await putSetting(db.pool, SETTING_KEYS.webhook, { url: 'https://sms.example.com/hook', secret: 'hmac-secret-value' });
    const r = await call('GET', '/api/v1/settings', op);
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ ackTimeoutS: 180, slaWarnS: 600, slaOnsiteS: 900, dayShift: '08:00-20:00', webhook: { url: 'https://sms.example.com/hook', signed: true } });
    expect(r.body).not.toContain('hmac-secret-value');
    expect((await call('GET', '/api/v1/settings', responder)).statusCode).toBe(403);
  });

  test('VAPID key (made on first ask, the same afterwards, no private key), subscribe and unsubscribe this browser', async () => {
    const first = await call('GET', '/api/v1/push/vapid-public-key', responder);
    expect(first.statusCode).toBe(200);
    expect(first.json().publicKey).toMatch(/^B[A-Za-z0-9_-]{86}$/); // an uncompressed P-256 point, base64url
    const stored = (await db.pool.query(`SELECT value FROM settings WHERE key = 'vapid'`)).rows[0].value;
    expect(stored.publicKey).toBe(first.json().publicKey);
    expect(first.body).not.toContain(stored.privateKey);
    expect((await call('GET', '/api/v1/push/vapid-public-key', op)).json()).toEqual(first.json());
    const sub = { endpoint: 'https://push.example.com/send/abc123', keys: { p256dh: 'BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA', auth: 'tBHItJI5svbpez7KI4CCXg' } };
    expect((await call('POST', '/api/v1/push/subscriptions', responder, sub)).statusCode).toBe(201);
    expect((await call('POST', '/api/v1/push/subscriptions', responder, sub)).statusCode).toBe(201); // the same browser again: refreshed, not doubled
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM push_subscriptions WHERE endpoint = $1`, [sub.endpoint])).rows[0].n).toBe(1);
    expect((await call('POST', '/api/v1/push/subscriptions', responder, { ...sub, endpoint: 'http://insecure.example.com/x' })).statusCode).toBe(400);
    expect((await call('DELETE', '/api/v1/push/subscriptions', responder, { endpoint: sub.endpoint })).json()).toEqual({ removed: true });
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM push_subscriptions`)).rows[0].n).toBe(0);
  });
});

describe('who is on duty now (the dispatch header)', () => {
  test('onDutyNow joins the switch and the roster: rosterless and switched on → yes; rostered at another hour or switched off → no', async () => {
    const rostered = await createResponder(db, undefined, { name: '夜班专员', role: 'org_specialist' });
    const off = await createResponder(db, undefined, { name: '休息网格员', role: 'grid_worker' });
    await db.pool.query(`UPDATE responders SET on_duty = false WHERE id = $1`, [off]);
    // A dated shift yesterday only: not on duty now, whatever the hour.
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    await db.pool.query(`INSERT INTO roster_shifts (responder_id, on_date, starts, ends) VALUES ($1, $2, '08:00', '09:00')`, [rostered, yesterday]);
    const items = (await call('GET', '/api/v1/responders?limit=1000', op)).json().items as Array<{ id: string; onDuty: boolean; onDutyNow: boolean }>;
    const by = new Map(items.map((r) => [r.id, r]));
    expect(by.get(responderId)).toMatchObject({ onDuty: true, onDutyNow: true });
    expect(by.get(rostered)).toMatchObject({ onDuty: true, onDutyNow: false });
    expect(by.get(off)).toMatchObject({ onDuty: false, onDutyNow: false });
  });
});
