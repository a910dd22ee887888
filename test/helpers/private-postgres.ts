import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, cp, mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from '../../store/ports.js';
import { waitFor } from './wait-for.js';

/**
 * A private PostgreSQL cluster from a given set of binaries (Debian's /usr/lib/postgresql/<major>/bin,
 * or the TimescaleDB build of .ci/timescaledb.sh), in a folder of the caller's on an ephemeral
 * port on 127.0.0.1 — never the machine's standing server. PostgreSQL refuses to run as root,
 * so as root its binaries run as the `postgres` user.
 */
export interface PrivatePostgres {
  port: number;
  dataDir: string;
  url(database?: string): string;
  stop(): Promise<void>;
}

const asRoot = process.getuid?.() === 0;
const run = promisify(execFile);

/** Whether clusters can be run from `binDir` here (binaries present; as root, a postgres user). */
export function canRunPostgres(binDir: string): boolean {
  if (!existsSync(join(binDir, 'postgres')) || !existsSync(join(binDir, 'initdb'))) return false;
  if (!asRoot) return true;
  try { execFileSync('id', ['-u', 'postgres'], { stdio: 'ignore' }); return existsSync('/usr/sbin/runuser'); } catch { return false; }
}

function command(binDir: string, bin: string, args: string[]): [string, string[]] {
  return asRoot ? ['/usr/sbin/runuser', ['-u', 'postgres', '--', join(binDir, bin), ...args]] : [join(binDir, bin), args];
}

async function giveToPostgres(path: string): Promise<void> {
  if (!asRoot) return;
  const id = async (flag: string) => Number((await run('id', [flag, 'postgres'])).stdout.trim());
  const [uid, gid] = [await id('-u'), await id('-g')];
  await run('chown', ['-R', `${uid}:${gid}`, path]);
  await chown(path, uid, gid);
}

/** initdb into `dataDir` (trust authentication on loopback: a throwaway cluster). */
export async function initCluster(binDir: string, dataDir: string): Promise<void> {
  // The folders above it stay readable (a recursive mkdir would make them 0700 too).
  await mkdir(dirname(dataDir), { recursive: true });
  await mkdir(dataDir, { mode: 0o700 });
  await giveToPostgres(dataDir);
  await run(...command(binDir, 'initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync']));
}

/** A copy of an initialised, stopped cluster (cheaper than a second initdb). */
export async function copyCluster(fromDataDir: string, toDataDir: string): Promise<void> {
  await mkdir(dirname(toDataDir), { recursive: true });
  await cp(fromDataDir, toDataDir, { recursive: true });
  await chmod(toDataDir, 0o700);
  await giveToPostgres(toDataDir);
}

/** Starts the cluster in `dataDir` (initialised) with `settings` as `-c name=value`. */
export async function startCluster(binDir: string, dataDir: string, settings: Record<string, string> = {}): Promise<PrivatePostgres> {
  const port = await freePort();
  // The socket goes in the data folder: the one folder sure to be the server user's.
  const args = ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${dataDir}`, '-c', 'fsync=off'];
  for (const [name, value] of Object.entries(settings)) args.push('-c', `${name}=${value}`);
  const log: string[] = [];
  const child: ChildProcess = spawn(...command(binDir, 'postgres', args), { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.on('data', (b: Buffer) => { log.push(b.toString()); if (log.length > 50) log.shift(); });
  const url = (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`;
  // The postmaster by the pid it recorded (under runuser, our child is runuser itself).
  const signal = async (sig: NodeJS.Signals) => {
    const pid = Number((await readFile(join(dataDir, 'postmaster.pid'), 'utf8').catch(() => '')).split('\n')[0]);
    try { if (pid > 0) process.kill(pid, sig); else child.kill(sig); } catch { /* already gone */ }
  };
  const state = await waitFor(async () => {
    if (child.exitCode !== null) return 'exited';
    const c = new pg.Client({ connectionString: url() });
    try { await c.connect(); return 'up'; } finally { await c.end().catch(() => {}); }
  }, { timeoutMs: 60_000, intervalMs: 100, what: `PostgreSQL on ${port}` }).catch(async (err: Error) => {
    await signal('SIGKILL');
    throw err;
  });
  if (state === 'exited') throw new Error(`postgres exited (${child.exitCode}): ${log.join('').trim().split('\n').slice(-3).join(' | ')}`);
  return {
    port, dataDir, url,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((r) => { child.once('exit', () => r()); });
      await signal('SIGINT'); // fast shutdown
      await Promise.race([exited, new Promise<void>((r) => setTimeout(r, 20_000).unref())]);
    },
  };
}

/** Creates a database on a private cluster and returns its URL. */
export async function createDatabase(server: PrivatePostgres, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: server.url() });
  await admin.connect();
  try { await admin.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`); } finally { await admin.end(); }
  return server.url(name);
}
