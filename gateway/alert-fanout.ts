import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUES, type RouteJob } from '../domain/queues.js';
import type { AlertIngestResult } from '../store/alert-ingest-repository.js';
import { TurnLivePublisher } from '../store/live-publisher.js';
import { redisNamesFor } from '../store/redis-namespace.js';

/**
 * After an alert-class event commits: enqueue routing for a new alert (jobId = alertId, so a
 * repeat is a no-op) and publish its live events. Both are fire-and-forget on a fail-fast Redis
 * connection: the PUBACK never waits for Redis, and what a Redis outage drops is recovered from
 * the database — the dispatcher's reconciler routes alerts with routed_at NULL (the outbox), the
 * API fills live-feed gaps from live_events (DESIGN §4, §8).
 */
export class AlertFanout {
  private readonly redis: Redis;
  private readonly routeQueue: Queue<RouteJob>;

  constructor(redisUrl: string, opts: { queuePrefix?: string; log: (m: string, e?: unknown) => void }) {
    this.redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
    this.redis.on('error', () => {}); // reconnects by itself; readiness reports it
    // Queue and live channel in one Redis namespace (domain/redis-names.ts).
    const names = redisNamesFor(opts.queuePrefix);
    this.live = new TurnLivePublisher(this.redis, names.live);
    this.routeQueue = new Queue<RouteJob>(QUEUES.route, { connection: this.redis, prefix: names.queuePrefix });
    this.routeQueue.on('error', () => {});
    this.log = opts.log;
  }

  private readonly log: (m: string, e?: unknown) => void;

  /** Waits briefly for Redis so the first alerts go out fast; without it, the reconciler routes them. */
  async start(): Promise<void> {
    const ready = await this.routeQueue.waitUntilReady().then(() => true, () => false);
    if (!ready) this.log('Redis unreachable: alerts will be routed by the reconciler');
  }

  private readonly live: TurnLivePublisher;
  private opened: string[] = [];
  private scheduled = false;

  /** Collected per event-loop turn: a committed batch of SOS is one PUBLISH and one addBulk. */
  handle(result: AlertIngestResult): void {
    if (result.outcome === 'duplicate' || result.outcome === 'stored') return;
    this.live.publish(result.live);
    if (result.outcome !== 'opened') return;
    this.opened.push(result.alertId);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    const opened = this.opened;
    this.opened = [];
    if (opened.length === 0) return;
    this.routeQueue.addBulk(opened.map((alertId) => ({
      name: 'route', data: { alertId }, opts: { jobId: alertId, removeOnComplete: 1000, removeOnFail: 5000 },
    }))).catch((err) => this.log(`route jobs for ${opened.length} alerts (${opened.slice(0, 3).join(', ')}…) not enqueued; the reconciler will route them`, err));
  }

  async stop(): Promise<void> {
    this.live.flush();
    if (this.scheduled) this.flush();
    await this.routeQueue.close().catch(() => {});
    this.redis.disconnect();
  }
}
