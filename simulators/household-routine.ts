import { kindMaySend, type DeviceKind, type EventType } from '../domain/device-kinds.js';
import { MINUTE_MS } from './clock.js';
import { between, chance, hashSeed, intBetween, seededRng, type Rng } from '../domain/seeded-random.js';

/**
 * A senior's day as a list of planned device actions (pure: no I/O, no timers), so the
 * schedule is unit-tested and the runner only plays it. Habits (wake/bed time, market days)
 * come from the household id, so a home keeps its rhythm from day to day; each day varies.
 */
export interface RoutineDevice {
  deviceId: string;
  kind: DeviceKind;
  room: string | null;
}

export interface HouseholdProfile {
  /** Usual wake time, minutes after local midnight (6:00-7:00). */
  wakeMin: number;
  /** Usual bedtime (21:00-22:00). */
  bedMin: number;
  marketProb: number;
  napProb: number;
  walkProb: number;
  nightTripsMax: number;
  /** Chance per device per day of dropping off the network for a while. */
  dropoutProb: number;
  /** Starting battery per device; a few homes have one device below 20 %. */
  battery: Record<string, number>;
  /** Battery points lost per simulated day. */
  drainPerDay: number;
}

export type PlannedAction =
  | { at: number; deviceId: string; action: 'event'; type: EventType; value?: boolean | number | string; what: string }
  /** Report the device's current battery (the runner knows the level). */
  | { at: number; deviceId: string; action: 'battery'; what: string }
  /** Lose the connection without a DISCONNECT (the LWT fires), come back after durationMs. */
  | { at: number; deviceId: string; action: 'dropout'; durationMs: number; what: string };

export { roomCategory, type RoomCategory } from '../domain/room-category.js';
import { roomCategory, type RoomCategory } from '../domain/room-category.js';

export function householdProfile(householdId: string, devices: readonly RoutineDevice[]): HouseholdProfile {
  const rng = seededRng(hashSeed(`profile:${householdId}`));
  const battery: Record<string, number> = {};
  for (const d of devices) battery[d.deviceId] = Math.round(between(rng, 45, 100));
  // About one home in twenty has a device that needs a new battery soon (battery_low < 20 %).
  if (devices.length > 0 && chance(rng, 0.05)) {
    const d = devices[Math.floor(rng() * devices.length)]!;
    battery[d.deviceId] = Math.round(between(rng, 8, 19));
  }
  return {
    wakeMin: Math.round(between(rng, 360, 420)),
    bedMin: Math.round(between(rng, 1260, 1320)),
    marketProb: between(rng, 0.5, 0.9),
    napProb: between(rng, 0.3, 0.8),
    walkProb: between(rng, 0.1, 0.5),
    nightTripsMax: intBetween(rng, 0, 2),
    dropoutProb: 0.03,
    battery,
    drainPerDay: between(rng, 0.05, 0.3),
  };
}

export interface PlanDayInput {
  householdId: string;
  devices: readonly RoutineDevice[];
  profile: HouseholdProfile;
  /** Epoch ms of the local midnight that starts the day. */
  dayStart: number;
  /** Defaults to a generator seeded by household and day, so a day replays identically. */
  rng?: Rng;
  dropouts?: boolean;
}

const MOTION_KINDS: ReadonlySet<DeviceKind> = new Set(['pir', 'fall_radar']);

/**
 * When the resident of a planned day is in bed or out (epoch ms), whatever sensors the home has:
 * the simulator places a fall where a person can fall — on their feet, at home.
 */
export interface DayShape {
  wake: number;
  bedtime: number;
  /** Out of bed at night (bed exit to back in bed). */
  nightTrips: Array<{ from: number; to: number }>;
  /** Out of the home (door out to door back). */
  outings: Array<{ from: number; to: number }>;
  /** In bed by day. */
  naps: Array<{ from: number; to: number }>;
}

/** The day's actions in time order, all within [dayStart, dayStart + 24 h). */
export function planDay(input: PlanDayInput): PlannedAction[] {
  return planDayShaped(input).actions;
}

/** planDay, with the day's shape (same draws: the same input gives the same day). */
export function planDayShaped(input: PlanDayInput): { actions: PlannedAction[]; shape: DayShape } {
  const { devices, profile, dayStart } = input;
  const rng = input.rng ?? seededRng(hashSeed(`day:${input.householdId}:${dayStart}`));
  const out: PlannedAction[] = [];
  const at = (min: number) => dayStart + Math.round(min * MINUTE_MS + rng() * 20_000);
  const push = (min: number, d: RoutineDevice, type: EventType, value: boolean | number | string | undefined, what: string) => {
    if (!kindMaySend(d.kind, type)) return; // never plan what the gateway would quarantine
    const a: PlannedAction = { at: at(min), deviceId: d.deviceId, action: 'event', type, what };
    if (value !== undefined) a.value = value;
    out.push(a);
  };

  const motionDevices = devices.filter((d) => MOTION_KINDS.has(d.kind));
  const byRoom = new Map<RoomCategory, RoutineDevice[]>();
  for (const d of motionDevices) {
    const c = roomCategory(d.room);
    byRoom.set(c, [...(byRoom.get(c) ?? []), d]);
  }
  // A sensor with an unrecognised room stands in for rooms that have none of their own.
  const sensorsIn = (c: RoomCategory) => byRoom.get(c) ?? byRoom.get('other') ?? [];
  const doors = devices.filter((d) => d.kind === 'door_contact');
  const beds = devices.filter((d) => d.kind === 'bed_sensor');
  const meters = devices.filter((d) => d.kind === 'water_meter');
  const hubs = devices.filter((d) => d.kind === 'z2m_hub');

  const motion = (min: number, c: RoomCategory, what: string) => {
    for (const d of sensorsIn(c)) push(min, d, d.kind === 'fall_radar' ? 'presence' : 'motion', true, what);
  };
  const bed = (min: number, inBed: boolean, what: string) => { for (const d of beds) push(min, d, 'bed', inBed, what); };
  const water = (min: number, litres: number, what: string) => {
    for (const d of meters) push(min, d, 'water_use', Math.round(litres * 10) / 10, what);
  };
  const door = (min: number, what: string) => {
    for (const d of doors) { push(min, d, 'door', 'open', what); push(min + 0.4, d, 'door', 'closed', what); }
  };
  const ms = (min: number) => dayStart + Math.round(min * MINUTE_MS);
  const nightTrips: DayShape['nightTrips'] = [];
  const outings: DayShape['outings'] = [];
  const naps: DayShape['naps'] = [];
  const goOut = (min: number, awayMin: number, what: string) => {
    outings.push({ from: ms(min), to: ms(min + awayMin) });
    motion(min - 1, 'entrance', what);
    door(min, `${what}: leave`);
    door(min + awayMin, `${what}: return`);
    motion(min + awayMin + 1, 'entrance', `${what}: return`);
    return min + awayMin + 2;
  };
  const idle = (from: number, to: number, c: RoomCategory, gapMin: [number, number], what: string) => {
    for (let t = from + between(rng, gapMin[0], gapMin[1]); t < to; t += between(rng, gapMin[0], gapMin[1])) motion(t, c, what);
  };

  const wake = profile.wakeMin + between(rng, -15, 15);
  const bedtime = profile.bedMin + between(rng, -15, 15);

  // Night: an occasional bathroom trip between 00:30 and shortly before waking.
  const trips = intBetween(rng, 0, profile.nightTripsMax);
  for (let i = 0; i < trips; i++) {
    const t = between(rng, 30, wake - 45);
    nightTrips.push({ from: ms(t), to: ms(t + 7) });
    bed(t, false, 'night bathroom trip');
    motion(t + 0.5, 'bedroom', 'night bathroom trip');
    motion(t + 1.5, 'bathroom', 'night bathroom trip');
    water(t + 4, between(rng, 4, 7), 'night bathroom trip');
    motion(t + 6, 'bedroom', 'night bathroom trip');
    bed(t + 7, true, 'night bathroom trip');
  }

  // Morning: up, bathroom, kitchen.
  bed(wake, false, 'wake');
  motion(wake + 1, 'bedroom', 'wake');
  motion(wake + 3, 'bathroom', 'morning wash');
  water(wake + 6, between(rng, 3, 8), 'morning wash');
  motion(wake + 20, 'kitchen', 'breakfast');
  water(wake + 22, between(rng, 1, 2), 'breakfast');
  motion(wake + 30, 'kitchen', 'breakfast');
  motion(wake + 45, 'living', 'after breakfast');

  let cursor = wake + 50;
  if (chance(rng, profile.marketProb)) {
    cursor = goOut(wake + between(rng, 60, 100), between(rng, 50, 110), 'morning market');
    motion(cursor + 3, 'kitchen', 'unpack shopping');
    water(cursor + 6, between(rng, 2, 5), 'unpack shopping');
  }

  const lunch = between(rng, 690, 720);
  idle(cursor, lunch, 'living', [15, 35], 'morning at home');
  motion(lunch, 'kitchen', 'lunch');
  water(lunch + 5, between(rng, 2, 4), 'lunch');
  motion(lunch + 20, 'kitchen', 'lunch');
  water(lunch + 35, between(rng, 3, 6), 'washing up');
  cursor = lunch + 45;

  if (chance(rng, profile.napProb)) {
    const nap = Math.max(cursor + 5, between(rng, 780, 810));
    const napLen = between(rng, 45, 90);
    naps.push({ from: ms(nap + 1), to: ms(nap + 1 + napLen) });
    motion(nap, 'bedroom', 'nap');
    bed(nap + 1, true, 'nap');
    bed(nap + 1 + napLen, false, 'nap over');
    motion(nap + 2 + napLen, 'bedroom', 'nap over');
    cursor = nap + 5 + napLen;
  }

  const dinner = between(rng, 1050, 1080);
  if (chance(rng, profile.walkProb)) {
    const walk = Math.max(cursor + 10, between(rng, 900, 960));
    idle(cursor, walk - 5, 'living', [20, 40], 'afternoon');
    cursor = goOut(walk, between(rng, 30, 60), 'afternoon walk');
  }
  idle(cursor, dinner, 'living', [20, 40], 'afternoon');
  motion(dinner, 'kitchen', 'dinner');
  water(dinner + 5, between(rng, 2, 4), 'dinner');
  motion(dinner + 20, 'kitchen', 'dinner');
  water(dinner + 35, between(rng, 3, 6), 'washing up');

  // Evening TV in the living room until bed.
  idle(dinner + 40, bedtime - 20, 'living', [15, 25], 'evening TV');
  motion(bedtime - 15, 'bathroom', 'get ready for bed');
  water(bedtime - 12, between(rng, 3, 6), 'get ready for bed');
  motion(bedtime - 3, 'bedroom', 'bed');
  bed(bedtime, true, 'bed');

  // Housekeeping: one battery report per device; hubs have no routine of their own.
  for (const d of devices) {
    if (hubs.includes(d)) continue;
    out.push({ at: at(between(rng, 0, 1439)), deviceId: d.deviceId, action: 'battery', what: 'battery report' });
  }
  if (input.dropouts !== false) {
    for (const d of devices) {
      if (!chance(rng, profile.dropoutProb)) continue;
      out.push({ at: at(between(rng, 0, 1380)), deviceId: d.deviceId, action: 'dropout', durationMs: Math.round(between(rng, 10, 60) * MINUTE_MS), what: 'network dropout' });
    }
  }

  const end = dayStart + 24 * 60 * MINUTE_MS;
  return {
    actions: out.filter((a) => a.at >= dayStart && a.at < end).sort((a, b) => a.at - b.at),
    shape: { wake: ms(wake), bedtime: ms(bedtime), nightTrips: nightTrips.sort((a, b) => a.from - b.from), outings, naps },
  };
}
