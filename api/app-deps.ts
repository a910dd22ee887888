import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type pg from 'pg';
import type { Config } from '../domain/config.js';

/**
 * Everything the API needs from the process that composes it (bin/). The API never imports the
 * gateway or the dispatcher (DESIGN §8): they meet here as plain functions.
 */
export interface ApiDeps {
  pool: pg.Pool;
  config: Config;
  /** Extra readiness checks, e.g. `{ redis, broker }`; the database is checked by the app itself. */
  readiness?: Record<string, () => Promise<boolean> | boolean>;
  /** Takes an upgraded `/mqtt` WebSocket as a byte stream (the gateway's `handleStream`). */
  mqttOverWebSocket?: (stream: Duplex, req: IncomingMessage) => void;
  /** Fastify logger option; default false. Bodies, cookies and tokens are never logged either way. */
  logger?: boolean | object;
  /** Lets bin/ cut a revoked device's live MQTT session. */
  onDeviceRevoked?: (deviceId: string) => void;
  /** Login throttling per client IP + username; tests lower it. Default 10 per minute. */
  loginRateLimit?: { max: number; timeWindowMs: number };
  /**
   * When set, `/metrics` wants `Authorization: Bearer <metricsToken>`. Unset: `/metrics` is open,
   * as Prometheus targets usually are (it carries counts, never personal data).
   */
  metricsToken?: string;
  /** Trust X-Forwarded-* from a reverse proxy (TLS offload), so cookies get `Secure` behind it. */
  trustProxy?: boolean;
}
