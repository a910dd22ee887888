/** Thrown when the gate's queue is full: no PUBACK, the device retries after reconnecting. */
export class IngestBackloggedError extends Error {
  constructor(waiting: number) {
    super(`${waiting} alert writes already waiting for the database; retry later`);
    this.name = 'IngestBackloggedError';
  }
}

/**
 * At most `concurrency` alert transactions at once; the rest wait here, in arrival order,
 * without a PUBACK. Without it, the retry storm after a database outage (every device resending
 * its whole in-flight window at once) queued thousands of checkouts in the pg pool, most timed
 * out after the pool's connect timeout, each failure closed a connection and the device resent
 * everything again — ingest never caught up (found by the chaos PostgreSQL scenario). Waiting
 * here has no timeout: the device's PUBACK is only late. A full queue fails fast instead.
 */
export class WriteGate {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly concurrency: number, private readonly maxWaiting: number) {}

  get queued(): number { return this.waiting.length; }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) {
      if (this.waiting.length >= this.maxWaiting) throw new IngestBackloggedError(this.waiting.length);
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next(); // the slot passes straight to the next in line
      else this.running--;
    }
  }
}
