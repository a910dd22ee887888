import type { Queue } from 'bullmq';
import { ladderJobId, type LadderJob } from '../domain/queues.js';
import { TIMER_JOB_OPTIONS } from './escalation-timers.js';
import type { JobDelays } from './job-delays.js';

/**
 * The ladder's later steps as BullMQ delayed jobs with fixed ids (issue 16), like the escalation
 * timers: arming the same step twice (a retried page, a second dispatcher) is a no-op, and the
 * handler re-reads the alert before it sends.
 */
export class LadderTimers {
  constructor(private readonly queue: Queue<LadderJob>, private readonly delays: JobDelays) {}

  async arm(jobs: ReadonlyArray<{ job: LadderJob; dueAt: Date }>): Promise<void> {
    await this.delays.add(this.queue, jobs.map(({ job, dueAt }) => ({
      name: job.group, data: job, jobId: ladderJobId(job), dueAt, opts: TIMER_JOB_OPTIONS,
    })));
  }
}
