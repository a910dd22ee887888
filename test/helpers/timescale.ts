import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { canRunPostgres, copyCluster, initCluster, startCluster, type PrivatePostgres } from './private-postgres.js';

/**
 * The TimescaleDB servers of the test run (issue 22). `.ci/timescaledb.sh` builds TimescaleDB
 * 2.28.3 for PostgreSQL 15 into a cache outside the clone as a private PostgreSQL tree; when that
 * build is here, the harness starts two clusters from it on ephemeral ports: one with
 * `shared_preload_libraries = 'timescaledb'` (TIMESCALE_TEST_URL) and one with TimescaleDB
 * installed but not preloaded (TIMESCALE_NOPRELOAD_TEST_URL). A TIMESCALE_TEST_URL set by the
 * caller is used as it is instead.
 */
export const TIMESCALEDB_VERSION = '2.28.3';
const PG_MAJOR = 15;

/** Where .ci/timescaledb.sh may have put the build: $GUARDIAN_CI_CACHE, /var/cache, ~/.cache. */
function cacheRoots(): string[] {
  return [process.env.GUARDIAN_CI_CACHE, '/var/cache/guardian-ci', join(homedir(), '.cache', 'guardian-ci')].filter((r): r is string => !!r);
}

/** The bin folder of the TimescaleDB build, or why there is none. */
export function timescaleBuild(): { binDir: string } | { missing: string } {
  for (const root of cacheRoots()) {
    const dir = join(root, `timescaledb-${TIMESCALEDB_VERSION}`);
    const binDir = join(dir, `pg/usr/lib/postgresql/${PG_MAJOR}/bin`);
    if (!existsSync(join(dir, 'BUILD_INFO')) || !readFileSync(join(dir, 'BUILD_INFO'), 'utf8').startsWith(`timescaledb ${TIMESCALEDB_VERSION} `)) continue;
    if (!canRunPostgres(binDir)) return { missing: `the TimescaleDB build in ${dir} cannot run here (no postgres binaries, or running as root without a postgres user)` };
    return { binDir };
  }
  return { missing: `no TimescaleDB build in ${cacheRoots().join(' or ')} (run .ci/timescaledb.sh) and TIMESCALE_TEST_URL is not set` };
}

export interface TimescaleServers { preloaded: PrivatePostgres; notPreloaded: PrivatePostgres }

/** Starts both clusters in `dir` (one initdb, copied for the second). */
export async function startTimescaleServers(binDir: string, dir: string): Promise<TimescaleServers> {
  const first = join(dir, 'preloaded', 'pgdata');
  const second = join(dir, 'not-preloaded', 'pgdata');
  await initCluster(binDir, first);
  await copyCluster(first, second);
  const [preloaded, notPreloaded] = await Promise.all([
    startCluster(binDir, first, { shared_preload_libraries: 'timescaledb', 'timescaledb.telemetry_level': 'off', max_connections: '150' }),
    startCluster(binDir, second, { max_connections: '20' }),
  ]);
  return { preloaded, notPreloaded };
}
