import { SimClock, localHhMm } from './clock.js';
import { groupByHousehold, type DeviceCredential } from './credentials.js';
import { connectInBatches, type RampResult } from './connection-ramp.js';
import { HouseholdRunner } from './household-runner.js';
import { canPlayIncident, isIncidentType, type IncidentReport, type IncidentType, type SosVariant } from './incidents.js';
import { exponential, hashSeed, seededRng } from '../domain/seeded-random.js';
import { SimulationStats } from './stats.js';

export interface HouseholdSimulationOptions {
  /** mqtt://host:port of the gateway. */
  url: string;
  credentials: readonly DeviceCredential[];
  /** Simulate the first N households of the credentials file (default all). */
  households?: number;
  /** Simulated time = real time × speed (default 1). */
  speed?: number;
  /** Random incidents per simulated hour per 200 households (default 6: one every ~10 min); 0 = none. */
  incidentRate?: number;
  /** The community's time zone, for wake/bed times (default Asia/Shanghai). */
  tz?: string;
  /** Simulated epoch ms at start (default now), e.g. 06:00 to watch a morning. */
  startAt?: number;
  /** Connections opened at a time (default 50). */
  rampBatch?: number;
  /** Occasional device dropouts (default true). */
  dropouts?: boolean;
  progressIntervalMs?: number;
  onProgress?: (p: SimulationProgress) => void;
  log?: (line: string) => void;
  /** Seeds incident timing and choice (default random). */
  seed?: number;
}

export interface SimulationProgress {
  households: number;
  devices: number;
  connected: number;
  refused: number;
  rampDone: boolean;
  /** Events published per minute over the last progress window. */
  eventsPerMin: number;
  sent: number;
  acked: number;
  failed: number;
  incidents: number;
  /** Simulated local wall time, HH:MM. */
  simTime: string;
}

export interface HouseholdSimulation {
  readonly households: readonly string[];
  /** Resolves when every connection was attempted once. */
  readonly ready: Promise<RampResult>;
  progress(): SimulationProgress;
  /** Plays an incident on one simulated home over its live connections. */
  triggerIncident(householdId: string, type: IncidentType, variant?: SosVariant): Promise<IncidentReport>;
  /** Clean shutdown: retained `offline` + DISCONNECT for every device. */
  stop(): Promise<void>;
}

/** The first random incident comes within this real time, so a demo shows one quickly. */
const FIRST_INCIDENT_MAX_MS = 90_000;
const RANDOM_INCIDENTS: readonly [IncidentType, number][] = [['sos', 0.45], ['fall', 0.3], ['inactivity', 0.25]];

/** Routines for many households in-process: `npx guardian simulate` and `npm run demo`. */
export function startHouseholdSimulation(opts: HouseholdSimulationOptions): HouseholdSimulation {
  const log = opts.log ?? (() => {});
  const tz = opts.tz ?? 'Asia/Shanghai';
  const clock = new SimClock(opts.speed ?? 1, { startAt: opts.startAt });
  const stats = new SimulationStats();
  const abort = new AbortController();
  const rng = seededRng(opts.seed ?? hashSeed(`${Date.now()}:${Math.random()}`));
  const homes = groupByHousehold(opts.credentials).slice(0, opts.households ?? Infinity);
  const runners = homes.map((household) => new HouseholdRunner({
    url: opts.url, household, clock, tz, stats, log, dropouts: opts.dropouts ?? true, signal: abort.signal, random: rng,
  }));
  const byId = new Map(runners.map((r) => [r.householdId, r]));
  const devices = runners.flatMap((r) => r.devices);
  let rampDone = false;
  let lastRate = 0;
  let stopped = false;
  let incidentTimer: NodeJS.Timeout | undefined;

  const progress = (): SimulationProgress => ({
    households: runners.length, devices: devices.length,
    connected: devices.filter((d) => d.up).length, refused: stats.refused, rampDone,
    eventsPerMin: Math.round(lastRate), sent: stats.sent, acked: stats.acked, failed: stats.failed,
    incidents: stats.incidents, simTime: localHhMm(clock.now(), tz),
  });
  const progressTimer = setInterval(() => {
    lastRate = stats.takeRate();
    opts.onProgress?.(progress());
  }, opts.progressIntervalMs ?? 10_000);

  const triggerIncident = async (householdId: string, type: IncidentType, variant?: SosVariant) => {
    const runner = byId.get(householdId);
    if (!runner) throw new Error(`household ${householdId} is not part of this simulation`);
    if (!isIncidentType(type)) throw new Error(`unknown incident type ${String(type)}`);
    stats.incidents++;
    return runner.incident(type, variant);
  };

  // Random incidents: independent arrivals, mean gap scaled by the number of homes.
  const rate = opts.incidentRate ?? 6;
  const meanGapSimMs = rate > 0 && runners.length > 0 ? (3_600_000 / rate) * (200 / runners.length) : 0;
  const scheduleIncident = (first: boolean) => {
    if (stopped || meanGapSimMs === 0) return;
    let delay = clock.realMs(exponential(rng, meanGapSimMs));
    if (first) delay = Math.min(delay, FIRST_INCIDENT_MAX_MS * (0.5 + rng() / 2));
    incidentTimer = setTimeout(() => {
      void randomIncident().finally(() => scheduleIncident(false));
    }, delay);
  };
  const randomIncident = async () => {
    let r = rng();
    let type: IncidentType = 'sos';
    for (const [t, w] of RANDOM_INCIDENTS) { if ((r -= w) < 0) { type = t; break; } }
    const candidates = runners.filter((h) => !h.busy && canPlayIncident(type, h.devices.filter((d) => d.up)));
    const runner = candidates[Math.floor(rng() * candidates.length)];
    if (!runner) return;
    log(`[${runner.householdId}] random incident: ${type}`);
    try {
      await triggerIncident(runner.householdId, type);
    } catch (err) {
      log(`[${runner.householdId}] incident ${type} not played: ${(err as Error).message}`);
    }
  };

  const ready = connectInBatches(devices, { batchSize: opts.rampBatch ?? 50, isCancelled: () => stopped }).then((result) => {
    rampDone = true;
    for (const f of result.failed) log(`[${f.deviceId}] ${f.error}`);
    if (!stopped) {
      for (const r of runners) r.start();
      scheduleIncident(true);
    }
    return result;
  });

  return {
    households: runners.map((r) => r.householdId),
    ready,
    progress,
    triggerIncident,
    async stop() {
      if (stopped) return;
      stopped = true;
      abort.abort();
      clearInterval(progressTimer);
      clearTimeout(incidentTimer);
      for (const r of runners) r.stop();
      // In batches, like the ramp: a thousand DISCONNECTs at once are as rude as CONNECTs.
      // Stopping also fails any CONNECT still pending in the ramp, which then ends.
      for (let i = 0; i < devices.length; i += 200) await Promise.all(devices.slice(i, i + 200).map((d) => d.stop()));
      await ready.catch(() => {});
    },
  };
}
