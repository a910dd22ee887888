import { wallClock } from './time';

/** A 7 × 24 matrix of activity counts: rows = days (oldest first), columns = local hours. */
export interface ActivityGrid { days: string[]; cells: number[][]; max: number }

const ACTIVITY_TYPES = new Set(['motion', 'door', 'bed', 'presence', 'water_use', 'button']);

/**
 * Buckets → grid in the community's zone. `buckets` is the hourly series of activity_hourly
 * (DESIGN §7); anything older than 7 local days is left out.
 */
export function activityGrid(buckets: { bucket: string; events: number }[], now: number, tz: string): ActivityGrid {
  const days: string[] = [];
  for (let i = 6; i >= 0; i--) days.push(wallClock(now - i * 86_400_000, tz).date);
  const cells = days.map(() => new Array<number>(24).fill(0));
  let max = 0;
  for (const b of buckets) {
    const w = wallClock(Date.parse(b.bucket), tz);
    const row = days.indexOf(w.date);
    if (row < 0) continue;
    cells[row]![w.hour]! += b.events;
    max = Math.max(max, cells[row]![w.hour]!);
  }
  return { days, cells, max };
}

/** Without the hourly series, recent activity signals give an estimate (clearly labelled). */
export function bucketsFromSignals(signals: { ts: string; type: string }[]): { bucket: string; events: number }[] {
  const m = new Map<string, number>();
  for (const s of signals) {
    if (!ACTIVITY_TYPES.has(s.type)) continue;
    const t = Date.parse(s.ts);
    const hour = new Date(t - (t % 3_600_000)).toISOString();
    m.set(hour, (m.get(hour) ?? 0) + 1);
  }
  return [...m].map(([bucket, events]) => ({ bucket, events }));
}
