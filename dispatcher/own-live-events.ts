import type { LiveEvent } from '../domain/live-events.js';

/**
 * The seqs of live events this dispatcher published, for about `keepMs` (two generations of
 * sets, so memory stays bounded even when a publish never comes back, e.g. Redis was down).
 * The change watcher skips them: the handler that made the change armed its timers itself.
 */
export class OwnLiveEvents {
  private current = new Set<number>();
  private previous = new Set<number>();
  private rotatedAt: number;

  constructor(private readonly keepMs = 30_000, private readonly now: () => number = Date.now) {
    this.rotatedAt = now();
  }

  note(events: readonly LiveEvent[]): void {
    this.rotate();
    for (const e of events) this.current.add(e.seq);
  }

  has(seq: number): boolean {
    this.rotate();
    return this.current.has(seq) || this.previous.has(seq);
  }

  private rotate(): void {
    if (this.now() - this.rotatedAt < this.keepMs) return;
    this.previous = this.current;
    this.current = new Set();
    this.rotatedAt = this.now();
  }
}
