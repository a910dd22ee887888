/**
 * Local wall-clock time and the day/night shift of DESIGN §4 ("Day (`DAY_SHIFT`, in
 * `GUARDIAN_TZ`) … Shifts that cross midnight and DST-free zones both work").
 *
 * Pure: every function takes the instant; nothing reads the system clock. Time zones come from
 * the runtime's ICU data through Intl.DateTimeFormat, so there is no library and no table to keep
 * up to date. Shift and roster times are wall-clock times in the zone, so on a DST switch day a
 * shift is as long as the wall clock says (11 h or 13 h), as people on the ground would expect.
 */

export type Shift = 'day' | 'night';

/** A daily window of local time, in seconds since local midnight: [startS, endS).
 *  endS <= startS means the window crosses midnight (startS === endS is a full 24 h). */
export interface TimeWindow {
  startS: number;
  endS: number;
}

export interface LocalTimeParts {
  /** 0 = Sunday … 6 = Saturday, as roster_shifts.weekday. */
  weekday: number;
  /** Whole minutes since local midnight (0-1439). */
  minutes: number;
  /** Whole seconds since local midnight (0-86399). */
  seconds: number;
  /** The local calendar date, 'YYYY-MM-DD'. */
  date: string;
}

const DAY_S = 86_400;
const DAY_MS = DAY_S * 1000;
const HOUR_MS = 3_600_000;

// Formatters are costly to build and immutable, so one per zone is kept (memoisation, no I/O).
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    // en-US with numeric parts and h23 gives stable, parseable fields in every ICU version
    // ('24' for midnight was a real bug with hour12:false; hourCycle h23 avoids it).
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz, hourCycle: 'h23',
      year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    formatters.set(tz, f);
  }
  return f;
}

interface WallFields { y: number; mo: number; d: number; h: number; mi: number; s: number }

function formattedFields(instant: Date, tz: string): WallFields {
  const out: Record<string, number> = {};
  for (const p of formatter(tz).formatToParts(instant)) {
    if (p.type !== 'literal') out[p.type] = Number(p.value);
  }
  const h = out.hour ?? 0;
  return { y: out.year ?? 0, mo: out.month ?? 0, d: out.day ?? 0, h: h === 24 ? 0 : h, mi: out.minute ?? 0, s: out.second ?? 0 };
}

const MINUTE_MS = 60_000;

/**
 * formatToParts costs microseconds and the router asks for one zone's wall clock at the same
 * minute again and again (every escalation reads "now"), so each zone remembers the last minute
 * asked about (a memo, no I/O). Asked a second time, the minute's UTC offset is checked at its
 * first and last second; when they agree (no transition within it) and the year is 1000-9999
 * (where the UTC getters and ICU agree on the fields), the minute's fields come from the offset.
 * A search over many instants (nextShiftBoundary) still costs one formatToParts per instant.
 */
const lastMinute = new Map<string, { minute: number; offsetMs: number | null | undefined }>();

function offsetAt(t: number, tz: string): number {
  const w = formattedFields(new Date(t), tz);
  return Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, w.s) - t;
}

function wallFields(instant: Date, tz: string): WallFields {
  const t = instant.getTime();
  const minute = Math.floor(t / MINUTE_MS);
  const memo = lastMinute.get(tz);
  if (!Number.isFinite(t) || !memo || memo.minute !== minute) {
    if (Number.isFinite(t)) lastMinute.set(tz, { minute, offsetMs: undefined });
    return formattedFields(instant, tz);
  }
  if (memo.offsetMs === undefined) {
    const start = minute * MINUTE_MS;
    const first = offsetAt(start, tz);
    const year = new Date(start + first).getUTCFullYear();
    memo.offsetMs = first === offsetAt(start + MINUTE_MS - 1000, tz) && year >= 1000 && year <= 9999 ? first : null;
  }
  if (memo.offsetMs === null) return formattedFields(instant, tz);
  const w = new Date(t + memo.offsetMs);
  return { y: w.getUTCFullYear(), mo: w.getUTCMonth() + 1, d: w.getUTCDate(), h: w.getUTCHours(), mi: w.getUTCMinutes(), s: w.getUTCSeconds() };
}

/** The zone's UTC offset at an instant, in ms (east positive: Asia/Shanghai = +8 h). */
export function utcOffsetMs(instant: Date, tz: string): number {
  const w = wallFields(instant, tz);
  const wallAsUtc = Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, w.s);
  const t = instant.getTime();
  return wallAsUtc - (t - (((t % 1000) + 1000) % 1000));
}

export function localTimeParts(instant: Date, tz: string): LocalTimeParts {
  const w = wallFields(instant, tz);
  // The weekday comes from the local calendar date itself, never from the UTC instant:
  // 00:30 Monday in Shanghai is still Sunday in UTC.
  const weekday = new Date(Date.UTC(w.y, w.mo - 1, w.d)).getUTCDay();
  const seconds = w.h * 3600 + w.mi * 60 + w.s;
  return { weekday, minutes: Math.floor(seconds / 60), seconds, date: formatDate(w.y, w.mo, w.d) };
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

function formatDate(y: number, mo: number, d: number): string {
  return `${String(y).padStart(4, '0')}-${pad2(mo)}-${pad2(d)}`;
}

function parseDate(date: string): { y: number; mo: number; d: number } {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new RangeError(`Not a date (YYYY-MM-DD): ${JSON.stringify(date)}`);
  return { y: Number(m[1]), mo: Number(m[2]), d: Number(m[3]) };
}

/** Calendar arithmetic on 'YYYY-MM-DD' (no zone involved). */
export function addDays(date: string, days: number): string {
  const { y, mo, d } = parseDate(date);
  const t = new Date(Date.UTC(y, mo - 1, d) + days * DAY_MS);
  return formatDate(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate());
}

/** The weekday (0 = Sunday) of a calendar date. */
export function weekdayOf(date: string): number {
  const { y, mo, d } = parseDate(date);
  return new Date(Date.UTC(y, mo - 1, d)).getUTCDay();
}

/** 'HH:MM' or 'HH:MM:SS' (PostgreSQL `time` text) → seconds since midnight. '24:00' is allowed as
 *  the end of a day. */
export function parseTimeOfDay(text: string): number {
  const m = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$/.exec(text.trim());
  if (m) {
    const h = Number(m[1]);
    const mi = Number(m[2]);
    const s = m[3] === undefined ? 0 : Number(m[3]);
    if (mi < 60 && s < 60 && (h < 24 || (h === 24 && mi === 0 && s === 0))) return h * 3600 + mi * 60 + s;
  }
  throw new RangeError(`Not a time of day (HH:MM or HH:MM:SS): ${JSON.stringify(text)}`);
}

/** Makes a window from two times of day; '24:00' as an end is midnight. */
export function timeWindow(starts: string, ends: string): TimeWindow {
  return { startS: parseTimeOfDay(starts) % DAY_S, endS: parseTimeOfDay(ends) % DAY_S };
}

/** Parses DAY_SHIFT ('08:00-20:00'). The day and night shifts must both be non-empty. */
export function parseShift(text: string): TimeWindow {
  const parts = text.split('-');
  if (parts.length !== 2) throw new RangeError(`Not a shift (HH:MM-HH:MM): ${JSON.stringify(text)}`);
  const w = timeWindow(parts[0]!, parts[1]!);
  if (w.startS === w.endS) {
    throw new RangeError(`A day shift must start and end at different times: ${JSON.stringify(text)}`);
  }
  return w;
}

/** Whether a time of day (seconds since local midnight) is inside [startS, endS), wrapping. */
export function inWindow(secondOfDay: number, w: TimeWindow): boolean {
  if (w.endS > w.startS) return secondOfDay >= w.startS && secondOfDay < w.endS;
  // Crosses midnight (or a full day when startS === endS).
  return secondOfDay >= w.startS || secondOfDay < w.endS;
}

function toWindow(dayShift: string | TimeWindow): TimeWindow {
  return typeof dayShift === 'string' ? parseShift(dayShift) : dayShift;
}

export function isDayShift(instant: Date, tz: string, dayShift: string | TimeWindow): boolean {
  return inWindow(localTimeParts(instant, tz).seconds, toWindow(dayShift));
}

export interface ShiftAt {
  shift: Shift;
  /** The local date the shift started on: the night from Monday 20:00 to Tuesday 08:00 is
   *  Monday's night, also at 03:00 on Tuesday. */
  date: string;
}

export function shiftOf(instant: Date, tz: string, dayShift: string | TimeWindow): ShiftAt {
  const w = toWindow(dayShift);
  const local = localTimeParts(instant, tz);
  const day = inWindow(local.seconds, w);
  // The night is the complement of the day: it starts when the day ends.
  const startsAt = day ? w.startS : w.endS;
  const date = local.seconds >= startsAt ? local.date : addDays(local.date, -1);
  return { shift: day ? 'day' : 'night', date };
}

/**
 * Every instant at which the local wall clock of `date` reads `secondOfDay`: usually one, two in
 * the repeated hour of a fall-back day, and — when that wall time is skipped by a spring-forward
 * gap — the instant the clock jumps over it (the first moment the wall clock is past it).
 */
export function wallClockInstants(date: string, secondOfDay: number, tz: string): Date[] {
  const { y, mo, d } = parseDate(date);
  const naive = Date.UTC(y, mo - 1, d) + secondOfDay * 1000; // the wall time read as if UTC
  // The real instant is naive - offset, and offsets are within ±14 h; the offsets around it
  // include the ones before and after any transition nearby.
  const offsets = new Set([-14, 0, 14].map((h) => utcOffsetMs(new Date(naive + h * HOUR_MS), tz)));
  const found: number[] = [];
  for (const o of offsets) {
    const t = naive - o;
    if (utcOffsetMs(new Date(t), tz) === o && !found.includes(t)) found.push(t);
  }
  if (found.length === 0) {
    // Skipped by a gap: the jump happens between the candidate instants.
    const candidates = [...offsets].map((o) => naive - o);
    found.push(transitionBetween(Math.min(...candidates), Math.max(...candidates), tz));
  }
  return found.sort((a, b) => a - b).map((t) => new Date(t));
}

/** The first instant in (lo, hi] whose UTC offset equals hi's (binary search, 1 ms precision). */
function transitionBetween(lo: number, hi: number, tz: string): number {
  const target = utcOffsetMs(new Date(hi), tz);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (utcOffsetMs(new Date(mid), tz) === target) hi = mid;
    else lo = mid;
  }
  return hi;
}

/**
 * The next instant strictly after `instant` at which day ↔ night switches (DESIGN §4; the
 * dispatcher checks the roster for gaps at each shift start). Exactly consistent with
 * isDayShift: the day/night state only changes where the wall clock reaches a shift boundary or
 * where the zone's offset jumps, so those instants are the candidates and the first one where the
 * state really differs is the answer (a fall-back hour can make a boundary inside it happen
 * twice; an instant the clock skips becomes the jump itself).
 */
export function nextShiftBoundary(instant: Date, tz: string, dayShift: string | TimeWindow): Date {
  const w = toWindow(dayShift);
  const now = instant.getTime();
  const current = isDayShift(instant, tz, w);
  const today = localTimeParts(instant, tz).date;

  const candidates: number[] = [];
  for (let d = -1; d <= 2; d++) {
    const date = addDays(today, d);
    for (const s of [w.startS, w.endS]) {
      for (const t of wallClockInstants(date, s, tz)) candidates.push(t.getTime());
    }
  }
  // Offset transitions in the next 50 h (a shift switch is at most ~25 h away); zones change
  // offset at most a few times a year, so 5-hourly samples cannot miss a pair of them.
  let prevT = now;
  let prevO = utcOffsetMs(instant, tz);
  for (let t = now + 5 * HOUR_MS; t <= now + 50 * HOUR_MS; t += 5 * HOUR_MS) {
    const o = utcOffsetMs(new Date(t), tz);
    if (o !== prevO) candidates.push(transitionBetween(prevT, t, tz));
    prevT = t;
    prevO = o;
  }

  const after = [...new Set(candidates)].filter((t) => t > now).sort((a, b) => a - b);
  for (const t of after) {
    if (isDayShift(new Date(t), tz, w) !== current) return new Date(t);
  }
  throw new Error(`No shift boundary found within two days after ${instant.toISOString()} in ${tz}`);
}
