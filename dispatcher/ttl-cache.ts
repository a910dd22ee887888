/**
 * Promises of loaded values, reused for `ttlMs` per key (0 = never reused). Concurrent misses
 * share one load; a failed load is forgotten at once so the next caller retries; the map is
 * cleared when it would pass `maxEntries` (a miss only costs a query).
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { at: number; value: Promise<V> }>();

  constructor(
    private readonly ttlMs: number,
    private readonly opts: { maxEntries?: number; now?: () => number } = {},
  ) {}

  get(key: string, load: () => Promise<V>): Promise<V> {
    const now = this.opts.now ?? Date.now;
    const hit = this.entries.get(key);
    if (hit && now() - hit.at < this.ttlMs) return hit.value;
    const value = load();
    value.catch(() => { if (this.entries.get(key)?.value === value) this.entries.delete(key); });
    if (this.ttlMs > 0) {
      if (this.entries.size >= (this.opts.maxEntries ?? 10_000)) this.entries.clear();
      this.entries.set(key, { at: now(), value });
    }
    return value;
  }

  clear(): void {
    this.entries.clear();
  }
}
