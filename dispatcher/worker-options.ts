import type { Redis } from 'ioredis';

/** BullMQ worker settings shared by the dispatcher's workers. */
export interface WorkerTuning {
  /**
   * A job whose worker died (SIGKILL) is taken again after its lock expires and the stalled check
   * runs. Our handlers take milliseconds, so a short lock brings a killed dispatcher's in-flight
   * timers back quickly; BullMQ renews the lock at half this period while a handler runs.
   */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
}

export function workerOptions(connection: Redis, prefix: string | undefined, concurrency: number, tuning: WorkerTuning = {}) {
  return {
    connection,
    concurrency,
    lockDuration: tuning.lockDurationMs ?? 15_000,
    stalledInterval: tuning.stalledIntervalMs ?? 10_000,
    autorun: false,
    ...(prefix ? { prefix } : {}),
  };
}
