import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eventTopic } from '../../domain/topics.js';
import type { Gateway } from '../../gateway/broker.js';
import { chooseFormat } from '../../store/backup.js';
import { readDemoDevices, seedDemoCommunity } from '../../store/demo-seed/index.js';
import { putSetting, SETTING_KEYS } from '../../store/settings-repository.js';
import { buildTestApp, loginAs, type TestLogin } from '../helpers/api.js';
import { tableContents } from '../helpers/table-contents.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { connectDevice, publishQos1, startTestGateway } from '../helpers/gateway.js';

/**
 * `npx guardian backup` / `restore` (issue 7, item 8) as child processes against real
 * databases: a seeded community with alerts and timelines made through the gateway and the API
 * is backed up, restored into a new database, and every table compares equal row for row.
 */
let source: TestDb;
const targets: TestDb[] = [];
let dir: string;
let backupFile: string;
let alertIds: string[] = [];
const BULK_SIGNALS = 25_000;

/** Each test runs the CLI (a child process) several times: generous on a loaded 2-core box. */
const CLI_TEST_TIMEOUT_MS = 180_000;
interface Run { code: number; stdout: string; stderr: string }
function guardian(db: TestDb, ...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/guardian.mjs', ...args], {
      cwd: join(import.meta.dirname, '../..'),
      env: { ...process.env, DATABASE_URL: db.url, DATA_DIR: join(dir, 'data'), LOG_LEVEL: 'warn' },
      timeout: 60_000,
    }, (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
  });
}

async function newTarget(): Promise<TestDb> {
  const t = await createTestDb();
  targets.push(t);
  return t;
}


beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'guardian-backup-'));
  source = await createTestDb();
  await seedDemoCommunity(source.pool, { households: 12, dataDir: join(dir, 'seed') });

  // Alerts as they really arise: SOS and falls over MQTT (signal + alert + timeline before the
  // PUBACK), telemetry, then responder actions through the API on behalf of demo responders.
  let gateway: Gateway | undefined;
  let app: FastifyInstance | undefined;
  try {
    ({ gateway } = await startTestGateway(source));
    const url = `mqtt://127.0.0.1:${gateway.ports.mqtt}`;
    const devices = await readDemoDevices(join(dir, 'seed'));
    const buttons = devices.filter((d) => d.kind === 'sos_button').slice(0, 6);
    const motion = devices.filter((d) => d.kind === 'pir').slice(0, 4);
    expect(buttons.length).toBe(6);
    for (const [i, d] of [...buttons, ...motion].entries()) {
      const c = await connectDevice(url, d.deviceId, d.secret);
      const type = d.kind === 'pir' ? 'motion' : 'sos';
      // Two of each: for a button the second is a repeat press on the same alert's timeline.
      await publishQos1(c, eventTopic(d.deviceId), JSON.stringify({ id: `e-${i}`, type, ts: Date.now() - 1000, battery: 80 + i, rssi: -60, room: d.room ?? undefined, value: true }));
      await publishQos1(c, eventTopic(d.deviceId), JSON.stringify({ id: `e-${i}-b`, type, ts: Date.now(), confidence: 0.5 }));
      c.end(true);
    }
    const alerts = await source.pool.query<{ id: string }>(`SELECT id FROM alerts ORDER BY opened_at`);
    alertIds = alerts.rows.map((r) => r.id);
    expect(alertIds.length).toBeGreaterThanOrEqual(3);

    app = await buildTestApp(source);
    const op: TestLogin = await loginAs(app, source, 'operator');
    const responders = (await source.pool.query<{ id: string }>(`SELECT id FROM responders WHERE role = 'grid_worker' ORDER BY id LIMIT 3`)).rows.map((r) => r.id);
    const post = (path: string, payload: object) => app!.inject({ method: 'POST', url: `/api/v1/alerts/${path}`, headers: op.bearer, payload });
    const [a, b, c] = alertIds as [string, string, string];
    for (const [alertId, who] of [[a, responders[0]!], [b, responders[1]!]] as const) {
      expect((await post(`${alertId}/accept`, { responderId: who })).statusCode).toBe(200);
      expect((await post(`${alertId}/arrive`, { responderId: who })).statusCode).toBe(200);
      expect((await post(`${alertId}/notes`, { text: `到场，老人意识清醒 ${alertId.slice(0, 4)}` })).statusCode).toBe(200);
    }
    expect((await post(`${a}/resolve`, { responderId: responders[0], outcome: 'assisted', note: '扶起老人，无外伤' })).statusCode).toBe(200);
    expect((await post(`${c}/cancel`, { reason: '误触，电话确认无事' })).statusCode).toBe(200);
    // A household file read (audit row), a visit note, the webhook setting (jsonb).
    const hh = (await source.pool.query<{ id: string }>(`SELECT id FROM households ORDER BY id LIMIT 1`)).rows[0]!.id;
    expect((await app.inject({ url: `/api/v1/households/${hh}`, headers: op.bearer })).statusCode).toBe(200);
    await source.pool.query(`INSERT INTO visits (household_id, kind, by_user, responder_id, note) VALUES ($1, 'phone', 'op', $2, '电话问候，一切正常')`, [hh, responders[0]]);
    await putSetting(source.pool, SETTING_KEYS.webhook, { url: 'https://sms.example.invalid/hook', secret: 'x'.repeat(32) });
    // Three months of telemetry for one home, enough to cross the 20k-row progress mark and many
    // cursor/insert batches.
    const d = (await source.pool.query<{ id: string; household_id: string }>(`SELECT id, household_id FROM devices WHERE kind = 'pir' LIMIT 1`)).rows[0]!;
    await source.pool.query(
      `INSERT INTO signals (ts, received_at, device_ts, device_id, household_id, event_id, type, value, battery, rssi, confidence, room)
       SELECT t, t + interval '40 ms', t, $1, $2, 'bulk-' || i, 'motion', 'true'::jsonb, 90, -55, 0.75, '客厅'
       FROM generate_series(1, ${BULK_SIGNALS}) AS i, LATERAL (SELECT now() - i * interval '5 min' AS t) x`, [d.id, d.household_id]);
  } finally {
    await app?.close();
    await gateway?.stop();
  }
}, CLI_TEST_TIMEOUT_MS);
afterAll(async () => {
  await source?.drop();
  for (const t of targets) await t.drop();
  await rm(dir, { recursive: true, force: true });
});

describe('backup', () => {
  test('auto picks the snapshot here (pg_dump 15 refuses a PostgreSQL 18 server), pg_dump when it is new enough', async () => {
    const server = Math.floor(Number((await source.pool.query(`SELECT current_setting('server_version_num') AS v`)).rows[0].v) / 10_000);
    expect(await chooseFormat(source.pool, server - 3)).toEqual({ format: 'snapshot', reason: `pg_dump ${server - 3} cannot dump a PostgreSQL ${server} server` });
    expect(await chooseFormat(source.pool, null)).toEqual({ format: 'snapshot', reason: 'no pg_dump on PATH' });
    expect((await chooseFormat(source.pool, server)).format).toBe('pg_dump');
  }, CLI_TEST_TIMEOUT_MS);

  test('npx guardian backup --out FILE writes a 0600 gzipped snapshot with a header, every table in FK order and an end marker', async () => {
    backupFile = join(dir, 'nightly.jsonl.gz');
    const run = await guardian(source, 'backup', '--out', backupFile, '--format', 'snapshot');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^backup written: .*nightly\.jsonl\.gz \(snapshot, \d+ bytes, \d+ tables, \d+ rows, [\d.]+ s\)\n$/);
    expect(run.stderr).toMatch(/backup: alerts \d+ row\(s\)/);
    expect(run.stderr).toMatch(/backup: alert_events \d+ row\(s\)/);
    expect(run.stderr).toContain('  signals: 20000 rows…');
    expect(run.stderr).toMatch(new RegExp(`backup: signals ${BULK_SIGNALS + 20} row\\(s\\)`));
    expect((await stat(backupFile)).mode & 0o777).toBe(0o600);

    const lines = gunzipSync(await readFile(backupFile)).toString('utf8').trim().split('\n').map((l) => JSON.parse(l));
    const header = lines[0];
    expect(header).toMatchObject({ format: 'guardian-snapshot', formatVersion: 1, timescale: false });
    expect(header.schemaVersion).toBe(Math.max(...header.migrations.map((m: { version: number }) => m.version)));
    const order: string[] = header.tables;
    for (const [child, parent] of <Array<[string, string]>>[['grids', 'communities'], ['households', 'buildings'], ['alerts', 'households'], ['alert_events', 'alerts'], ['sessions', 'users'], ['users', 'responders']]) {
      expect(order.indexOf(child), `${child} after ${parent}`).toBeGreaterThan(order.indexOf(parent));
    }
    expect(order).toEqual(expect.arrayContaining(['signals', 'alert_signals', 'audit_log', 'settings', 'live_events', 'notifications']));
    expect(lines.at(-1)).toMatchObject({ end: true, rows: expect.objectContaining({ alerts: alertIds.length }) });
    // No secret in plain: the device secrets of the demo file are not in the backup.
    const text = gunzipSync(await readFile(backupFile)).toString('utf8');
    for (const d of (await readDemoDevices(join(dir, 'seed'))).slice(0, 20)) expect(text).not.toContain(d.secret);
  }, CLI_TEST_TIMEOUT_MS);

  test('a failed backup leaves no file behind', async () => {
    const out = join(dir, 'no-such-dir', 'x.jsonl.gz');
    const run = await guardian(source, 'backup', '--out', out);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^guardian: backup failed: cannot write .*x\.jsonl\.gz\.partial: no such directory$/m);
    await expect(stat(out)).rejects.toThrow();
    await expect(stat(`${out}.partial`)).rejects.toThrow();
  }, CLI_TEST_TIMEOUT_MS);
});

describe('restore', () => {
  test('into a new database: every alert with its timeline, signals, households, users — every table — identical', async () => {
    const target = await newTarget();
    const run = await guardian(target, 'restore', backupFile);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^restored: .*nightly\.jsonl\.gz \(snapshot, \d+ tables, \d+ rows, [\d.]+ s\)\n$/);
    expect(run.stderr).toMatch(/restore: alert_events \d+ row\(s\)/);
    expect(run.stderr).toContain('  signals: 20000 rows…');

    const [before, after] = [await tableContents(source.pool), await tableContents(target.pool)];
    expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
    for (const table of Object.keys(before)) expect(after[table], table).toEqual(before[table]);

    // The ones that matter most, spelled out.
    const q = (db: TestDb, sql: string) => db.pool.query(sql).then((r) => r.rows);
    const timeline = `SELECT a.id, a.state, a.outcome, a.accepted_by, a.first_signal_at, e.at, e.actor, e.type, e.from_state, e.to_state, e.data
                      FROM alerts a JOIN alert_events e ON e.alert_id = a.id ORDER BY a.id, e.id`;
    const t1 = await q(source, timeline);
    expect(t1.length).toBeGreaterThanOrEqual(alertIds.length + 8);
    expect(await q(target, timeline)).toEqual(t1);
    expect(t1.map((r) => r.type)).toEqual(expect.arrayContaining(['created', 'repeat', 'state', 'note']));
    expect(t1.map((r) => r.to_state)).toEqual(expect.arrayContaining(['open', 'accepted', 'on_site', 'resolved', 'cancelled']));
    for (const sql of [
      `SELECT * FROM signals ORDER BY device_id, event_id`,
      `SELECT * FROM alert_signals ORDER BY 1, 2`,
      `SELECT * FROM households ORDER BY id`,
      `SELECT * FROM users ORDER BY id`,
      `SELECT * FROM visits ORDER BY id`,
      `SELECT * FROM settings ORDER BY key`,
      `SELECT id, secret_hash FROM devices ORDER BY id`,
    ]) {
      const rows = await q(source, sql);
      expect(rows.length, sql).toBeGreaterThan(0);
      expect(await q(target, sql), sql).toEqual(rows);
    }
    // Identity sequences continue after the restored rows.
    const maxAudit = Number((await q(target, `SELECT max(id) AS m FROM audit_log`))[0].m);
    const next = await q(target, `INSERT INTO audit_log (username, role, action, target) VALUES ('x', 'admin', 'test', 't') RETURNING id`);
    expect(Number(next[0].id)).toBeGreaterThan(maxAudit);
    // Restored users can sign in with their passwords (hashes intact).
    const app = await buildTestApp(target);
    try {
      const demo = JSON.parse(await readFile(join(dir, 'seed', 'demo-logins.json'), 'utf8')) as { logins: Array<{ username: string; password: string }> };
      const { username, password } = demo.logins[0]!;
      const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password } });
      expect(res.statusCode).toBe(200);
      const alerts = await app.inject({ url: '/api/v1/alerts?limit=1000', headers: { authorization: `Bearer ${res.json().token}` } });
      expect(alerts.json().items.map((a: { id: string }) => a.id).sort()).toEqual([...alertIds].sort());
    } finally {
      await app.close();
    }
  }, CLI_TEST_TIMEOUT_MS);

  test('a database with data is refused unless --force, which replaces it in one go', async () => {
    const target = await newTarget();
    expect((await guardian(target, 'restore', backupFile)).code).toBe(0);
    await target.pool.query(`INSERT INTO communities (id, name) VALUES ('c-extra', '多余社区')`);
    const refused = await guardian(target, 'restore', backupFile);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/guardian: restore failed: the database is not empty \(.+ hold rows\).*--force/);
    expect((await target.pool.query(`SELECT 1 FROM communities WHERE id = 'c-extra'`)).rowCount).toBe(1);

    const forced = await guardian(target, 'restore', backupFile, '--force');
    expect(forced.code, forced.stderr).toBe(0);
    expect((await target.pool.query(`SELECT 1 FROM communities WHERE id = 'c-extra'`)).rowCount).toBe(0);
    expect(await tableContents(target.pool)).toEqual(await tableContents(source.pool));
  }, CLI_TEST_TIMEOUT_MS);

  test('a truncated or foreign file is refused with a clear message and leaves the database empty', async () => {
    const target = await newTarget();
    const lines = gunzipSync(await readFile(backupFile)).toString('utf8').trim().split('\n');
    const truncated = join(dir, 'truncated.jsonl.gz');
    await writeFile(truncated, gzipSync(lines.slice(0, -1).join('\n') + '\n'));
    const r1 = await guardian(target, 'restore', truncated);
    expect(r1.code).toBe(1);
    expect(r1.stderr).toContain('is truncated: it has no end marker');
    expect(await target.pool.query(`SELECT count(*)::int AS n FROM households`).then((r) => r.rows[0].n)).toBe(0);

    const lost = join(dir, 'lost-rows.jsonl.gz');
    const alertsAt = lines.findIndex((l) => l.startsWith('{"table":"alerts"'));
    await writeFile(lost, gzipSync([...lines.slice(0, alertsAt + 1), ...lines.slice(alertsAt + 2)].join('\n') + '\n'));
    const r2 = await guardian(target, 'restore', lost);
    expect(r2.code).toBe(1);
    expect(r2.stderr).toMatch(/damaged: alerts should have \d+ rows, it has \d+|violates foreign key/);

    const foreign = join(dir, 'notes.txt');
    await writeFile(foreign, 'hello');
    const r3 = await guardian(target, 'restore', foreign);
    expect(r3.code).toBe(1);
    expect(r3.stderr).toContain('is neither a guardian snapshot (gzip) nor a pg_dump archive');
    const r4 = await guardian(target, 'restore', join(dir, 'nope.gz'));
    expect(r4.stderr).toContain('no such file');
    expect(await target.pool.query(`SELECT count(*)::int AS n FROM alerts`).then((r) => r.rows[0].n)).toBe(0);
  }, CLI_TEST_TIMEOUT_MS);

  test('a snapshot of another schema version is refused, naming both versions', async () => {
    const target = await newTarget();
    await target.pool.query(`INSERT INTO schema_migrations (version, name, variant) VALUES (999, 'future', 'all')`);
    const run = await guardian(target, 'restore', backupFile);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/the backup has schema version \d+ .* this database 999/);
  }, CLI_TEST_TIMEOUT_MS);
});
