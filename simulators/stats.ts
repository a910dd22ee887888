/** Counters shared by the devices of one run; read by progress lines and summaries. */
export class SimulationStats {
  sent = 0;
  acked = 0;
  failed = 0;
  connects = 0;
  drops = 0;
  refused = 0;
  incidents = 0;
  commands = 0;
  /** Sent counts per progress window, for events/min. */
  private windowStart = Date.now();
  private windowSent = 0;

  noteSent(): void { this.sent++; this.windowSent++; }

  /** Events per minute since the last call. */
  takeRate(now = Date.now()): number {
    const elapsed = Math.max(1, now - this.windowStart);
    const rate = (this.windowSent * 60_000) / elapsed;
    this.windowStart = now;
    this.windowSent = 0;
    return rate;
  }
}

/** Nearest-rank percentile of an ascending-sorted array (NaN when empty). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}
