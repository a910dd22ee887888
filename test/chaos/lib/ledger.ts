/**
 * What the devices know: every event they sent and which ones were PUBACKed, keyed by
 * (device, event id) — the dedupe key of DESIGN §2, so retries count once.
 */
export class EventLedger {
  readonly sent = new Set<string>();
  readonly acked = new Set<string>();
  readonly latencies: number[] = [];

  static key(deviceId: string, eventId: string): string { return `${deviceId}\u0000${eventId}`; }

  noteSent(deviceId: string, eventId: string): void { this.sent.add(EventLedger.key(deviceId, eventId)); }
  noteAcked(deviceId: string, eventId: string, latencyMs?: number): void {
    this.acked.add(EventLedger.key(deviceId, eventId));
    if (latencyMs !== undefined) this.latencies.push(latencyMs);
  }
  get unacked(): number { return this.sent.size - this.acked.size; }
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
