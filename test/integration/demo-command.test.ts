import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { runningPostmaster } from '../../store/embedded-postgres.js';
import { waitFor } from '../helpers/db.js';

/**
 * `npm run demo` as a new user runs it: a fresh DATA_DIR, embedded defaults, the seeded
 * community and simulated homes whose signals show through the API within a minute.
 */
let dataDir: string | undefined;
let child: ChildProcess | undefined;

afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  if (dataDir) {
    const pm = runningPostmaster(join(dataDir, 'pg'));
    if (pm) process.kill(pm, 'SIGINT');
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('demo: seeded community, simulated homes visible through the API, logins printed, clean stop', async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'guardian-demo-'));
  // Simulated seniors sleep at night: start their day at 07:30 so the test never depends on the hour.
  let out = '';
  let err = '';
  child = spawn(process.execPath, ['bin/guardian.mjs', 'demo', '--households', '24', '--speed', '30', '--start', '07:30'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATA_DIR: dataDir, MQTT_PORT: '0', HTTP_PORT: '0', HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (c: Buffer) => { out += c.toString(); });
  child.stderr!.on('data', (c: Buffer) => { err += c.toString(); });
  const exited = new Promise<number | null>((r) => child!.once('exit', (code) => r(code)));

  const url = await waitFor(() => /Console \+ API\s+(http:\/\/\S+?)\/\s/.exec(out)?.[1], { timeoutMs: 60_000, what: `demo banner (stderr: ${err.slice(-400)})` });
  const password = await waitFor(() => /^\s+operator\s+(\S+)\s+operator/m.exec(out)?.[1], { what: 'operator login in the banner' });
  const login = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'operator', password }) });
  expect(login.status).toBe(200);
  const { token } = await login.json() as { token: string };
  const households = await waitFor(async () => {
    const r = await fetch(`${url}/api/v1/households?limit=100`, { headers: { authorization: `Bearer ${token}` } });
    const body = await r.json() as { total: number; items: Array<{ lastActivityAt: string | null; devicesOnline: number }> };
    return body.items.filter((h) => h.lastActivityAt !== null && h.devicesOnline > 0).length >= 12 ? body : undefined;
  }, { timeoutMs: 60_000, intervalMs: 500, what: 'simulated activity in at least half the homes' });
  expect(households.total).toBe(24);

  child.kill('SIGTERM');
  expect(await exited).toBe(0);
  expect(runningPostmaster(join(dataDir, 'pg'))).toBeNull();
}, 150_000);
