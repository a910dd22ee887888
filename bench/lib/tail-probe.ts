import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import type pg from 'pg';
import { percentile } from '../../simulators/stats.js';
import { wallMs } from './wall-clock.js';

/**
 * Where a latency tail comes from, seen from inside the process under test (issue 21 item 7),
 * per wall-clock second so it lines up with the PUBACK latencies of the same second:
 * - GC: the longest and the total pause of V8's collections (PerformanceObserver 'gc');
 * - the event loop: the longest lateness of a 5 ms timer (anything that held the loop: GC,
 *   parsing, a burst of socket reads, or the machine giving the core to another process);
 * - the database: each pool.query's time from call to result (a pool checkout, the round trip,
 *   the commit and its fsync), by statement name, and how many queries waited for a connection
 *   of the fixed pool.
 */
export interface TailSecond {
  second: number;
  gcCount: number; gcMaxMs: number; gcTotalMs: number;
  /** Mark-compact (major) collections: their count and longest pause; the rest are scavenges. */
  gcMajor: number; gcMajorMaxMs: number;
  loopLagMaxMs: number;
  queries: number; queryP50Ms: number | null; queryP99Ms: number | null; queryMaxMs: number | null;
  poolWaitingMax: number;
}

interface Bucket { gc: number[]; major: number[]; lag: number; q: number[]; waiting: number }

export function startTailProbe(pool: pg.Pool, opts: { only?: (name: string) => boolean } = {}): { report(): TailSecond[]; stop(): void } {
  const buckets = new Map<number, Bucket>();
  const at = (ms: number) => {
    const s = Math.floor(ms / 1000);
    let b = buckets.get(s);
    if (!b) buckets.set(s, b = { gc: [], major: [], lag: 0, q: [], waiting: 0 });
    return b;
  };

  const gc = new PerformanceObserver((list) => {
    for (const e of list.getEntries() as PerformanceEntry[]) {
      const b = at(performance.timeOrigin + e.startTime);
      b.gc.push(e.duration);
      if ((e as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) b.major.push(e.duration);
    }
  });
  gc.observe({ entryTypes: ['gc'] });

  let expected = performance.now() + 5;
  const timer = setInterval(() => {
    const now = performance.now();
    const b = at(wallMs());
    b.lag = Math.max(b.lag, now - expected);
    b.waiting = Math.max(b.waiting, pool.waitingCount);
    expected = now + 5;
  }, 5);
  timer.unref();

  const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
  (pool as { query: unknown }).query = (...args: unknown[]) => {
    const first = args[0] as string | { name?: string; text?: string };
    const name = typeof first === 'string' ? first.slice(0, 40) : (first.name ?? first.text?.slice(0, 40) ?? '?');
    const t0 = performance.now();
    const started = wallMs();
    const r = query(...args);
    if (r && typeof (r as Promise<unknown>).then === 'function' && (!opts.only || opts.only(name))) {
      (r as Promise<unknown>).then(() => at(started).q.push(performance.now() - t0), () => {});
    }
    return r;
  };

  return {
    report() {
      return [...buckets.entries()].sort(([a], [b]) => a - b).map(([second, b]) => {
        const q = Float64Array.from(b.q).sort();
        const round = (n: number | null) => (n === null ? null : Math.round(n * 10) / 10);
        return {
          second, gcCount: b.gc.length, gcMaxMs: round(Math.max(0, ...b.gc))!, gcTotalMs: round(b.gc.reduce((x, y) => x + y, 0))!,
          gcMajor: b.major.length, gcMajorMaxMs: round(Math.max(0, ...b.major))!,
          loopLagMaxMs: round(b.lag)!, queries: q.length,
          queryP50Ms: q.length ? round(percentile(q, 50)) : null, queryP99Ms: q.length ? round(percentile(q, 99)) : null,
          queryMaxMs: q.length ? round(q[q.length - 1]!) : null, poolWaitingMax: b.waiting,
        };
      });
    },
    stop() { gc.disconnect(); clearInterval(timer); },
  };
}

/** Answers the bench's {op:'tail'} over IPC with the probe's report (the child side). */
export function answerTailRequests(probe: { report(): TailSecond[] }): void {
  process.on('message', (m: { op?: string }) => {
    if (m?.op !== 'tail') return;
    if (process.connected) process.send?.({ op: 'tail-report', report: probe.report() }, undefined, {}, () => {});
  });
}
