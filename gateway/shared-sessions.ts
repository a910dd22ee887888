import { createRequire } from 'node:module';
import type { AedesOptions } from 'aedes';
import { Redis } from 'ioredis';
import { SUBSCRIBER_OPTIONS } from '../store/redis-subscriber.js';

// Both packages are CommonJS; aedes-persistence-redis ships no typings.
const require = createRequire(import.meta.url);
const createMqEmitterRedis = require('mqemitter-redis') as (opts: { pubConn: Redis; subConn: Redis }) => NonNullable<AedesOptions['mq']>;
const createRedisPersistence = require('aedes-persistence-redis') as (opts: { conn: Redis }) => NonNullable<AedesOptions['persistence']> & { destroy(): Promise<void> };

/** How long stop() waits for Redis to let go; a dead Redis must not hang a shutdown. */
const CLOSE_WAIT_MS = 2000;

/**
 * Sessions and routing shared by several gateways through Redis (DESIGN §9): mqemitter-redis
 * carries every publish (so a downlink reaches the gateway holding the device, and a CONNECT
 * on one gateway takes over the same client id on another: [MQTT-3.1.4-2]), and
 * aedes-persistence-redis keeps QoS 1 sessions, subscriptions, retained messages and wills,
 * so a device whose gateway died reconnects to another one with `session present`.
 * aedes-persistence-redis 11.2.x is the line aedes 1.2 declares (peerOptional ^11.2.1); 12.x
 * needs aedes-persistence 11 throughout and is not accepted by aedes 1.2's peer range.
 * The ioredis clients are ours so their errors are handled (they reconnect by themselves).
 */
export class SharedSessions {
  readonly mq: NonNullable<AedesOptions['mq']>;
  readonly persistence: NonNullable<AedesOptions['persistence']> & { destroy(): Promise<void> };
  private readonly conns: Redis[];

  constructor(redisUrl: string, onError: (m: string, e?: unknown) => void) {
    let warned = false;
    const conn = (subscriber = false) => {
      const redis = new Redis(redisUrl, subscriber ? SUBSCRIBER_OPTIONS : { maxRetriesPerRequest: null });
      redis.on('error', (err) => { if (!warned) { warned = true; onError('Redis for MQTT sessions unreachable; retrying', err); } });
      redis.on('ready', () => { warned = false; });
      return redis;
    };
    // mqemitter-redis subscribes on its connection at once, before it is up.
    this.conns = [conn(), conn(true), conn()];
    this.mq = createMqEmitterRedis({ pubConn: this.conns[0]!, subConn: this.conns[1]! });
    this.persistence = createRedisPersistence({ conn: this.conns[2]! });
  }

  /** After the broker closed (which closes the mq): release the persistence and the connections. */
  async stop(): Promise<void> {
    await Promise.race([
      this.persistence.destroy().catch(() => {}),
      new Promise((r) => setTimeout(r, CLOSE_WAIT_MS).unref()),
    ]);
    for (const c of this.conns) c.disconnect();
  }
}
