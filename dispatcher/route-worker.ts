import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { QUEUES, type RouteJob } from '../domain/queues.js';
import { routeAlert } from './alert-router.js';
import type { DispatchContext } from './dispatch-context.js';
import { workerOptions, type WorkerTuning } from './worker-options.js';

/**
 * Consumes QUEUES.route, enqueued by the gateway after the alert's commit (jobId = alertId,
 * DESIGN §8). A failure (database down) throws so BullMQ retries per the job's options; if the
 * job is lost or fails for good, the reconciler routes the alert from the outbox.
 */
export class RouteWorker {
  private worker: Worker<RouteJob> | null = null;

  constructor(private readonly deps: { ctx: DispatchContext; connection: Redis; prefix?: string; concurrency?: number; tuning?: WorkerTuning }) {}

  start(): void {
    const { ctx } = this.deps;
    this.worker = new Worker<RouteJob>(QUEUES.route, async (job: Job<RouteJob>) => {
      const outcome = await routeAlert(ctx, job.data.alertId, 'queue');
      // Another dispatcher's reconciler is routing it right now; its outcome is ours.
      return outcome;
    }, workerOptions(this.deps.connection, this.deps.prefix, this.deps.concurrency ?? 8, this.deps.tuning));
    this.worker.on('failed', (job, err) => ctx.log.warn(`route job ${job?.id ?? '?'} failed (attempt ${job?.attemptsMade ?? '?'})`, err));
    this.worker.on('error', (err) => ctx.log.warn('route worker: Redis error', err));
    void this.worker.run().catch((err) => ctx.log.error('route worker stopped', err));
  }

  async stop(): Promise<void> {
    await this.worker?.close().catch(() => {});
    this.worker = null;
  }
}
