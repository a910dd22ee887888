import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { QUEUES } from '../../domain/queues.js';
import { Dispatcher } from '../../dispatcher/dispatcher.js';
import { putSetting } from '../../store/settings-repository.js';
import { startPrivateRedis, type PrivateRedis } from '../../store/redis-server.js';
import { createTestDb, waitFor, type TestDb } from '../helpers/db.js';
import { addHousehold, clockAt, dispatcherConfig, insertAlert, recordingLog, seedDispatchCommunity } from '../helpers/dispatcher-fixtures.js';
import { startDispatcherProcess, type DispatcherProcess } from '../helpers/dispatcher-process.js';

/**
 * Losing things (DESIGN §4 "a lost Redis, a killed process or a failed enqueue loses nothing"):
 * SIGKILL with armed timers, FLUSHALL, two dispatchers on one Redis. A private redis-server of
 * this file's own, because FLUSHALL must not wipe other test files' queues.
 */
const CLOCK_AT = '2026-05-12T10:00:00+08:00';
let db: TestDb;
let dir: string;
let redisServer: PrivateRedis;
let redis: Redis;
const children: DispatcherProcess[] = [];

beforeAll(async () => {
  db = await createTestDb();
  dir = await mkdtemp(join(tmpdir(), 'guardian-dispatch-'));
  redisServer = await startPrivateRedis(dir, { persist: false });
  redis = new Redis(redisServer.url, { maxRetriesPerRequest: null });
});
// A test that fails half-way must not leave a dispatcher running into the next one (it would
// escalate that test's alerts too): every child goes when its test ends, pass or fail.
afterEach(async () => {
  for (const c of children.splice(0)) await c.kill('SIGKILL');
});
afterAll(async () => {
  redis.disconnect();
  await redisServer.stop();
  await db.drop();
  await rm(dir, { recursive: true, force: true });
});

function childEnv(prefix: string, extra: Record<string, string> = {}) {
  return {
    DATABASE_URL: db.url, REDIS_URL: redisServer.url, QUEUE_PREFIX: prefix, CLOCK_AT,
    GUARDIAN_TZ: 'Asia/Shanghai', DAY_SHIFT: '08:00-20:00', ...extra,
  };
}

async function start(prefix: string, extra: Record<string, string> = {}) {
  const p = await startDispatcherProcess(childEnv(prefix, extra));
  children.push(p);
  return p;
}

async function manyAlerts(n: number) {
  const c = await seedDispatchCommunity(db);
  const clock = clockAt(CLOCK_AT);
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push(await insertAlert(db, await addHousehold(db, c, i), 'sos', clock()));
  return { c, ids };
}

const levels = async (ids: string[]) =>
  (await db.pool.query<{ level: number; breached: boolean }>(`SELECT level, onsite_breached AS breached FROM alerts WHERE id = ANY($1::uuid[])`, [ids])).rows;

/** Per alert: one escalated row per level, one sla_warn, one sla_breach; one in-app send per (round, responder). */
async function expectEverythingOnce(ids: string[]) {
  const dupEsc = await db.pool.query(
    `SELECT alert_id, data->>'toLevel' AS l, count(*) FROM alert_events WHERE alert_id = ANY($1::uuid[]) AND type = 'escalated'
      GROUP BY 1, 2 HAVING count(*) > 1`, [ids]);
  expect(dupEsc.rows).toEqual([]);
  const sla = await db.pool.query(
    `SELECT type, count(*)::int AS n, count(DISTINCT alert_id)::int AS alerts FROM alert_events
      WHERE alert_id = ANY($1::uuid[]) AND type IN ('sla_warn', 'sla_breach') GROUP BY 1 ORDER BY 1`, [ids]);
  expect(sla.rows).toEqual([{ type: 'sla_breach', n: ids.length, alerts: ids.length }, { type: 'sla_warn', n: ids.length, alerts: ids.length }]);
  const dupSends = await db.pool.query(
    `SELECT data->>'alertId', data->>'round', data->>'responderId', count(*) FROM live_events
      WHERE type = 'responder.notify' AND data->>'alertId' = ANY($1::text[]) GROUP BY 1, 2, 3 HAVING count(*) > 1`, [ids]);
  expect(dupSends.rows).toEqual([]);
}

test('SIGKILL with 120 live alerts and armed timers; a new dispatcher fires every timer exactly once', { timeout: 240_000 }, async () => {
  const prefix = `dk-${randomBytes(3).toString('hex')}`;
  const { ids } = await manyAlerts(120);
  // The kill must find timers armed: routing 120 alerts has to finish before the first ack timer
  // falls due. 15 s leaves room for a machine busy with other work (it took 6+ s under load).
  const env = { ACK_TIMEOUT_S: '15', SLA_WARN_S: '16', SLA_ONSITE_S: '18', RECONCILE_MS: '600000' };
  const a = await start(prefix, env);
  const routeQueue = new Queue(QUEUES.route, { connection: redis, prefix });
  await routeQueue.addBulk(ids.map((alertId) => ({ name: 'route', data: { alertId }, opts: { jobId: alertId } })));
  await routeQueue.close();
  await waitFor(async () => (await db.pool.query(`SELECT count(*)::int AS n FROM alerts WHERE id = ANY($1::uuid[]) AND routed_at IS NOT NULL`, [ids])).rows[0].n === ids.length,
    { timeoutMs: 30_000, what: 'all routed' });
  const escalation = new Queue(QUEUES.escalation, { connection: redis, prefix });
  let b: DispatcherProcess | undefined;
  try {
    await a.kill('SIGKILL');
    // Killed with its timers armed: none of them has run yet (nothing escalated, no SLA event).
    const armed = await escalation.getJobCounts('delayed', 'waiting', 'active');
    const fired = (await db.pool.query(`SELECT count(*)::int AS n FROM alert_events WHERE alert_id = ANY($1::uuid[]) AND type IN ('escalated', 'sla_warn', 'sla_breach')`, [ids])).rows[0].n;
    expect(fired, 'no timer may run before the kill (routing was slower than ACK_TIMEOUT_S)').toBe(0);
    expect((armed.delayed ?? 0) + (armed.waiting ?? 0) + (armed.active ?? 0)).toBeGreaterThanOrEqual(ids.length * 2);

    b = await start(prefix, env);
    await waitFor(async () => (await levels(ids)).every((r) => r.level >= 2 && r.breached), { timeoutMs: 120_000, intervalMs: 250, what: 'every alert at level 2 and breached' });
    await b.kill('SIGTERM');
  } finally {
    await escalation.close();
  }
  await expectEverythingOnce(ids);
  const late = b!.timers.map((t) => t.latenessMs).sort((x, y) => x - y);
  console.info(`after SIGKILL: ${late.length} timer runs in the new dispatcher, median lateness ${late[Math.floor(late.length / 2)]} ms, p95 ${late[Math.floor(late.length * 0.95)]} ms`);
});

test('FLUSHALL: the reconciler re-arms every timer and escalation still happens', { timeout: 120_000 }, async () => {
  const prefix = `df-${randomBytes(3).toString('hex')}`;
  const { ids } = await manyAlerts(20);
  const { log } = recordingLog();
  const d = new Dispatcher({
    pool: db.pool, redisUrl: redisServer.url, queuePrefix: prefix, log, clock: clockAt(CLOCK_AT), reconcileIntervalMs: 1000,
    // 12 s: long enough that no ack timer fires before the FLUSHALL even on a loaded machine.
    config: dispatcherConfig({ ACK_TIMEOUT_S: '12', SLA_WARN_S: '13', SLA_ONSITE_S: '15' }),
  });
  const escalation = new Queue(QUEUES.escalation, { connection: redis, prefix });
  try {
    await d.start(); // the first pass routes the outbox
    expect((await levels(ids)).every((r) => r.level === 0)).toBe(true);
    const before = await escalation.getJob(`${ids[0]}:ack:0`);
    expect(before).toBeTruthy();
    const flushedAt = Date.now();
    await redis.flushall();
    // Re-armed by the reconciler: the job is back, a new one made after the FLUSHALL (whenever
    // the next pass comes; no window to hit between the flush and a look).
    await waitFor(async () => ((await escalation.getJob(`${ids[0]}:ack:0`))?.timestamp ?? 0) >= flushedAt, { timeoutMs: 30_000, what: 're-armed after FLUSHALL' });
    await waitFor(async () => (await levels(ids)).every((r) => r.level >= 1 && r.breached), { timeoutMs: 90_000, intervalMs: 250, what: 'escalated and breached after FLUSHALL' });
  } finally {
    await escalation.close();
    await d.stop();
  }
  await expectEverythingOnce(ids);
});

test('two dispatcher processes on one Redis: every notification row is sent exactly once (webhook receiver counts)', { timeout: 180_000 }, async () => {
  const prefix = `d2-${randomBytes(3).toString('hex')}`;
  const received = new Map<number, number>();
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (b: Buffer) => { body += b.toString(); });
    req.on('end', () => {
      const id = (JSON.parse(body) as { notificationId: number }).notificationId;
      received.set(id, (received.get(id) ?? 0) + 1);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await putSetting(db.pool, 'webhook', { url: `http://127.0.0.1:${port}/sms` });
  try {
    const { ids } = await manyAlerts(40);
    // Both reconcile every 300 ms, so they race on the outbox, the timers and the page rounds.
    const env = { ACK_TIMEOUT_S: '2', SLA_WARN_S: '3', SLA_ONSITE_S: '5', RECONCILE_MS: '300' };
    const [p1, p2] = await Promise.all([start(prefix, env), start(prefix, env)]);
    await waitFor(async () => (await levels(ids)).every((r) => r.level >= 3 && r.breached), { timeoutMs: 60_000, intervalMs: 250, what: 'level 3 and breached everywhere' });
    await Promise.all([p1.kill('SIGTERM'), p2.kill('SIGTERM')]);
    await expectEverythingOnce(ids);
    // The live alerts of the earlier tests are escalated too (the database is the truth), so compare all rows.
    const sent = await db.pool.query<{ id: number }>(`SELECT id FROM notifications WHERE channel = 'webhook' AND status = 'sent'`);
    const ours = await db.pool.query(`SELECT count(*)::int AS n FROM notifications WHERE alert_id = ANY($1::uuid[]) AND channel = 'webhook' AND status = 'sent'`, [ids]);
    expect(ours.rows[0].n).toBeGreaterThan(ids.length * 3);
    expect([...received.values()].every((n) => n === 1)).toBe(true);
    expect(new Set(received.keys())).toEqual(new Set(sent.rows.map((r) => r.id)));
    // Both processes did work.
    expect(p1.timers.length).toBeGreaterThan(0);
    expect(p2.timers.length).toBeGreaterThan(0);
    expect(await db.pool.query(`SELECT count(*)::int AS n FROM notifications WHERE status = 'pending'`).then((r) => r.rows[0].n)).toBe(0);
  } finally {
    await db.pool.query(`DELETE FROM settings WHERE key = 'webhook'`);
    await new Promise<void>((r) => server.close(() => r()));
  }
});
