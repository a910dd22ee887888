import type { DeviceKind } from '../../domain/device-kinds.js';
import { DAY_MS, localMidnight, MINUTE_MS } from '../clock.js';
import { householdProfile, planDayShaped, type DayShape } from '../household-routine.js';
import type { IncidentKind } from './responder-model.js';

/**
 * Where a silent incident can really happen (issue 19's ground truth): a fall needs a person on
 * their feet at home, and an evening collapse happens to someone who is still up. A moment drawn
 * while the resident sleeps, naps or is out moves to the next time they are up at home: the next
 * night trip (on the way back to bed), the wake-up, the end of the nap, the return home. An evening
 * collapse is drawn within the resident's own evening — 18:00 to the bedtime washing-up.
 * Other kinds keep their moment. Pure: the same home and moment give the same answer, because the
 * day's shape comes from the same seeded plan the simulated home plays.
 */
export interface ShapedHome {
  id: string;
  devices: ReadonlyArray<{ id: string; kind: DeviceKind; room: string | null }>;
}

const EVENING_FROM_MIN = 18 * 60;
const EVENING_TO_MIN = 22.5 * 60;
/** The bedtime bathroom visit starts 15 min before bed: an evening collapse comes before it. */
const BEFORE_BED_MS = 16 * MINUTE_MS;

export function whenOnFeet(kind: IncidentKind, at: number, home: ShapedHome, tz: string): number {
  if (kind !== 'fall_no_radar' && kind !== 'collapse_evening') return at;
  const midnight = localMidnight(at, tz);
  const today = dayShape(home, midnight);
  if (kind === 'collapse_evening') {
    const from = midnight + EVENING_FROM_MIN * MINUTE_MS;
    const span = today.bedtime - BEFORE_BED_MS - from;
    const scaled = from + Math.round(((at - from) / ((EVENING_TO_MIN - EVENING_FROM_MIN) * MINUTE_MS)) * Math.max(0, span));
    return afterOutings(scaled, today);
  }
  // Asleep after tonight's bedtime: the rising belongs to tomorrow's plan.
  if (at >= today.bedtime) return nextRising(at, dayShape(home, midnight + DAY_MS));
  if (at < today.wake) return nextRising(at, today);
  const nap = today.naps.find((n) => at >= n.from && at < n.to);
  return afterOutings(nap ? nap.to + MINUTE_MS : at, today);
}

/** Up at night: on the way back to bed from the next night trip (the bathroom behind them), else just after waking. */
function nextRising(at: number, shape: DayShape): number {
  const trip = shape.nightTrips.find((t) => t.from > at || (at >= t.from && at < t.to));
  if (trip) return Math.max(at, trip.from + 6.5 * MINUTE_MS);
  return shape.wake + 2 * MINUTE_MS;
}

function afterOutings(at: number, shape: DayShape): number {
  const out = shape.outings.find((o) => at >= o.from && at < o.to);
  return out ? out.to + 3 * MINUTE_MS : at;
}

function dayShape(home: ShapedHome, dayStart: number): DayShape {
  return dayPlan(home, dayStart).shape;
}

/** The home's planned day, as the simulated home plays it (same devices, profile and seed). */
export function dayPlan(home: ShapedHome, dayStart: number): ReturnType<typeof planDayShaped> {
  const devices = home.devices.map((d) => ({ deviceId: d.id, kind: d.kind, room: d.room }));
  return planDayShaped({ householdId: home.id, devices, profile: householdProfile(home.id, devices), dayStart, dropouts: false });
}
