import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { LiveEvent } from '../../domain/live-events.js';
import type { DownlinkMessage, RouteJob } from '../../domain/queues.js';
import type { RedisNames } from '../../domain/redis-names.js';
import { publishDownlink, publishLive } from '../../store/live-publisher.js';

/** What the rules hand over after their transaction commits. */
export interface PassiveOutbox {
  /** A new alert committed: enqueue its routing (jobId = alertId) and publish its live events. */
  alertOpened(alertId: string, live: LiveEvent[]): void;
  publish(live: LiveEvent[]): void;
  downlink(message: DownlinkMessage): void;
}

/**
 * Fire-and-forget on a fail-fast Redis connection, like the gateway's AlertFanout: a sweep never
 * waits on Redis after its commit. A lost route job is recovered by the dispatcher's reconciler
 * (routed_at IS NULL is the outbox), a lost live event by the API from live_events (DESIGN §4, §6).
 */
export class RedisPassiveOutbox implements PassiveOutbox {
  constructor(
    private readonly redis: Redis, private readonly routeQueue: Queue<RouteJob>, private readonly log: { warn(message: string, err?: unknown): void },
    private readonly channels: Pick<RedisNames, 'live' | 'downlink'>,
  ) {}

  alertOpened(alertId: string, live: LiveEvent[]): void {
    this.publish(live);
    this.routeQueue.add('route', { alertId }, { jobId: alertId, removeOnComplete: 1000, removeOnFail: 5000 })
      .catch((err) => this.log.warn(`route job for alert ${alertId} not enqueued; the reconciler will route it`, err));
  }

  publish(live: LiveEvent[]): void {
    publishLive(this.redis, live, this.channels.live);
  }

  downlink(message: DownlinkMessage): void {
    void publishDownlink(this.redis, message, this.channels.downlink); // a missed check-in ping is covered by the grace period
  }
}
