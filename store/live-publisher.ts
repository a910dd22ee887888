import type { Redis } from 'ioredis';
import type { LiveEvent } from '../domain/live-events.js';
import type { DeviceRevokedMessage, DownlinkMessage } from '../domain/queues.js';
import { redisNamesInUse } from './redis-namespace.js';

/**
 * The fast half of the live feed: after the transaction that appended the events commits, they
 * are published on the live channel (store/redis-namespace.ts) for every API instance. Losing a
 * publish (Redis down) loses nothing: API instances fill gaps from the live_events table.
 */
export function publishLive(redis: Redis | undefined, events: LiveEvent[], channel = redisNamesInUse().live): void {
  if (!redis || events.length === 0) return;
  redis.publish(channel, JSON.stringify(events)).catch(() => {});
}

/**
 * publishLive for many writers in one process: the events published while one event-loop turn
 * runs go out as one PUBLISH, in seq order (on 2 shared cores each Redis write costs a syscall
 * and a wake-up). `flush()` sends what is queued now (before closing the connection).
 */
export class TurnLivePublisher {
  private queued: LiveEvent[] = [];

  constructor(private readonly redis: Redis | undefined, private readonly channel = redisNamesInUse().live) {}

  publish(events: readonly LiveEvent[]): void {
    if (events.length === 0) return;
    if (this.queued.length === 0) setImmediate(() => this.flush());
    this.queued.push(...events);
  }

  flush(): void {
    const all = this.queued.sort((a, b) => a.seq - b.seq);
    this.queued = [];
    publishLive(this.redis, all, this.channel);
  }
}

/** Sends a command to devices through whichever gateway holds their connections. */
export async function publishDownlink(redis: Redis | undefined, message: DownlinkMessage, channel = redisNamesInUse().downlink): Promise<'sent' | 'failed' | 'no_redis'> {
  if (!redis) return 'no_redis';
  if (message.deviceIds.length === 0) return 'sent';
  return redis.publish(channel, JSON.stringify(message)).then(() => 'sent' as const, () => 'failed' as const);
}

/**
 * Tells every gateway to cut the live sessions of revoked devices (the device-revoked channel).
 * Resolves with the number of gateways that heard it (0 when none listens), and rejects when
 * Redis cannot take the message, so a caller can say whether the cut was delivered.
 */
export async function publishDeviceRevoked(redis: Redis | undefined, message: DeviceRevokedMessage): Promise<number> {
  if (!redis || message.deviceIds.length === 0) return 0;
  return redis.publish(redisNamesInUse().deviceRevoked, JSON.stringify(message));
}
