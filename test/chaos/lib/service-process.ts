import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../../store/ports.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const ADMIN_PASSWORD = 'chaos-admin-Passw0rd!';

export type Role = 'all' | 'gateway' | 'dispatcher' | 'api';

/**
 * The real service as `npm start` runs it (`node bin/guardian.mjs start`), one process per
 * ROLE, against the scenario's PostgreSQL and Redis. Ports are chosen once, so a restart after
 * a SIGKILL comes back on the same MQTT and HTTP URLs the devices and the test know.
 */
export class ServiceProcess {
  private child: ChildProcess | undefined;
  private stderr = '';
  httpPort = 0;
  mqttPort = 0;
  starts = 0;

  constructor(private readonly opts: { name: string; role: Role; dir: string; databaseUrl: string; redisUrl: string; env?: Record<string, string> }) {}

  get pid(): number | undefined { return this.child?.pid; }
  get mqttUrl(): string { return `mqtt://127.0.0.1:${this.mqttPort}`; }
  get httpUrl(): string { return `http://127.0.0.1:${this.httpPort}`; }
  get alive(): boolean { return !!this.child && this.child.exitCode === null && this.child.signalCode === null; }
  get errors(): string { return this.stderr; }

  /** Resolves on the banner; after a crash, with every device reconnecting, that can take a while on 2 cores. */
  async start(timeoutMs = 150_000): Promise<void> {
    if (!this.httpPort) this.httpPort = await freePort();
    if (!this.mqttPort) this.mqttPort = await freePort();
    const dataDir = join(this.opts.dir, `svc-${this.opts.name}`);
    await mkdir(dataDir, { recursive: true });
    const child = spawn(process.execPath, ['bin/guardian.mjs', 'start'], {
      cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        DATABASE_URL: this.opts.databaseUrl, REDIS_URL: this.opts.redisUrl, ROLE: this.opts.role, DATA_DIR: dataDir,
        HOST: '127.0.0.1', HTTP_PORT: String(this.httpPort), MQTT_PORT: String(this.mqttPort), LOG_LEVEL: 'warn',
        GUARDIAN_ADMIN_PASSWORD: ADMIN_PASSWORD, INSTANCE_ID: this.opts.name,
        ...this.opts.env,
      },
    });
    this.child = child;
    this.starts++;
    child.stderr!.on('data', (c: Buffer) => { this.stderr = (this.stderr + c.toString()).slice(-20_000); });
    let out = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.opts.name} did not start within ${timeoutMs} ms: ${this.stderr.slice(-2000)}`)), timeoutMs);
      const onData = (c: Buffer) => {
        out += c.toString();
        // The banner (bin/commands/start.ts) is written in one piece once every part is up.
        if (/365 Cloud Guardian \(365云守护\) is running[^\n]*\n[\s\S]*\n\n/.test(out)) { clearTimeout(timer); child.stdout!.off('data', onData); child.stdout!.resume(); resolve(); }
      };
      child.stdout!.on('data', onData);
      child.once('exit', (code, signal) => { clearTimeout(timer); reject(new Error(`${this.opts.name} exited (${code ?? signal}) during start: ${this.stderr.slice(-2000)}`)); });
    });
  }

  /** A crash: no shutdown, nothing flushed. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || !this.alive) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill(signal);
    await exited;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || !this.alive) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  }

  /** GET /readyz: the HTTP status, or 0 when nothing answered within timeoutMs. */
  async readyz(timeoutMs = 3000): Promise<number> {
    try {
      const res = await fetch(`${this.httpUrl}/readyz`, { signal: AbortSignal.timeout(timeoutMs) });
      await res.arrayBuffer();
      return res.status;
    } catch {
      return 0;
    }
  }

  /** Resident set size of the process in bytes (Linux /proc). */
  async rss(): Promise<number> {
    const { readFile } = await import('node:fs/promises');
    const status = await readFile(`/proc/${this.pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return kb * 1024;
  }
}
