import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import mqtt from 'mqtt';
import { afterAll, beforeAll, expect, test } from 'vitest';
import WebSocket from 'ws';
import { buildApp } from '../../api/app.js';
import { parseConfig } from '../../domain/config.js';
import { eventTopic } from '../../domain/topics.js';
import { processAlive } from '../../store/process-alive.js';
import { createHouseholdWithPeople } from '../helpers/api.js';
import { createTestDb, waitFor, type TestDb } from '../helpers/db.js';
import { connectDevice, publishQos1 } from '../helpers/gateway.js';

/**
 * No secret or password ever appears in the logs (issue 7, item 7). The real service runs as
 * `npx guardian start` with LOG_LEVEL=trace; every byte it writes (stdout and stderr) is kept
 * while we sign in (right and wrong), provision a device, CONNECT over MQTT with a wrong and a
 * right secret, open the live feed with ?token=, set the webhook and add a device with the CLI.
 * Then the captured output is searched for each secret. An in-process API with Fastify's
 * request logger at trace is searched the same way, for the request paths the service's own
 * log does not show.
 */
let db: TestDb;
let dataDir: string;
let service: ChildProcess | undefined;
let output = '';
const cliOutput: string[] = [];
const secrets = new Map<string, string>();
const keep = (what: string, value: string) => { secrets.set(what, value); return value; };

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/guardian.mjs', ...args], {
      cwd: join(import.meta.dirname, '../..'),
      env: { ...process.env, DATABASE_URL: db.url, DATA_DIR: dataDir, LOG_LEVEL: 'trace' },
      timeout: 30_000,
    }, (err, stdout, stderr) => resolve({ code: err ? 1 : 0, stdout, stderr }));
  });
}

beforeAll(async () => {
  db = await createTestDb();
  dataDir = await mkdtemp(join(tmpdir(), 'guardian-logscan-'));
  const dbPassword = decodeURIComponent(new URL(db.url).password);
  if (dbPassword.length >= 6) keep('database password', dbPassword);
  const adminPassword = keep('admin password', `Adm-${randomBytes(9).toString('base64url')}`);
  service = spawn(process.execPath, ['bin/guardian.mjs', 'start'], {
    cwd: join(import.meta.dirname, '../..'),
    env: {
      PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATA_DIR: dataDir, DATABASE_URL: db.url,
      HTTP_PORT: '0', MQTT_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'trace', GUARDIAN_ADMIN_PASSWORD: adminPassword,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  service.stdout!.on('data', (b: Buffer) => { output += b.toString(); });
  service.stderr!.on('data', (b: Buffer) => { output += b.toString(); });
}, 120_000);

afterAll(async () => {
  if (service && service.exitCode === null) service.kill('SIGKILL');
  // A private redis-server the killed service left behind: stop it by its recorded pid.
  try {
    const pid = Number(readFileSync(join(dataDir, 'redis', 'redis.pid'), 'utf8'));
    if (pid > 0 && processAlive(pid)) process.kill(pid, 'SIGTERM');
  } catch { /* none */ }
  await db.drop();
  await rm(dataDir, { recursive: true, force: true });
});

test('the running service logs no password, token, device secret, webhook secret or database password', async () => {
  const info = await waitFor(() => {
    try { return JSON.parse(readFileSync(join(dataDir, 'service.json'), 'utf8')) as { httpUrl: string; mqttUrl: string }; } catch { return null; }
  }, { timeoutMs: 60_000, what: `service.json (output: ${output.slice(-400)})` });
  const http = info.httpUrl;
  await waitFor(async () => (await fetch(`${http}/readyz`)).status === 200, { timeoutMs: 30_000, what: '/readyz' });
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${http}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

  // Sign-in: wrong, malformed (the password inside a refused body), right.
  const wrong = keep('wrong password', `Wrong-${randomBytes(9).toString('base64url')}`);
  expect((await post('/api/v1/auth/login', { username: 'admin', password: wrong })).status).toBe(401);
  expect((await post('/api/v1/auth/login', { username: 'admin', password: wrong, extra: 1 })).status).toBe(400);
  const ok = await post('/api/v1/auth/login', { username: 'admin', password: secrets.get('admin password') });
  expect(ok.status).toBe(200);
  const token = keep('session token', ((await ok.json()) as { token: string }).token);
  const bearer = { authorization: `Bearer ${token}` };
  expect((await fetch(`${http}/api/v1/auth/me`, { headers: { cookie: `guardian_session=${token}` } })).status).toBe(200);

  // Provisioning through the API: the secret comes back once.
  const hh = await createHouseholdWithPeople(db);
  const prov = await post('/api/v1/devices', { householdId: hh.id, kind: 'sos_button', room: '卧室' }, bearer);
  expect(prov.status).toBe(201);
  const device = (await prov.json()) as { deviceId: string; secret: string };
  keep('device secret (API)', device.secret);

  // MQTT CONNECT with a wrong secret, then the right one, and an SOS.
  const wrongSecret = keep('wrong device secret', `bad-${randomBytes(12).toString('hex')}`);
  const refused = await connectDevice(info.mqttUrl, device.deviceId, wrongSecret).catch((e) => e);
  expect((refused as { code?: number }).code).toBe(4);
  const c = await connectDevice(info.mqttUrl, device.deviceId, device.secret);
  await publishQos1(c, eventTopic(device.deviceId), JSON.stringify({ id: 'log-sos', type: 'sos', ts: Date.now() }));
  c.end(true);
  // MQTT over WebSocket with the secret in CONNECT.
  const ws = mqtt.connect(`${http.replace('http', 'ws')}/mqtt`, { clientId: device.deviceId, username: device.deviceId, password: device.secret, protocolVersion: 4, reconnectPeriod: 0 });
  await new Promise<void>((resolve, reject) => { ws.once('connect', () => resolve()); ws.once('error', reject); });
  ws.end(true);

  // The live feed with the token in the query string.
  const live = new WebSocket(`${http.replace('http', 'ws')}/api/v1/live?token=${encodeURIComponent(token)}`);
  await new Promise<void>((resolve, reject) => { live.once('message', () => resolve()); live.once('error', reject); });
  live.close();

  // The CLI: webhook with a chosen secret, and a device whose secret is printed once on stdout.
  const hookSecret = keep('webhook secret', `hook-${randomBytes(12).toString('hex')}`);
  const hook = await cli('webhook', 'set', 'https://sms.example.invalid/guardian', '--secret', hookSecret);
  expect(hook.code, hook.stderr).toBe(0);
  cliOutput.push(hook.stdout, hook.stderr);
  const added = await cli('device', 'add', '--household', hh.id, '--kind', 'pir', '--json');
  expect(added.code, added.stderr).toBe(0);
  const cliSecret = keep('device secret (CLI)', (JSON.parse(added.stdout) as { secret: string }).secret);
  cliOutput.push(added.stderr); // stdout is the one-time answer itself
  expect(added.stderr).not.toContain(cliSecret);
  // Wrong sign-in once more after the webhook exists (the dispatcher is running in the service).
  expect((await post('/api/v1/auth/login', { username: 'admin', password: wrong })).status).toBe(401);

  service!.kill('SIGTERM');
  await new Promise<void>((r) => (service!.exitCode !== null ? r() : service!.once('exit', () => r())));

  const everything = output + cliOutput.join('');
  expect(output).toMatch(/role all: HTTP on/); // the log was captured at all
  expect(output.length).toBeGreaterThan(200);
  const leaks = [...secrets].filter(([, value]) => everything.includes(value)).map(([what]) => what);
  expect(leaks, 'secrets found in the logs').toEqual([]);
  expect(secrets.size).toBeGreaterThanOrEqual(8);
}, 180_000); // the service and two CLI runs, child processes on a shared machine

test('the API request log at trace (Fastify) redacts bodies, cookies, authorization and ?token=', async () => {
  const lines: string[] = [];
  const stream = new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } });
  const app = await buildApp({ pool: db.pool, config: parseConfig({}), logger: { level: 'trace', stream }, loginRateLimit: { max: 1000, timeWindowMs: 60_000 } });
  try {
    const password = secrets.get('admin password')!;
    const wrong = `Wrong2-${randomBytes(9).toString('base64url')}`;
    const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin', password } });
    expect(res.statusCode).toBe(200);
    const token: string = res.json().token;
    await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin', password: wrong } });
    await app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: `{"username":"admin","password":"${wrong}"` });
    await app.inject({ url: `/api/v1/live?token=${token}` });
    await app.inject({ url: '/api/v1/auth/me', headers: { authorization: `Bearer ${token}`, cookie: `guardian_session=${token}` } });
    const hh = await createHouseholdWithPeople(db);
    const prov = await app.inject({ method: 'POST', url: '/api/v1/devices', headers: { authorization: `Bearer ${token}` }, payload: { householdId: hh.id, kind: 'pir' } });
    const secret: string = prov.json().secret;
    const log = lines.join('');
    expect(log).toContain('/api/v1/live?token=[redacted]');
    for (const s of [password, wrong, token, secret]) expect(log).not.toContain(s);
  } finally {
    await app.close();
  }
});
