import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { QUEUES, type EscalationJob } from '../../domain/queues.js';
import { TOP_LEVEL } from '../../domain/routing.js';
import { Dispatcher } from '../../dispatcher/dispatcher.js';
import { applyAlertAction, findAlert } from '../../store/alert-transitions-repository.js';
import { notificationsOfAlert } from '../../store/notifications-repository.js';
import { redisNamesInUse } from '../../store/redis-namespace.js';
import { createTestDb, waitFor, type TestDb } from '../helpers/db.js';
import { clockAt, dispatcherConfig, insertAlert, recordingLog, seedDispatchCommunity, type Community } from '../helpers/dispatcher-fixtures.js';

/**
 * DESIGN §4 "after the top tier, re-notify everyone each ACK_TIMEOUT_S until accepted" beyond the
 * first such round (issue 21 item 6): rounds level:3, level:4, level:5 … each page every person
 * and number of every tier once, one ACK_TIMEOUT_S after the previous at the earliest, and the
 * accept ends them. ACK_TIMEOUT_S=1; the SLA timers far away so only paging happens.
 */
const clock = clockAt('2026-05-12T10:00:00+08:00');
const ROUNDS_PAST_TOP = 3;
let db: TestDb;
let redis: Redis;
let routeQueue: Queue;
let dispatcher: Dispatcher;
let c: Community;
const fired: Array<{ job: EscalationJob; outcome: string }> = [];
const { log } = recordingLog();

beforeAll(async () => {
  db = await createTestDb();
  const prefix = redisNamesInUse().queuePrefix; // the file's own namespace (redis-namespace-setup.ts)
  redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
  routeQueue = new Queue(QUEUES.route, { connection: redis, prefix });
  c = await seedDispatchCommunity(db);
  dispatcher = new Dispatcher({
    pool: db.pool, redisUrl: inject('redisUrl'), log, clock, reconcileIntervalMs: 3_600_000,
    config: dispatcherConfig({ ACK_TIMEOUT_S: '1', SLA_WARN_S: '3000', SLA_ONSITE_S: '3600' }),
    onTimer: (job, _lateness, outcome) => fired.push({ job, outcome }),
  });
  await dispatcher.start();
});
afterAll(async () => {
  await dispatcher.stop();
  await routeQueue.close();
  redis.disconnect();
  await db.drop();
});

test(`re-notify everyone keeps going past the first round (${ROUNDS_PAST_TOP} rounds), each once and an ACK_TIMEOUT_S apart, until the accept`, async () => {
  const alertId = await insertAlert(db, c.householdId, 'sos', clock());
  await routeQueue.add('route', { alertId }, { jobId: alertId });
  const last = TOP_LEVEL + ROUNDS_PAST_TOP;
  const rounds = Array.from({ length: ROUNDS_PAST_TOP }, (_, i) => `level:${TOP_LEVEL + 1 + i}`);
  // The last of them sent to everyone: 3 people in-app and 3 numbers by phone (see dispatcher-escalation.test.ts).
  await waitFor(async () => (await notificationsOfAlert(db.pool, alertId)).filter((n) => n.round === rounds.at(-1) && n.purpose === 'page').length >= 6,
    { timeoutMs: 60_000, intervalMs: 100, what: `round ${rounds.at(-1)}` });
  await applyAlertAction(db.pool, alertId, { type: 'accept', by: c.r.gw }, `user:${c.r.gw}`, clock());
  const accepted = (await findAlert(db.pool, alertId))!;
  expect(accepted.state).toBe('accepted');
  const acceptedAt = accepted.level;
  expect(acceptedAt).toBeGreaterThanOrEqual(last);

  const pages = (await notificationsOfAlert(db.pool, alertId)).filter((n) => n.purpose === 'page');
  const everyone = (round: string) => pages.filter((n) => n.round === round)
    .map((n) => (n.channel === 'in_app' ? `app:${n.responderId}` : `${n.channel}:${n.target}`)).sort();
  const expected = [`app:${c.r.gw}`, `app:${c.r.osDay}`, `app:${c.r.sup}`, 'webhook:025-12345678', 'webhook:13900000001', 'webhook:13900000002'].sort();
  // Every round past the top tier: the same people and numbers, each exactly once.
  for (const round of rounds) expect(everyone(round), round).toEqual(expected);

  // One escalation per level, in order, and none earlier than ACK_TIMEOUT_S after the one before.
  const esc = (await db.pool.query<{ at: Date; from: number; to: number }>(
    `SELECT at, (data->>'fromLevel')::int AS from, (data->>'toLevel')::int AS to FROM alert_events WHERE alert_id = $1 AND type = 'escalated' ORDER BY id`, [alertId])).rows;
  expect(esc.map((e) => e.to)).toEqual(Array.from({ length: esc.length }, (_, i) => i + 1));
  for (let i = 1; i < esc.length; i++) expect(esc[i]!.at.getTime() - esc[i - 1]!.at.getTime(), `level ${esc[i]!.to}`).toBeGreaterThanOrEqual(950);

  // Accepted: the ack timer already armed for this level runs and does nothing; no further round.
  await waitFor(() => fired.some((f) => f.job.type === 'ack_timeout' && f.job.alertId === alertId && f.job.level === acceptedAt && f.outcome === 'noop'),
    { timeoutMs: 15_000, what: 'the pending ack timer after the accept' });
  const after = (await notificationsOfAlert(db.pool, alertId)).filter((n) => n.purpose === 'page' && n.round === `level:${acceptedAt + 1}`);
  expect(after).toEqual([]);
  expect((await findAlert(db.pool, alertId))!.level).toBe(acceptedAt);
});
