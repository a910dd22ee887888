import type { Clock, ClockTimer } from './clock.js';

interface Entry { at: number; seq: number; fn: () => void; everyMs: number | null; cancelled: boolean }

/**
 * A clock whose time moves only when it is told to (`guardian simulate day`, DESIGN §11): the
 * simulation runs the real service on it and jumps from one event to the next whenever the
 * service is idle, so a simulated day takes minutes and every instant is exact. Timers run in
 * the order of their instants (then of their arming), each with the clock set to its own
 * instant. Pure: no real timers, no I/O.
 */
export class VirtualClock implements Clock {
  private t: number;
  private seq = 0;
  private heap: Entry[] = [];

  constructor(startMs: number) {
    this.t = startMs;
  }

  nowMs(): number { return this.t; }
  now(): Date { return new Date(this.t); }

  setTimeout(fn: () => void, ms: number): ClockTimer {
    return this.push(fn, this.t + Math.max(0, ms), null);
  }

  setInterval(fn: () => void, ms: number): ClockTimer {
    if (!(ms > 0)) throw new RangeError(`interval must be positive, got ${ms}`);
    return this.push(fn, this.t + ms, ms);
  }

  clearTimer(timer: ClockTimer | null | undefined): void {
    if (timer) (timer as unknown as Entry).cancelled = true;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => { this.setTimeout(resolve, ms); });
  }

  /** The instant of the earliest pending timer, or null when none is pending. */
  nextAt(): number | null {
    this.dropCancelled();
    return this.heap[0]?.at ?? null;
  }

  /**
   * Moves the clock to `to` (never backwards), running every timer due on the way; returns how
   * many ran. A timer armed by a timer and due by `to` runs in the same call.
   */
  advanceTo(to: number): number {
    let ran = 0;
    for (;;) {
      this.dropCancelled();
      const top = this.heap[0];
      if (!top || top.at > to) break;
      this.pop();
      this.t = Math.max(this.t, top.at);
      if (top.everyMs !== null) {
        top.at += top.everyMs;
        top.seq = this.seq++;
        this.insert(top);
      }
      ran++;
      top.fn();
    }
    this.t = Math.max(this.t, to);
    return ran;
  }

  private push(fn: () => void, at: number, everyMs: number | null): ClockTimer {
    const e: Entry = { at, seq: this.seq++, fn, everyMs, cancelled: false };
    this.insert(e);
    return e as unknown as ClockTimer;
  }

  private dropCancelled(): void {
    while (this.heap[0]?.cancelled) this.pop();
  }

  // A binary min-heap on (at, seq).
  private less(a: Entry, b: Entry): boolean { return a.at < b.at || (a.at === b.at && a.seq < b.seq); }

  private insert(e: Entry): void {
    const h = this.heap;
    h.push(e);
    for (let i = h.length - 1; i > 0;) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private pop(): Entry | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}
