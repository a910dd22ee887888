import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, expect, inject, test } from 'vitest';
import { PassiveRules } from '../../dispatcher/passive/passive-rules.js';
import { CHECK_IN_NO_CALLER_NOTE, CHECK_IN_VOICE_NOTE } from '../../dispatcher/passive/check-in-rule.js';
import type { DeviceKind } from '../../domain/device-kinds.js';
import { DOWNLINK_CHANNEL, type DownlinkMessage } from '../../domain/queues.js';
import { DAY_GRACE_S } from '../../domain/check-in-stages.js';
import { DAY_CEILING_S, DAY_FLOOR_S, IN_BED_KEY, lineAbove, usualSilence } from '../../domain/room-aware-silence.js';
import { householdProfile, planDay } from '../../simulators/household-routine.js';
import { insertPastSignals } from '../../store/history-signals-repository.js';
import { loadRhythm, refreshBaselines } from '../../store/passive-baseline-repository.js';
import { CHECK_IN_SENT_NOTE } from '../../store/passive-queries-repository.js';
import { createTestDb, waitFor, type TestDb } from '../helpers/db.js';
import { startPassiveRules, type PassiveHarness } from '../helpers/passive-harness.js';

/**
 * The learned passive rules of issue 19 against real PostgreSQL and redis-server, on an injected
 * clock: the baselines learned in SQL from a synthetic history, room-aware silence with its staged
 * check-in (chime → voice → the call stage, skipped without a caller → alert with an explanation), a check-in answered, a night departure
 * (wandering), away mode, and the static fallback for a home without history.
 */
const filePrefix = `gl-${randomBytes(4).toString('hex')}`;
const TZ = 'Asia/Shanghai';
const config = { GUARDIAN_TZ: TZ, DAY_SHIFT: '08:00-20:00', CHECKIN_GRACE_S: 300, PASSIVE_POLICY: 'learned' as const };
/** Local Shanghai time on 2026-03-10 (+ days) as a Date. */
const local = (hh: number, mm = 0, day = 0) => new Date(Date.UTC(2026, 2, 10 + day, hh - 8, mm));
const MIN = 60_000;

let db: TestDb;
let sub: Redis;
const downlinks: DownlinkMessage[] = [];
const running: PassiveRules[] = [];
let seq = 0;

beforeAll(async () => {
  db = await createTestDb();
  sub = new Redis(inject('redisUrl'));
  const pattern = `${filePrefix}-*:${DOWNLINK_CHANNEL}`;
  sub.on('pmessage', (p, _c, m) => { if (p === pattern) downlinks.push(JSON.parse(m) as DownlinkMessage); });
  await sub.psubscribe(pattern);
  await db.pool.query(`INSERT INTO communities (id, name) VALUES ('c-l', '学习社区')`);
  await db.pool.query(`INSERT INTO grids (id, community_id, name) VALUES ('g-l', 'c-l', '一网格')`);
  await db.pool.query(`INSERT INTO buildings (id, grid_id, name) VALUES ('b-l', 'g-l', '1栋')`);
});
afterEach(async () => { for (const r of running.splice(0)) await r.stop(); });
afterAll(async () => { sub.disconnect(); await db.drop(); });

/** Starts the rules at `now`; `learn` (default) then runs the daily learning for the homes the test just added. */
async function startRules(now: Date, opts: { learn?: boolean } = {}): Promise<PassiveHarness> {
  const run = await startPassiveRules(now, { pool: db.pool, config, queuePrefix: `${filePrefix}-${++seq}` }, running);
  // start() relearns only when the last learning is a day old: the homes a test adds are learned here.
  if (opts.learn !== false) await run.rules.refreshBaselines();
  return run;
}

interface Home { id: string; devices: Record<string, { id: string; kind: DeviceKind; room: string }> }

/** A home with a living-room PIR, a bathroom radar, a front door contact and a bed sensor, all reporting at `now`. */
async function home(now: Date, opts: { dayS?: number; nightS?: number } = {}): Promise<Home> {
  // Ids without randomness: each home's simulated routine is seeded by them, so a run is repeatable.
  const id = `hl-${++seq}`;
  await db.pool.query(
    `INSERT INTO households (id, building_id, unit, address, inactivity_day_s, inactivity_night_s, created_at)
     VALUES ($1, 'b-l', $2, '学习路1号', $3, $4, $5)`, [id, `${seq}室`, opts.dayS ?? 21600, opts.nightS ?? 43200, new Date(now.getTime() - 60 * 86_400_000)]);
  const devices: Home['devices'] = {};
  for (const [key, kind, room] of [['pir', 'pir', '客厅'], ['radar', 'fall_radar', '卫生间'], ['door', 'door_contact', '入户门'], ['bed', 'bed_sensor', '卧室']] as const) {
    const did = `${kind}-${seq}`;
    await db.pool.query(
      `INSERT INTO devices (id, household_id, kind, room, heartbeat_s, online, last_seen_at, created_at) VALUES ($1, $2, $3, $4, 1800, true, $5, $6)`,
      [did, id, kind, room, now, new Date(now.getTime() - 60 * 86_400_000)]);
    devices[key] = { id: did, kind, room };
  }
  return { id, devices };
}

/** 28 days of the simulator's routine for the home, ending at `end` (written straight into signals). */
async function history(h: Home, end: Date, days = 28): Promise<void> {
  const devs = Object.values(h.devices).map((d) => ({ deviceId: d.id, kind: d.kind, room: d.room }));
  const profile = householdProfile(h.id, devs);
  const rows = [];
  const first = local(0, 0, -days).getTime();
  for (let day = first; day < end.getTime(); day += 86_400_000) {
    for (const a of planDay({ householdId: h.id, devices: devs, profile, dayStart: day, dropouts: false })) {
      if (a.action !== 'event' || a.at >= end.getTime() || !['motion', 'presence', 'door', 'bed', 'water_use'].includes(a.type)) continue;
      rows.push({ ts: new Date(a.at), deviceId: a.deviceId, householdId: h.id, eventId: `t-${a.deviceId}-${a.at}`, type: a.type, value: a.value ?? null,
        room: devs.find((d) => d.deviceId === a.deviceId)!.room });
    }
  }
  await insertPastSignals(db.pool, rows);
}

/** One live signal (as the gateway would store it, with last_activity_at). */
async function signal(h: Home, key: keyof Home['devices'] & string, at: Date, type: string): Promise<void> {
  const d = h.devices[key]!;
  await db.pool.query(
    `INSERT INTO signals (ts, received_at, device_ts, device_id, household_id, event_id, type, value, room) VALUES ($1, $1, $1, $2, $3, $4, $5, 'true', $6)`,
    [at, d.id, h.id, `e-${randomBytes(4).toString('hex')}`, type, d.room]);
  await db.pool.query(`UPDATE households SET last_activity_at = GREATEST(last_activity_at, $2) WHERE id = $1`, [h.id, at]);
}

/** A person alert of the home, raised at `from` and resolved at `closed` (a responder's visit). */
async function closedAlert(h: Home, from: Date, closed: Date): Promise<void> {
  await db.pool.query(
    `INSERT INTO alerts (id, household_id, kind, severity, state, first_signal_at, last_signal_at, opened_at, updated_at, closed_at)
     VALUES (gen_random_uuid(), $1, 'inactivity', 'high', 'resolved', $2, $2, $2, $3, $3)`, [h.id, from, closed]);
}

const checkOf = async (id: string) => (await db.pool.query(`SELECT * FROM inactivity_checks WHERE household_id = $1`, [id])).rows[0];
const alertsOf = async (id: string, kind: string) => (await db.pool.query(`SELECT id, state FROM alerts WHERE household_id = $1 AND kind = $2`, [id, kind])).rows;
const createdData = async (alertId: string) =>
  (await db.pool.query(`SELECT data FROM alert_events WHERE alert_id = $1 AND type = 'created'`, [alertId])).rows[0].data;

test('baselines are learned in SQL from 28 days: per room and hour, wake-up and bedtime, enough history', async () => {
  const h = await home(local(9, 0));
  await history(h, local(9, 0));
  const r = await refreshBaselines(db.pool, { now: local(9, 0), tz: TZ, minHistoryDays: 14 });
  expect(r.enough).toBeGreaterThanOrEqual(1);
  // Two refreshes at once (a start beside the daily job, two dispatchers) both complete: one waits.
  for (let round = 0; round < 3; round++) {
    const together = await Promise.all([1, 2, 3, 4].map(() => refreshBaselines(db.pool, { now: local(9, 0), tz: TZ, minHistoryDays: 14 })));
    expect(together.map((x) => x.rows)).toEqual([r.rows, r.rows, r.rows, r.rows]);
  }
  const learned = (await loadRhythm(db.pool, h.id))!;
  expect(learned.rhythm).toMatchObject({ enoughHistory: true });
  expect(learned.rhythm.historyDays).toBeGreaterThanOrEqual(28);
  const profile = householdProfile(h.id, Object.values(h.devices).map((d) => ({ deviceId: d.id, kind: d.kind, room: d.room })));
  // The routine's wake-up is profile.wakeMin ± 15 min (bed 'out' at that minute): the median is near it.
  expect(Math.abs(learned.rhythm.wakeMedianMin! - profile.wakeMin)).toBeLessThanOrEqual(20);
  expect(Math.abs(learned.rhythm.bedMedianMin! - profile.bedMin)).toBeLessThanOrEqual(25);
  expect(learned.rhythm.activityByHow).toHaveLength(168);
  // A living-room signal at 10:00 is usually followed within the idle gap (15-35 min), at worst
  // after lunch in the unwatched kitchen; one at bedtime by the night.
  const living10 = learned.baselines.find((b) => b.room === '客厅' && b.hour === 10)!;
  expect(living10.gapP50S).toBeLessThan(40 * 60);
  expect(living10.gapP99S).toBeLessThan(2 * 3600);
  // Lying down at bedtime is followed by the night; getting up in the morning by minutes.
  const bedtime = learned.baselines.filter((b) => b.room === IN_BED_KEY && b.hour >= 21).map((b) => b.gapP99S);
  expect(Math.max(...bedtime)).toBeGreaterThan(6 * 3600);
  const gotUp = learned.baselines.filter((b) => b.room === '卧室' && b.hour >= 5 && b.hour <= 7);
  expect(gotUp.length).toBeGreaterThan(0);
  expect(Math.max(...gotUp.map((b) => b.gapP99S))).toBeLessThan(15 * 60);
});

test('room-aware silence by day: chime, then voice, then an inactivity alert that explains itself', async () => {
  const now = local(10, 0, 1);
  const h = await home(now);
  await history(h, local(0, 0, 1));
  await signal(h, 'pir', local(9, 0, 1), 'motion');
  const run = await startRules(local(9, 1, 1));
  expect((await loadRhythm(db.pool, h.id))!.rhythm.enoughHistory).toBe(true);
  const usual = (await loadRhythm(db.pool, h.id))!.baselines.filter((b) => b.room === '客厅' && b.hour >= 8 && b.hour <= 10);
  const thresholdMs = lineAbove(Math.max(...usual.map((b) => b.gapP99S)), 'normal') * 1000; // normal sensitivity: p99 + 4 min or + 1/8
  expect(thresholdMs).toBeLessThan(90 * MIN); // tens of minutes, not the static 6 h

  run.clock.now = new Date(local(9, 0, 1).getTime() + thresholdMs - MIN);
  await run.sweeps('learned_silence', 2);
  expect(await checkOf(h.id)).toBeUndefined();

  const t1 = new Date(local(9, 0, 1).getTime() + thresholdMs + 1000);
  run.clock.now = t1;
  const check = await waitFor(() => checkOf(h.id), { what: 'learned check' });
  expect(check).toMatchObject({ reason: 'room_silence', stage: 1, stages: 3 });
  expect(check.deadline_at.getTime() - t1.getTime()).toBe(DAY_GRACE_S[0] * 1000);
  await waitFor(() => downlinks.some((d) => d.deviceIds.includes(h.devices.pir!.id) && d.command.type === 'check_in' && d.command.stage === 'chime'), { what: 'chime' });

  run.clock.now = new Date(t1.getTime() + DAY_GRACE_S[0] * 1000 + 1000);
  await waitFor(() => downlinks.some((d) => d.deviceIds.includes(h.devices.pir!.id) && d.command.type === 'check_in' && d.command.stage === 'voice'), { what: 'voice' });
  expect(await alertsOf(h.id, 'inactivity')).toEqual([]);

  run.clock.now = new Date(t1.getTime() + (DAY_GRACE_S[0] + DAY_GRACE_S[1]) * 1000 + 2000);
  const [alert] = await waitFor(async () => { const a = await alertsOf(h.id, 'inactivity'); return a.length ? a : null; }, { what: 'inactivity alert' });
  const data = await createdData(alert.id);
  expect(data).toMatchObject({ rule: 'room_silence', checkInStages: 3, explanation: { reason: 'room_silence', room: 'living', historyDays: expect.any(Number) } });
  expect(data.explanation.zh).toMatch(/^09:00 在客厅有活动后 \d+ 分钟无活动；平时此时段在客厅之后 ≤ \d+ 分钟就有活动（\d+ 天 p99）$/);
  expect(data.explanation.en).toMatch(/^no movement for \d+ min after the living room at 09:00/);
  const notes = (await db.pool.query(`SELECT note FROM visits WHERE household_id = $1 ORDER BY id`, [h.id])).rows.map((r) => r.note);
  expect(notes[0]).toMatch(new RegExp(`^${CHECK_IN_SENT_NOTE.replace(/[()]/g, '\\$&')}: 09:00 在客厅`));
  expect(notes[1]).toBe(CHECK_IN_VOICE_NOTE);
  // These rules run without a caller: the call stage is skipped, said so, and the alert comes at once.
  expect(notes[2]).toBe(CHECK_IN_NO_CALLER_NOTE);
});

test('a check-in answered (any activity) stands down: no alert', async () => {
  const h = await home(local(12, 0, 1)); // devices heard from at noon: they report
  await history(h, local(0, 0, 1));
  await signal(h, 'pir', local(9, 0, 1), 'motion');
  const run = await startRules(local(9, 1, 1));
  run.clock.now = local(12, 0, 1);
  await waitFor(() => checkOf(h.id), { what: 'learned check' });
  await signal(h, 'pir', local(12, 1, 1), 'motion'); // the resident moves
  run.clock.now = local(12, 2, 1);
  await waitFor(async () => !(await checkOf(h.id)), { what: 'stand-down' });
  run.clock.now = local(12, 10, 1);
  await run.sweeps('check_in', 3);
  expect(await alertsOf(h.id, 'inactivity')).toEqual([]);
});

test('a front-door departure by day is away for as long as this home\'s outings last; at night with no return it is wandering', async () => {
  const h = await home(local(13, 0, 1)); // devices heard from until 13:00: they report
  await history(h, local(0, 0, 1));
  await signal(h, 'pir', local(9, 0, 1), 'motion');
  await signal(h, 'door', local(9, 5, 1), 'door');
  const run = await startRules(local(9, 6, 1));
  // This home's own outings at that hour (p99 of the silence after the door, ± 1 h) + the normal
  // margin: read from what was learned, since each home's routine differs.
  const learned = (await loadRhythm(db.pool, h.id))!.baselines;
  const night = { startMin: 20 * 60, endMin: 8 * 60 };
  // The longer of this hour's outings and the whole day's (few outings: the worst of a handful is soon exceeded).
  const outing = { p99S: Math.max(usualSilence(learned, '入户门', 9, night)!.p99S, usualSilence(learned, '入户门', 9, night, 'part')!.p99S) };
  const backMs = Math.min(DAY_CEILING_S, Math.max(DAY_FLOOR_S, lineAbove(outing.p99S, 'normal'))) * 1000;
  const out = local(9, 5, 1).getTime();
  run.clock.now = new Date(out + backMs - MIN); // within this home's usual outing: away, no check
  await run.sweeps('learned_silence', 3);
  expect(await checkOf(h.id)).toBeUndefined();
  run.clock.now = new Date(out + backMs + MIN); // longer than any outing at that hour in 28 days: not back — a check-in
  expect(await waitFor(() => checkOf(h.id), { what: 'not-back check' })).toMatchObject({ reason: 'not_back' });

  const n = await home(local(1, 0, 1));
  await history(n, local(0, 0, 1));
  await signal(n, 'bed', local(1, 0, 1), 'bed');
  await signal(n, 'door', local(1, 3, 1), 'door');
  await run.rules.refreshBaselines(); // the daily job, for the home added after start
  run.clock.now = local(1, 3 + 19, 1);
  await run.sweeps('learned_silence', 2);
  expect(await alertsOf(n.id, 'wandering')).toEqual([]);
  run.clock.now = local(1, 3 + 21, 1);
  const [alert] = await waitFor(async () => { const a = await alertsOf(n.id, 'wandering'); return a.length ? a : null; }, { what: 'wandering alert' });
  expect((await createdData(alert.id)).explanation.zh).toBe('夜间 01:03 从入户门外出，21 分钟未返回');

  // Taken to hospital at night: the responder resolves the alert a few minutes after the door
  // closes behind them; hours later that passage is still theirs, not a resident wandering off.
  const t = await home(local(23, 0, 1));
  await history(t, local(0, 0, 1));
  await signal(t, 'pir', local(20, 10, 1), 'motion');
  await closedAlert(t, local(20, 45, 1), local(21, 5, 1));
  await signal(t, 'door', local(21, 0, 1), 'door');
  await run.rules.refreshBaselines();
  run.clock.now = local(23, 30, 1); // 2.5 h after the passage
  await run.sweeps('learned_silence', 2);
  expect(await alertsOf(t.id, 'wandering')).toEqual([]);
  expect(await checkOf(t.id)).toBeUndefined();
});

test('away mode: no check-in for the home while it lasts', async () => {
  const h = await home(local(18, 30, 1)); // devices heard from until 18:30: they report
  await history(h, local(0, 0, 1));
  await signal(h, 'pir', local(9, 0, 1), 'motion');
  await db.pool.query(`INSERT INTO household_passive_tuning (household_id, sensitivity, away_until, updated_by, updated_at) VALUES ($1, 'normal', $2, 'test', $3)`,
    [h.id, local(18, 0, 1), local(8, 0, 1)]);
  const run = await startRules(local(9, 1, 1));
  run.clock.now = local(16, 0, 1); // past the static 6 h too
  await run.sweeps('learned_silence', 2);
  await run.sweeps('inactivity', 2);
  expect(await checkOf(h.id)).toBeUndefined();
  run.clock.now = local(18, 1, 1); // away mode over: the silence counts again
  await waitFor(() => checkOf(h.id), { what: 'check after away mode' });
});

test('a home without enough history keeps the static thresholds', async () => {
  const h = await home(local(12, 0, 1), { dayS: 3 * 3600 });
  await history(h, local(0, 0, 1), 3); // three days: not enough
  await signal(h, 'pir', local(9, 0, 1), 'motion');
  const run = await startRules(local(9, 1, 1));
  expect((await loadRhythm(db.pool, h.id))!.rhythm.enoughHistory).toBe(false);
  run.clock.now = local(11, 30, 1); // far beyond any learned living-room line, within the static 3 h
  await run.sweeps('learned_silence', 2);
  await run.sweeps('inactivity', 2);
  expect(await checkOf(h.id)).toBeUndefined();
  run.clock.now = local(12, 1, 1);
  const check = await waitFor(() => checkOf(h.id), { what: 'static check' });
  expect(check).toMatchObject({ reason: 'static', stage: 1, stages: 1 });
});

test('a person alert closed after the last sign of life restarts the count: no check-in the minute the responder leaves', async () => {
  const h = await home(local(14, 0, 1));
  await history(h, local(0, 0, 1));
  await signal(h, 'pir', local(9, 0, 1), 'motion');
  await closedAlert(h, local(10, 0, 1), local(10, 30, 1));
  const run = await startRules(local(10, 31, 1));
  await run.sweeps('learned_silence', 3);
  expect(await checkOf(h.id)).toBeUndefined(); // 91 min after the last signal, 1 after the visit
  run.clock.now = local(13, 59, 1); // the home's worst indoor silence at 10:00 has passed since the visit
  const check = await waitFor(() => checkOf(h.id), { what: 'check after the visit' });
  expect(check.quiet_since.getTime()).toBe(local(10, 30, 1).getTime());
});

test('a restart within a day keeps what was learned (no 28-day relearning at every start); a day later start() relearns', async () => {
  const last = (await db.pool.query<{ at: Date }>(`SELECT max(computed_at) AS at FROM household_rhythm`)).rows[0]!.at;
  const h = await home(last);
  await history(h, last);
  const soon = await startRules(new Date(last.getTime() + 3_600_000), { learn: false });
  expect(await loadRhythm(db.pool, h.id)).toBeNull();
  await soon.rules.stop();
  await startRules(new Date(last.getTime() + 25 * 3_600_000), { learn: false });
  expect((await loadRhythm(db.pool, h.id))!.rhythm.enoughHistory).toBe(true);
});
