import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { QUEUES, type LadderJob } from '../domain/queues.js';
import { TOP_LEVEL } from '../domain/routing.js';
import { findAlert } from '../store/alert-transitions-repository.js';
import { loadRoutingContext } from '../store/routing-context-repository.js';
import type { DispatchContext } from './dispatch-context.js';
import type { Recipient } from './notifiers/notifier.js';
import { pageText, titleOf } from './notification-text.js';
import { alertRef } from './tier-pager.js';
import { workerOptions, type WorkerTuning } from './worker-options.js';

/**
 * Runs the ladder's later steps (issue 16). Re-reads the alert first: once anybody accepted it
 * (or it closed), a step does nothing — an accepted alert never rings a phone. Sends on the
 * step's channel group only, under the page's round, so a repeated job sends nothing twice.
 */
export async function runLadderStep(ctx: DispatchContext, job: LadderJob): Promise<'noop' | 'done'> {
  const alert = await findAlert(ctx.pool, job.alertId);
  if (!alert || (alert.state !== 'open' && alert.state !== 'notified')) return 'noop';
  const context = await loadRoutingContext(ctx.pool, alert.householdId);
  if (!context) return 'noop';
  const h = context.household;
  const household = { unit: h.unit, address: h.address, buildingName: h.buildingName, communityId: h.communityId };
  const ref = alertRef(alert);
  const recipient = job.recipient as Recipient;
  await ctx.sender.deliver({
    alert: ref, household, round: job.round, purpose: 'page', tier: job.tier, recipients: [recipient],
    title: titleOf(ref), text: pageText(ref, household, job.tier ?? 0, TOP_LEVEL),
  }, { groups: [job.group] });
  return 'done';
}

export class LadderWorker {
  private worker: Worker<LadderJob> | null = null;

  constructor(private readonly deps: { ctx: DispatchContext; connection: Redis; prefix?: string; concurrency?: number; tuning?: WorkerTuning; onStep?: (job: LadderJob, outcome: string) => void }) {}

  start(): void {
    const { ctx } = this.deps;
    this.worker = new Worker<LadderJob>(QUEUES.ladder, async (job: Job<LadderJob>) => {
      const outcome = await runLadderStep(ctx, job.data);
      this.deps.onStep?.(job.data, outcome);
      return outcome;
    }, workerOptions(this.deps.connection, this.deps.prefix, this.deps.concurrency ?? 16, this.deps.tuning));
    this.worker.on('failed', (job, err) => ctx.log.warn(`ladder step ${job?.id ?? '?'} failed (attempt ${job?.attemptsMade ?? '?'})`, err));
    this.worker.on('error', (err) => ctx.log.warn('ladder worker: Redis error', err));
    void this.worker.run().catch((err) => ctx.log.error('ladder worker stopped', err));
  }

  async stop(): Promise<void> {
    await this.worker?.close().catch(() => {});
    this.worker = null;
  }
}
