/**
 * Brute-force protection of sign-in (DESIGN §6 "rate-limited"). Only FAILED attempts count,
 * in fixed windows, under two keys:
 *
 * - address + username: `max` failures lock that pair for the rest of the window. Guessing one
 *   person's password is slow, yet the same person signing in from another address (their phone,
 *   while someone hammers their name from elsewhere) is not locked out, nor are colleagues
 *   behind the same dispatch-room NAT.
 * - address alone: `max × SPRAY_FACTOR` failures across any usernames lock the address, so one
 *   address cannot try a few passwords against every username (password spraying).
 *
 * A success clears its address + username counter. Entries expire with their window and the
 * map is bounded (oldest first), so a flood of made-up names cannot grow memory. Counters are
 * per API instance, like @fastify/rate-limit's default store.
 */
export const SPRAY_FACTOR = 5;
const MAX_KEYS = 100_000;

interface Window { failures: number; resetAt: number }

export class LoginThrottle {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly opts: { max: number; timeWindowMs: number }, private readonly now: () => number = Date.now) {}

  /** Milliseconds until this attempt may be made, or 0 when it may be made now. */
  retryAfterMs(ip: string, username: string): number {
    const t = this.now();
    let wait = 0;
    for (const [key, limit] of this.keys(ip, username)) {
      const w = this.live(key, t);
      if (w && w.failures >= limit) wait = Math.max(wait, w.resetAt - t);
    }
    return wait;
  }

  failed(ip: string, username: string): void {
    const t = this.now();
    for (const [key] of this.keys(ip, username)) {
      const w = this.live(key, t);
      if (w) w.failures++;
      else {
        if (this.windows.size >= MAX_KEYS) this.evict(t);
        this.windows.set(key, { failures: 1, resetAt: t + this.opts.timeWindowMs });
      }
    }
  }

  succeeded(ip: string, username: string): void {
    this.windows.delete(this.keys(ip, username)[0]![0]);
  }

  private keys(ip: string, username: string): Array<[string, number]> {
    return [[`u\u0000${ip}\u0000${username.toLowerCase()}`, this.opts.max], [`a\u0000${ip}`, this.opts.max * SPRAY_FACTOR]];
  }

  private live(key: string, t: number): Window | undefined {
    const w = this.windows.get(key);
    if (w && w.resetAt <= t) { this.windows.delete(key); return undefined; }
    return w;
  }

  private evict(t: number): void {
    for (const [key, w] of this.windows) if (w.resetAt <= t) this.windows.delete(key);
    // Still full: drop the oldest tenth (Map keeps insertion order).
    let drop = this.windows.size >= MAX_KEYS ? Math.ceil(MAX_KEYS / 10) : 0;
    for (const key of this.windows.keys()) { if (drop-- <= 0) break; this.windows.delete(key); }
  }
}
