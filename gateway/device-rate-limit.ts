/** Buckets kept at most; beyond it the idle ones go first (a full bucket is the same as none). */
const MAX_BUCKETS = 200_000;
/** A refused message's PUBACK waits at most this long; the debt is capped to match. */
const MAX_WAIT_MS = 1000;

interface Bucket { tokens: number; at: number }

/**
 * A token bucket per device for telemetry (issue 7, flood isolation): `ratePerS` messages per
 * second on average, bursts of up to `burst`. One broken or hostile device flooding its topic
 * then costs a parse and a counter per message instead of a database row, and the other homes'
 * PUBACKs do not queue behind its writes. The caller never asks for alert-class events: an SOS
 * is never limited. ratePerS = 0 turns the limiter off.
 * A refused message goes into debt (down to MAX_WAIT_MS worth of tokens), and waitMs() says how
 * long until the bucket is positive again: the caller holds the PUBACK that long, so a flooding
 * device is slowed down at its own socket rather than parsed at full speed (issue 7 item 6).
 */
export class DeviceRateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly opts: { ratePerS: number; burst: number }, private readonly now: () => number = () => performance.now()) {}

  get enabled(): boolean { return this.opts.ratePerS > 0; }

  /** Takes one token from the device's bucket; false when it is empty. */
  admit(deviceId: string): boolean {
    if (!this.enabled) return true;
    const now = this.now();
    let bucket = this.buckets.get(deviceId);
    if (!bucket) {
      if (this.buckets.size >= MAX_BUCKETS) this.evictFull(now);
      bucket = { tokens: this.opts.burst, at: now };
      this.buckets.set(deviceId, bucket);
    } else {
      bucket.tokens = Math.min(this.opts.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.opts.ratePerS);
      bucket.at = now;
    }
    if (bucket.tokens < 1) {
      bucket.tokens = Math.max(bucket.tokens - 1, -this.opts.ratePerS * (MAX_WAIT_MS / 1000));
      return false;
    }
    bucket.tokens -= 1;
    return true;
  }

  /** How long a refused message's PUBACK should wait: until the next token, at most MAX_WAIT_MS. */
  waitMs(deviceId: string): number {
    const bucket = this.buckets.get(deviceId);
    if (!bucket || !this.enabled) return 0;
    return Math.min(MAX_WAIT_MS, Math.ceil(((1 - bucket.tokens) / this.opts.ratePerS) * 1000));
  }

  private evictFull(now: number): void {
    const refillMs = (this.opts.burst / this.opts.ratePerS) * 1000;
    for (const [id, b] of this.buckets) if (now - b.at >= refillMs) this.buckets.delete(id);
    if (this.buckets.size >= MAX_BUCKETS) this.buckets.clear();
  }
}
