import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { freePort } from './ports.js';
import { alivePidFromFile, processAlive } from './process-alive.js';

/**
 * The embedded default Redis (DESIGN §1): a private redis-server from PATH with AOF on,
 * `DATA_DIR/redis`, loopback only, a free port. Its port lives in `redis.json` so the CLI finds
 * it; a server left by a killed service (pid file alive) is reused.
 */
export class RedisNotInstalledError extends Error {
  constructor() {
    super('redis-server is not on PATH. Install it (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis) or set REDIS_URL=redis://host:6379 to use an existing Redis.');
    this.name = 'RedisNotInstalledError';
  }
}

export interface PrivateRedis { url: string; port: number; startedHere: boolean; stop(): Promise<void> }

export function redisServerAvailable(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}


export async function readPrivateRedisPort(dataDir: string): Promise<number | null> {
  try {
    return (JSON.parse(readFileSync(join(resolve(dataDir), 'redis.json'), 'utf8')) as { port: number }).port;
  } catch {
    return null;
  }
}

export async function startPrivateRedis(dataDir: string, opts: { persist?: boolean } = {}): Promise<PrivateRedis> {
  if (!redisServerAvailable()) throw new RedisNotInstalledError();
  const dir = join(resolve(dataDir), 'redis');
  await mkdir(dir, { recursive: true });
  const pidFile = join(dir, 'redis.pid');
  const existing = alivePidFromFile(pidFile);
  const known = await readPrivateRedisPort(dataDir);
  if (existing && known) {
    return { url: `redis://127.0.0.1:${known}`, port: known, startedHere: false, stop: () => stopPid(existing) };
  }
  const port = await freePort();
  const persist = opts.persist ?? true;
  // BullMQ needs noeviction; AOF everysec bounds loss to ~1 s of timer changes (DESIGN §9).
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--pidfile', pidFile,
    '--daemonize', 'no', '--maxmemory-policy', 'noeviction', '--save', '',
    '--appendonly', persist ? 'yes' : 'no', '--appendfsync', 'everysec', '--logfile', join(dir, 'redis.log')];
  const child: ChildProcess = spawn('redis-server', args, { stdio: 'ignore', detached: true });
  child.unref();
  await waitForPort(port, child);
  await writeFile(join(resolve(dataDir), 'redis.json'), JSON.stringify({ port }), { mode: 0o600 });
  return {
    url: `redis://127.0.0.1:${port}`, port, startedHere: true,
    stop: async () => { if (child.exitCode === null) await stopChild(child); },
  };
}

async function waitForPort(port: number, child: ChildProcess): Promise<void> {
  const { connect } = await import('node:net');
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode} (see its redis.log)`);
    const ok = await new Promise<boolean>((res) => {
      const s = connect(port, '127.0.0.1', () => { s.end(); res(true); });
      s.on('error', () => res(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`redis-server did not listen on port ${port} within 10 s`);
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((res) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); }, 10_000);
    child.once('exit', () => { clearTimeout(timer); res(); });
    child.kill('SIGTERM');
  });
}

async function stopPid(pid: number): Promise<void> {
  try { process.kill(pid, 'SIGTERM'); } catch { return; }
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (!processAlive(pid)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
}

