import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { QUEUES } from '../../domain/queues.js';
import { Dispatcher } from '../../dispatcher/dispatcher.js';
import { findAlert } from '../../store/alert-transitions-repository.js';
import { notificationsOfAlert } from '../../store/notifications-repository.js';
import { createTestDb, waitFor, type TestDb } from '../helpers/db.js';
import { clockAt, dispatcherConfig, insertAlert, recordingLog, seedDispatchCommunity, type Community } from '../helpers/dispatcher-fixtures.js';
import { useRedisPrefix } from '../../store/redis-namespace.js';

/** Day and night routing pick exactly the right people (DESIGN §4); the outbox is routed. */
const prefix = `dr-${randomBytes(4).toString('hex')}`;
// Everything in this file, the API and publishers included, in the dispatcher's/gateway's Redis namespace.
useRedisPrefix(prefix);
let db: TestDb;
let redis: Redis;
let routeQueue: Queue;
const running: Dispatcher[] = [];

beforeAll(async () => {
  db = await createTestDb();
  redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
  routeQueue = new Queue(QUEUES.route, { connection: redis, prefix });
});
afterAll(async () => {
  for (const d of running) await d.stop();
  await routeQueue.close();
  redis.disconnect();
  await db.drop();
});

async function startAt(iso: string, env: Record<string, string> = {}) {
  const { log, lines } = recordingLog();
  const d = new Dispatcher({
    pool: db.pool, redisUrl: inject('redisUrl'), queuePrefix: prefix, log, clock: clockAt(iso),
    config: dispatcherConfig({ ACK_TIMEOUT_S: '600', SLA_WARN_S: '900', SLA_ONSITE_S: '1200', ...env }),
    reconcileIntervalMs: 3_600_000,
  });
  await d.start();
  running.push(d);
  return { d, lines, stop: async () => { await d.stop(); running.splice(running.indexOf(d), 1); } };
}

const pagesOf = async (alertId: string) => (await notificationsOfAlert(db.pool, alertId));

async function routedAlert(c: Community, clock: () => Date, expectedRows = 1) {
  const alertId = await insertAlert(db, c.householdId, 'sos', clock());
  await routeQueue.add('route', { alertId }, { jobId: alertId });
  const alert = await waitFor(async () => { const a = await findAlert(db.pool, alertId); return a?.routedAt ? a : null; }, { what: 'routed alert' });
  // Sends finish after the routing commit.
  await waitFor(async () => (await pagesOf(alertId)).length >= expectedRows && (await pagesOf(alertId)).every((n) => n.status !== 'pending'), { what: 'notifications recorded' });
  return alert;
}

test('day (10:00 Asia/Shanghai): tier 1 = the grid worker of the grid + the on-duty org specialist; building leader and buddy informed', async () => {
  const iso = '2026-05-12T10:00:00+08:00';
  const { stop } = await startAt(iso);
  const c = await seedDispatchCommunity(db);
  const alert = await routedAlert(c, clockAt(iso), 4);
  expect(alert).toMatchObject({ state: 'notified', level: 0, shift: 'day', gridId: c.gridA });
  const rows = await pagesOf(alert.id);
  const page = rows.filter((n) => n.purpose === 'page');
  expect(new Set(page.map((n) => n.responderId))).toEqual(new Set([c.r.gw, c.r.osDay]));
  expect(page.every((n) => n.round === 'level:0' && n.tier === 0 && n.channel === 'in_app' && n.status === 'sent')).toBe(true);
  const informed = rows.filter((n) => n.purpose === 'inform');
  expect(new Set(informed.map((n) => n.responderId))).toEqual(new Set([c.r.bl, c.r.buddy]));
  // Nobody else: not grid B's worker, not the night staff, not the supervisor, not the family.
  expect(rows.length).toBe(4);
  const events = await db.pool.query(`SELECT type, data FROM live_events WHERE type = 'responder.notify' AND data->>'alertId' = $1`, [alert.id]);
  expect(events.rows.map((e) => e.data.responderId).sort()).toEqual([c.r.gw, c.r.osDay, c.r.bl, c.r.buddy].sort());
  const timeline = await db.pool.query(`SELECT type, to_state FROM alert_events WHERE alert_id = $1 ORDER BY id`, [alert.id]);
  expect(timeline.rows).toEqual([{ type: 'created', to_state: 'open' }, { type: 'state', to_state: 'notified' }]);
  await stop();
});

test('night (23:00 Asia/Shanghai): tier 1 = the on-duty org specialist + property duty; nobody informed', async () => {
  const iso = '2026-05-12T23:00:00+08:00';
  const { stop } = await startAt(iso);
  const c = await seedDispatchCommunity(db);
  const alert = await routedAlert(c, clockAt(iso), 2);
  expect(alert).toMatchObject({ state: 'notified', level: 0, shift: 'night' });
  expect((await db.pool.query(`SELECT to_char(shift_date, 'YYYY-MM-DD') AS d FROM alerts WHERE id = $1`, [alert.id])).rows[0].d).toBe('2026-05-12');
  const rows = await pagesOf(alert.id);
  expect(rows.map((n) => [n.purpose, n.responderId]).sort()).toEqual([['page', c.r.osNight], ['page', c.r.pd]].sort());
  await stop();
});

test('the outbox: an alert whose route job was never enqueued is routed by the reconciler', async () => {
  const iso = '2026-05-12T10:00:00+08:00';
  const { d, stop } = await startAt(iso);
  const c = await seedDispatchCommunity(db);
  const alertId = await insertAlert(db, c.householdId, 'fall', clockAt(iso)());
  const report = await d.reconcileNow();
  expect(report?.routed).toBeGreaterThanOrEqual(1);
  expect(await findAlert(db.pool, alertId)).toMatchObject({ state: 'notified', level: 0 });
  await stop();
});

test('an empty tier 1 is skipped at once: level 1 (the supervisor) is paged, with a timeline row for the skip', async () => {
  const iso = '2026-05-12T10:00:00+08:00';
  const { stop } = await startAt(iso);
  const c = await seedDispatchCommunity(db);
  await db.pool.query(`UPDATE responders SET on_duty = false WHERE id = ANY($1)`, [[c.r.gw, c.r.osDay]]);
  const alert = await routedAlert(c, clockAt(iso));
  expect(alert.level).toBe(1);
  // The skip's own rows may be the first recorded: wait for the page itself (seen under load on Node 24).
  const page = await waitFor(async () => {
    const rows = (await pagesOf(alert.id)).filter((n) => n.purpose === 'page' && n.status !== 'pending');
    return rows.length > 0 ? rows : null;
  }, { what: 'the supervisor paged' });
  expect(page.map((n) => n.responderId)).toEqual([c.r.sup]);
  const esc = await db.pool.query(`SELECT data FROM alert_events WHERE alert_id = $1 AND type = 'escalated'`, [alert.id]);
  expect(esc.rows.map((r) => [r.data.fromLevel, r.data.toLevel])).toEqual([[0, 1]]);
  await stop();
});

test('nobody on duty anywhere: a "no one on duty" note, a none-row, and the ack timer still armed', async () => {
  const iso = '2026-05-12T10:00:00+08:00';
  const { stop } = await startAt(iso);
  const c = await seedDispatchCommunity(db, { supervisor: false });
  await db.pool.query(`UPDATE responders SET on_duty = false WHERE community_id = $1`, [c.communityId]);
  await db.pool.query(`DELETE FROM contacts WHERE household_id = $1`, [c.householdId]);
  await db.pool.query(`UPDATE communities SET emergency_phone = NULL WHERE id = $1`, [c.communityId]);
  const alert = await routedAlert(c, clockAt(iso));
  expect(alert.state).toBe('notified');
  const rows = await pagesOf(alert.id);
  expect(rows).toEqual([expect.objectContaining({ channel: 'none', status: 'skipped', error: 'no one on duty and no supervisor available' })]);
  const note = await waitFor(async () => (await db.pool.query(`SELECT data FROM alert_events WHERE alert_id = $1 AND type = 'note'`, [alert.id])).rows[0], { what: 'note' });
  expect(note.data.text).toBe('no one on duty');
  const q = new Queue(QUEUES.escalation, { connection: redis, prefix });
  expect(await q.getJob(`${alert.id}:ack:0`)).toBeTruthy();
  await q.close();
  await stop();
});
