import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { clockAt as serviceClockAt } from '../../domain/clock.js';
import { QUEUES } from '../../domain/queues.js';
import { Dispatcher } from '../../dispatcher/dispatcher.js';
import { findAlert } from '../../store/alert-transitions-repository.js';
import { useRedisPrefix } from '../../store/redis-namespace.js';
import { buildTestApp, loginAs, type TestLogin } from '../helpers/api.js';
import { createTestDb, waitFor, type TestDb } from '../helpers/db.js';
import { addHousehold, clockAt, dispatcherConfig, insertAlert, seedDispatchCommunity, type Community } from '../helpers/dispatcher-fixtures.js';

/**
 * Issue 15 on the real dispatcher, API, PostgreSQL and redis-server, at 23:00 (night shift) on an
 * injected clock: ranking by estimated arrival, the first wave and the next one, a backup when
 * the holder is late, decline and hand-back re-dispatching at once, the two-homes refusal and
 * the nobody-available path. Timers are seconds long so the test waits on conditions only.
 *
 * Site plan: the household's building at (0, 0). Night tier 1: property duty pd awake at the gate
 * 50 m away on foot (52 s), org specialist osNight on call from home 500 m away by bike (180 s to
 * get going + 203 s), a second org specialist osFar 2 km on foot (180 + 2080 s). The buddy lives
 * in the building (180 + 0 s) and has opted in as a night neighbour.
 */
const prefix = `dn-${randomBytes(4).toString('hex')}`;
const clock = clockAt('2026-05-12T23:00:00+08:00');
let db: TestDb;
let redis: Redis;
let routeQueue: Queue;
let dispatcher: Dispatcher | null = null;
let app: FastifyInstance;
let op: TestLogin;
let c: Community;
let osFar: string;
const phone: Record<string, TestLogin> = {};

beforeAll(async () => {
  useRedisPrefix(prefix);
  db = await createTestDb();
  redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
  routeQueue = new Queue(QUEUES.route, { connection: redis, prefix });
  c = await seedDispatchCommunity(db);
  osFar = `osf-${c.suffix}`;
  await db.pool.query(`INSERT INTO responders (id, name, role, phone, community_id) VALUES ($1, '钱专员', 'org_specialist', '13800000099', $2)`, [osFar, c.communityId]);
  for (let wd = 0; wd < 7; wd++) await db.pool.query(`INSERT INTO roster_shifts (responder_id, weekday, starts, ends) VALUES ($1, $2, '20:00', '08:00')`, [osFar, wd]);
  await db.pool.query(`UPDATE buildings SET x_m = 0, y_m = 0 WHERE id = $1`, [`bA-${c.suffix}`]);
  const base = async (id: string, x: number, mode: string) => db.pool.query(`UPDATE responders SET base_x_m = $2, base_y_m = 0, travel_mode = $3 WHERE id = $1`, [id, x, mode]);
  await base(c.r.pd, 50, 'walk');
  await base(c.r.osNight, 500, 'bike');
  await base(osFar, 2000, 'walk');
  await db.pool.query(`UPDATE responders SET base_building_id = $2, night_first_on_scene = true WHERE id = $1`, [c.r.buddy, `bA-${c.suffix}`]);
  app = await buildTestApp(db, { redis, clock: serviceClockAt(clock) });
  op = await loginAs(app, db, 'operator', { communityIds: [c.communityId] });
  for (const id of [c.r.pd, c.r.osNight, osFar, c.r.buddy]) phone[id] = await loginAs(app, db, 'responder', { responderId: id });
  dispatcher = new Dispatcher({
    pool: db.pool, redisUrl: inject('redisUrl'), queuePrefix: prefix, clock, reconcileIntervalMs: 3_600_000,
    config: dispatcherConfig({ DISPATCH_POLICY: 'nearest', DISPATCH_FIRST_WAVE: '2', DISPATCH_WAVE_S: '2', BACKUP_AFTER_S: '3', BACKUP_MARGIN_S: '0', ACK_TIMEOUT_S: '600', SLA_WARN_S: '1200', SLA_ONSITE_S: '1800' }),
    log: { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} },
  });
  await dispatcher.start();
});
afterAll(async () => {
  await dispatcher?.stop();
  await app?.close();
  await routeQueue.close();
  redis.disconnect();
  await db.drop();
});

/** Closes whatever is live (each test starts with everybody free). */
async function reset() {
  await db.pool.query(`UPDATE alerts SET state = 'cancelled', cancel_reason = 'test reset', closed_at = now() WHERE state IN ('open', 'notified', 'accepted', 'on_site')`);
}

async function routedSos(householdId = c.householdId, kind: 'sos' | 'fall' = 'sos') {
  const alertId = await insertAlert(db, householdId, kind, clock());
  await routeQueue.add('route', { alertId }, { jobId: alertId });
  return waitFor(async () => { const a = await findAlert(db.pool, alertId); return a?.routedAt ? a : null; }, { what: 'routed' });
}

const pages = async (alertId: string) => (await db.pool.query<{ responderId: string; round: string; purpose: string }>(
  `SELECT responder_id AS "responderId", round, purpose FROM notifications WHERE alert_id = $1 AND channel = 'in_app' ORDER BY id`, [alertId])).rows;
const pagedIn = async (alertId: string, round: string) => new Set((await pages(alertId)).filter((p) => p.round === round).map((p) => p.responderId));
const timeline = async (alertId: string) => (await db.pool.query<{ type: string; data: Record<string, unknown> }>(`SELECT type, data FROM alert_events WHERE alert_id = $1 ORDER BY id`, [alertId])).rows;
const post = (who: TestLogin, alertId: string, action: string, payload: object = {}) => app.inject({ method: 'POST', url: `/api/v1/alerts/${alertId}/${action}`, headers: who.bearer, payload });

describe.sequential('dispatch by distance and availability (DISPATCH_POLICY=nearest)', () => {
  test('ranking and waves: the two nearest first with the opted-in neighbour, the rest DISPATCH_WAVE_S later', async () => {
    await reset();
    const alert = await routedSos();
    await waitFor(async () => (await pagedIn(alert.id, 'level:0')).size >= 3, { what: 'first wave' });
    expect(await pagedIn(alert.id, 'level:0')).toEqual(new Set([c.r.pd, c.r.osNight, c.r.buddy]));
    const first = await waitFor(async () => (await timeline(alert.id)).find((t) => t.type === 'dispatched') ?? null, { what: 'dispatch on the timeline' });
    expect((first.data.responders as Array<{ id: string; etaS: number }>).map((r) => [r.id, r.etaS])).toEqual([[c.r.pd, 52], [c.r.osNight, 383], [c.r.buddy, 180]]);
    // Nobody accepts: the far one is paged as the next wave; the supervisor is not (that is the ack timeout's).
    await waitFor(async () => (await pagedIn(alert.id, 'level:0:wave:1')).size > 0, { what: 'next wave', timeoutMs: 15_000 });
    expect(await pagedIn(alert.id, 'level:0:wave:1')).toEqual(new Set([osFar]));
    expect((await pages(alert.id)).some((p) => p.responderId === c.r.sup)).toBe(false);

    // The operator's picker: ranked, with estimated arrival and state.
    const res = await app.inject({ method: 'GET', url: `/api/v1/alerts/${alert.id}/candidates`, headers: op.bearer });
    expect(res.statusCode).toBe(200);
    const list = (res.json() as { candidates: Array<{ responderId: string; etaS: number | null; state: string; eligible: boolean }> }).candidates;
    expect(list.filter((x) => x.eligible).map((x) => x.responderId)).toEqual([c.r.pd, c.r.buddy, c.r.osNight, osFar]);
    expect(list.find((x) => x.responderId === c.r.pd)).toMatchObject({ etaS: 52, state: 'paged' });

    // The far one shares a live position from the phone next door: ranked by it, not the base;
    // going off duty forgets it.
    const shared = await app.inject({ method: 'POST', url: `/api/v1/responders/${osFar}/position`, headers: phone[osFar]!.bearer, payload: { position: { x: 10, y: 0 } } });
    expect(shared.statusCode).toBe(200);
    const near = (await app.inject({ method: 'GET', url: `/api/v1/alerts/${alert.id}/candidates`, headers: op.bearer })).json() as { candidates: Array<{ responderId: string; etaS: number | null }> };
    expect(near.candidates.find((x) => x.responderId === osFar)?.etaS).toBe(180 + 10);
    const other = await app.inject({ method: 'POST', url: `/api/v1/responders/${osFar}/position`, headers: phone[c.r.pd]!.bearer, payload: { position: { x: 0, y: 0 } } });
    expect(other.statusCode).toBe(403);
    expect((await app.inject({ method: 'POST', url: `/api/v1/responders/${osFar}/duty`, headers: phone[osFar]!.bearer, payload: { onDuty: false } })).statusCode).toBe(200);
    expect((await db.pool.query(`SELECT live_at FROM responders WHERE id = $1`, [osFar])).rows[0].live_at).toBeNull();
    expect((await app.inject({ method: 'POST', url: `/api/v1/responders/${osFar}/position`, headers: phone[osFar]!.bearer, payload: { position: { x: 10, y: 0 } } })).statusCode).toBe(409);
    expect((await app.inject({ method: 'POST', url: `/api/v1/responders/${osFar}/duty`, headers: phone[osFar]!.bearer, payload: { onDuty: true } })).statusCode).toBe(200);
  });

  test('a backup when the holder is not at the door by BACKUP_AFTER_S; the backup may arrive, and arriving first sets on site', async () => {
    await reset();
    const alert = await routedSos();
    await waitFor(async () => (await pagedIn(alert.id, 'level:0')).size >= 2, { what: 'first wave' });
    const acc = await post(phone[c.r.osNight]!, alert.id, 'accept');
    expect(acc.statusCode).toBe(200);
    const held = (await findAlert(db.pool, alert.id))!;
    // Accept + 3 min to get going at night + 203 s by bike.
    expect(held.expectedArrivalAt!.getTime() - held.acceptedAt!.getTime()).toBe(383_000);
    const backup = await waitFor(async () => (await pages(alert.id)).find((p) => p.purpose === 'backup') ?? null, { what: 'backup paged', timeoutMs: 15_000 });
    // The best estimated arrival who is not the holder: the property duty, awake at the gate 50 m away.
    expect(backup).toMatchObject({ responderId: c.r.pd, round: `backup:${held.acceptedAt!.getTime()}` });
    await waitFor(async () => (await timeline(alert.id)).some((t) => t.type === 'backup'), { what: 'backup on the timeline' });
    // A paged neighbour who neither holds nor backs it may not record the arrival.
    expect((await post(phone[c.r.buddy]!, alert.id, 'arrive')).statusCode).toBe(403);
    expect((await post(phone[c.r.pd]!, alert.id, 'arrive')).statusCode).toBe(200);
    const after = (await findAlert(db.pool, alert.id))!;
    expect(after).toMatchObject({ state: 'on_site', acceptedBy: c.r.osNight, onSiteBy: c.r.pd });
  });

  test('decline with a reason re-dispatches at once; a hand-back pages a fresh wave; both on the timeline', async () => {
    await reset();
    const alert = await routedSos();
    await waitFor(async () => (await pagedIn(alert.id, 'level:0')).size >= 2, { what: 'first wave' });
    expect((await post(phone[c.r.pd]!, alert.id, 'decline', {})).statusCode).toBe(400);
    expect((await post(phone[c.r.pd]!, alert.id, 'decline', { reason: '正在处理另一户' })).statusCode).toBe(200);
    // Long before DISPATCH_WAVE_S would matter: the next free one is paged on the decline itself.
    await waitFor(async () => (await pages(alert.id)).some((p) => p.responderId === osFar && p.round.startsWith('level:0:re:')), { what: 're-dispatch after decline' });
    expect((await timeline(alert.id)).find((t) => t.type === 'declined')?.data).toMatchObject({ by: c.r.pd, reason: '正在处理另一户' });

    expect((await post(phone[c.r.osNight]!, alert.id, 'accept')).statusCode).toBe(200);
    expect((await post(phone[c.r.osNight]!, alert.id, 'hand-back', { reason: '车胎坏了' })).statusCode).toBe(200);
    expect(await findAlert(db.pool, alert.id)).toMatchObject({ state: 'notified', acceptedBy: null });
    // Re-paged at once: the best free people who have not said no (pd declined, osNight handed back).
    await waitFor(async () => (await pages(alert.id)).filter((p) => p.round.startsWith('level:0:re:')).length >= 2, { what: 're-dispatch after hand-back' });
    const lastRound = (await pages(alert.id)).filter((p) => p.round.startsWith('level:0:re:')).at(-1)!.round;
    expect([...(await pagedIn(alert.id, lastRound))]).toEqual([osFar]);
    expect((await timeline(alert.id)).some((t) => t.type === 'handed_back')).toBe(true);
  });

  test('two homes: on site at one open alert, a responder cannot accept or arrive at another (409 on_site_elsewhere)', async () => {
    await reset();
    const h2 = await addHousehold(db, c, 2);
    const first = await routedSos();
    await waitFor(async () => (await pagedIn(first.id, 'level:0')).has(c.r.pd), { what: 'pd paged for the first home' });
    expect((await post(phone[c.r.pd]!, first.id, 'arrive')).statusCode).toBe(200);
    const second = await routedSos(h2);
    await waitFor(async () => (await pages(second.id)).length > 0, { what: 'second alert paged' });
    // pd is busy (on site at the first home): not paged for the second.
    expect((await pagedIn(second.id, 'level:0')).has(c.r.pd)).toBe(false);
    const refused = await post(op, second.id, 'arrive', { responderId: c.r.pd });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ error: { code: 'on_site_elsewhere', params: { alertId: first.id } } });
    expect((await post(phone[c.r.pd]!, second.id, 'accept')).statusCode).toBe(404); // never paged for it: not theirs to see
    const picked = await post(op, second.id, 'dispatch', { responderId: c.r.pd });
    expect(picked.statusCode).toBe(409);
    // Resolved the first: free again, and the operator may send them.
    expect((await post(phone[c.r.pd]!, first.id, 'resolve', { outcome: 'assisted', note: '已协助' })).statusCode).toBe(200);
    expect((await post(op, second.id, 'dispatch', { responderId: c.r.pd })).statusCode).toBe(200);
    await waitFor(async () => (await pages(second.id)).some((p) => p.responderId === c.r.pd && p.round.startsWith('operator:')), { what: 'operator pick paged' });
    expect((await post(phone[c.r.pd]!, second.id, 'accept')).statusCode).toBe(200);
  });

  test('nobody free in tier 1: the red-banner flag, the supervisor and the 24-hour number told, tier 2 paged at once; a 120 brief', async () => {
    await reset();
    const busy = [c.r.pd, c.r.osNight, osFar, c.r.buddy];
    for (const [k, id] of busy.entries()) {
      const hh = await addHousehold(db, c, 10 + k);
      const a = await routedSos(hh);
      expect((await post(op, a.id, 'accept', { responderId: id })).statusCode).toBe(200);
    }
    const alert = await routedSos();
    const after = await waitFor(async () => { const a = await findAlert(db.pool, alert.id); return a?.nobodyAvailableAt ? a : null; }, { what: 'nobody available' });
    expect(after.level).toBe(1);
    const rows = await waitFor(async () => {
      const r = await db.pool.query<{ purpose: string; responderId: string | null; target: string; round: string }>(
        `SELECT purpose, responder_id AS "responderId", target, round FROM notifications WHERE alert_id = $1`, [alert.id]);
      return r.rows.some((x) => x.round === 'level:1') ? r : null;
    }, { what: 'tier 2 paged' });
    expect(rows.rows.some((r) => r.purpose === 'supervisor' && r.responderId === c.r.sup && r.round.startsWith('nobody:'))).toBe(true);
    expect(rows.rows.some((r) => r.round.startsWith('nobody:') && r.responderId === null)).toBe(true); // the community number
    expect(rows.rows.some((r) => r.purpose === 'page' && r.round === 'level:1' && r.responderId === c.r.sup)).toBe(true);
    expect(rows.rows.some((r) => r.round === 'level:0')).toBe(false);
    expect((await timeline(alert.id)).some((t) => t.type === 'nobody_available')).toBe(true);
    const detail = await app.inject({ method: 'GET', url: `/api/v1/alerts/${alert.id}`, headers: op.bearer });
    expect(detail.json()).toMatchObject({ nobodyAvailableAt: expect.any(String) });

    const call = await post(op, alert.id, 'emergency-call', { service: '120' });
    expect(call.statusCode).toBe(200);
    expect(call.json().brief).toContain('鹿山路1号');
    expect((await timeline(alert.id)).find((t) => t.type === 'emergency_call')?.data).toMatchObject({ service: '120' });
  });
});
