/**
 * Dates and times as the community reads them: GUARDIAN_TZ (Asia/Shanghai by default), whatever
 * zone the browser is in. Formatters are built once per (locale, zone, style).
 */
export const DEFAULT_TZ = 'Asia/Shanghai';

const cache = new Map<string, Intl.DateTimeFormat>();
function fmt(locale: string, tz: string, opts: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${tz}|${JSON.stringify(opts)}`;
  let f = cache.get(key);
  if (!f) { f = new Intl.DateTimeFormat(locale, { timeZone: tz, hourCycle: 'h23', ...opts }); cache.set(key, f); }
  return f;
}

type When = string | number | Date | null | undefined;
const toDate = (v: When) => (v === null || v === undefined ? null : v instanceof Date ? v : new Date(v));

export function formatTime(v: When, locale: string, tz = DEFAULT_TZ, seconds = false): string {
  const d = toDate(v);
  if (!d || Number.isNaN(d.getTime())) return '—';
  return fmt(locale, tz, { hour: '2-digit', minute: '2-digit', ...(seconds ? { second: '2-digit' } : {}) }).format(d);
}

export function formatDateTime(v: When, locale: string, tz = DEFAULT_TZ): string {
  const d = toDate(v);
  if (!d || Number.isNaN(d.getTime())) return '—';
  return fmt(locale, tz, { month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(d);
}

export function formatDate(v: When, locale: string, tz = DEFAULT_TZ): string {
  const d = toDate(v);
  if (!d || Number.isNaN(d.getTime())) return '—';
  return fmt(locale, tz, { year: 'numeric', month: '2-digit', day: '2-digit', weekday: 'short' }).format(d);
}

/** Wall-clock parts in the zone: hour, minute, second, weekday (0 = Sunday) and 'YYYY-MM-DD'. */
export function wallClock(v: number | Date, tz = DEFAULT_TZ) {
  const parts: Record<string, string> = {};
  for (const p of fmt('en-US', tz, {
    year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', weekday: 'short',
  }).formatToParts(toDate(v)!)) parts[p.type] = p.value;
  const weekday = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(parts.weekday ?? 'Sun');
  return {
    hour: Number(parts.hour), minute: Number(parts.minute), second: Number(parts.second), weekday,
    date: `${parts.year}-${parts.month}-${parts.day}`,
  };
}

/** The instant of local midnight that starts the day containing `now` (zones without DST). */
export function startOfLocalDay(now: number, tz = DEFAULT_TZ): number {
  const w = wallClock(now, tz);
  return now - ((w.hour * 60 + w.minute) * 60 + w.second) * 1000 - (now % 1000);
}

/** DESIGN §4 DAY_SHIFT ('08:00-20:00') in the zone: day or night at `now`. */
export function shiftAt(now: number, dayShift: string, tz = DEFAULT_TZ): 'day' | 'night' {
  const m = /^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$/.exec(dayShift.trim());
  const [start, end] = m ? [Number(m[1]) * 60 + Number(m[2]), Number(m[3]) * 60 + Number(m[4])] : [480, 1200];
  const w = wallClock(now, tz);
  const t = w.hour * 60 + w.minute;
  const inDay = start < end ? t >= start && t < end : t >= start || t < end;
  return inDay ? 'day' : 'night';
}

/** "3分12秒" / "3m 12s", "1小时5分" / "1h 5m": a compact elapsed time for people. */
export function formatDuration(ms: number, lang: 'zh' | 'en'): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (lang === 'zh') {
    if (h >= 24) return `${Math.floor(h / 24)}天${h % 24}小时`;
    if (h > 0) return `${h}小时${m}分`;
    return m > 0 ? `${m}分${String(sec).padStart(2, '0')}秒` : `${sec}秒`;
  }
  if (h >= 24) return `${Math.floor(h / 24)}d ${h % 24}h`;
  if (h > 0) return `${h}h ${m}m`;
  return m > 0 ? `${m}m ${String(sec).padStart(2, '0')}s` : `${sec}s`;
}

/** Birth year → age this year in the zone. */
export function ageFrom(birthYear: number | null, now: number, tz = DEFAULT_TZ): number | null {
  if (!birthYear) return null;
  return Number(wallClock(now, tz).date.slice(0, 4)) - birthYear;
}
