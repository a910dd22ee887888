import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort } from '../../../store/ports.js';

/**
 * A redis-server of the chaos run's own, on a port that stays the same across restarts (so
 * every client reconnects to it), AOF everysec as in production (DESIGN §9). Unlike
 * store/redis-server.ts it can be SIGKILLed and brought back.
 */
export class RedisProcess {
  private child: ChildProcess | undefined;
  port = 0;

  constructor(private readonly dir: string) {}

  get url(): string { return `redis://127.0.0.1:${this.port}`; }
  get pid(): number | undefined { return this.child?.pid; }

  async start(): Promise<void> {
    if (!this.port) this.port = await freePort();
    const dir = join(this.dir, 'redis');
    await mkdir(dir, { recursive: true });
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', dir,
      '--daemonize', 'no', '--maxmemory-policy', 'noeviction', '--save', '', '--appendonly', 'yes',
      '--appendfsync', 'everysec', '--logfile', join(dir, 'redis.log')], { stdio: 'ignore' });
    this.child = child;
    await waitForPort(this.port, () => child.exitCode !== null);
  }

  /** SIGKILL: no shutdown save, the AOF holds what was fsynced (≤ ~1 s lost). */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

export async function waitForPort(port: number, dead: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (dead()) throw new Error(`the process for port ${port} exited`);
    const ok = await new Promise<boolean>((res) => {
      const s = connect(port, '127.0.0.1', () => { s.end(); res(true); });
      s.on('error', () => res(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listens on port ${port} after ${timeoutMs} ms`);
}
