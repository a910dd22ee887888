import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, expect, inject, test } from 'vitest';
import { PassiveRules } from '../../dispatcher/passive/passive-rules.js';
import type { DeviceKind } from '../../domain/device-kinds.js';
import { DOWNLINK_CHANNEL, QUEUES, type DownlinkMessage } from '../../domain/queues.js';
import { CHECK_IN_SENT_NOTE, CHECK_IN_STOOD_DOWN_NOTE } from '../../store/passive-queries-repository.js';
import { createTestDb, waitFor, type TestDb } from '../helpers/db.js';
import { startPassiveRules, type PassiveHarness } from '../helpers/passive-harness.js';

/**
 * The passive rules against real PostgreSQL and redis-server (DESIGN §4, issue 4 items 3, 11b,
 * 11c). The rules' clock is injected, so hours of quiet are a column value and the pre-alarm
 * grace is a clock step; BullMQ sweeps every 150 ms for real, and tests wait for sweeps to
 * complete (onSweep) rather than sleeping.
 */
const filePrefix = `gp-${randomBytes(4).toString('hex')}`;
const config = { GUARDIAN_TZ: 'Asia/Shanghai', DAY_SHIFT: '08:00-20:00', CHECKIN_GRACE_S: 300 };
const DAY_10H = new Date('2026-03-10T02:00:00Z'); // 10:00 in Shanghai, a Tuesday
const NIGHT_23H = new Date('2026-03-10T15:00:00Z'); // 23:00 in Shanghai

let db: TestDb;
let redis: Redis;
let sub: Redis;
const downlinks: DownlinkMessage[] = [];
const running: PassiveRules[] = [];
let seq = 0;

beforeAll(async () => {
  db = await createTestDb();
  redis = new Redis(inject('redisUrl'));
  sub = new Redis(inject('redisUrl'));
  // Each harness has its own Redis namespace; their downlink channels all match this pattern.
  const downlinkChannels = `${filePrefix}-*:${DOWNLINK_CHANNEL}`;
  sub.on('pmessage', (pattern, _channel, m) => { if (pattern === downlinkChannels) downlinks.push(JSON.parse(m) as DownlinkMessage); });
  await sub.psubscribe(downlinkChannels);
  await db.pool.query(`INSERT INTO communities (id, name) VALUES ('c-p', '被动规则社区')`);
  await db.pool.query(`INSERT INTO grids (id, community_id, name) VALUES ('g-p', 'c-p', '一网格')`);
  await db.pool.query(`INSERT INTO buildings (id, grid_id, name) VALUES ('b-p', 'g-p', '1栋')`);
});
afterEach(async () => {
  for (const r of running.splice(0)) await r.stop();
});
afterAll(async () => {
  redis.disconnect();
  sub.disconnect();
  await db.drop();
});

async function startRules(now: Date): Promise<PassiveHarness & { prefix: string }> {
  const prefix = `${filePrefix}-${++seq}`;
  return { ...(await startPassiveRules(now, { pool: db.pool, config, queuePrefix: prefix, rosterSweepEveryMs: 200 }, running)), prefix };
}

const ago = (now: Date, s: number) => new Date(now.getTime() - s * 1000);

async function home(now: Date, opts: { dayS?: number; nightS?: number; quietS?: number | null } = {}): Promise<string> {
  const id = `hp-${++seq}-${randomBytes(3).toString('hex')}`;
  await db.pool.query(
    `INSERT INTO households (id, building_id, unit, address, inactivity_day_s, inactivity_night_s, last_activity_at, created_at)
     VALUES ($1, 'b-p', $2, '测试路1号', $3, $4, $5, $6)`,
    [id, `${seq}室`, opts.dayS ?? 21600, opts.nightS ?? 43200, opts.quietS == null ? null : ago(now, opts.quietS), ago(now, 86400 * 3)]);
  return id;
}

async function device(householdId: string, kind: DeviceKind, now: Date, opts: {
  seenAgoS?: number | null; heartbeatS?: number; battery?: number | null; online?: boolean; createdAgoS?: number;
} = {}): Promise<string> {
  const id = `${kind}-${++seq}-${randomBytes(3).toString('hex')}`;
  await db.pool.query(
    `INSERT INTO devices (id, household_id, kind, heartbeat_s, online, last_seen_at, battery, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [id, householdId, kind, opts.heartbeatS ?? 300, opts.online ?? true,
     opts.seenAgoS === null ? null : ago(now, opts.seenAgoS ?? 30), opts.battery ?? null, ago(now, opts.createdAgoS ?? 86400 * 2)]);
  return id;
}

const alertsOf = async (householdId: string, kind: string) =>
  (await db.pool.query(`SELECT id, state, severity, device_id, routed_at FROM alerts WHERE household_id = $1 AND kind = $2`, [householdId, kind])).rows;
const checkOf = async (householdId: string) =>
  (await db.pool.query(`SELECT * FROM inactivity_checks WHERE household_id = $1`, [householdId])).rows[0];
const visitsOf = async (householdId: string) =>
  (await db.pool.query(`SELECT kind, note FROM visits WHERE household_id = $1 ORDER BY id`, [householdId])).rows;

async function routeJob(prefix: string, alertId: string) {
  const queue = new Queue(QUEUES.route, { connection: redis, prefix });
  try {
    return await waitFor(() => queue.getJob(alertId), { what: 'route job' });
  } finally {
    await queue.close();
  }
}

test('inactivity: a check-in first, then exactly one alert after the grace with no activity, routed by job id', async () => {
  const h = await home(DAY_10H, { dayS: 3600, quietS: 7200 });
  const pir = await device(h, 'pir', DAY_10H);
  const run = await startRules(DAY_10H);

  const check = await waitFor(() => checkOf(h), { what: 'inactivity check' });
  expect(check.deadline_at.getTime() - check.started_at.getTime()).toBe(300_000);
  await waitFor(() => downlinks.some((d) => d.deviceIds.includes(pir) && d.command.type === 'check_in'), { what: 'check_in downlink' });
  expect(await visitsOf(h)).toEqual([{ kind: 'check_in', note: CHECK_IN_SENT_NOTE }]);
  await run.sweeps('check_in', 2);
  expect(await alertsOf(h, 'inactivity')).toEqual([]); // the grace runs first

  run.clock.now = new Date(DAY_10H.getTime() + 301_000);
  const [alert] = await waitFor(async () => { const a = await alertsOf(h, 'inactivity'); return a.length ? a : null; }, { what: 'inactivity alert' });
  expect(alert).toMatchObject({ state: 'open', severity: 'high', routed_at: null });
  expect(await checkOf(h)).toBeUndefined();
  const job = await routeJob(run.prefix, alert.id);
  expect(job.data).toEqual({ alertId: alert.id });
  const created = (await db.pool.query(`SELECT actor, type, data FROM alert_events WHERE alert_id = $1`, [alert.id])).rows;
  expect(created).toEqual([{ actor: 'system', type: 'created', data: expect.objectContaining({
    thresholdS: 3600, shift: 'day', quietSince: ago(DAY_10H, 7200).toISOString(), checkInSentAt: DAY_10H.toISOString(),
  }) }]);
  const live = (await db.pool.query(`SELECT data FROM live_events WHERE type = 'alert.created' AND data->>'id' = $1`, [alert.id])).rows;
  expect(live).toHaveLength(1);

  // Many sweeps later: still one alert, no repeat in its timeline, no new check-in.
  await run.sweeps('inactivity', 3);
  await run.sweeps('check_in', 3);
  expect(await alertsOf(h, 'inactivity')).toHaveLength(1);
  expect((await db.pool.query(`SELECT count(*)::int AS n FROM alert_events WHERE alert_id = $1`, [alert.id])).rows[0].n).toBe(1);
  expect(await checkOf(h)).toBeUndefined();
});

test('inactivity: activity inside the grace stands the pre-alarm down, recorded, and no alert opens', async () => {
  const h = await home(DAY_10H, { dayS: 3600, quietS: 4000 });
  await device(h, 'bed_sensor', DAY_10H);
  const run = await startRules(DAY_10H);
  await waitFor(() => checkOf(h), { what: 'inactivity check' });

  // The resident presses the button 2 minutes into the grace (the gateway bumps last_activity_at).
  await db.pool.query(`UPDATE households SET last_activity_at = $2 WHERE id = $1`, [h, new Date(DAY_10H.getTime() + 120_000)]);
  run.clock.now = new Date(DAY_10H.getTime() + 130_000);
  await waitFor(async () => !(await checkOf(h)), { what: 'stand-down' });
  expect(await visitsOf(h)).toEqual([
    { kind: 'check_in', note: CHECK_IN_SENT_NOTE }, { kind: 'check_in', note: CHECK_IN_STOOD_DOWN_NOTE },
  ]);

  run.clock.now = new Date(DAY_10H.getTime() + 400_000); // past the old deadline
  await run.sweeps('check_in', 3);
  await run.sweeps('inactivity', 2);
  expect(await alertsOf(h, 'inactivity')).toEqual([]);
  expect(await checkOf(h)).toBeUndefined();
});

test('inactivity: a home without a reporting activity sensor gets no check-in (that is household_unmonitored)', async () => {
  const h = await home(DAY_10H, { dayS: 3600, quietS: 7200 });
  await device(h, 'smoke_detector', DAY_10H); // reports, but cannot see a person
  await device(h, 'pir', DAY_10H, { seenAgoS: 5000 }); // silent
  const run = await startRules(DAY_10H);
  await run.sweeps('inactivity', 3);
  expect(await checkOf(h)).toBeUndefined();
});

test('inactivity: the day threshold by day and the night threshold by night, per household', async () => {
  for (const now of [DAY_10H, NIGHT_23H]) {
    // Both quiet for 2 h; "early" trips at 1 h in its shift, "late" only at 5 h.
    const dayEarly = await home(now, { dayS: 3600, nightS: 18000, quietS: 7200 });
    const nightEarly = await home(now, { dayS: 18000, nightS: 3600, quietS: 7200 });
    await device(dayEarly, 'pir', now);
    await device(nightEarly, 'door_contact', now);
    const run = await startRules(now);
    const [tripped, quiet] = now === DAY_10H ? [dayEarly, nightEarly] : [nightEarly, dayEarly];
    await waitFor(() => checkOf(tripped), { what: `check for the ${now === DAY_10H ? 'day' : 'night'} home` });
    await run.sweeps('inactivity', 2);
    expect(await checkOf(quiet)).toBeUndefined();
    await running.pop()!.stop();
  }
});

test('inactivity: activity resuming while the alert is live adds one timeline note, not a close', async () => {
  const h = await home(DAY_10H, { dayS: 3600, quietS: 7200 });
  await device(h, 'pir', DAY_10H);
  const run = await startRules(DAY_10H);
  await waitFor(() => checkOf(h), { what: 'inactivity check' });
  run.clock.now = new Date(DAY_10H.getTime() + 301_000);
  const [alert] = await waitFor(async () => { const a = await alertsOf(h, 'inactivity'); return a.length ? a : null; }, { what: 'inactivity alert' });

  const notes = async () => (await db.pool.query(
    `SELECT data FROM alert_events WHERE alert_id = $1 AND type = 'note'`, [alert.id])).rows;
  await run.sweeps('check_in', 2);
  expect(await notes()).toEqual([]);

  const movedAt = new Date(DAY_10H.getTime() + 400_000);
  await db.pool.query(`UPDATE households SET last_activity_at = $2 WHERE id = $1`, [h, movedAt]);
  run.clock.now = new Date(DAY_10H.getTime() + 410_000);
  await waitFor(async () => (await notes()).length > 0, { what: 'activity resumed note' });
  // More motion and more sweeps: still one note, the alert stays live.
  await db.pool.query(`UPDATE households SET last_activity_at = $2 WHERE id = $1`, [h, new Date(DAY_10H.getTime() + 405_000 + 60_000)]);
  await run.sweeps('check_in', 3);
  const all = await notes();
  expect(all).toHaveLength(1);
  expect(all[0].data).toMatchObject({ reason: 'activity_resumed', lastActivityAt: movedAt.toISOString() });
  expect((await alertsOf(h, 'inactivity'))[0].state).toBe('open');
  const updated = (await db.pool.query(`SELECT count(*)::int AS n FROM live_events WHERE type = 'alert.updated' AND data->>'id' = $1`, [alert.id])).rows[0].n;
  expect(updated).toBe(1);
});

test('device_offline after 3 × heartbeat: one alert listing the silent devices, marked offline with device.status', async () => {
  const h = await home(DAY_10H, { quietS: 60 });
  await device(h, 'pir', DAY_10H, { seenAgoS: 30 });
  const nearly = await device(h, 'bed_sensor', DAY_10H, { seenAgoS: 850 }); // < 900 s: still fine
  const door = await device(h, 'door_contact', DAY_10H, { seenAgoS: 1000 }); // > 3 × 300 s
  const never = await device(h, 'water_meter', DAY_10H, { seenAgoS: null, heartbeatS: 60, createdAgoS: 600, online: false });
  const run = await startRules(DAY_10H);

  const [alert] = await waitFor(async () => { const a = await alertsOf(h, 'device_offline'); return a.length ? a : null; }, { what: 'device_offline alert' });
  expect(alert).toMatchObject({ severity: 'maintenance', state: 'open' });
  const created = (await db.pool.query(`SELECT data FROM alert_events WHERE alert_id = $1 AND type = 'created'`, [alert.id])).rows[0].data;
  expect(created.devices.map((d: { id: string }) => d.id).sort()).toEqual([door, never].sort());
  await routeJob(run.prefix, alert.id);

  const online = (await db.pool.query(`SELECT id, online FROM devices WHERE household_id = $1`, [h])).rows;
  expect(Object.fromEntries(online.map((d) => [d.id, d.online]))).toMatchObject({ [door]: false, [nearly]: true, [never]: false });
  const status = (await db.pool.query(`SELECT data FROM live_events WHERE type = 'device.status' AND data->>'householdId' = $1`, [h])).rows;
  expect(status.map((s) => s.data)).toEqual([expect.objectContaining({ deviceId: door, online: false })]); // `never` was already offline

  await run.sweeps('device_offline', 4);
  expect(await alertsOf(h, 'device_offline')).toHaveLength(1);
  expect((await db.pool.query(`SELECT count(*)::int AS n FROM alert_events WHERE alert_id = $1`, [alert.id])).rows[0].n).toBe(1);
  expect(await alertsOf(h, 'household_unmonitored')).toEqual([]);
});

test('household_unmonitored when every sensor is offline (instead of device_offline); a live hub does not count as a sensor', async () => {
  const h = await home(DAY_10H, { quietS: 60 });
  await device(h, 'z2m_hub', DAY_10H, { seenAgoS: 10 });
  const pir = await device(h, 'pir', DAY_10H, { seenAgoS: 4000 });
  const sos = await device(h, 'sos_button', DAY_10H, { seenAgoS: 4000, heartbeatS: 600 });
  const run = await startRules(DAY_10H);

  const [alert] = await waitFor(async () => { const a = await alertsOf(h, 'household_unmonitored'); return a.length ? a : null; }, { what: 'household_unmonitored alert' });
  expect(alert).toMatchObject({ severity: 'high', state: 'open' });
  const created = (await db.pool.query(`SELECT data FROM alert_events WHERE alert_id = $1 AND type = 'created'`, [alert.id])).rows[0].data;
  expect(created).toMatchObject({ sensors: 2 });
  expect(created.devices.map((d: { id: string }) => d.id).sort()).toEqual([pir, sos].sort());
  await routeJob(run.prefix, alert.id);
  await run.sweeps('device_offline', 3);
  expect(await alertsOf(h, 'household_unmonitored')).toHaveLength(1);
  expect(await alertsOf(h, 'device_offline')).toEqual([]);
});

test('battery_low below 20 %: one alert per home listing its devices; 20 % is fine', async () => {
  const h = await home(DAY_10H, { quietS: 60 });
  const low = await device(h, 'sos_button', DAY_10H, { battery: 19 });
  const flat = await device(h, 'door_contact', DAY_10H, { battery: 5 });
  await device(h, 'pir', DAY_10H, { battery: 20 });
  const fine = await home(DAY_10H, { quietS: 60 });
  await device(fine, 'pir', DAY_10H, { battery: 20 });
  const revokedHome = await home(DAY_10H, { quietS: 60 });
  const revoked = await device(revokedHome, 'pir', DAY_10H, { battery: 3 });
  await db.pool.query(`UPDATE devices SET revoked_at = now() WHERE id = $1`, [revoked]);
  const run = await startRules(DAY_10H);

  const [alert] = await waitFor(async () => { const a = await alertsOf(h, 'battery_low'); return a.length ? a : null; }, { what: 'battery_low alert' });
  expect(alert).toMatchObject({ severity: 'maintenance', device_id: null });
  const created = (await db.pool.query(`SELECT data FROM alert_events WHERE alert_id = $1 AND type = 'created'`, [alert.id])).rows[0].data;
  expect(created.devices.map((d: { id: string; battery: number }) => [d.id, d.battery]).sort()).toEqual([[flat, 5], [low, 19]].sort());
  await routeJob(run.prefix, alert.id);
  await run.sweeps('battery_low', 4);
  expect(await alertsOf(h, 'battery_low')).toHaveLength(1);
  expect(await alertsOf(fine, 'battery_low')).toEqual([]);
  expect(await alertsOf(revokedHome, 'battery_low')).toEqual([]);
});

test('a resolved battery_low alert is not reopened on the next sweep, only after a day of a still-low battery', async () => {
  const h = await home(DAY_10H, { quietS: 60 });
  await device(h, 'sos_button', DAY_10H, { battery: 12 });
  const run = await startRules(DAY_10H);
  const [alert] = await waitFor(async () => { const a = await alertsOf(h, 'battery_low'); return a.length ? a : null; }, { what: 'battery_low alert' });
  // "Battery ordered": resolved while the device still reports its old level.
  await db.pool.query(`UPDATE alerts SET state = 'resolved', outcome = 'other', closed_at = $2 WHERE id = $1`, [alert.id, run.clock.now]);
  await run.sweeps('battery_low', 3);
  expect(await alertsOf(h, 'battery_low')).toHaveLength(1);
  run.clock.now = new Date(run.clock.now.getTime() + 24 * 3600_000 + 1000);
  await waitFor(async () => { const a = await alertsOf(h, 'battery_low'); return a.length === 2 ? a : null; }, { what: 'a new battery_low alert a day later' });
});

test('a resolved inactivity alert does not re-page at once: the quiet period restarts at its close', async () => {
  const h = await home(DAY_10H, { dayS: 3600, quietS: 7200 });
  await device(h, 'pir', DAY_10H);
  const run = await startRules(DAY_10H);
  await waitFor(() => checkOf(h), { what: 'inactivity check' });
  run.clock.now = new Date(DAY_10H.getTime() + 301_000);
  const [alert] = await waitFor(async () => { const a = await alertsOf(h, 'inactivity'); return a.length ? a : null; }, { what: 'inactivity alert' });
  // A responder visits and resolves it; the sensors still see nobody (the resident was out).
  await db.pool.query(`UPDATE alerts SET state = 'resolved', outcome = 'assisted', closed_at = $2 WHERE id = $1`, [alert.id, run.clock.now]);
  await run.sweeps('inactivity', 3);
  expect(await checkOf(h)).toBeUndefined();
  run.clock.now = new Date(run.clock.now.getTime() + 3601_000);
  await db.pool.query(`UPDATE devices SET last_seen_at = $2 WHERE household_id = $1`, [h, run.clock.now]);
  await waitFor(() => checkOf(h), { what: 'a new check one threshold after the close' });
});

test('roster gap at a shift start with no grid worker on duty: live event, supervisor notification and a warning, once', async () => {
  await db.pool.query(`INSERT INTO communities (id, name) VALUES ('c-r', '排班社区')`);
  await db.pool.query(`INSERT INTO grids (id, community_id, name) VALUES ('g-r', 'c-r', '排班网格')`);
  await db.pool.query(`INSERT INTO buildings (id, grid_id, name) VALUES ('b-r', 'g-r', '9栋')`);
  // Night is covered (org specialist + property duty, no roster = always on); the only grid
  // worker is off sick, so the day shift starting at 08:00 has nobody for the grid.
  await db.pool.query(
    `INSERT INTO responders (id, name, role, phone, community_id, grid_ids, building_ids, on_duty) VALUES
       ('r-org', '社工小王', 'org_specialist', '13800000001', 'c-r', '{}', '{}', true),
       ('r-prop', '物业老李', 'property_duty', '13800000002', 'c-r', '{}', '{b-r}', true),
       ('r-sup', '值班主任', 'supervisor', '13800000003', 'c-r', '{}', '{}', true),
       ('r-gw', '网格员小张', 'grid_worker', '13800000004', 'c-r', '{g-r}', '{}', false)`);
  const justBefore = new Date('2026-03-11T23:59:58.000Z'); // 07:59:58 on Thursday 12 March, Shanghai
  const run = await startRules(justBefore);

  const gapsOf = async () => (await db.pool.query(
    `SELECT to_char(shift_date, 'YYYY-MM-DD') AS date, shift, role FROM roster_gap_reports WHERE grid_id = 'g-r'`)).rows;
  expect(await gapsOf()).toEqual([]); // start() checked the night shift: staffed

  // The shift-start job (armed at start for 08:00) finds the day gap.
  await waitFor(async () => (await gapsOf()).length > 0, { what: 'roster gap at 08:00' });
  expect(await gapsOf()).toEqual([{ date: '2026-03-12', shift: 'day', role: 'grid_worker' }]);
  const live = (await db.pool.query(`SELECT data FROM live_events WHERE type = 'roster.gap' AND data->>'gridId' = 'g-r'`)).rows;
  expect(live.map((l) => l.data)).toEqual([{ gridId: 'g-r', role: 'grid_worker', shift: 'day', shiftDate: '2026-03-12' }]);
  const notes = async () => (await db.pool.query(
    `SELECT responder_id, channel, target, purpose, round, alert_id FROM notifications WHERE purpose = 'roster_gap' AND round LIKE '%:g-r:%'`)).rows;
  expect(await notes()).toEqual([{ responder_id: 'r-sup', channel: 'in_app', target: 'responder:r-sup', purpose: 'roster_gap', round: '2026-03-12:day:g-r:grid_worker', alert_id: null }]);
  expect(run.warnings.some((w) => w.includes('roster gap') && w.includes('g-r'))).toBe(true);

  // Later in the same shift the periodic check still sees the gap: not reported again.
  run.clock.now = new Date('2026-03-12T00:10:00Z');
  await run.sweeps('roster_gap', 3);
  expect(await notes()).toHaveLength(1);
  expect((await db.pool.query(`SELECT count(*)::int AS n FROM live_events WHERE type = 'roster.gap' AND data->>'gridId' = 'g-r'`)).rows[0].n).toBe(1);
});
