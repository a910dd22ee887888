import type { Queue } from 'bullmq';
import { ladderJobId, type LadderJob } from '../domain/queues.js';
import { TIMER_JOB_OPTIONS } from './escalation-timers.js';
import type { JobDelays } from './job-delays.js';
import { TickBatcher } from './tick-batcher.js';

type ArmedStep = { job: LadderJob; dueAt: Date };

/**
 * The ladder's later steps as BullMQ delayed jobs with fixed ids (issue 16), like the escalation
 * timers: arming the same step twice (a retried page, a second dispatcher) is a no-op, and the
 * handler re-reads the alert before it sends.
 */
export class LadderTimers {
  // Like EscalationTimers: the steps armed in one event-loop turn go to Redis as one addBulk. A
  // page storm (an escalation burst pages a tier per alert) otherwise sent one addBulk per person
  // paged, beside the escalation timers' own batched one.
  private readonly bulk = new TickBatcher<ReadonlyArray<ArmedStep>, void>(async (lists) => {
    await this.add(lists.flat());
    return lists.map(() => undefined);
  });

  constructor(private readonly queue: Queue<LadderJob>, private readonly delays: JobDelays) {}

  async arm(jobs: ReadonlyArray<ArmedStep>): Promise<void> {
    if (jobs.length === 0) return;
    await this.bulk.call(jobs);
  }

  private async add(jobs: ReadonlyArray<ArmedStep>): Promise<void> {
    await this.delays.add(this.queue, jobs.map(({ job, dueAt }) => ({
      name: job.group, data: job, jobId: ladderJobId(job), dueAt, opts: TIMER_JOB_OPTIONS,
    })));
  }
}
