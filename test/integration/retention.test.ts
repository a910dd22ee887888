import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { clockAt } from '../../domain/clock.js';
import { retentionDays, type RetentionDays } from '../../domain/retention-policy.js';
import { Maintenance } from '../../dispatcher/maintenance/maintenance-jobs.js';
import { runRetentionPass } from '../../dispatcher/maintenance/retention-pass.js';
import { deleteOldestBatch, lastRetentionRun } from '../../store/retention-repository.js';
import { insertSignals, type SignalRow } from '../../store/signals-repository.js';
import { createTestDb, waitFor, type TestDb } from '../helpers/db.js';
import { buildTestApp, createHouseholdWithPeople, createTestUser, insertAlert, loginAs } from '../helpers/api.js';
import { parseConfig } from '../../domain/config.js';
import { dispatcherConfig, quietLog } from '../helpers/dispatcher-fixtures.js';

/**
 * Issue 21 items 1-2: signal_dedupe pruned, and retention on plain PostgreSQL — in batches,
 * per table, never holding a lock that ingest waits for — run by a BullMQ job scheduler.
 */
let db: TestDb;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

beforeAll(async () => { db = await createTestDb(); });
afterAll(async () => { await db.drop(); });

const count = async (table: string) => Number((await db.pool.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);

function telemetry(deviceId: string, eventId: string, at: Date): SignalRow {
  return {
    deviceId, householdId: 'h-week', eventId, type: 'heartbeat', ts: at, deviceTs: at, receivedAt: at,
    value: null, battery: 90, rssi: -60, confidence: null, room: null, activity: false,
  };
}

test('a compressed week at 1,000 msg/s: signal_dedupe stays at ~25 h of keys, and the 24 h dedupe window still holds', async () => {
  // 1,000 msg/s for 7 days, each simulated hour carried by ROWS_PER_HOUR rows (one row stands
  // for 3,600,000 / ROWS_PER_HOUR messages), from 50 devices; a retention pass every simulated hour.
  const ROWS_PER_HOUR = 1000;
  const t0 = Date.UTC(2026, 0, 5);
  let now = t0;
  const clock = clockAt(() => new Date(now));
  const days: RetentionDays = { ...retentionDays(dispatcherConfig()), signals: 2 };
  const sizes: number[] = [];
  for (let h = 0; h < 7 * 24; h++) {
    const rows = Array.from({ length: ROWS_PER_HOUR }, (_, i) =>
      telemetry(`dev-${i % 50}`, `e-${h}-${i}`, new Date(t0 + h * HOUR + Math.floor((i * HOUR) / ROWS_PER_HOUR))));
    expect(await insertSignals(db.pool, rows)).toBe(ROWS_PER_HOUR);
    now = t0 + (h + 1) * HOUR;
    await runRetentionPass({ pool: db.pool, clock, days, restRatio: 0 });
    sizes.push(await count('signal_dedupe'));
  }
  // Without the prune the table would hold the whole week (168,000 rows).
  expect(Math.max(...sizes)).toBeLessThanOrEqual(26 * ROWS_PER_HOUR);
  expect(sizes.at(-1)).toBeGreaterThanOrEqual(25 * ROWS_PER_HOUR);
  // signals with a 2-day retention: bounded the same way.
  expect(await count('signals')).toBeLessThanOrEqual(49 * ROWS_PER_HOUR);
  expect(await count('signals')).toBeGreaterThanOrEqual(48 * ROWS_PER_HOUR);

  // The same (device, id) 23 h later is still a duplicate; 30 h later its key is gone and it is new.
  const h = 7 * 24;
  expect(await insertSignals(db.pool, [telemetry('dev-0', `e-${h - 23}-0`, new Date(now))])).toBe(0);
  expect(await insertSignals(db.pool, [telemetry('dev-0', `e-${h - 30}-0`, new Date(now))])).toBe(1);
}, 240_000);

test('retention per table: old rows go in batches, recent ones stay, a live alert keeps its notifications, 0 days keeps for ever', async () => {
  const nowMs = Date.UTC(2026, 5, 1);
  const old = new Date(nowMs - 40 * DAY);
  const recent = new Date(nowMs - 2 * DAY);
  const hh = await createHouseholdWithPeople(db);
  const live = await insertAlert(db, { householdId: hh.id, kind: 'fall', state: 'accepted', openedAt: old });
  const closed = await insertAlert(db, { householdId: hh.id, kind: 'sos', state: 'resolved', openedAt: old });
  const tag = randomBytes(3).toString('hex');
  const N = 120;
  for (const at of [old, recent]) {
    await db.pool.query(`INSERT INTO live_events (at, type, data) SELECT $1, 'test.${tag}', '{}' FROM generate_series(1, $2)`, [at, N]);
    await db.pool.query(`INSERT INTO quarantine (received_at, device_id, topic, reason, size, sample) SELECT $1, 'd-${tag}', 't', 'bad_json', 1, 'x' FROM generate_series(1, $2)`, [at, N]);
    await db.pool.query(`INSERT INTO audit_log (at, username, action, target) SELECT $1, 'admin', 'test.${tag}', 'x' FROM generate_series(1, $2)`, [at, N]);
    await db.pool.query(
      `INSERT INTO notifications (alert_id, channel, target, status, at, round) SELECT $1, 'in_app', 't', 'sent', $2, 'r' || g || '-' || $4 FROM generate_series(1, $3) g`,
      [closed, at, N, at.getTime()]);
  }
  await db.pool.query(`INSERT INTO notifications (alert_id, channel, target, status, at, round) VALUES ($1, 'in_app', 't', 'sent', $2, 'tier0')`, [live, old]);
  // SMS sign-in links name their notification: an expired one goes (and frees it), a valid one pins it.
  const user = await createTestUser(db, 'responder');
  const userId = (await db.pool.query(`SELECT id FROM users WHERE username = $1`, [user.username])).rows[0].id;
  const linked = async (round: string, expiresAt: Date) => {
    const n = (await db.pool.query(`INSERT INTO notifications (alert_id, channel, target, status, at, round) VALUES ($1, 'sms', 't', 'sent', $2, $3) RETURNING id`, [closed, old, round])).rows[0].id;
    await db.pool.query(`INSERT INTO one_time_links (token_hash, user_id, alert_id, notification_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)`,
      [randomBytes(32), userId, closed, n, old, expiresAt]);
    return n;
  };
  const freed = await linked(`sms-expired-${tag}`, new Date(old.getTime() + 600_000));
  const pinned = await linked(`sms-valid-${tag}`, new Date(nowMs + 600_000));
  const tagged = async (table: string, where: string) => Number((await db.pool.query(`SELECT count(*) AS n FROM ${table} WHERE ${where}`)).rows[0].n);

  const batches: Record<string, number[]> = {};
  const result = await runRetentionPass({
    pool: db.pool, clock: clockAt(() => new Date(nowMs)), restRatio: 0, batchSize: 50,
    days: { signals: 180, live_events: 7, notifications: 30, quarantine: 30, audit_log: 0 },
    onBatch: (table, n) => { (batches[table] ??= []).push(n); },
  });

  expect(await tagged('live_events', `type = 'test.${tag}'`)).toBe(N);
  expect(await tagged('quarantine', `device_id = 'd-${tag}'`)).toBe(N);
  expect(await tagged('notifications', `alert_id = '${closed}' AND channel = 'in_app'`)).toBe(N);
  expect(await tagged('notifications', `alert_id = '${live}'`)).toBe(1);
  expect(await tagged('notifications', `id = ${freed}`)).toBe(0);
  expect(await tagged('notifications', `id = ${pinned}`)).toBe(1);
  expect(await tagged('one_time_links', `notification_id IN (${freed}, ${pinned})`)).toBe(1);
  expect(await tagged('audit_log', `action = 'test.${tag}'`)).toBe(2 * N);
  // 120 old rows at 50 a statement: three deletes (50, 50, 20), never one big one.
  expect(batches.quarantine).toEqual([50, 50, 20]);
  expect(batches.notifications).toEqual([50, 50, 21]);
  expect(result.skipped).toContainEqual({ table: 'audit_log', why: 'kept for ever (0 days)' });
  expect(result.tables.find((t) => t.table === 'live_events')).toMatchObject({ deleted: N, done: true });
});

test('a retention batch never makes ingest wait: inserts into the same table complete while its DELETE is uncommitted', async () => {
  const at = new Date(Date.now() - 3 * DAY);
  await insertSignals(db.pool, Array.from({ length: 200 }, (_, i) => telemetry('dev-lock', `old-${i}`, at)));
  const deleter = await db.pool.connect();
  const writer = await db.pool.connect();
  try {
    await deleter.query('BEGIN');
    expect(await deleteOldestBatch(deleter, 'signal_dedupe', new Date(Date.now() - 2 * DAY), 100)).toBe(100);
    expect(await deleteOldestBatch(deleter, 'signals', new Date(Date.now() - 2 * DAY), 100)).toBe(100);
    // A wait on a lock would hit this timeout and fail the insert.
    await writer.query(`SET statement_timeout = '5s'`);
    expect(await insertSignals(writer, [telemetry('dev-lock', 'fresh-1', new Date())])).toBe(1);
    await deleter.query('COMMIT');
  } finally {
    await deleter.query('ROLLBACK').catch(() => {});
    await writer.query('RESET statement_timeout').catch(() => {});
    deleter.release();
    writer.release();
  }
});

test('the dispatcher runs retention as a BullMQ job scheduler and records the last pass for the admin page', async () => {
  const passes: unknown[] = [];
  const maintenance = new Maintenance({
    pool: db.pool, redisUrl: inject('redisUrl'), queuePrefix: `t-ret-${randomBytes(4).toString('hex')}`,
    days: retentionDays(dispatcherConfig()), log: quietLog, everyMs: 300, onPass: (r) => passes.push(r),
  });
  try {
    await maintenance.start();
    await waitFor(() => passes.length >= 2, { timeoutMs: 30_000, what: 'two scheduled retention passes' });
  } finally {
    await maintenance.stop();
  }
  const last = await lastRetentionRun(db.pool);
  expect(last?.tables.map((t) => t.table)).toEqual(expect.arrayContaining(['signal_dedupe', 'signals', 'live_events']));
});

test('disk use per table: on the admin page (admin only) beside the retention in force and the last pass, and in /metrics', async () => {
  const app = await buildTestApp(db, { config: parseConfig({ RETENTION_QUARANTINE_D: '14' }) });
  try {
    const admin = await loginAs(app, db, 'admin');
    const operator = await loginAs(app, db, 'operator');
    const res = await app.inject({ method: 'GET', url: '/api/v1/admin/storage', headers: admin.bearer });
    expect(res.statusCode).toBe(200);
    const body = res.json() as { tables: Array<{ table: string; bytes: number; rowsEstimate: number; retentionDays: number | null; variable: string | null }>; lastRun: { tables: unknown[] } | null; totalBytes: number };
    const byName = new Map(body.tables.map((t) => [t.table, t]));
    // The earlier tests left tens of thousands of signals: the largest tables are measured, not zero.
    expect(byName.get('signals')!.bytes).toBeGreaterThan(1_000_000);
    expect(byName.get('signals')).toMatchObject({ retentionDays: 180, variable: 'RETENTION_SIGNALS_D' });
    expect(byName.get('quarantine')).toMatchObject({ retentionDays: 14, variable: 'RETENTION_QUARANTINE_D' });
    expect(byName.get('households')).toMatchObject({ retentionDays: null, variable: null });
    expect(body.totalBytes).toBe(body.tables.reduce((a, t) => a + t.bytes, 0));
    expect(body.lastRun?.tables.length).toBeGreaterThan(0);
    expect((await app.inject({ method: 'GET', url: '/api/v1/admin/storage', headers: operator.bearer })).statusCode).toBe(403);

    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    const signalsBytes = Number(/^guardian_table_bytes\{table="signals"\} (\d+)$/m.exec(metrics)?.[1]);
    expect(signalsBytes).toBe(byName.get('signals')!.bytes);
    expect(metrics).toMatch(/^guardian_table_rows_estimate\{table="signal_dedupe"\} \d+$/m);
  } finally {
    await app.close();
  }
});
