import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { runningPostmaster } from '../../store/embedded-postgres.js';
import { processAlive } from '../../store/process-alive.js';
import { bannerUrl, spawnGuardian, type GuardianProcess } from '../helpers/cli.js';
import { waitFor } from '../helpers/db.js';

/**
 * `npm start` as a new user runs it: a real process with the embedded defaults (PostgreSQL from
 * the npm package, a private redis-server) in a fresh DATA_DIR, on ephemeral ports.
 */
let dataDir: string;
const started: ChildProcess[] = [];

type Proc = GuardianProcess;

function startCli(args: string[], env: Record<string, string>): Proc {
  const p = spawnGuardian(args, { DATA_DIR: dataDir, MQTT_PORT: '0', HTTP_PORT: '0', HOST: '127.0.0.1', ...env });
  started.push(p.child);
  return p;
}

const consoleUrl = bannerUrl;
const redisPid = () => { try { return Number(readFileSync(join(dataDir, 'redis', 'redis.pid'), 'utf8')); } catch { return null; } };
const alive = (pid: number | null) => pid !== null && processAlive(pid);

async function untilReady(p: Proc): Promise<string> {
  const url = (await waitFor(() => consoleUrl(p), { timeoutMs: 30_000, what: `banner (stderr: ${p.err().slice(-500)})` }))!;
  await waitFor(async () => (await fetch(`${url}/readyz`)).status === 200, { timeoutMs: 30_000, what: '/readyz 200' });
  return url;
}

beforeAll(async () => { dataDir = await mkdtemp(join(tmpdir(), 'guardian-start-')); });
afterAll(async () => {
  for (const c of started) if (c.exitCode === null) c.kill('SIGKILL');
  // Whatever a killed run left behind, stop it by its recorded pid (never by name).
  const pm = runningPostmaster(join(dataDir, 'pg'));
  if (pm) process.kill(pm, 'SIGINT');
  const rp = redisPid();
  if (alive(rp)) process.kill(rp!, 'SIGTERM');
  await waitFor(() => !runningPostmaster(join(dataDir, 'pg')), { timeoutMs: 15_000, what: 'postmaster stopped' }).catch(() => {});
  await rm(dataDir, { recursive: true, force: true });
});

test('fresh DATA_DIR: up with /readyz 200, URLs and the one-time admin password printed', async () => {
  const first = startCli(['start'], {});
  const url = await untilReady(first);
  expect(first.out()).toMatch(/MQTT\s+mqtt:\/\/127\.0\.0\.1:\d+/);
  const password = /login\s+admin \/ (\S+)/.exec(first.out())?.[1];
  expect(password).toBeTruthy();
  const login = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
  expect(login.status).toBe(200);
  expect(first.err()).not.toContain(password!);

  // A second service on the same DATA_DIR refuses with one line.
  const second = startCli(['start'], {});
  expect(await second.exit).toBe(1);
  expect(second.err()).toMatch(/already runs on DATA_DIR/);
  expect(second.err().trim().split('\n').at(-1)).toMatch(/^guardian: /);

  // SIGKILL leaves PostgreSQL and redis-server behind; the next start adopts them.
  first.child.kill('SIGKILL');
  await first.exit;
  expect(runningPostmaster(join(dataDir, 'pg'))).not.toBeNull();
  expect(alive(redisPid())).toBe(true);
  const again = startCli(['start'], {});
  await untilReady(again);
  expect(again.out()).not.toMatch(/login\s+admin/); // shown once only

  // SIGTERM: clean shutdown, the embedded PostgreSQL and the private redis-server stop with it.
  const pgPid = runningPostmaster(join(dataDir, 'pg'));
  const rPid = redisPid();
  again.child.kill('SIGTERM');
  expect(await again.exit).toBe(0);
  expect(alive(pgPid)).toBe(false);
  expect(existsSync(join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
  expect(alive(rPid)).toBe(false);
  expect(existsSync(join(dataDir, 'service.json'))).toBe(false);
}, 120_000);

test('a port that is set and taken: one line naming the port and the variable, exit 1', async () => {
  const blocker: Server = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
  const port = (blocker.address() as { port: number }).port;
  try {
    const p = startCli(['start'], { HTTP_PORT: String(port), DATA_DIR: join(dataDir, 'ports') });
    expect(await p.exit).toBe(1);
    const last = p.err().trim().split('\n').at(-1)!;
    expect(last).toContain(`port ${port} (HTTP_PORT) is already in use`);
    expect(p.err()).not.toMatch(/\n\s+at /); // no stack trace
  } finally {
    blocker.close();
  }
}, 60_000);

test('a bad setting: one line naming the variable, exit 1', async () => {
  const p = startCli(['start'], { DAY_SHIFT: '8 to 20' });
  expect(await p.exit).toBe(1);
  expect(p.err().trim()).toMatch(/^guardian: invalid configuration: DAY_SHIFT="8 to 20": HH:MM-HH:MM/);
});
