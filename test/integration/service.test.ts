import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import mqtt from 'mqtt';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { inject } from 'vitest';
import { parseConfig } from '../../domain/config.js';
import { eventTopic } from '../../domain/topics.js';
import { createLogger } from '../../bin/runtime/logger.js';
import { startService, type RunningService } from '../../bin/runtime/service.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { createDevice, createHousehold } from '../helpers/gateway.js';

/**
 * The all-in-one service composed as `npm start` composes it (gateway + API on real sockets,
 * private PostgreSQL and redis-server of the harness), driven by third-party clients.
 */
const run = promisify(execFile);
let db: TestDb;
let dataDir: string;
let service: RunningService;
let token: string;
const logLines: string[] = [];
const ADMIN_PASSWORD = 'correct-horse-battery';

beforeAll(async () => {
  db = await createTestDb();
  dataDir = await mkdtemp(join(tmpdir(), 'guardian-service-'));
  const env = { DATABASE_URL: db.url, REDIS_URL: inject('redisUrl'), MQTT_PORT: '0', HTTP_PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, GUARDIAN_ADMIN_PASSWORD: ADMIN_PASSWORD, LOG_LEVEL: 'debug' };
  const config = parseConfig(env);
  service = await startService(config, createLogger('debug', (l) => { logLines.push(l); }), env);
  const login = await fetch(`${service.httpUrl}/api/v1/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
  });
  expect(login.status).toBe(200);
  token = (await login.json() as { token: string }).token;
});
afterAll(async () => {
  await service?.stop();
  await db.drop();
  await rm(dataDir, { recursive: true, force: true });
});

const api = (path: string) => fetch(`${service.httpUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });

test('/healthz and /readyz report the database, Redis and the broker', async () => {
  expect((await fetch(`${service.httpUrl}/healthz`)).status).toBe(200);
  const ready = await fetch(`${service.httpUrl}/readyz`);
  expect(ready.status).toBe(200);
  expect(await ready.json()).toMatchObject({ checks: { db: true, redis: true, broker: true } });
});

test('a third-party client (mosquitto_pub, QoS 1) raises an SOS that the API shows at once', async () => {
  const householdId = await createHousehold(db);
  const { deviceId, secret } = await createDevice(db, householdId, 'sos_button');
  const port = new URL(service.mqttUrl).port;
  const payload = JSON.stringify({ id: 'mosq-1', type: 'sos', ts: Date.now() });
  await run('mosquitto_pub', ['-h', '127.0.0.1', '-p', port, '-q', '1', '-V', 'mqttv311', '-i', deviceId, '-u', deviceId, '-P', secret,
    '-t', eventTopic(deviceId), '-m', payload]);
  const res = await api(`/api/v1/alerts?householdId=${householdId}`);
  expect(res.status).toBe(200);
  const body = await res.json() as { items: Array<{ kind: string; state: string; householdId: string }>; total: number };
  expect(body.total).toBe(1);
  expect(body.items[0]).toMatchObject({ kind: 'sos', state: 'open', householdId });
});

test('mosquitto_pub with a wrong secret is refused and stores nothing', async () => {
  const householdId = await createHousehold(db);
  const { deviceId } = await createDevice(db, householdId, 'sos_button');
  const port = new URL(service.mqttUrl).port;
  const refused = await run('mosquitto_pub', ['-h', '127.0.0.1', '-p', port, '-q', '1', '-V', 'mqttv311', '-i', deviceId, '-u', deviceId, '-P', 'wrong',
    '-t', eventTopic(deviceId), '-m', JSON.stringify({ id: 'x', type: 'sos', ts: Date.now() })]).then(() => false, () => true);
  expect(refused).toBe(true);
  expect((await db.pool.query('SELECT 1 FROM signals WHERE device_id = $1', [deviceId])).rowCount).toBe(0);
});

test('MQTT over WebSocket at /mqtt: a device publishes an SOS and gets its PUBACK after the commit', async () => {
  const householdId = await createHousehold(db);
  const { deviceId, secret } = await createDevice(db, householdId, 'pull_cord');
  const client = await mqtt.connectAsync(service.mqttWsUrl, { clientId: deviceId, username: deviceId, password: secret, protocolVersion: 4, reconnectPeriod: 0 });
  try {
    await client.publishAsync(eventTopic(deviceId), JSON.stringify({ id: 'ws-1', type: 'sos', ts: new Date().toISOString() }), { qos: 1 });
    const alerts = await db.pool.query(`SELECT kind, state FROM alerts WHERE household_id = $1`, [householdId]);
    expect(alerts.rows).toEqual([{ kind: 'sos', state: 'open' }]);
  } finally {
    await client.endAsync();
  }
});

test('a device revoked through the API is cut off at once', async () => {
  const householdId = await createHousehold(db);
  const { deviceId, secret } = await createDevice(db, householdId, 'pir');
  const client = await mqtt.connectAsync(service.mqttUrl, { clientId: deviceId, username: deviceId, password: secret, protocolVersion: 4, reconnectPeriod: 0 });
  const closed = new Promise<void>((r) => client.once('close', () => r()));
  const res = await fetch(`${service.httpUrl}/api/v1/devices/${encodeURIComponent(deviceId)}/revoke`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  await closed;
  client.end(true);
});

test('no secret or password appears in the service log', () => {
  const text = logLines.join('');
  expect(logLines.length).toBeGreaterThan(0);
  expect(text).not.toContain(ADMIN_PASSWORD);
  expect(text).not.toContain(token);
  expect(text).not.toContain(new URL(db.url).password);
});

test('the console is served at / with deep links, API 404s stay JSON, nothing outside console/dist leaks', async () => {
  const root = await fetch(`${service.httpUrl}/`);
  expect(root.status).toBe(200);
  expect(root.headers.get('content-type')).toContain('text/html');
  expect(await root.text()).toContain('365');
  const deep = await fetch(`${service.httpUrl}/households/h-demo-0001`);
  expect(deep.status).toBe(200);
  expect(deep.headers.get('content-type')).toContain('text/html');
  const missing = await api('/api/v1/no-such-thing');
  expect(missing.status).toBe(404);
  expect(await missing.json()).toMatchObject({ error: { code: 'not_found' } });
  const traversal = await fetch(`${service.httpUrl}/%2e%2e/%2e%2e/package.json`);
  expect(await traversal.text()).not.toContain('"dependencies"');
});
