import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { ACTIVITY_EVENTS } from '../../domain/device-kinds.js';
import { parseConfig } from '../../domain/config.js';
import { VirtualClock } from '../../domain/virtual-clock.js';
import { DAY_MS, localHhMm, localMidnight } from '../../simulators/clock.js';
import { SimulatedHomes } from '../../simulators/day/homes.js';
import { InFlight } from '../../simulators/day/in-flight.js';
import { planIncidents, planNightPair } from '../../simulators/day/incident-plan.js';
import { Ledger } from '../../simulators/day/ledger.js';
import type { IncidentKind } from '../../simulators/day/responder-model.js';
import { planHistory } from '../../simulators/day/history.js';
import { MIN_HISTORY_DAYS } from '../../domain/room-aware-silence.js';
import { insertPastSignals } from '../../store/history-signals-repository.js';
import { refreshBaselines } from '../../store/passive-baseline-repository.js';
import { SimulatedPhones } from '../../simulators/day/phones.js';
import { householdProfile, planDay } from '../../simulators/household-routine.js';
import { seedDemoCommunity } from '../../store/demo-seed/index.js';
import { createLogger } from '../runtime/logger.js';
import { startService, type RunningService } from '../runtime/service.js';
import { loadDayWorld, type DayWorld } from './day-world.js';
import { LiveMonitor } from './live-monitor.js';
import { redisNamesInUse } from '../../store/redis-namespace.js';
import { Settler } from './settle.js';
import { applyStaffing, type Staffing } from './staffing.js';

export interface DayOptions {
  homes: number;
  hours: number;
  /** Local date (YYYY-MM-DD) and time (HH:MM) the window starts, in `tz`. */
  date: string;
  start: string;
  seed: number;
  staffing: Staffing;
  /** Incidents per hour per 200 homes. */
  incidentRate: number;
  /** Only these incident kinds (default all). */
  incidentKinds?: IncidentKind[];
  tz: string;
  dayShift: string;
  /** Service settings of the run (seconds), e.g. to try another ACK_TIMEOUT_S. */
  env?: Record<string, string>;
  /** DISPATCH_POLICY of the service (issue 15; default: the service's default, nearest). */
  policy?: 'nearest' | 'page_all';
  /** Add two SOS 40 s apart in one grid at 02:10 (issue 15's night check); default true. */
  nightPair?: boolean;
  /** Progress line every this many real ms (default 10 s). */
  progressMs?: number;
  onProgress?: (line: string) => void;
  /** Service warnings and the tool's notes. */
  log?: (line: string) => void;
  /** Keep the data directory (for a look with psql); default removed. */
  keepDataDir?: boolean;
  /** PASSIVE_POLICY of the run's service (default: the service's default, learned). */
  passivePolicy?: 'learned' | 'static';
  /** Days of routine history written straight into PostgreSQL before the window, for the learned rules (default 0). */
  historyDays?: number;
}

export interface DayRun {
  window: { start: number; end: number };
  policy: string;
  /** SLA_ONSITE_S of the run. */
  slaOnsiteS: number;
  realMs: number;
  ledger: Ledger;
  /** The service, still running: the report reads it, then the caller stops the run. */
  service: RunningService;
  adminToken: string;
  settleLooks: number;
  settleSlowestMs: number;
  /** Homes played (the demo seeds a second community beside the first). */
  homes: number;
  devices: number;
  phones: number;
  eventsSent: number;
  eventsFailed: number;
  stop(): Promise<void>;
}

/** Routine events land on this grid; sweeps and the reconciler tick on it too (RECONCILE_S = 30). */
const QUANTUM_MS = 30_000;
/** Simulated devices check in every 30 min (battery devices; offline after 3 missed). */
const HEARTBEAT_S = 1800;
/** While an alert is live the clock moves at most this far at once (see settle.ts). */
const LIVE_STEP_MS = 15_000;

/** The window's start: `date` at `start` local time in `tz`. */
export function windowStart(date: string, start: string, tz: string): number {
  const [h, m] = start.split(':').map(Number) as [number, number];
  const noonUtc = Date.parse(`${date}T12:00:00Z`);
  return localMidnight(noonUtc, tz) + (h * 60 + m) * 60_000;
}

/**
 * A community day on the virtual clock (issue 14): the real service (gateway, dispatcher, API)
 * over real PostgreSQL, redis-server, MQTT and HTTP in a private data directory, the demo
 * community seeded into it, simulated homes and responders, and the clock moved from event to
 * event whenever the service is idle.
 */
export async function runDay(o: DayOptions): Promise<DayRun> {
  const log = o.log ?? (() => {});
  const realStart = Date.now();
  const start = Math.floor(windowStart(o.date, o.start, o.tz) / QUANTUM_MS) * QUANTUM_MS;
  const end = start + Math.round(o.hours * 3_600_000);
  const clock = new VirtualClock(start);
  const dataDir = await mkdtemp(join(tmpdir(), 'guardian-day-'));
  const adminPassword = `sim-${o.seed}-${Math.random().toString(36).slice(2)}`;
  const config = parseConfig({
    DATA_DIR: dataDir, HTTP_PORT: '0', MQTT_PORT: '0', HOST: '127.0.0.1', GUARDIAN_TZ: o.tz, DAY_SHIFT: o.dayShift,
    LOG_LEVEL: 'warn', GUARDIAN_ADMIN_PASSWORD: adminPassword, RECONCILE_S: String(QUANTUM_MS / 1000),
    // Phones stay signed in for the whole run (a real phone's session is renewed by its user).
    SESSION_TTL_H: String(Math.ceil(o.hours) + 48),
    // The simulation sends no flood; its heartbeats come in bursts on the 30 s grid.
    DEVICE_RATE_MAX: '0', ...(o.policy ? { DISPATCH_POLICY: o.policy } : {}), ...(o.passivePolicy ? { PASSIVE_POLICY: o.passivePolicy } : {}), ...o.env,
  });
  const serviceLog = createLogger('warn', (line) => log(line.trimEnd()));
  let service: RunningService | undefined;
  const cleanups: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const c of cleanups.reverse()) await c().catch((err) => log(`simulate day: stop step failed: ${(err as Error).message}`));
    cleanups.length = 0;
    if (!o.keepDataDir) await rm(dataDir, { recursive: true, force: true }).catch(() => {});
  };
  try {
    service = await startService(config, serviceLog, {}, { clock, delays: 'clock' });
    cleanups.push(() => service!.stop());
    const { pool } = service.database;
    await seedDemoCommunity(pool, { households: o.homes, dataDir, dayShift: o.dayShift });
    await applyStaffing(pool, o.staffing);
    await pool.query(`UPDATE devices SET heartbeat_s = $1`, [HEARTBEAT_S]);
    const world = await loadDayWorld(pool, dataDir, o.seed);
    await setLastActivity(pool, world, start, o.tz);
    if ((o.historyDays ?? 0) > 0) {
      // The homes' past weeks (issue 19): written, not played, then learned from — as the daily job would.
      const t0 = Date.now();
      const n = await insertPastSignals(pool, planHistory(world.homes, { days: o.historyDays!, end: start, tz: o.tz }));
      const learned = await refreshBaselines(pool, { now: new Date(start), tz: o.tz, minHistoryDays: MIN_HISTORY_DAYS });
      log(`simulate day: ${o.historyDays} days of history (${n} signals), ${learned.enough}/${learned.households} homes learned, in ${Math.round((Date.now() - t0) / 1000)} s`);
    }

    const planned = planIncidents({ seed: o.seed, homes: world.incidentHomes, start, end, ratePerHour: o.incidentRate, tz: o.tz, kinds: o.incidentKinds });
    const pair = o.nightPair === false ? [] : planNightPair({ seed: o.seed, homes: world.incidentHomes, start, end, tz: o.tz, gridOf: world.gridOf, taken: planned });
    const ledger = new Ledger([...planned, ...pair].sort((a, b) => a.at - b.at));
    const inFlight = new InFlight();
    const homes = new SimulatedHomes(world.homes, {
      url: service.mqttUrl, clock, ledger, tz: o.tz, seed: o.seed, inFlight, quantumMs: QUANTUM_MS, heartbeatMs: HEARTBEAT_S * 1000, log,
    });
    cleanups.push(() => homes.stop());
    await homes.connect();
    const phones = new SimulatedPhones(world.accounts, {
      httpUrl: service.httpUrl, clock, ledger, tz: o.tz, seed: o.seed, inFlight, profiles: world.profiles,
      homeAt: world.homeAt, onVisitEnded: (h, at, outcome) => homes.visitEnded(h, at, outcome), log,
    });
    cleanups.push(() => phones.stop());
    await phones.connect();
    const adminToken = await signIn(service.httpUrl, 'admin', adminPassword);
    const monitor = new LiveMonitor();
    await monitor.open(service.httpUrl, adminToken);
    cleanups.push(async () => monitor.close());
    const redis = new Redis(service.redisUrl, { maxRetriesPerRequest: 1 });
    cleanups.push(async () => { redis.disconnect(); });
    const settler = new Settler({
      pool, redis, queuePrefix: redisNamesInUse().queuePrefix, gateway: service.gateway!, dispatcher: service.dispatcher!, inFlight, monitor, phones, log,
    });

    homes.start(start, end);
    let lastProgress = Date.now();
    const progress = () => {
      const breaches = ledger.incidents.filter((i) => i.reachedAt !== null && i.reachedAt - i.at > 15 * 60_000).length;
      o.onProgress?.(`simulate day: ${localDate(clock.nowMs(), o.tz)} ${localHhMm(clock.nowMs(), o.tz)} · ` +
        `incidents ${ledger.incidents.filter((i) => i.at <= clock.nowMs()).length}/${ledger.incidents.length} · alerts live ${monitor.liveAlerts} · ` +
        `reached late ${breaches} · ${Math.round((Date.now() - realStart) / 1000)} s real`);
    };
    while (clock.nowMs() < end) {
      await settler.settle();
      const next = Math.min(clock.nextAt() ?? end, end);
      const to = monitor.liveAlerts > 0 ? Math.min(next, clock.nowMs() + LIVE_STEP_MS) : next;
      clock.advanceTo(Math.max(to, clock.nowMs()));
      if (Date.now() - lastProgress >= (o.progressMs ?? 10_000)) { lastProgress = Date.now(); progress(); }
    }
    await settler.settle();
    progress();
    log(`simulate day: settle looks ${settler.looks}, busy: ${[...settler.reasons].map(([k, v]) => `${k} ×${v}`).join('; ')}`);
    return {
      window: { start, end }, policy: config.DISPATCH_POLICY, slaOnsiteS: config.SLA_ONSITE_S, realMs: Date.now() - realStart, ledger, service, adminToken,
      settleLooks: settler.looks, settleSlowestMs: settler.slowestMs, homes: world.homes.length, devices: homes.deviceCount, phones: phones.size,
      eventsSent: homes.sent, eventsFailed: homes.failed, stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function signIn(httpUrl: string, username: string, password: string): Promise<string> {
  const res = await fetch(`${httpUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  if (!res.ok) throw new Error(`simulate day: the admin could not sign in (${res.status})`);
  return ((await res.json()) as { token: string }).token;
}

/**
 * Initial conditions: each home's last activity is its resident's last routine signal before
 * the window (last night's bedtime, this morning's wake-up), as if the service had been running.
 */
async function setLastActivity(pool: import('pg').Pool, world: DayWorld, start: number, tz: string): Promise<void> {
  const ids: string[] = [];
  const ats: Date[] = [];
  for (const h of world.homes) {
    const devices = h.credentials.map((c) => ({ deviceId: c.deviceId, kind: c.kind, room: c.room ?? null }));
    const profile = householdProfile(h.householdId, devices);
    let last: number | null = null;
    for (const day of [localMidnight(start, tz) - DAY_MS, localMidnight(start, tz)]) {
      for (const a of planDay({ householdId: h.householdId, devices, profile, dayStart: day, dropouts: false })) {
        if (a.at < start && a.action === 'event' && ACTIVITY_EVENTS.has(a.type)) last = a.at;
      }
    }
    if (last !== null) { ids.push(h.householdId); ats.push(new Date(last)); }
  }
  await pool.query(`UPDATE households h SET last_activity_at = u.at FROM unnest($1::text[], $2::timestamptz[]) AS u(id, at) WHERE h.id = u.id`, [ids, ats]);
}

/** The local date (YYYY-MM-DD) of an instant in `tz`. */
export function localDate(ms: number, tz: string): string {
  return new Date(localMidnight(ms, tz) + 12 * 3_600_000).toISOString().slice(0, 10);
}
