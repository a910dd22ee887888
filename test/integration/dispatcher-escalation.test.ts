import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { QUEUES, type EscalationJob } from '../../domain/queues.js';
import { Dispatcher } from '../../dispatcher/dispatcher.js';
import { applyAlertAction, findAlert } from '../../store/alert-transitions-repository.js';
import { publishLive } from '../../store/live-publisher.js';
import { notificationsOfAlert } from '../../store/notifications-repository.js';
import { createTestDb, waitFor, type TestDb } from '../helpers/db.js';
import { clockAt, dispatcherConfig, insertAlert, recordingLog, seedDispatchCommunity, type Community } from '../helpers/dispatcher-fixtures.js';
import { useRedisPrefix } from '../../store/redis-namespace.js';

/**
 * Escalation and SLA timers end to end on real PostgreSQL and redis-server, durations compressed
 * (DESIGN §10): ACK_TIMEOUT_S=1, SLA_WARN_S=3, SLA_ONSITE_S=5, ARRIVE_REMIND_S=1.
 */
const prefix = `de-${randomBytes(4).toString('hex')}`;
// Everything in this file, the API and publishers included, in the dispatcher's/gateway's Redis namespace.
useRedisPrefix(prefix);
const clock = clockAt('2026-05-12T10:00:00+08:00');
const env = { ACK_TIMEOUT_S: '1', SLA_WARN_S: '3', SLA_ONSITE_S: '5', ARRIVE_REMIND_S: '1' };
let db: TestDb;
let redis: Redis;
let routeQueue: Queue;
let escalationQueue: Queue;
let dispatcher: Dispatcher | null = null;
let c: Community;
const fired: Array<{ job: EscalationJob; latenessMs: number; outcome: string }> = [];
const { log, lines } = recordingLog();

function newDispatcher() {
  return new Dispatcher({
    pool: db.pool, redisUrl: inject('redisUrl'), queuePrefix: prefix, log, clock, config: dispatcherConfig(env),
    reconcileIntervalMs: 3_600_000, onTimer: (job, latenessMs, outcome) => fired.push({ job, latenessMs, outcome }),
  });
}

beforeAll(async () => {
  db = await createTestDb();
  redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
  routeQueue = new Queue(QUEUES.route, { connection: redis, prefix });
  escalationQueue = new Queue(QUEUES.escalation, { connection: redis, prefix });
  c = await seedDispatchCommunity(db);
  dispatcher = newDispatcher();
  await dispatcher.start();
});
afterAll(async () => {
  await dispatcher?.stop();
  await routeQueue.close();
  await escalationQueue.close();
  redis.disconnect();
  await db.drop();
  const late = fired.map((f) => f.latenessMs).sort((a, b) => a - b);
  if (late.length) console.info(`timer lateness over ${late.length} runs: median ${late[Math.floor(late.length / 2)]} ms, max ${late[late.length - 1]} ms`);
  if (lines.length) console.info(lines.join('\n'));
});

async function newAlert(kind: 'sos' | 'fall' | 'battery_low' = 'sos', householdId = c.householdId) {
  await db.pool.query(`UPDATE alerts SET state = 'cancelled', cancel_reason = 'test reset', closed_at = now() WHERE household_id = $1 AND kind = $2 AND state IN ('open', 'notified', 'accepted', 'on_site')`, [householdId, kind]);
  const alertId = await insertAlert(db, householdId, kind, clock());
  await routeQueue.add('route', { alertId }, { jobId: alertId });
  return waitFor(async () => { const a = await findAlert(db.pool, alertId); return a?.routedAt ? a : null; }, { what: 'routed' });
}

const seconds = (a: Date, b: Date) => (a.getTime() - b.getTime()) / 1000;

test('no accept → level 1, then 2, then re-notify everyone, each ACK_TIMEOUT_S (±1 s) after the previous level; an accept stops it', async () => {
  const alert = await newAlert('sos');
  const esc = await waitFor(async () => {
    const r = await db.pool.query(`SELECT at, data FROM alert_events WHERE alert_id = $1 AND type = 'escalated' ORDER BY id`, [alert.id]);
    return r.rows.length >= 3 ? r.rows : null;
  }, { timeoutMs: 15_000, what: 'three escalations' });
  const routedAt = alert.routedAt!;
  esc.slice(0, 3).forEach((e, i) => {
    expect([e.data.fromLevel, e.data.toLevel]).toEqual([i, i + 1]);
    const dt = seconds(e.at, routedAt);
    expect(dt).toBeGreaterThanOrEqual(i + 1 - 0.05);
    expect(dt).toBeLessThanOrEqual(i + 1 + 1);
  });
  expect((await findAlert(db.pool, alert.id))!.ackBreached).toBe(true);

  await waitFor(async () => (await notificationsOfAlert(db.pool, alert.id)).filter((n) => n.round === 'level:3').length >= 6, { what: 'level 3 round' });
  const rows = await notificationsOfAlert(db.pool, alert.id);
  const by = (round: string) => rows.filter((n) => n.round === round && n.purpose === 'page');
  expect(by('level:1').map((n) => n.responderId)).toEqual([c.r.sup]);
  // Tier 3: family and the community number, by phone; no webhook configured → recorded as skipped for a human to call.
  expect(by('level:2').map((n) => [n.channel, n.target, n.status, n.error]).sort()).toEqual([
    ['webhook', '025-12345678', 'skipped', 'no webhook configured'],
    ['webhook', '13900000001', 'skipped', 'no webhook configured'],
    ['webhook', '13900000002', 'skipped', 'no webhook configured'],
  ]);
  // After the top tier: everyone of every tier again.
  const everyone = by('level:3');
  expect(new Set(everyone.filter((n) => n.channel === 'in_app').map((n) => n.responderId))).toEqual(new Set([c.r.gw, c.r.osDay, c.r.sup]));
  expect(everyone.filter((n) => n.channel === 'webhook')).toHaveLength(3);

  await applyAlertAction(db.pool, alert.id, { type: 'accept', by: c.r.gw }, `user:${c.r.gw}`, clock());
  const level = (await findAlert(db.pool, alert.id))!.level;
  // The pending ack timer of that level fires and does nothing.
  await waitFor(() => fired.some((f) => f.job.type === 'ack_timeout' && f.job.alertId === alert.id && f.job.level === level && f.outcome === 'noop'),
    { timeoutMs: 5000, what: 'the ack timer after the accept' });
  expect((await findAlert(db.pool, alert.id))!.level).toBe(level);
  // Exactly one escalated row per level.
  const all = await db.pool.query(`SELECT data->>'toLevel' AS l, count(*)::int AS n FROM alert_events WHERE alert_id = $1 AND type = 'escalated' GROUP BY 1`, [alert.id]);
  expect(all.rows.every((r) => r.n === 1)).toBe(true);
});

test('SLA: warned at SLA_WARN_S and breached at SLA_ONSITE_S after the first signal (±1 s), supervisor told each time, alert stays open', async () => {
  const alert = await newAlert('fall');
  const breach = await waitFor(async () => (await db.pool.query(`SELECT at FROM alert_events WHERE alert_id = $1 AND type = 'sla_breach'`, [alert.id])).rows[0], { timeoutMs: 15_000, what: 'sla breach' });
  const warn = (await db.pool.query(`SELECT at FROM alert_events WHERE alert_id = $1 AND type = 'sla_warn'`, [alert.id])).rows[0];
  expect(seconds(warn.at, alert.firstSignalAt)).toBeGreaterThanOrEqual(3 - 0.05);
  expect(seconds(warn.at, alert.firstSignalAt)).toBeLessThanOrEqual(4);
  expect(seconds(breach.at, alert.firstSignalAt)).toBeGreaterThanOrEqual(5 - 0.05);
  expect(seconds(breach.at, alert.firstSignalAt)).toBeLessThanOrEqual(6);
  const after = (await findAlert(db.pool, alert.id))!;
  expect(after).toMatchObject({ slaWarned: true, onsiteBreached: true });
  expect(['open', 'notified']).toContain(after.state);
  await waitFor(async () => (await notificationsOfAlert(db.pool, alert.id)).filter((n) => n.round === 'sla:breach').length > 0, { what: 'breach notice' });
  const sup = (await notificationsOfAlert(db.pool, alert.id)).filter((n) => n.purpose === 'supervisor');
  expect(sup.map((n) => [n.round, n.responderId, n.channel]).sort()).toEqual([['sla:breach', c.r.sup, 'in_app'], ['sla:warn', c.r.sup, 'in_app']]);
  const live = await db.pool.query(`SELECT data FROM live_events WHERE type = 'alert.updated' AND data->>'id' = $1 AND (data->>'onsiteBreached')::boolean`, [alert.id]);
  expect(live.rows.length).toBeGreaterThan(0);
  await applyAlertAction(db.pool, alert.id, { type: 'cancel', by: 'test', reason: 'done' }, 'test', clock());
});

test('maintenance alerts get no SLA timers', async () => {
  const alert = await newAlert('battery_low');
  expect(await escalationQueue.getJob(`${alert.id}:ack:0`)).toBeTruthy();
  expect(await escalationQueue.getJob(`${alert.id}:sla:warn`)).toBeFalsy();
  expect(await escalationQueue.getJob(`${alert.id}:sla:breach`)).toBeFalsy();
  await applyAlertAction(db.pool, alert.id, { type: 'cancel', by: 'test', reason: 'done' }, 'test', clock());
});

test('accepted but not on site: the one who accepted is reminded ARRIVE_REMIND_S after the accept (armed from the live feed)', async () => {
  const alert = await newAlert('sos');
  const accepted = await applyAlertAction(db.pool, alert.id, { type: 'accept', by: c.r.osDay }, `user:${c.r.osDay}`, clock());
  publishLive(redis, accepted.live); // what the API does after its commit
  const reminder = await waitFor(async () => (await notificationsOfAlert(db.pool, alert.id)).find((n) => n.purpose === 'reminder' && n.status !== 'pending'), { timeoutMs: 8000, what: 'reminder' });
  expect(reminder).toMatchObject({ responderId: c.r.osDay, round: 'arrive:remind', channel: 'in_app', status: 'sent' });
  const dt = seconds(reminder.at, accepted.alert.acceptedAt!);
  expect(dt).toBeGreaterThanOrEqual(1 - 0.05);
  expect(dt).toBeLessThanOrEqual(2);
  await applyAlertAction(db.pool, alert.id, { type: 'cancel', by: 'test', reason: 'done' }, 'test', clock());
});

test('a resolved alert never re-pages: its surviving timers fire after a dispatcher restart and do nothing (issue 4 item 11e)', async () => {
  const alert = await newAlert('sos');
  await waitFor(async () => (await notificationsOfAlert(db.pool, alert.id)).length >= 4, { what: 'first page' });
  // The dispatcher goes down with the ack and SLA timers armed in Redis; meanwhile the alert is handled.
  await dispatcher!.stop();
  dispatcher = null;
  await applyAlertAction(db.pool, alert.id, { type: 'accept', by: c.r.gw }, 'test', clock());
  await applyAlertAction(db.pool, alert.id, { type: 'arrive', by: c.r.gw }, 'test', clock());
  await applyAlertAction(db.pool, alert.id, { type: 'resolve', by: c.r.gw, outcome: 'assisted' }, 'test', clock());
  const count = async () => (await db.pool.query(
    `SELECT (SELECT count(*) FROM notifications WHERE alert_id = $1::uuid)::int AS n, (SELECT count(*) FROM alert_events WHERE alert_id = $1::uuid)::int AS e,
            (SELECT count(*) FROM live_events WHERE data->>'id' = $1::text OR data->>'alertId' = $1::text)::int AS l`, [alert.id])).rows[0];
  const before = await count();
  expect(await escalationQueue.getJob(`${alert.id}:sla:breach`)).toBeTruthy();

  dispatcher = newDispatcher();
  await dispatcher.start();
  await waitFor(() => ['ack_timeout', 'sla_warn', 'sla_breach'].every((t) => fired.some((f) => f.job.alertId === alert.id && f.job.type === t)),
    { timeoutMs: 10_000, what: 'the surviving timers' });
  expect(fired.filter((f) => f.job.alertId === alert.id).every((f) => f.outcome === 'noop')).toBe(true);
  expect(await count()).toEqual(before);
});
