import { mkdtemp, rm, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../store/embedded-postgres.js';
import { startPrivateRedis } from '../../store/redis-server.js';
import { startTimescaleServers, timescaleBuild } from './timescale.js';

/**
 * Starts one private PostgreSQL and one private redis-server on ephemeral ports for the
 * whole run (never the machine's standing services), unless TEST_DATABASE_URL /
 * TEST_REDIS_URL are set. Each test file then creates its own database (see db.ts).
 *
 * For the integration project it also provides TimescaleDB servers (test/helpers/timescale.ts):
 * TIMESCALE_TEST_URL (preloaded) and TIMESCALE_NOPRELOAD_TEST_URL (installed, not preloaded),
 * started from the build of .ci/timescaledb.sh when it is present, or taken from the
 * environment; `timescaleSkipReason` says why there are none.
 */
declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    redisUrl: string;
    timescaleTestUrl: string;
    timescaleNoPreloadTestUrl: string;
    timescaleSkipReason: string;
  }
}

export default async function setup(project: TestProject) {
  const dir = await mkdtemp(join(tmpdir(), 'guardian-test-'));
  await chmod(dir, 0o755);
  const stops: Array<() => Promise<void>> = [];
  // TimescaleDB clusters start alongside the embedded PostgreSQL (an initdb each way).
  const timescale = project.name === 'integration' ? provideTimescale(dir, stops) : Promise.resolve({ url: '', noPreloadUrl: '', skip: 'not started for this project' });
  const teardown = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    await rm(dir, { recursive: true, force: true }).catch(() => {});
  };
  let pgUrl = process.env.TEST_DATABASE_URL;
  let redisUrl = process.env.TEST_REDIS_URL;
  let ts: Awaited<typeof timescale>;
  try {
    if (!pgUrl) {
      const pg = await startEmbeddedPostgres(dir);
      stops.push(() => pg.stop());
      pgUrl = pg.url;
    }
    if (!redisUrl) {
      const redis = await startPrivateRedis(dir, { persist: false });
      stops.push(() => redis.stop());
      redisUrl = redis.url;
    }
    ts = await timescale;
  } catch (err) {
    // Nothing started here outlives a failed setup.
    await timescale.catch(() => {});
    await teardown();
    throw err;
  }
  project.provide('pgAdminUrl', pgUrl);
  project.provide('redisUrl', redisUrl);
  project.provide('timescaleTestUrl', ts.url);
  project.provide('timescaleNoPreloadTestUrl', ts.noPreloadUrl);
  project.provide('timescaleSkipReason', ts.skip);
  return teardown;
}

async function provideTimescale(dir: string, stops: Array<() => Promise<void>>): Promise<{ url: string; noPreloadUrl: string; skip: string }> {
  const given = process.env.TIMESCALE_TEST_URL;
  if (given) {
    const noPreloadUrl = process.env.TIMESCALE_NOPRELOAD_TEST_URL ?? '';
    return { url: given, noPreloadUrl, skip: noPreloadUrl ? '' : 'TIMESCALE_NOPRELOAD_TEST_URL is not set' };
  }
  const build = timescaleBuild();
  if ('missing' in build) return { url: '', noPreloadUrl: '', skip: build.missing };
  const servers = await startTimescaleServers(build.binDir, join(dir, 'timescaledb'));
  stops.push(() => servers.preloaded.stop(), () => servers.notPreloaded.stop());
  return { url: servers.preloaded.url(), noPreloadUrl: servers.notPreloaded.url(), skip: '' };
}
