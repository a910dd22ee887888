import type { Redis } from 'ioredis';
import type { LiveEvent } from '../domain/live-events.js';
import { DOWNLINK_CHANNEL, LIVE_CHANNEL, type DownlinkMessage } from '../domain/queues.js';

/**
 * The fast half of the live feed: after the transaction that appended the events commits, they
 * are published on LIVE_CHANNEL for every API instance. Losing a publish (Redis down) loses
 * nothing: API instances fill gaps from the live_events table.
 */
export function publishLive(redis: Redis | undefined, events: LiveEvent[]): void {
  if (!redis || events.length === 0) return;
  redis.publish(LIVE_CHANNEL, JSON.stringify(events)).catch(() => {});
}

/** Sends a command to devices through whichever gateway holds their connections. */
export function publishDownlink(redis: Redis | undefined, message: DownlinkMessage): void {
  if (!redis || message.deviceIds.length === 0) return;
  redis.publish(DOWNLINK_CHANNEL, JSON.stringify(message)).catch(() => {});
}
