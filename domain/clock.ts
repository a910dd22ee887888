/**
 * The one clock of the service (DESIGN §11): every time decision — shift of the day, ack/SLA/
 * reminder timers, passive sweeps, grace periods, report windows and the timestamps we store —
 * reads a Clock. Production passes `wallClock`; `guardian simulate day` passes a virtual clock
 * that jumps from event to event, so a community day plays in minutes with exact instants.
 *
 * Code that waits (a retry delay, a sweep interval, a grace period) waits on the clock too, so a
 * simulated hour passes without a real one. Waits that guard I/O against a stuck peer (socket
 * and connect timeouts) are real time and stay on the global timers.
 */
export interface Clock {
  /** Epoch milliseconds now. */
  nowMs(): number;
  now(): Date;
  /** Calls `fn` once, `ms` of this clock's time from now. */
  setTimeout(fn: () => void, ms: number): ClockTimer;
  /** Calls `fn` every `ms` of this clock's time. */
  setInterval(fn: () => void, ms: number): ClockTimer;
  clearTimer(timer: ClockTimer | null | undefined): void;
  /** Resolves after `ms` of this clock's time. */
  sleep(ms: number): Promise<void>;
}

/** Opaque handle of a clock timer. */
export interface ClockTimer { readonly __clockTimer?: true }

/** Real time: Date.now and the global timers (unref'd, so a pending timer never holds a process open). */
export const wallClock: Clock = {
  nowMs: () => Date.now(),
  now: () => new Date(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t as unknown as ClockTimer;
  },
  setInterval(fn, ms) {
    const t = setInterval(fn, ms);
    t.unref?.();
    return t as unknown as ClockTimer;
  },
  clearTimer(timer) {
    if (timer) clearTimeout(timer as unknown as ReturnType<typeof setTimeout>);
  },
  sleep: (ms) => new Promise((resolve) => { setTimeout(resolve, ms); }),
};

/** A clock that reads `now` from a function (tests: a fixed or offset instant) and waits in real time. */
export function clockAt(now: () => Date): Clock {
  return { ...wallClock, nowMs: () => now().getTime(), now };
}

/** A Clock, or a bare "now" function (older tests and callers), as a Clock. */
export function toClock(clock: Clock | (() => Date) | undefined): Clock {
  if (clock === undefined) return wallClock;
  return typeof clock === 'function' ? clockAt(clock) : clock;
}
