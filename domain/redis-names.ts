import { CHANNELS_CHANGED_CHANNEL, DEVICE_REVOKED_CHANNEL, DOWNLINK_CHANNEL, LIVE_CHANNEL } from './queues.js';

/**
 * Where one deployment lives in a Redis it may share (issue 21): BullMQ's key prefix and the
 * pub/sub channel names, both from one prefix (REDIS_PREFIX). Without one, BullMQ's default
 * `bull` and the historical channel names (`guardian:live` …), so existing deployments keep
 * theirs (`bull` itself counts as none). With `p`, keys are `p:…` and channels `p:guardian:live` …: two deployments — or two
 * test files — on one Redis never hear each other's live events or take each other's jobs.
 */
export interface RedisNames {
  /** BullMQ `prefix` of every queue and worker. */
  queuePrefix: string;
  live: string;
  downlink: string;
  deviceRevoked: string;
  channelsChanged: string;
}

export const DEFAULT_QUEUE_PREFIX = 'bull';

export function redisNames(prefix?: string): RedisNames {
  const ch = (name: string) => (prefix && prefix !== DEFAULT_QUEUE_PREFIX ? `${prefix}:${name}` : name);
  return {
    queuePrefix: prefix ?? DEFAULT_QUEUE_PREFIX,
    live: ch(LIVE_CHANNEL),
    downlink: ch(DOWNLINK_CHANNEL),
    deviceRevoked: ch(DEVICE_REVOKED_CHANNEL),
    channelsChanged: ch(CHANNELS_CHANGED_CHANNEL),
  };
}
