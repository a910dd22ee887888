import { addDays, localTimeParts, wallClockInstants } from '../../domain/shift-clock.js';
import type { Queryable } from '../db.js';
import { insertPastSignals, type PastSignal } from '../history-signals-repository.js';
import { rngFor, type PlannedHousehold } from './demo-plan.js';

/**
 * A few weeks of everyday life for new demo homes (issue 20 item 11): without it the household
 * file's 7-day heatmap is empty and "最后活动" reads "—" until the simulators have run for days.
 * Each home gets motion in the living room by a senior's daily rhythm (up around 6-7, busy
 * mornings, a nap after lunch, evenings, the odd night-time bathroom visit), the front door a
 * few times a day and, with a bed sensor, getting up and going to bed. Deterministic per home
 * and day (seeded by their ids), so it looks lived in, not random, and reruns plan the same.
 */

/** Expected motion events per local hour (0-23). */
const MOTION_BY_HOUR = [0.1, 0, 0.15, 0, 0, 0.2, 1.2, 3, 3, 2.5, 2.5, 2, 2.5, 1, 0.6, 1.5, 2, 2, 2.5, 2, 2, 1.5, 0.6, 0.2];

type Row = PastSignal & { room: string };

/** Rows of history for `homes`, `days` days back up to `now` (nothing in the future). */
export function planActivityHistory(homes: readonly PlannedHousehold[], opts: { days: number; now: Date; tz: string }): Row[] {
  const today = localTimeParts(opts.now, opts.tz).date;
  const end = opts.now.getTime();
  // The instant each local hour starts, computed once for every home.
  const hours: Array<{ date: string; hour: number; at: number }> = [];
  for (let d = opts.days; d >= 0; d--) {
    const date = addDays(today, -d);
    for (let hour = 0; hour < 24; hour++) {
      const at = wallClockInstants(date, hour * 3600, opts.tz)[0]!.getTime();
      if (at < end) hours.push({ date, hour, at });
    }
  }
  const rows: Row[] = [];
  for (const h of homes) {
    const pir = h.devices.find((d) => d.kind === 'pir');
    const door = h.devices.find((d) => d.kind === 'door_contact');
    const bed = h.devices.find((d) => d.kind === 'bed_sensor');
    for (const { date, hour, at } of hours) {
      const rng = rngFor(`${h.id}:${date}:${hour}`);
      const push = (device: { id: string; room: string }, type: string, value: unknown) => {
        const ts = at + Math.floor(rng() * 3_600_000);
        if (ts < end) rows.push({ ts: new Date(ts), deviceId: device.id, householdId: h.id, eventId: `hist-${ts}-${type}`, type, value, room: device.room });
      };
      if (pir) {
        const expected = MOTION_BY_HOUR[hour]! * (0.6 + rng() * 0.8);
        let n = Math.floor(expected);
        if (rng() < expected - n) n++;
        for (let k = 0; k < n; k++) push(pir, 'motion', true);
      }
      // Out in the morning (market) and the afternoon (a walk), some days.
      if (door && (hour === 9 || hour === 16) && rng() < 0.7) { push(door, 'door', 'open'); push(door, 'door', 'closed'); }
      if (bed && hour === 6) push(bed, 'bed', 'out');
      if (bed && hour === 21) push(bed, 'bed', 'in');
    }
  }
  return rows;
}

/** Writes the history and sets each home's last activity; returns the number of signals. */
export async function seedActivityHistory(db: Queryable, homes: readonly PlannedHousehold[], opts: { days: number; now: Date; tz: string }): Promise<number> {
  if (opts.days <= 0 || homes.length === 0) return 0;
  return insertPastSignals(db, planActivityHistory(homes, opts));
}
