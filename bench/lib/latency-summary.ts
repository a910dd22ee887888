import { percentile } from '../../simulators/stats.js';

export interface LatencySummary { n: number; p50: number | null; p99: number | null; max: number | null }

const round = (n: number) => Math.round(n * 100) / 100;

/** p50 / p99 / max of a set of latencies in ms (nearest rank, as simulators/stats.ts). */
export function summarize(values: ArrayLike<number>): LatencySummary {
  const sorted = Float64Array.from(values as ArrayLike<number>).sort();
  if (sorted.length === 0) return { n: 0, p50: null, p99: null, max: null };
  return { n: sorted.length, p50: round(percentile(sorted, 50)), p99: round(percentile(sorted, 99)), max: round(sorted[sorted.length - 1]!) };
}

/** "1.23 ms" or "—". */
export const ms = (v: number | null | undefined) => (v === null || v === undefined ? '—' : `${v.toFixed(v < 10 ? 2 : 1)} ms`);

/** A ratio a / b as "0.72 ×", or "—" when b is missing. */
export function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
  if (a === null || a === undefined || b === null || b === undefined || b === 0) return null;
  return Math.round((a / b) * 100) / 100;
}

export const times = (r: number | null) => (r === null ? '—' : `${r.toFixed(2)} ×`);

export const int = (n: number) => Math.round(n).toLocaleString('en-US');
