import type pg from 'pg';
import { insertSignals, type SignalRow } from '../store/signals-repository.js';
import { batchSize, duplicates, storeErrors } from './gateway-metrics.js';

interface Pending { row: SignalRow; resolve: () => void; reject: (err: Error) => void }

/**
 * Group commit for telemetry: rows that arrive while a write is in flight are written
 * together in the next one (≤ batchMax rows, one multi-row statement). Each caller's promise
 * resolves only after its row is committed, so a PUBACK always means "in PostgreSQL" and the
 * loss window on a crash is zero; under load batches grow instead of latency.
 */
export class TelemetryWriter {
  private queue: Pending[] = [];
  private inFlight = 0;
  private scheduled = false;
  private stopping = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly opts: { batchMax: number; maxConcurrent?: number },
  ) {}

  write(row: SignalRow): Promise<void> {
    if (this.stopping) return Promise.reject(new Error('gateway is shutting down'));
    return new Promise((resolve, reject) => {
      this.queue.push({ row, resolve, reject });
      this.schedule();
    });
  }

  get pending(): number { return this.queue.length; }

  /** Stops taking rows and waits until everything queued is written. */
  async stop(): Promise<void> {
    this.stopping = true;
    while (this.queue.length > 0 || this.inFlight > 0) {
      this.schedule();
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  private schedule(): void {
    if (this.scheduled || this.queue.length === 0) return;
    if (this.inFlight >= (this.opts.maxConcurrent ?? 2)) return; // the finishing write reschedules
    this.scheduled = true;
    // setImmediate lets the rest of the current socket read join this batch.
    setImmediate(() => { this.scheduled = false; void this.flush(); });
  }

  private async flush(): Promise<void> {
    const batch = this.queue.splice(0, this.opts.batchMax);
    if (batch.length === 0) return;
    this.inFlight++;
    try {
      const stored = await insertSignals(this.pool, batch.map((p) => p.row));
      batchSize.observe(batch.length);
      if (stored < batch.length) duplicates.inc(batch.length - stored);
      for (const p of batch) p.resolve();
    } catch (err) {
      storeErrors.inc({ path: 'telemetry' });
      const error = err instanceof Error ? err : new Error(String(err));
      for (const p of batch) p.reject(error);
    } finally {
      this.inFlight--;
      this.schedule();
    }
  }
}
