import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { Clock } from '../domain/clock.js';
import type { Config } from '../domain/config.js';

/** Tuning of the live feed (GET /api/v1/live); the defaults suit production, tests shorten them. */
export interface LiveFeedOptions {
  /** How often the hub reads live_events for anything Redis did not bring (default 1000 ms). */
  pollMs?: number;
  /** How long a missing seq (not yet committed, or rolled back) holds later ones (default 1000 ms). */
  gapWaitMs?: number;
  /** WebSocket ping interval; a socket that missed the previous pong is cut (default 25 000 ms). */
  heartbeatMs?: number;
  /** Bytes queued on a socket before it counts as a slow consumer and is closed (default 1 MiB). */
  maxBufferedBytes?: number;
  /** Recently closed alerts included in the snapshot (default 1 h). */
  recentlyClosedMs?: number;
  /** How often an open socket's session is re-read: a sign-out or a narrowed scope applies within this (default 30 s). */
  rescopeMs?: number;
}

/**
 * Everything the API needs from the process that composes it (bin/). The API never imports the
 * gateway or the dispatcher (DESIGN §8): they meet here as plain functions.
 */
export interface ApiDeps {
  pool: pg.Pool;
  config: Config;
  /** Every "now" of the API (DESIGN §11); default the wall clock. */
  clock?: Clock;
  /**
   * ioredis client the API publishes on (live events on LIVE_CHANNEL, alert_ack downlinks on
   * DOWNLINK_CHANNEL), after each transaction commits. Optional: without it nothing is
   * published and the live feed still works from the live_events table (one poll per second).
   * The publisher may fail fast (`enableOfflineQueue: false`): a lost publish loses nothing.
   */
  redis?: Redis;
  /**
   * Makes the live feed's subscriber connection (one per API instance, subscribe mode). Default:
   * `redis.duplicate(…)` with an offline queue, so subscribing waits for the connection.
   */
  createLiveSubscriber?: () => Redis;
  live?: LiveFeedOptions;
  /** Extra readiness checks, e.g. `{ redis, broker }`; the database is checked by the app itself. */
  readiness?: Record<string, () => Promise<boolean> | boolean>;
  /** Takes an upgraded `/mqtt` WebSocket as a byte stream (the gateway's `handleStream`). */
  mqttOverWebSocket?: (stream: Duplex, req: IncomingMessage) => void;
  /** Fastify logger option; default false. Bodies, cookies and tokens are never logged either way. */
  logger?: boolean | object;
  /** Lets bin/ cut a revoked device's live MQTT session. */
  onDeviceRevoked?: (deviceId: string) => void;
  /**
   * Sign-in throttling (LoginThrottle): `max` failed attempts per client IP + username per window,
   * `5 × max` failures per IP across usernames, `20 × max` attempts of any outcome per IP.
   * Default 10 per minute; tests change it.
   */
  loginRateLimit?: { max: number; timeWindowMs: number };
  /**
   * When set, `/metrics` wants `Authorization: Bearer <metricsToken>`. Unset: `/metrics` is open,
   * as Prometheus targets usually are (it carries counts, never personal data).
   */
  metricsToken?: string;
  /** Trust X-Forwarded-* from a reverse proxy (TLS offload), so cookies get `Secure` behind it. */
  trustProxy?: boolean | string[];
}
