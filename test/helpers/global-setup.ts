import { mkdtemp, rm, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../store/embedded-postgres.js';
import { startPrivateRedis } from '../../store/redis-server.js';

/**
 * Starts one private PostgreSQL and one private redis-server on ephemeral ports for the
 * whole run (never the machine's standing services), unless TEST_DATABASE_URL /
 * TEST_REDIS_URL are set. Each test file then creates its own database (see db.ts).
 */
declare module 'vitest' {
  export interface ProvidedContext { pgAdminUrl: string; redisUrl: string }
}

export default async function setup(project: TestProject) {
  const dir = await mkdtemp(join(tmpdir(), 'guardian-test-'));
  await chmod(dir, 0o755);
  const stops: Array<() => Promise<void>> = [];
  let pgUrl = process.env.TEST_DATABASE_URL;
  if (!pgUrl) {
    const pg = await startEmbeddedPostgres(dir);
    stops.push(() => pg.stop());
    pgUrl = pg.url;
  }
  let redisUrl = process.env.TEST_REDIS_URL;
  if (!redisUrl) {
    const redis = await startPrivateRedis(dir, { persist: false });
    stops.push(() => redis.stop());
    redisUrl = redis.url;
  }
  project.provide('pgAdminUrl', pgUrl);
  project.provide('redisUrl', redisUrl);
  return async () => {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    await rm(dir, { recursive: true, force: true }).catch(() => {});
  };
}
