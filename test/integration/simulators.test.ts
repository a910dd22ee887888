import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { DeviceKind } from '../../domain/device-kinds.js';
import type { Gateway } from '../../gateway/broker.js';
import { localMidnight } from '../../simulators/clock.js';
import { groupByHousehold, readCredentials, type DeviceCredential } from '../../simulators/credentials.js';
import { SimulatedDevice, playIncident, runLoad, startHouseholdSimulation } from '../../simulators/index.js';
import { SimulationStats } from '../../simulators/stats.js';
import { createTestDb, waitFor, type TestDb } from '../helpers/db.js';
import { createDevice, createHousehold, startTestGateway } from '../helpers/gateway.js';

let db: TestDb;
let gateway: Gateway;
let url: string;
let dir: string;

const HOME: [DeviceKind, string][] = [
  ['sos_button', 'bedroom'], ['pir', 'bedroom'], ['pir', 'bathroom'], ['pir', 'kitchen'], ['pir', 'living_room'],
  ['fall_radar', 'bathroom'], ['door_contact', 'entrance'], ['bed_sensor', 'bedroom'], ['water_meter', 'kitchen'],
  ['smoke_detector', 'kitchen'],
];

/** Provisions a household like the demo seed does and writes its credentials file (0600). */
async function household(kinds = HOME): Promise<{ householdId: string; devices: DeviceCredential[] }> {
  const householdId = await createHousehold(db);
  const devices: DeviceCredential[] = [];
  for (const [kind, room] of kinds) {
    const { deviceId, secret } = await createDevice(db, householdId, kind, room);
    devices.push({ deviceId, secret, householdId, kind, room, heartbeatS: 300 });
  }
  const file = join(dir, `${householdId}.json`);
  await writeFile(file, JSON.stringify({ version: 1, devices }), { mode: 0o600 });
  // Through the file, as the CLI reads it.
  return { householdId, devices: await readCredentials(file) };
}

beforeAll(async () => {
  db = await createTestDb();
  ({ gateway, url } = await startTestGateway(db));
  dir = await mkdtemp(join(tmpdir(), 'guardian-sim-'));
});
afterAll(async () => {
  await gateway?.stop();
  await db?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('simulators against the real gateway', () => {
  test('an SOS incident opens an sos alert and every PUBACK arrives', async () => {
    const home = await household();
    const report = await playIncident({ url, household: groupByHousehold(home.devices)[0]!, type: 'sos', variant: 'press', durationS: 0 });
    expect(report.allAcked).toBe(true);
    expect(report.sent.map((s) => s.type)).toEqual(['sos']);
    const alert = await waitFor(async () => (await db.pool.query(
      `SELECT kind, state FROM alerts WHERE household_id = $1`, [home.householdId])).rows[0], { what: 'sos alert' });
    expect(alert).toMatchObject({ kind: 'sos', state: 'open' });
    // Clean stop: the device said goodbye with a retained `offline`.
    const sos = home.devices.find((d) => d.kind === 'sos_button')!;
    await waitFor(async () => (await db.pool.query(`SELECT online FROM devices WHERE id = $1`, [sos.deviceId])).rows[0]?.online === false);
  });

  test('a fall incident sends fall with a confidence of 0.8-0.99', async () => {
    const home = await household();
    const report = await playIncident({ url, household: { householdId: home.householdId, devices: home.devices }, type: 'fall', durationS: 0 });
    expect(report.allAcked).toBe(true);
    const row = (await db.pool.query(`SELECT type, confidence FROM signals WHERE household_id = $1 AND type = 'fall'`, [home.householdId])).rows[0];
    expect(row.confidence).toBeGreaterThanOrEqual(0.8);
    expect(row.confidence).toBeLessThanOrEqual(0.99);
    const alert = (await db.pool.query(`SELECT kind FROM alerts WHERE household_id = $1`, [home.householdId])).rows;
    expect(alert).toEqual([{ kind: 'fall' }]);
  });

  test('a routine at high speed stores activity signals and heartbeats, and stops cleanly', async () => {
    const home = await household();
    // 05:30 local (wake is 05:45-07:15) at 1800×: the morning (wake, wash, breakfast) in a few seconds.
    const sim = startHouseholdSimulation({
      url, credentials: home.devices, speed: 1800, startAt: localMidnight(Date.now(), 'Asia/Shanghai') + 5.5 * 3_600_000,
      incidentRate: 0, dropouts: false,
    });
    try {
      const ramp = await sim.ready;
      expect(ramp).toEqual({ connected: HOME.length, failed: [] });
      await waitFor(async () => {
        const r = await db.pool.query<{ type: string }>(`SELECT DISTINCT type FROM signals WHERE household_id = $1`, [home.householdId]);
        const t = new Set(r.rows.map((x) => x.type));
        // presence: the fall radar in the bathroom.
        return ['heartbeat', 'motion', 'bed', 'water_use', 'presence'].every((x) => t.has(x)) ? t : null;
      }, { timeoutMs: 20_000, what: 'heartbeats and activity signals' });
      const online = await db.pool.query(`SELECT count(*)::int AS n FROM devices WHERE household_id = $1 AND online`, [home.householdId]);
      expect(online.rows[0].n).toBe(HOME.length);
      const activity = await db.pool.query(`SELECT last_activity_at FROM households WHERE id = $1`, [home.householdId]);
      expect(activity.rows[0].last_activity_at).not.toBeNull();
      expect(sim.progress().connected).toBe(HOME.length);
      expect(sim.progress().failed).toBe(0);
    } finally {
      await sim.stop();
    }
    await waitFor(async () => (await db.pool.query(
      `SELECT count(*)::int AS n FROM devices WHERE household_id = $1 AND online`, [home.householdId])).rows[0].n === 0, { what: 'all offline after stop' });
    // Nothing the simulator sent was refused by the gateway.
    const q = await db.pool.query(`SELECT count(*)::int AS n FROM quarantine WHERE device_id = ANY($1)`, [home.devices.map((d) => d.deviceId)]);
    expect(q.rows[0].n).toBe(0);
  });

  test('an offline incident drops every device without DISCONNECT: devices.online becomes false', async () => {
    const home = await household();
    const report = await playIncident({ url, household: { householdId: home.householdId, devices: home.devices }, type: 'offline' });
    expect(report.connected).toBe(HOME.length);
    await waitFor(async () => (await db.pool.query(
      `SELECT count(*)::int AS n FROM devices WHERE household_id = $1 AND last_seen_at IS NOT NULL AND NOT online`, [home.householdId])).rows[0].n === HOME.length,
    { what: 'all devices offline' });
  });

  test('an incident in a running simulation uses its live connections', async () => {
    const home = await household();
    const sim = startHouseholdSimulation({ url, credentials: home.devices, speed: 1, incidentRate: 0, dropouts: false });
    try {
      await sim.ready;
      const report = await sim.triggerIncident(home.householdId, 'smoke');
      expect(report.allAcked).toBe(true);
      const alert = (await db.pool.query(`SELECT kind FROM alerts WHERE household_id = $1`, [home.householdId])).rows;
      expect(alert).toEqual([{ kind: 'smoke' }]);
    } finally {
      await sim.stop();
    }
  });

  test('load mode: every message acked and stored, with latency percentiles', async () => {
    const home = await household([['pir', 'a'], ['pir', 'b'], ['door_contact', 'c'], ['bed_sensor', 'd']]);
    const report = await runLoad({ url, devices: home.devices, rate: 200, seconds: 1.5 });
    expect(report.connected).toBe(4);
    expect(report.sent).toBeGreaterThanOrEqual(250);
    expect(report.acked).toBe(report.sent);
    expect(report.failed + report.unacked).toBe(0);
    expect(report.p50Ms).toBeGreaterThan(0);
    expect(report.p99Ms!).toBeGreaterThanOrEqual(report.p50Ms!);
    // PUBACK ⇒ stored (the telemetry writer commits before the PUBACK).
    const n = await db.pool.query(`SELECT count(*)::int AS n FROM signals WHERE household_id = $1 AND type = 'heartbeat'`, [home.householdId]);
    expect(n.rows[0].n).toBe(report.acked);
  });

  test('downlink: check_in makes the resident press the button, ping gets a heartbeat, config changes the heartbeat', async () => {
    const home = await household([['sos_button', 'bedroom']]);
    const stats = new SimulationStats();
    const lines: string[] = [];
    const device = new SimulatedDevice({ url, credential: home.devices[0]!, stats, log: (l) => lines.push(l) });
    try {
      await device.connect();
      const id = home.devices[0]!.deviceId;
      const count = async (type: string) => (await db.pool.query(`SELECT count(*)::int AS n FROM signals WHERE device_id = $1 AND type = $2`, [id, type])).rows[0].n;
      await waitFor(async () => (await count('heartbeat')) === 1, { what: 'heartbeat on connect' });
      await gateway.command(id, { type: 'check_in' });
      await waitFor(async () => (await count('button')) === 1, { what: 'check-in button press' });
      await gateway.command(id, { type: 'ping' });
      await waitFor(async () => (await count('heartbeat')) === 2, { what: 'heartbeat after ping' });
      await gateway.command(id, { type: 'config', heartbeatS: 0.2 });
      await waitFor(async () => (await count('heartbeat')) >= 4, { what: 'faster heartbeats after config' });
      await gateway.command(id, { type: 'alert_ack', alertId: 'a-1', state: 'accepted', text: '网格员正在赶来' });
      await waitFor(() => lines.some((l) => l.includes('alert a-1 accepted')), { what: 'alert_ack logged' });
      expect(device.heartbeatS).toBe(0.2);
      expect(stats.commands).toBe(4);
    } finally {
      await device.stop();
    }
  });

  test('a device cut by the broker reconnects with backoff and comes back online', async () => {
    const home = await household([['pir', 'hall']]);
    const stats = new SimulationStats();
    const device = new SimulatedDevice({ url, credential: home.devices[0]!, stats, backoff: { minMs: 100, maxMs: 500 } });
    try {
      await device.connect();
      expect(gateway.disconnect(device.deviceId)).toBe(true);
      await waitFor(() => stats.drops === 1 && stats.connects === 2 && device.up, { what: 'reconnected' });
      await waitFor(async () => (await db.pool.query(`SELECT online FROM devices WHERE id = $1`, [device.deviceId])).rows[0].online === true);
    } finally {
      await device.stop();
    }
  });

  test('a wrong secret is refused once and not retried', async () => {
    const home = await household([['pir', 'hall']]);
    const stats = new SimulationStats();
    const device = new SimulatedDevice({ url, credential: { ...home.devices[0]!, secret: 'wrong' }, stats, backoff: { minMs: 50, maxMs: 50 } });
    await expect(device.connect()).rejects.toThrow(/refused/i);
    expect(device.state).toBe('refused');
    await new Promise((r) => setTimeout(r, 300));
    expect(stats.refused).toBe(1);
    expect(stats.connects).toBe(0);
    await device.stop();
  });
});

/** Runs `guardian simulate …` as a child process (async: the broker runs in this process). */
function guardian(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/guardian.mjs', 'simulate', ...args], {
      env: { ...process.env, DATA_DIR: dir, ...env }, timeout: 60_000,
    }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('npx guardian simulate', () => {
  test('an unknown flag prints one line and the usage, exit 2', async () => {
    const r = await guardian(['--bogus']);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe('guardian: unknown option --bogus');
    expect(r.stderr).toContain('usage: npx guardian simulate');
    const wrongMode = await guardian(['--load', '--type', 'sos']);
    expect(wrongMode.code).toBe(2);
    const badNumber = await guardian(['--speed', 'fast']);
    expect(badNumber.stderr.split('\n')[0]).toBe('guardian: --speed must be a number from 0.01 to 100000, got "fast"');
  });

  test('without --url and without a running service, or without credentials, it says what to do', async () => {
    const noService = await guardian(['--duration', '1']);
    expect(noService.code).toBe(1);
    expect(noService.stderr).toMatch(/no --url given and no service is running .*npm start/);
    const noFile = await guardian(['--url', url, '--devices-file', join(dir, 'missing.json')]);
    expect(noFile.code).toBe(1);
    expect(noFile.stderr).toContain('run `npx guardian seed --demo` first');
  });

  test('incident: prints each event and its PUBACK, exit 0', async () => {
    const home = await household([['sos_button', '卧室'], ['pir', '客厅']]);
    const file = join(dir, `${home.householdId}.json`);
    const r = await guardian(['incident', '--url', url, '--devices-file', file, '--household', home.householdId, '--type', 'sos', '--variant', 'press', '--duration', '0']);
    expect(r.code).toBe(0);
    // stderr traces as it happens (a false alarm takes up to 40 s); stdout has the results.
    expect(r.stderr).toContain(`[${home.householdId}] sos:`);
    expect(r.stdout).toMatch(/^sent sos \S+ from sos\S+: PUBACK in [\d.]+ ms$/m);
    expect(r.stdout).toContain(`incident sos (press) on ${home.householdId}: 1/1 devices connected, 1 events sent, 1 PUBACKs`);
    const alerts = await db.pool.query(`SELECT kind FROM alerts WHERE household_id = $1`, [home.householdId]);
    expect(alerts.rows).toEqual([{ kind: 'sos' }]);
    const noRadar = await guardian(['incident', '--url', url, '--devices-file', file, '--household', home.householdId, '--type', 'fall']);
    expect(noRadar.code).toBe(1);
    expect(noRadar.stderr).toContain('has no device that can play a fall incident');
  });

  test('routine: progress on stderr, stops cleanly after --duration', async () => {
    const home = await household([['sos_button', '卧室'], ['fall_radar', '卫生间'], ['pir', '客厅'], ['door_contact', '入户门']]);
    const file = join(dir, `${home.householdId}.json`);
    // 05:30 → 09:30 simulated: wake (≤ 07:15), bathroom, and the living-room PIR after breakfast.
    const r = await guardian(['--url', url, '--devices-file', file, '--speed', '3600', '--start', '05:30', '--incident-rate', '0', '--duration', '4']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('simulate: 1 households');
    expect(r.stderr).toContain('stopping (--duration 4 s)');
    const types = await db.pool.query(`SELECT DISTINCT type FROM signals WHERE household_id = $1 ORDER BY 1`, [home.householdId]);
    expect(types.rows.map((x) => x.type)).toEqual(expect.arrayContaining(['heartbeat', 'motion', 'presence']));
    // The gateway writes presence in batches (≤ 250 ms), so the clean goodbye lands shortly after exit.
    await waitFor(async () => (await db.pool.query(
      `SELECT count(*)::int AS n FROM devices WHERE household_id = $1 AND online`, [home.householdId])).rows[0].n === 0, { what: 'all offline after exit' });
  });

  test('--load: one JSON summary line on stdout', async () => {
    const home = await household([['pir', 'a'], ['pir', 'b']]);
    const r = await guardian(['--load', '--url', url, '--devices-file', join(dir, `${home.householdId}.json`), '--devices', '2', '--rate', '50', '--seconds', '1']);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout.trim());
    expect(summary).toMatchObject({ devices: 2, connected: 2, failed: 0, unacked: 0 });
    expect(summary.acked).toBe(summary.sent);
    expect(summary.p99Ms).toBeGreaterThan(0);
  });
});
