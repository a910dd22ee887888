import type pg from 'pg';
import { ingestAlertBatch, ingestAlertEvent, type AlertIngestResult } from '../store/alert-ingest-repository.js';
import type { SignalRow } from '../store/signals-repository.js';
import { alertBatchSize } from './gateway-metrics.js';

/** Thrown when too many alert writes wait: no PUBACK, the device retries after reconnecting. */
export class IngestBackloggedError extends Error {
  constructor(waiting: number) {
    super(`${waiting} alert writes already waiting for the database; retry later`);
    this.name = 'IngestBackloggedError';
  }
}

/** How alert-class rows reach the database; the pool's by default, a fake in unit tests. */
export interface AlertStore {
  /** One transaction for rows of distinct households, none a cancel. */
  batch(rows: SignalRow[]): Promise<AlertIngestResult[]>;
  one(row: SignalRow): Promise<AlertIngestResult>;
}

export const poolAlertStore = (pool: pg.Pool): AlertStore => ({
  batch: (rows) => ingestAlertBatch(pool, rows),
  one: (row) => ingestAlertEvent(pool, row),
});

interface Pending { row: SignalRow; resolve: (r: AlertIngestResult) => void; reject: (err: Error) => void }

/**
 * Group commit for alert-class events (DESIGN §2): SOS that arrive while a transaction is in
 * flight are committed together in the next one, and each promise resolves only after its
 * row's commit, so the PUBACK still means "signal and alert are in PostgreSQL". At 1,000 SOS/s
 * one transaction per SOS was bound at ~340/s by round trips and commits; a batch costs the same
 * four statements whatever its size.
 *
 * A household has at most one event in flight (here or in any batch), so its events commit in
 * arrival order, a batch never touches one alert twice, and two batches never wait on each
 * other's rows. At most `maxConcurrent` transactions run at once and the rest wait in FIFO order
 * without a PUBACK; without that bound the retry storm after a database outage queued thousands
 * of pool checkouts that timed out and never caught up (found by the chaos PostgreSQL scenario).
 */
export class AlertWriter {
  private queue: Pending[] = [];
  private readonly busyHouseholds = new Set<string>();
  private inFlight = 0;
  private scheduled = false;

  constructor(
    private readonly store: AlertStore,
    private readonly opts: { batchMax: number; maxConcurrent: number; maxWaiting: number },
  ) {}

  get queued(): number { return this.queue.length; }

  write(row: SignalRow): Promise<AlertIngestResult> {
    if (this.queue.length >= this.opts.maxWaiting) return Promise.reject(new IngestBackloggedError(this.queue.length));
    return new Promise((resolve, reject) => {
      this.queue.push({ row, resolve, reject });
      this.schedule();
    });
  }

  /** Waits until everything queued is written (the broker no longer accepts new events). */
  async stop(): Promise<void> {
    while (this.queue.length > 0 || this.inFlight > 0) {
      this.schedule();
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  private schedule(): void {
    if (this.scheduled || this.queue.length === 0 || this.inFlight >= this.opts.maxConcurrent) return;
    this.scheduled = true;
    // setImmediate lets the rest of the current socket reads join this batch.
    setImmediate(() => { this.scheduled = false; void this.flush(); });
  }

  private async flush(): Promise<void> {
    const batch = this.take();
    if (batch.length === 0) return;
    for (const p of batch) this.busyHouseholds.add(p.row.householdId);
    this.inFlight++;
    this.schedule(); // more households may be waiting for the next slot
    try {
      await this.commit(batch);
    } finally {
      for (const p of batch) this.busyHouseholds.delete(p.row.householdId);
      this.inFlight--;
      this.schedule();
    }
  }

  /** The oldest rows of distinct, idle households; a skipped household's later rows wait too. */
  private take(): Pending[] {
    const batch: Pending[] = [];
    const passed = new Set<string>();
    const rest: Pending[] = [];
    let i = 0;
    for (; i < this.queue.length && batch.length < this.opts.batchMax; i++) {
      const p = this.queue[i]!;
      const household = p.row.householdId;
      if (passed.has(household) || this.busyHouseholds.has(household)) rest.push(p);
      else batch.push(p);
      passed.add(household);
    }
    this.queue = i === this.queue.length ? rest : rest.concat(this.queue.slice(i));
    return batch;
  }

  private async commit(batch: Pending[]): Promise<void> {
    const cancels = batch.filter((p) => p.row.type === 'cancel');
    const opening = batch.filter((p) => p.row.type !== 'cancel');
    if (opening.length > 0) {
      try {
        const results = await this.store.batch(opening.map((p) => p.row));
        alertBatchSize.observe(opening.length);
        opening.forEach((p, i) => p.resolve(results[i]!));
      } catch (err) {
        // A row PostgreSQL refuses must not hold the others back: each alone, so only it fails.
        // When the database itself is gone, retrying one by one would only add failed checkouts.
        if (isRowError(err)) await this.oneByOne(opening);
        else for (const p of opening) p.reject(asError(err));
      }
    }
    await this.oneByOne(cancels);
  }

  private async oneByOne(pending: Pending[]): Promise<void> {
    for (const p of pending) {
      try {
        p.resolve(await this.store.one(p.row));
      } catch (err) {
        p.reject(asError(err));
      }
    }
  }
}

/**
 * A PostgreSQL error about the statement or its data (SQLSTATE present), not a lost connection
 * (class 08), a shutting-down server (57) or exhausted resources (53).
 */
export function isRowError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.length === 5 && !/^(08|53|57)/.test(code);
}

const asError = (err: unknown) => (err instanceof Error ? err : new Error(String(err)));
