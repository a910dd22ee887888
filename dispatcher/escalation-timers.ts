import type { Queue } from 'bullmq';
import { escalationJobId, type EscalationJob } from '../domain/queues.js';
import type { JobDelays } from './job-delays.js';
import { TickBatcher } from './tick-batcher.js';
import type { PlannedTimer } from './timer-plan.js';

/**
 * Arms BullMQ delayed jobs with fixed ids (DESIGN §4): adding a job whose id exists is a no-op,
 * so the route worker, the escalation worker, the watcher and the reconciler may all arm the
 * same timer. Completed jobs are kept for a day so a re-arm after firing stays a no-op (and a
 * fired timer is visible); failed ones are removed at once so the reconciler can re-arm them.
 * The delay is computed from the due instant, not from now, and a past due fires at once.
 */
export const TIMER_JOB_OPTIONS = {
  removeOnComplete: { age: 24 * 3600, count: 100_000 },
  removeOnFail: true,
  attempts: 5,
  backoff: { type: 'exponential', delay: 1000 },
} as const;

export class EscalationTimers {
  // The timers armed in one event-loop turn go to Redis as one addBulk.
  private readonly bulk = new TickBatcher<readonly PlannedTimer[], void>(async (lists) => {
    await this.add(lists.flat());
    return lists.map(() => undefined);
  });

  constructor(private readonly queue: Queue<EscalationJob>, private readonly delays: JobDelays) {}

  async arm(timers: readonly PlannedTimer[]): Promise<void> {
    if (timers.length === 0) return;
    await this.bulk.call(timers);
  }

  private async add(timers: readonly PlannedTimer[]): Promise<void> {
    await this.delays.add(this.queue, timers.map((t) => ({
      name: t.job.type, data: t.job, jobId: escalationJobId(t.job), dueAt: t.dueAt, opts: TIMER_JOB_OPTIONS,
    })));
  }
}
