import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { QUEUES, type EscalationJob } from '../domain/queues.js';
import type { DispatchContext } from './dispatch-context.js';
import { timerLateness } from './dispatcher-metrics.js';
import { handleEscalationJob } from './escalation-handlers.js';
import { workerOptions, type WorkerTuning } from './worker-options.js';

/** How late a delayed job started: now minus (enqueued at + delay). */
export function jobLatenessMs(job: Pick<Job, 'timestamp' | 'opts'>, now = Date.now()): number {
  return now - (job.timestamp + (job.opts.delay ?? 0));
}

/**
 * Consumes QUEUES.escalation: the per-alert timers of DESIGN §4 (ack timeout per level, SLA warn
 * and breach, arrival reminder). Records each first run's lateness (DESIGN §6 metrics); the
 * handlers re-read the alert, so duplicates and stale jobs are harmless.
 */
export class EscalationWorker {
  private worker: Worker<EscalationJob> | null = null;

  constructor(private readonly deps: {
    ctx: DispatchContext; connection: Redis; prefix?: string; concurrency?: number; tuning?: WorkerTuning;
    /** Test hook: every timer run with its lateness and outcome. */
    onTimer?: (job: EscalationJob, latenessMs: number, outcome: string) => void;
  }) {}

  start(): void {
    const { ctx } = this.deps;
    this.worker = new Worker<EscalationJob>(QUEUES.escalation, async (job: Job<EscalationJob>) => {
      const lateness = jobLatenessMs(job);
      if (job.attemptsMade === 0) timerLateness.observe({ type: job.data.type }, Math.max(0, lateness) / 1000);
      const outcome = await handleEscalationJob(ctx, job.data);
      this.deps.onTimer?.(job.data, lateness, outcome);
      return outcome;
    }, workerOptions(this.deps.connection, this.deps.prefix, this.deps.concurrency ?? 64, this.deps.tuning));
    this.worker.on('failed', (job, err) => ctx.log.warn(`timer ${job?.id ?? '?'} failed (attempt ${job?.attemptsMade ?? '?'})`, err));
    this.worker.on('error', (err) => ctx.log.warn('escalation worker: Redis error', err));
    void this.worker.run().catch((err) => ctx.log.error('escalation worker stopped', err));
  }

  async stop(): Promise<void> {
    await this.worker?.close().catch(() => {});
    this.worker = null;
  }
}
