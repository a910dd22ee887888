import { ACTIVITY_EVENTS } from '../domain/device-kinds.js';
import type { DeviceCommand } from '../domain/topics.js';
import { DAY_MS, HOUR_MS, localMidnight, type SimClock } from './clock.js';
import type { HouseholdCredentials } from './credentials.js';
import { householdProfile, planDay, type HouseholdProfile, type PlannedAction } from './household-routine.js';
import { runIncident, type IncidentReport, type IncidentType, type SosVariant } from './incidents.js';
import { between } from '../domain/seeded-random.js';
import { SimulatedDevice } from './simulated-device.js';
import type { SimulationStats } from './stats.js';

export interface HouseholdRunnerOptions {
  url: string;
  household: HouseholdCredentials;
  clock: SimClock;
  tz: string;
  stats: SimulationStats;
  log: (line: string) => void;
  dropouts: boolean;
  signal: AbortSignal;
  random?: () => number;
}

/** Real-time floor for incident durations, so a very high --speed still shows them. */
const MIN_INCIDENT_MS = 15_000;
/** Timers are re-armed at least this often, so a long wait never outlives stop() by much. */
const MAX_TIMER_MS = 60_000;

/**
 * Plays one household: its devices, its day plan (household-routine.ts) on the simulated
 * clock, dropouts, and incidents that need to silence the resident.
 */
export class HouseholdRunner {
  readonly householdId: string;
  readonly devices: SimulatedDevice[];
  readonly profile: HouseholdProfile;
  private plan: PlannedAction[] = [];
  private index = 0;
  private dayStart = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly pending = new Set<NodeJS.Timeout>();
  private quietUntil = 0;
  private busyUntil = 0;
  private running = false;
  private readonly random: () => number;

  constructor(private readonly opts: HouseholdRunnerOptions) {
    this.householdId = opts.household.householdId;
    this.random = opts.random ?? Math.random;
    this.profile = householdProfile(this.householdId, opts.household.devices);
    this.devices = opts.household.devices.map((credential) => new SimulatedDevice({
      url: opts.url, credential, battery: this.profile.battery[credential.deviceId], stats: opts.stats,
      log: opts.log, random: this.random,
      residentUnable: () => this.residentUnable,
      onCommand: (cmd, d) => this.onCommand(cmd, d),
    }));
  }

  /** True while the resident is down or silent (no activity, no answer to a check-in). */
  get residentUnable(): boolean { return Date.now() < this.quietUntil; }
  /** True while an incident is playing or its effects last; random incidents pick other homes. */
  get busy(): boolean { return Date.now() < this.busyUntil; }

  start(): void {
    this.running = true;
    this.dayStart = localMidnight(this.opts.clock.now(), this.opts.tz);
    this.loadDay(false);
    const now = this.opts.clock.now();
    while (this.index < this.plan.length && this.plan[this.index]!.at < now) this.index++;
    this.arm();
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
    for (const t of this.pending) clearTimeout(t);
    this.pending.clear();
  }

  quiet(realMs: number): void {
    this.quietUntil = Math.max(this.quietUntil, Date.now() + realMs);
    this.busyUntil = Math.max(this.busyUntil, this.quietUntil);
  }

  private loadDay(drain: boolean): void {
    if (drain) for (const d of this.devices) d.battery = Math.max(1, d.battery - this.profile.drainPerDay);
    this.plan = planDay({ householdId: this.householdId, devices: this.opts.household.devices, profile: this.profile, dayStart: this.dayStart, dropouts: this.opts.dropouts });
    this.index = 0;
  }

  private arm(): void {
    if (!this.running) return;
    if (this.index >= this.plan.length) {
      // Next local day; +26 h then back to midnight survives a 23/25 h DST day.
      this.dayStart = localMidnight(this.dayStart + DAY_MS + 2 * HOUR_MS, this.opts.tz);
      this.loadDay(true);
    }
    const next = this.plan[this.index];
    const delay = next ? Math.min(this.opts.clock.realDelayUntil(next.at), MAX_TIMER_MS) : MAX_TIMER_MS;
    this.timer = setTimeout(() => this.tick(), delay);
  }

  private tick(): void {
    const now = this.opts.clock.now();
    while (this.running && this.index < this.plan.length && this.plan[this.index]!.at <= now) this.play(this.plan[this.index++]!);
    this.arm();
  }

  private play(a: PlannedAction): void {
    const device = this.devices.find((d) => d.deviceId === a.deviceId);
    if (!device?.up) return; // a device that is down simply misses it
    try {
      if (a.action === 'event') {
        if (ACTIVITY_EVENTS.has(a.type) && this.residentUnable) return;
        device.publishEvent(a.type, a.value === undefined ? {} : { value: a.value });
      } else if (a.action === 'battery') {
        const level = Math.round(device.battery);
        device.publishEvent('battery', { value: level, battery: level });
      } else if (!this.busy) {
        device.crash();
        const back = Math.max(2_000, this.opts.clock.realMs(a.durationMs));
        this.later(back, () => device.recover());
      }
    } catch (err) {
      this.opts.log(`[${this.householdId}] ${a.what}: ${(err as Error).message}`);
    }
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => { this.pending.delete(t); if (this.running) fn(); }, ms);
    this.pending.add(t);
  }

  /** A check-in reached a device without a button: the resident answers on the SOS button. */
  private onCommand(cmd: DeviceCommand, target: SimulatedDevice): void {
    if (cmd.type !== 'check_in' || target.kind === 'sos_button') return;
    const button = this.devices.find((d) => d.kind === 'sos_button' && d.up);
    if (!button || this.residentUnable) return;
    this.opts.log(`[${this.householdId}] check-in: resident pressed the button (fine)`);
    try { button.publishEvent('button', { value: 'check_in' }); } catch { /* stopped meanwhile */ }
  }

  /**
   * Plays an incident on this home. Durations are simulated (compressed by --speed) with a
   * real-time floor, so the dispatch room can see them at any speed.
   */
  async incident(type: IncidentType, variant?: SosVariant): Promise<IncidentReport> {
    const sim = (minMinutes: number, maxMinutes: number) => Math.max(MIN_INCIDENT_MS, this.opts.clock.realMs(between(this.random, minMinutes, maxMinutes) * 60_000));
    const quietMs = type === 'inactivity' ? sim(6.5 * 60, 8 * 60) : sim(30, 60);
    const recoverAfterMs = sim(20, 60);
    this.busyUntil = Math.max(this.busyUntil, Date.now() + (type === 'offline' ? recoverAfterMs : 60_000));
    const online = this.devices.filter((d) => d.up);
    return runIncident(type, {
      householdId: this.householdId, devices: online, log: this.opts.log, random: this.random,
      quiet: (ms) => this.quiet(ms), signal: this.opts.signal,
    }, { variant, quietMs, recoverAfterMs });
  }
}
