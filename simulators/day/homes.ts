import type { Clock } from '../../domain/clock.js';
import type { DeviceCredential } from '../../domain/device-credentials.js';
import { ACTIVITY_EVENTS, type EventType } from '../../domain/device-kinds.js';
import { between, chance, hashSeed, seededRng, type Rng } from '../../domain/seeded-random.js';
import type { DeviceCommand } from '../../domain/topics.js';
import { connectInBatches } from '../connection-ramp.js';
import { DAY_MS, localMidnight, localMinuteOfDay } from '../clock.js';
import { dayPlan } from './on-feet.js';
import { householdProfile, planDay, roomCategory, type HouseholdProfile } from '../household-routine.js';
import { SimulatedDevice, type EventExtra } from '../simulated-device.js';
import type { InFlight } from './in-flight.js';
import type { Ledger } from './ledger.js';
import { asleepHour } from './responder-model.js';

/**
 * The simulated homes of a community day (issue 14 item 4): each device is a real MQTT client of
 * the gateway, playing the resident's routine (household-routine.ts) on the virtual clock, the
 * day's incidents (incident-plan.ts) and what follows them — a resident who is down makes no
 * more movement, door or water signals until someone comes; one taken to hospital is away for
 * four hours; a check-in is answered by pressing the button when the resident is able and awake
 * (asleep at night: half the time), never while down.
 *
 * Routine events are played on a grid of `quantumMs` (30 s), so a day has a few thousand
 * instants rather than tens of thousands; incidents play at their exact instant.
 */
export interface SimHomeSpec {
  householdId: string;
  credentials: readonly DeviceCredential[];
}

export interface HomesOptions {
  url: string;
  clock: Clock;
  ledger: Ledger;
  tz: string;
  seed: number;
  inFlight: InFlight;
  quantumMs: number;
  heartbeatMs: number;
  log: (line: string) => void;
}

const DOWN_KINDS = new Set(['sos_pressed', 'fall_radar', 'fall_no_radar', 'collapse_evening']);
const HOSPITAL_AWAY_MS = 4 * 3_600_000;

class Home {
  readonly devices: SimulatedDevice[];
  readonly profile: HouseholdProfile;
  lastLife: { at: number; room: string | null } | null = null;
  /** Down until someone comes (null: not down); away until (hospital). */
  downSince: number | null = null;
  awayUntil = 0;
  lastCheckInAt = -Infinity;

  constructor(readonly spec: SimHomeSpec, private readonly o: HomesOptions, readonly rng: Rng, onCommand: (h: Home, c: DeviceCommand) => void) {
    this.profile = householdProfile(spec.householdId, spec.credentials.map((c) => ({ deviceId: c.deviceId, kind: c.kind, room: c.room ?? null })));
    this.devices = spec.credentials.map((credential) => new SimulatedDevice({
      url: o.url, credential, battery: this.profile.battery[credential.deviceId], heartbeats: false,
      now: () => o.clock.nowMs(), random: rng,
      // Check-ins are answered by the resident model below, on the virtual clock.
      residentUnable: () => true,
      onCommand: (command) => onCommand(this, command),
    }));
  }

  device(deviceId: string): SimulatedDevice | undefined { return this.devices.find((d) => d.deviceId === deviceId); }
  ofKind(...kinds: string[]): SimulatedDevice | undefined { return this.devices.find((d) => kinds.includes(d.kind)); }
  unavailable(at: number): boolean { return this.downSince !== null || at < this.awayUntil; }
}

export class SimulatedHomes {
  private readonly homes = new Map<string, Home>();
  private readonly timers: Array<ReturnType<Clock['setTimeout']>> = [];
  sent = 0;
  failed = 0;

  constructor(specs: readonly SimHomeSpec[], private readonly o: HomesOptions) {
    for (const spec of specs) {
      const rng = seededRng(hashSeed(`home:${o.seed}:${spec.householdId}`));
      this.homes.set(spec.householdId, new Home(spec, o, rng, (h, c) => this.onCommand(h, c)));
    }
  }

  get deviceCount(): number { return [...this.homes.values()].reduce((n, h) => n + h.devices.length, 0); }

  /** Connects every device (real time; the virtual clock waits). */
  async connect(): Promise<void> {
    const devices = [...this.homes.values()].flatMap((h) => h.devices);
    const result = await connectInBatches(devices, { batchSize: 100 });
    if (result.failed.length > 0) throw new Error(`${result.failed.length} simulated devices could not connect: ${result.failed[0]!.error}`);
  }

  /** Schedules the routines of every local day that overlaps [from, to), the incidents and the heartbeats. */
  start(from: number, to: number): void {
    const { clock } = this.o;
    for (let day = localMidnight(from, this.o.tz); day < to; day += DAY_MS) {
      this.at(Math.max(from, day), () => this.planDay(day, from, to));
    }
    for (const inc of this.o.ledger.incidents) this.at(inc.at, () => this.incident(inc.id));
    let k = 0;
    for (const h of this.homes.values()) {
      for (const d of h.devices) {
        const phase = (k++ * this.o.quantumMs) % this.o.heartbeatMs;
        this.timers.push(clock.setTimeout(() => {
          this.timers.push(clock.setInterval(() => this.publish(h, d, 'heartbeat', { battery: Math.round(h.profile.battery[d.deviceId] ?? 90), rssi: -60 }), this.o.heartbeatMs));
        }, phase + this.o.quantumMs));
      }
    }
  }

  /** A visit ended: the resident is helped up, or taken to hospital for a few hours. */
  visitEnded(householdId: string, at: number, outcome: string): void {
    const h = this.homes.get(householdId);
    if (!h) return;
    const inc = this.o.ledger.ongoing(householdId, at);
    const wasDown = h.downSince !== null;
    if (wasDown) {
      h.downSince = null;
      if (outcome === 'hospital') h.awayUntil = at + HOSPITAL_AWAY_MS;
      if (inc) inc.overAt = outcome === 'hospital' ? h.awayUntil : at;
    } else if (inc && !DOWN_KINDS.has(inc.kind)) {
      inc.overAt = at;
    }
    if (outcome === 'hospital') {
      const door = h.ofKind('door_contact');
      if (door) this.publish(h, door, 'door', {}, 'open');
      this.at(h.awayUntil, () => { if (door) this.publish(h, door, 'door', {}, 'open'); });
    } else if (wasDown) {
      this.restAfterVisit(h, at);
    }
  }

  /**
   * Helped up, the resident carries on: the responder leaves through the door; by day the
   * resident rests in the living room (its sensor sees them every 15-30 min) until the next step of
   * their routine — the steps missed while down (wash, breakfast…) are not replayed; in the evening
   * or the night they rest a little, then wash and go (back) to bed.
   */
  private restAfterVisit(h: Home, at: number): void {
    const door = h.ofKind('door_contact');
    const pir = h.devices.find((d) => d.kind === 'pir' && roomCategory(d.credential.room) === 'living') ?? h.ofKind('pir');
    if (door) this.publish(h, door, 'door', {}, 'open');
    const shaped = { id: h.spec.householdId, devices: h.devices.map((d) => ({ id: d.deviceId, kind: d.kind, room: d.credential.room ?? null })) };
    const midnight = localMidnight(at, this.o.tz);
    const { actions, shape } = dayPlan(shaped, midnight);
    const later = (t: number, fn: () => void) => this.at(this.quantized(t), () => { if (!h.unavailable(this.o.clock.nowMs())) fn(); });
    const night = at >= shape.bedtime - 30 * 60_000 || at < shape.wake;
    const next = night ? at + Math.round(between(h.rng, 20, 40) * 60_000)
      : Math.min(at + 4 * 3_600_000, actions.find((a) => a.action === 'event' && a.at > at + 2 * 60_000 && ACTIVITY_EVENTS.has(a.type))?.at ?? Infinity);
    if (pir) for (let t = at + 2 * 60_000; t < next; t += Math.round(between(h.rng, 15, 30) * 60_000)) later(t, () => this.publish(h, pir, 'motion', { value: true }));
    if (!night) return;
    // As at bedtime (household-routine.ts): the bathroom, water, then bed.
    const radar = h.ofKind('fall_radar');
    const meter = h.ofKind('water_meter');
    const bed = h.ofKind('bed_sensor');
    if (radar) later(next, () => this.publish(h, radar, 'presence', { value: true }));
    if (meter) later(next + 3 * 60_000, () => this.publish(h, meter, 'water_use', { value: Math.round(between(h.rng, 3, 6) * 10) / 10 }));
    if (bed) later(next + 15 * 60_000, () => this.publish(h, bed, 'bed', { value: true }));
  }

  async stop(): Promise<void> {
    for (const t of this.timers) this.o.clock.clearTimer(t);
    const devices = [...this.homes.values()].flatMap((h) => h.devices);
    for (let i = 0; i < devices.length; i += 200) await Promise.all(devices.slice(i, i + 200).map((d) => d.stop()));
  }

  private at(when: number, fn: () => void): void {
    this.timers.push(this.o.clock.setTimeout(fn, when - this.o.clock.nowMs()));
  }

  private quantized(t: number): number {
    return Math.ceil(t / this.o.quantumMs) * this.o.quantumMs;
  }

  private planDay(dayStart: number, from: number, to: number): void {
    for (const h of this.homes.values()) {
      const actions = planDay({
        householdId: h.spec.householdId, devices: h.spec.credentials.map((c) => ({ deviceId: c.deviceId, kind: c.kind, room: c.room ?? null })),
        profile: h.profile, dayStart, dropouts: false,
      });
      for (const a of actions) {
        const when = this.quantized(a.at);
        if (when < from || when >= to) continue;
        const device = h.device(a.deviceId);
        if (!device) continue;
        if (a.action === 'battery') {
          this.at(when, () => this.publish(h, device, 'battery', { value: Math.round(h.profile.battery[device.deviceId] ?? 90) }));
        } else if (a.action === 'event') {
          this.at(when, () => {
            // A resident who is down, or away in hospital, makes no sign of life.
            if (ACTIVITY_EVENTS.has(a.type) && h.unavailable(this.o.clock.nowMs())) return;
            this.publish(h, device, a.type, a.value === undefined ? {} : { value: a.value });
          });
        }
      }
    }
  }

  private incident(id: string): void {
    const inc = this.o.ledger.incidents.find((i) => i.id === id)!;
    const h = this.homes.get(inc.householdId);
    if (!h) return;
    const now = this.o.clock.nowMs();
    inc.lastSignOfLifeAt = h.lastLife?.at ?? null;
    inc.lastSignOfLifeRoom = h.lastLife?.room ?? null;
    if (DOWN_KINDS.has(inc.kind)) h.downSince = now;
    const button = h.ofKind('sos_button', 'pull_cord');
    switch (inc.kind) {
      case 'sos_pressed':
        if (button) this.publish(h, button, 'sos', { value: true, room: inc.room });
        break;
      case 'mistaken_press':
        if (button) {
          this.publish(h, button, 'sos', { value: true, room: inc.room });
          this.at(inc.cancelAt!, () => { this.publish(h, button, 'cancel', { room: inc.room }); inc.overAt = this.o.clock.nowMs(); });
        }
        break;
      case 'fall_radar': {
        const radar = h.ofKind('fall_radar');
        if (radar) this.at(now + Math.round(between(h.rng, 3_000, 10_000)), () => this.publish(h, radar, 'fall', { value: true, confidence: Math.round(between(h.rng, 0.8, 0.98) * 100) / 100, room: inc.room }));
        break;
      }
      case 'smoke_cooking': {
        const smoke = h.ofKind('smoke_detector');
        if (smoke) this.publish(h, smoke, 'smoke', { value: true, room: inc.room });
        break;
      }
      default:
        break; // fall_no_radar, collapse_evening: silence is the only sign
    }
  }

  /** `check_in`: the resident presses the button if able; asleep at night, only half the time. */
  private onCommand(h: Home, command: DeviceCommand): void {
    if (command?.type !== 'check_in') return;
    const now = this.o.clock.nowMs();
    if (now - h.lastCheckInAt < 60_000) return; // every device of the home hears the same check-in
    h.lastCheckInAt = now;
    const hour = Math.floor(localMinuteOfDay(now, this.o.tz) / 60);
    const answer = { householdId: h.spec.householdId, sentAt: now, answeredAt: null as number | null, why: 'answered' as 'answered' | 'asleep' | 'unable' };
    this.o.ledger.checkIns.push(answer);
    if (h.unavailable(now)) { answer.why = 'unable'; return; }
    const asleep = asleepHour(hour);
    if (asleep && !chance(h.rng, 0.5)) { answer.why = 'asleep'; return; }
    const button = h.ofKind('sos_button', 'pull_cord');
    if (!button) { answer.why = 'unable'; return; }
    const delay = Math.round(asleep ? between(h.rng, 60_000, 240_000) : between(h.rng, 10_000, 60_000));
    this.at(now + delay, () => {
      if (h.unavailable(this.o.clock.nowMs())) { answer.why = 'unable'; return; }
      answer.answeredAt = this.o.clock.nowMs();
      this.publish(h, button, 'button', { value: 'check_in' });
    });
  }

  private publish(h: Home, device: SimulatedDevice, type: EventType, extra: EventExtra, value?: string): void {
    if (!device.up) return;
    const e = value === undefined ? extra : { ...extra, value };
    if (ACTIVITY_EVENTS.has(type)) h.lastLife = { at: this.o.clock.nowMs(), room: device.credential.room ?? null };
    this.o.inFlight.begin();
    this.sent++;
    try {
      device.publishEvent(type, e, (err) => {
        if (err) { this.failed++; this.o.log(`[${device.deviceId}] ${type} not acknowledged: ${err.message}`); }
        this.o.inFlight.end();
      });
    } catch (err) {
      this.failed++;
      this.o.inFlight.end();
      this.o.log(`[${device.deviceId}] ${type} not sent: ${(err as Error).message}`);
    }
  }
}
