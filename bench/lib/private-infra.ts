import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { createPool } from '../../store/db.js';
import { startEmbeddedPostgres } from '../../store/embedded-postgres.js';
import { migrate } from '../../store/migrate.js';
import { startPrivateRedis } from '../../store/redis-server.js';
import { track } from './cleanup-registry.js';

export interface PrivateInfra {
  dir: string;
  databaseUrl: string;
  /** A small pool for seeding and verification (the service under test has its own). */
  pool: pg.Pool;
  redisUrl: string | undefined;
  stop(): Promise<void>;
}

/**
 * A private, migrated PostgreSQL (embedded-postgres, ephemeral port, fsync on) and optionally a
 * private redis-server (ephemeral port, AOF everysec, as production) in a temp dir — never the
 * machine's standing 5432/6379. `stop()` stops exactly what this call started.
 */
export async function startPrivateInfra(opts: { redis: boolean; log?: (m: string) => void }): Promise<PrivateInfra> {
  const dir = await mkdtemp(join(tmpdir(), 'guardian-bench-'));
  await chmod(dir, 0o755);
  const stops: Array<() => Promise<void>> = [];
  const stop = track(async () => {
    for (const s of stops.reverse()) await s().catch(() => {});
    stops.length = 0;
    await rm(dir, { recursive: true, force: true }).catch(() => {});
  });
  try {
    const pgServer = await startEmbeddedPostgres(dir);
    stops.push(() => pgServer.stop());
    const pool = createPool(pgServer.url, 10);
    stops.push(() => pool.end());
    await migrate(pool);
    let redisUrl: string | undefined;
    if (opts.redis) {
      const redis = await startPrivateRedis(dir, { persist: true });
      stops.push(() => redis.stop());
      redisUrl = redis.url;
    }
    opts.log?.(`private PostgreSQL${redisUrl ? ' + redis-server' : ''} up`);
    return { dir, databaseUrl: pgServer.url, pool, redisUrl, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
