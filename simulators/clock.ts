/**
 * Simulated time = real time × speed, so `--speed 60` plays a senior's day in 24 minutes.
 *
 * Only the *schedule* is compressed. Event `ts` stays real epoch ms: the gateway files an event
 * under receive time when device time is far ahead or behind (domain/event-schema.ts
 * effectiveEventTime), and the server's own clocks (inactivity, offline, SLA) run in real time.
 */
export class SimClock {
  private readonly realStart: number;
  private readonly simStart: number;
  private readonly realNow: () => number;

  constructor(readonly speed: number, opts: { startAt?: number; realNow?: () => number } = {}) {
    if (!(speed > 0) || !Number.isFinite(speed)) throw new RangeError(`speed must be a positive number, got ${speed}`);
    this.realNow = opts.realNow ?? Date.now;
    this.realStart = this.realNow();
    this.simStart = opts.startAt ?? this.realStart;
  }

  /** Simulated epoch ms. */
  now(): number {
    return this.simStart + (this.realNow() - this.realStart) * this.speed;
  }

  /** Real ms that a simulated span takes. */
  realMs(simMs: number): number {
    return simMs / this.speed;
  }

  /** Real ms from now until the simulated instant `simAt` (0 when it has passed). */
  realDelayUntil(simAt: number): number {
    return Math.max(0, (simAt - this.now()) / this.speed);
  }
}

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
      hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formatters.set(tz, f);
  }
  return f;
}

/** How far the zone's wall clock is ahead of UTC at `ms` (Asia/Shanghai: +8 h). */
export function zoneOffsetMs(ms: number, tz: string): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(tz).formatToParts(new Date(ms))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return wall - Math.floor(ms / 1000) * 1000;
}

/** The epoch ms of local midnight starting the day that contains `ms` in zone `tz`. */
export function localMidnight(ms: number, tz: string): number {
  const offset = zoneOffsetMs(ms, tz);
  const wall = ms + offset;
  return wall - (((wall % DAY_MS) + DAY_MS) % DAY_MS) - offset;
}

/** Minutes since local midnight (fractional). */
export function localMinuteOfDay(ms: number, tz: string): number {
  return (ms - localMidnight(ms, tz)) / MINUTE_MS;
}

/** Local wall time HH:MM, for logs. */
export function localHhMm(ms: number, tz: string): string {
  const m = Math.floor(localMinuteOfDay(ms, tz));
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}
