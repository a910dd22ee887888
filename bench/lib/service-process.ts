import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../store/ports.js';
import type { BrokerTarget } from './broker-target.js';
import { childExecArgv, stopChild } from './child-node.js';
import { track } from './cleanup-registry.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ServiceTarget extends BrokerTarget {
  httpUrl: string;
  adminPassword: string;
  /** The service's stderr so far (warnings), for failure messages. */
  stderr(): string;
}

/**
 * The real service, exactly as `npm start` runs it (bin/guardian.mjs start), in its own process,
 * against the bench's private PostgreSQL and redis-server, on free loopback ports.
 * ROLE=gateway is the MQTT gateway with its full pipeline; ROLE=all adds dispatcher and API.
 */
export async function startService(opts: {
  databaseUrl: string; redisUrl: string; role: 'all' | 'gateway'; dir: string; name?: string; env?: Record<string, string>;
}): Promise<ServiceTarget> {
  const dataDir = await mkdtemp(join(opts.dir, 'service-'));
  const [http, mqtt] = [await freePort(), await freePort()];
  const adminPassword = `bench-${Math.random().toString(36).slice(2)}-A1!`;
  const child = spawn(process.execPath, [...childExecArgv(`service-${opts.role}`), 'bin/guardian.mjs', 'start'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      DATABASE_URL: opts.databaseUrl, REDIS_URL: opts.redisUrl, ROLE: opts.role, DATA_DIR: dataDir,
      HOST: '127.0.0.1', HTTP_PORT: String(http), MQTT_PORT: String(mqtt), LOG_LEVEL: 'warn',
      GUARDIAN_ADMIN_PASSWORD: adminPassword, INSTANCE_ID: opts.name ?? `bench-${opts.role}`,
      ...opts.env,
    },
  });
  const stop = track(() => stopChild(child, 30_000));
  let out = '';
  let err = '';
  child.stderr!.on('data', (c: Buffer) => { err = (err + c.toString()).slice(-20_000); });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the service did not start within 60 s: ${err.slice(-2000)}`)), 60_000);
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      // The banner (bin/commands/start.ts) is written in one piece once every part is up.
      if (/365 Cloud Guardian \(365云守护\) is running[^\n]*\n[\s\S]*\n\n/.test(out)) { clearTimeout(timer); resolve(); }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`the service exited (${code}) during start: ${err.slice(-2000)}`)); });
  }).catch(async (e: unknown) => { await stop(); throw e; });
  child.stdout!.resume();
  return {
    name: opts.role === 'all' ? 'guardian service (all roles)' : 'guardian gateway',
    url: `mqtt://127.0.0.1:${mqtt}`, httpUrl: `http://127.0.0.1:${http}`, pid: child.pid!, adminPassword,
    stderr: () => err,
    stop,
  };
}
