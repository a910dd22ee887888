import { addDays, localTimeParts, timeWindow, weekdayOf, type TimeWindow } from './shift-clock.js';

/**
 * Who is on duty at an instant (DESIGN §4 "Rosters say who is on duty when"; schema
 * roster_shifts in store/migrations/001_core.sql). Pure: the caller loads responders and rows.
 *
 * Rules, in the order they apply:
 * 1. A responder with `active = false` (left the job) or `onDuty = false` (the manual
 *    availability switch: sick, away) is never on duty, whatever the roster says.
 * 2. A responder with no roster rows at all is governed by the switch alone (always on duty
 *    while `onDuty`). Volunteers and small communities often keep no roster, and for a safety
 *    service paging one person too many beats paging nobody. `rosterlessOnDuty: false` turns
 *    this off.
 * 3. Each row is a shift anchored on a local date: [starts, ends) of that date, or, when
 *    ends <= starts, from starts to ends on the next date (crossing midnight; equal = 24 h).
 *    So the 03:00 part of a Monday 20:00-08:00 shift counts, on Tuesday, as Monday's pattern.
 * 4. For a date, dated rows (on_date) replace the weekly pattern of that date entirely; if a
 *    date has any dated row, its weekday rows do not apply. An override with `offDuty` is a
 *    window of absence anchored on its date: it contributes no duty and it removes the
 *    responder from every shift during its window (including the tail of yesterday's night
 *    shift). So "off on 2026-05-01" (an off-duty row of any times) removes that date's weekly
 *    shifts, and "on 08:00-20:00 + off 12:00-14:00" on one date is a partial day.
 */

export const RESPONDER_ROLES = [
  'grid_worker', 'org_specialist', 'building_leader', 'neighbour_buddy', 'property_duty',
  'supervisor', 'operator', 'admin',
] as const;
export type ResponderRole = (typeof RESPONDER_ROLES)[number];

export interface Responder {
  id: string;
  role: ResponderRole;
  gridIds: readonly string[];
  buildingIds: readonly string[];
  householdIds: readonly string[];
  onDuty: boolean;
  active: boolean;
}

export interface RosterRow {
  responderId: string;
  /** 0 = Sunday … 6 = Saturday; null for a dated override. */
  weekday: number | null;
  /** 'YYYY-MM-DD' local date; null for a weekly row. */
  onDate: string | null;
  /** 'HH:MM' or 'HH:MM:SS' local time. */
  starts: string;
  ends: string;
  offDuty: boolean;
}

export interface OnDutyOptions {
  /** Whether responders without any roster row count as on duty (default true, rule 2). */
  rosterlessOnDuty?: boolean;
}

/** Available at all: the manual switch is on and the person still works here (rule 1). */
export function isAvailable(r: Pick<Responder, 'onDuty' | 'active'>): boolean {
  return r.onDuty && r.active;
}

/** The set of responder ids on duty at `instant` (local time in `tz`). */
export function onDutyAt(
  responders: readonly Responder[],
  rosters: readonly RosterRow[],
  instant: Date,
  tz: string,
  options: OnDutyOptions = {},
): Set<string> {
  const rosterlessOnDuty = options.rosterlessOnDuty ?? true;
  const rowsBy = new Map<string, RosterRow[]>();
  for (const row of rosters) {
    const list = rowsBy.get(row.responderId);
    if (list) list.push(row);
    else rowsBy.set(row.responderId, [row]);
  }
  const local = localTimeParts(instant, tz);
  const onDuty = new Set<string>();
  for (const r of responders) {
    if (!isAvailable(r)) continue;
    const rows = rowsBy.get(r.id);
    if (!rows || rows.length === 0) {
      if (rosterlessOnDuty) onDuty.add(r.id);
      continue;
    }
    if (rosteredAt(rows, local.date, local.seconds)) onDuty.add(r.id);
  }
  return onDuty;
}

/** Whether one responder's rows put them on duty at local `date` + `secondOfDay` (rules 3-4). */
export function rosteredAt(rows: readonly RosterRow[], date: string, secondOfDay: number): boolean {
  const yesterday = addDays(date, -1);
  let working = false;
  for (const [anchor, sameDay] of [[date, true], [yesterday, false]] as const) {
    const { on, off } = rowsForDate(rows, anchor);
    // An absence window from today or the night-crossing tail of yesterday's one wins.
    if (off.some((w) => covers(w, secondOfDay, sameDay))) return false;
    if (!working && on.some((w) => covers(w, secondOfDay, sameDay))) working = true;
  }
  return working;
}

/** The windows that apply to one anchor date: dated rows replace the weekly pattern. */
function rowsForDate(rows: readonly RosterRow[], date: string): { on: TimeWindow[]; off: TimeWindow[] } {
  const dated = rows.filter((r) => r.onDate !== null && sameDate(r.onDate, date));
  const weekday = weekdayOf(date);
  const applying = dated.length > 0 ? dated : rows.filter((r) => r.onDate === null && r.weekday === weekday);
  const on: TimeWindow[] = [];
  const off: TimeWindow[] = [];
  for (const r of applying) (r.offDuty ? off : on).push(timeWindow(r.starts, r.ends));
  // A weekly row marked off_duty would mean "never on this weekday": it removes, as a dated one.
  return { on, off };
}

/** Tolerates dates as full ISO timestamps ('2026-05-01T00:00:00.000Z' from a careless mapper). */
function sameDate(onDate: string, date: string): boolean {
  return onDate.slice(0, 10) === date;
}

/**
 * Whether a window anchored on some date covers `secondOfDay`: on the anchor date itself
 * (`sameDay`) from start to midnight or end; on the next date only the part after midnight of a
 * window that crosses it.
 */
function covers(w: TimeWindow, secondOfDay: number, sameDay: boolean): boolean {
  const crosses = w.endS <= w.startS;
  if (sameDay) return secondOfDay >= w.startS && (crosses || secondOfDay < w.endS);
  return crosses && secondOfDay < w.endS;
}
