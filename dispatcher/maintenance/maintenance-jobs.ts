import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type pg from 'pg';
import { wallClock, type Clock } from '../../domain/clock.js';
import { QUEUES } from '../../domain/queues.js';
import type { RetentionDays } from '../../domain/retention-policy.js';
import { redisNamesFor } from '../../store/redis-namespace.js';
import { saveRetentionRun } from '../../store/retention-repository.js';
import type { DispatcherLog } from '../dispatcher-log.js';
import { BullmqDelays, ClockDelays, type JobDelays } from '../job-delays.js';
import { retentionDeleted, retentionPassSeconds } from './maintenance-metrics.js';
import { runRetentionPass, type RetentionPassOptions, type RetentionPassResult } from './retention-pass.js';

export interface MaintenanceDeps {
  pool: pg.Pool;
  redisUrl: string;
  days: RetentionDays;
  log: DispatcherLog;
  clock?: Clock;
  /** How the schedule waits: a BullMQ job scheduler (default) or the clock (`simulate day`), as the sweeps. */
  delays?: 'bullmq' | 'clock';
  queuePrefix?: string;
  /** How often a retention pass runs (default 5 min). */
  everyMs?: number;
  /** Batch size, pacing and budget of a pass (tests shrink them). */
  pass?: Pick<RetentionPassOptions, 'batchSize' | 'restRatio' | 'budgetMs'>;
  onPass?: (result: RetentionPassResult) => void;
}

const DEFAULT_EVERY_MS = 5 * 60_000;
const SCHEDULER_ID = 'maintenance-retention';
const KEEP = { removeOnComplete: { count: 20 }, removeOnFail: { count: 50 } };

/**
 * Housekeeping of the dispatcher role (issue 21): a BullMQ job scheduler on QUEUES.maintenance
 * (through the JobDelays port, dispatcher/job-delays.ts) makes one retention job every
 * `everyMs` however many dispatchers upsert it, and one of them runs it. The pass's budget stays under the interval so passes do not overlap.
 */
export class Maintenance {
  private queueRedis: Redis | undefined;
  private workerRedis: Redis | undefined;
  private queue: Queue | undefined;
  private worker: Worker | undefined;
  private readonly stopping = new AbortController();
  private readonly delays: JobDelays;

  constructor(private readonly deps: MaintenanceDeps) {
    const clock = deps.clock ?? wallClock;
    this.delays = deps.delays === 'clock'
      ? new ClockDelays(clock, (err) => deps.log.warn('retention pass could not be queued; the next one runs', err))
      : new BullmqDelays(clock);
  }

  async start(): Promise<void> {
    const prefix = { prefix: redisNamesFor(this.deps.queuePrefix).queuePrefix };
    this.queueRedis = new Redis(this.deps.redisUrl, { maxRetriesPerRequest: null });
    this.workerRedis = new Redis(this.deps.redisUrl, { maxRetriesPerRequest: null });
    for (const r of [this.queueRedis, this.workerRedis]) r.on('error', () => {}); // they reconnect
    this.queue = new Queue(QUEUES.maintenance, { connection: this.queueRedis, ...prefix });
    this.queue.on('error', (err) => this.deps.log.warn('maintenance queue', err));
    const every = this.deps.everyMs ?? DEFAULT_EVERY_MS;
    await this.delays.every(this.queue, SCHEDULER_ID, every, { name: 'retention', data: {}, opts: KEEP });
    this.worker = new Worker(QUEUES.maintenance, () => this.runOnce().then(() => undefined), {
      connection: this.workerRedis, concurrency: 1, ...prefix,
    });
    this.worker.on('error', (err) => this.deps.log.warn('maintenance worker', err));
    this.worker.on('failed', (job, err) => this.deps.log.warn(`maintenance ${job?.name ?? '?'} failed; the next pass retries`, err));
  }

  /** One retention pass now (the scheduled job; tests). */
  async runOnce(): Promise<RetentionPassResult> {
    const budgetMs = Math.min(this.deps.pass?.budgetMs ?? 4 * 60_000, 0.8 * (this.deps.everyMs ?? DEFAULT_EVERY_MS));
    const end = retentionPassSeconds.startTimer();
    const result = await runRetentionPass({
      pool: this.deps.pool, clock: this.deps.clock ?? wallClock, days: this.deps.days, ...this.deps.pass, budgetMs,
      signal: this.stopping.signal,
      onBatch: (table, n) => { if (n > 0) retentionDeleted.inc({ table }, n); },
    });
    end();
    const deleted = result.tables.filter((t) => t.deleted > 0).map((t) => `${t.table} ${t.deleted}`);
    if (deleted.length > 0) this.deps.log.info(`retention: deleted ${deleted.join(', ')} in ${result.ms} ms`);
    // The last pass, for the admin page (GET /api/v1/admin/storage).
    await saveRetentionRun(this.deps.pool, result).catch((err) => this.deps.log.warn('retention: last run not recorded', err));
    this.deps.onPass?.(result);
    return result;
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    this.delays.close();
    await this.worker?.close().catch(() => {});
    await this.queue?.close().catch(() => {});
    for (const r of [this.queueRedis, this.workerRedis]) r?.disconnect();
    this.worker = undefined;
    this.queue = undefined;
    this.queueRedis = this.workerRedis = undefined;
  }
}
