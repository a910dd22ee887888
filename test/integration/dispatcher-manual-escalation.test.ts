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
import { clockAt, dispatcherConfig, insertAlert, seedDispatchCommunity, type Community } from '../helpers/dispatcher-fixtures.js';

/**
 * Issue 20 item 3 and item 12 on the real dispatcher, API and redis-server: an operator's manual
 * escalation pages the next tier at once and the escalate answer already names who was paged
 * (before: nobody for 15-30 s, until the reconciler's next pass, and the answer said nothing);
 * SOS routing, escalations and SLA breaches are in the service log at info level.
 */
const prefix = `dme-${randomBytes(4).toString('hex')}`;
const clock = clockAt('2026-05-12T10:00:00+08:00'); // day shift
let db: TestDb;
let redis: Redis;
let routeQueue: Queue;
let dispatcher: Dispatcher | null = null;
let app: FastifyInstance;
let op: TestLogin;
let c: Community;
const info: string[] = [];

function startDispatcher(env: Record<string, string>) {
  const keep = (lvl: string) => (m: string) => { info.push(`${lvl} ${m}`); };
  dispatcher = new Dispatcher({
    pool: db.pool, redisUrl: inject('redisUrl'), queuePrefix: prefix, clock, config: dispatcherConfig(env),
    // The reconciler would page an API escalation too, after RECONCILE_S: keep it out of the way.
    reconcileIntervalMs: 3_600_000,
    log: { info: keep('info'), warn: keep('warn'), error: keep('error'), debug: () => {} },
  });
  return dispatcher.start();
}

beforeAll(async () => {
  // The API and the dispatcher must meet on one namespace: the queues' and the live channels'.
  useRedisPrefix(prefix);
  db = await createTestDb();
  redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
  routeQueue = new Queue(QUEUES.route, { connection: redis, prefix });
  c = await seedDispatchCommunity(db);
  app = await buildTestApp(db, { redis, clock: serviceClockAt(clock) });
  op = await loginAs(app, db, 'operator', { communityIds: [c.communityId] });
});
afterAll(async () => {
  await dispatcher?.stop();
  await app?.close();
  await routeQueue.close();
  redis.disconnect();
  await db.drop();
});

async function routedSos(householdId = c.householdId) {
  await db.pool.query(`UPDATE alerts SET state = 'cancelled', cancel_reason = 'test reset', closed_at = now() WHERE household_id = $1 AND state IN ('open', 'notified', 'accepted', 'on_site')`, [householdId]);
  const alertId = await insertAlert(db, householdId, 'sos', clock());
  await routeQueue.add('route', { alertId }, { jobId: alertId });
  return waitFor(async () => { const a = await findAlert(db.pool, alertId); return a?.routedAt ? a : null; }, { what: 'routed' });
}

describe.sequential('manual escalation and the service log', () => {
  test('an operator escalates: the answer names the supervisor paged for the next tier, and the log says so', async () => {
    await startDispatcher({ ACK_TIMEOUT_S: '600', SLA_WARN_S: '1200', SLA_ONSITE_S: '1800' });
    const alert = await routedSos();
    await waitFor(async () => (await db.pool.query(`SELECT 1 FROM notifications WHERE alert_id = $1 AND round = 'level:0'`, [alert.id])).rowCount, { what: 'tier 1 paged' });

    const started = Date.now();
    const res = await app.inject({ method: 'POST', url: `/api/v1/alerts/${alert.id}/escalate`, headers: op.bearer, payload: { reason: '网格员电话打不通' } });
    const tookMs = Date.now() - started;
    expect(res.statusCode).toBe(200);
    const body = res.json() as { level: number; notifications: Array<{ round: string; responderId: string | null; responderName: string | null; purpose: string }> };
    expect(body.level).toBe(1);
    // Tier 2 (the supervisor) is in the very answer: paged by the dispatcher's watcher at once.
    const paged = body.notifications.filter((n) => n.round === 'level:1');
    expect(paged.map((n) => n.responderId)).toContain(c.r.sup);
    expect(paged.find((n) => n.responderId === c.r.sup)!.responderName).toBe('吴主任');
    expect(tookMs).toBeLessThan(3000);
    // The new level's ack timer runs from the escalation (not from the old level's start).
    const after = (await findAlert(db.pool, alert.id))!;
    expect(after.levelStartedAt!.getTime()).toBeGreaterThan(alert.levelStartedAt!.getTime());

    expect(info.some((l) => l.startsWith('info ') && l.includes(alert.id) && l.includes('(sos, critical)') && l.includes('paging level 0'))).toBe(true);
    expect(info.some((l) => l.startsWith('info ') && l.includes(alert.id) && l.includes('escalated by hand to level 1'))).toBe(true);
    await dispatcher!.stop();
    dispatcher = null;
  });

  test('an ack timeout and an SLA breach are logged at info level', async () => {
    await startDispatcher({ ACK_TIMEOUT_S: '1', SLA_WARN_S: '2', SLA_ONSITE_S: '3' });
    const alert = await routedSos();
    await waitFor(() => info.some((l) => l.startsWith('info ') && l.includes(alert.id) && l.includes('escalated from level 0 to 1')), { timeoutMs: 15_000, what: 'escalation log line' });
    await waitFor(() => info.some((l) => l.startsWith('info ') && l.includes(alert.id) && l.includes('SLA breached')), { timeoutMs: 15_000, what: 'breach log line' });
    expect(info.some((l) => l.startsWith('info ') && l.includes(alert.id) && l.includes('SLA warning'))).toBe(true);
  });
});
