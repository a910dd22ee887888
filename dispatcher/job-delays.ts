import type { JobsOptions, Queue } from 'bullmq';
import type { Clock } from '../domain/clock.js';

/** A job that should run at `dueAt`; its fixed id makes adding it twice a no-op. */
export interface DelayedJob<T> {
  name: string;
  data: T;
  jobId: string;
  dueAt: Date;
  opts?: Omit<JobsOptions, 'jobId' | 'delay'>;
}

/**
 * How a job waits for its instant (DESIGN §11). In production it waits in BullMQ's delayed set
 * (durable in Redis, shared by every dispatcher). In the simulated day it waits on the service
 * clock and enters its queue when the clock reaches its instant: BullMQ reads Date.now() for
 * delays, and a virtual clock that jumps from event to event cannot be read through Date.now()
 * without breaking the real-time timers of the broker and the clients in the same process.
 * Either way the job, its id, its queue and its worker are the same.
 */
export interface JobDelays {
  add<T>(queue: Queue<T>, jobs: ReadonlyArray<DelayedJob<T>>): Promise<void>;
  /** One job every `everyMs` (a sweep), named by `schedulerId`. */
  every<T>(queue: Queue<T>, schedulerId: string, everyMs: number, job: { name: string; data: T; opts?: Omit<JobsOptions, 'jobId' | 'delay' | 'repeat'> }): Promise<void>;
  /** Forgets what this instance armed (its stop()); jobs already in Redis stay. */
  close(): void;
}

/** Production: BullMQ delayed jobs and job schedulers. */
export class BullmqDelays implements JobDelays {
  constructor(private readonly clock: Clock) {}

  async add<T>(queue: Queue<T>, jobs: ReadonlyArray<DelayedJob<T>>): Promise<void> {
    if (jobs.length === 0) return;
    const now = this.clock.nowMs();
    // The delay counts from the due instant, not from now, so a past due runs at once.
    await queue.addBulk(jobs.map((j) => ({
      name: j.name, data: j.data, opts: { ...j.opts, jobId: j.jobId, delay: Math.max(0, j.dueAt.getTime() - now) },
    })) as Parameters<Queue<T>['addBulk']>[0]);
  }

  async every<T>(queue: Queue<T>, schedulerId: string, everyMs: number, job: { name: string; data: T; opts?: Omit<JobsOptions, 'jobId' | 'delay' | 'repeat'> }): Promise<void> {
    // One scheduler per id however many dispatchers upsert it.
    await (queue as Queue).upsertJobScheduler(schedulerId, { every: everyMs }, job);
  }

  close(): void {}
}

/** The simulated day: jobs wait on the (virtual) clock, then enter their queue with no delay. */
export class ClockDelays implements JobDelays {
  private readonly pending = new Map<string, ReturnType<Clock['setTimeout']>>();
  private readonly intervals: Array<ReturnType<Clock['setInterval']>> = [];

  constructor(private readonly clock: Clock, private readonly onError: (err: unknown) => void = () => {}) {}

  async add<T>(queue: Queue<T>, jobs: ReadonlyArray<DelayedJob<T>>): Promise<void> {
    const now = this.clock.nowMs();
    const due: Array<DelayedJob<T>> = [];
    for (const j of jobs) {
      const key = `${queue.name}\u0000${j.jobId}`;
      if (j.dueAt.getTime() <= now) { due.push(j); continue; }
      // Armed already (the reconciler re-arms every pass): one clock timer per job id.
      if (this.pending.has(key)) continue;
      this.pending.set(key, this.clock.setTimeout(() => {
        this.pending.delete(key);
        this.enqueue(queue, [j]).catch(this.onError);
      }, j.dueAt.getTime() - now));
    }
    if (due.length > 0) await this.enqueue(queue, due);
  }

  async every<T>(queue: Queue<T>, schedulerId: string, everyMs: number, job: { name: string; data: T; opts?: Omit<JobsOptions, 'jobId' | 'delay' | 'repeat'> }): Promise<void> {
    this.intervals.push(this.clock.setInterval(() => {
      const at = this.clock.nowMs();
      // Three ':'-parts, as BullMQ 6.7 wants of a custom id (domain/queues.ts).
      this.enqueue(queue, [{ ...job, jobId: `${schedulerId}:tick:${at}`, dueAt: new Date(at) }]).catch(this.onError);
    }, everyMs));
  }

  close(): void {
    for (const t of this.pending.values()) this.clock.clearTimer(t);
    for (const t of this.intervals) this.clock.clearTimer(t);
    this.pending.clear();
    this.intervals.length = 0;
  }

  private async enqueue<T>(queue: Queue<T>, jobs: ReadonlyArray<DelayedJob<T>>): Promise<void> {
    await queue.addBulk(jobs.map((j) => ({ name: j.name, data: j.data, opts: { ...j.opts, jobId: j.jobId } })) as Parameters<Queue<T>['addBulk']>[0]);
  }
}
