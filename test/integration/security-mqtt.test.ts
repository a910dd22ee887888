import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import mqtt, { type MqttClient } from 'mqtt';
import client from 'prom-client';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { parseConfig } from '../../domain/config.js';
import { cmdTopic, eventTopic, statusTopic } from '../../domain/topics.js';
import type { Gateway } from '../../gateway/broker.js';
import { publishDeviceRevoked } from '../../store/live-publisher.js';
import { buildTestApp, loginAs, type TestLogin } from '../helpers/api.js';
import { createTestDb, waitFor, type TestDb } from '../helpers/db.js';
import { connectDevice, createDevice, createHousehold, publishQos1, startTestGateway } from '../helpers/gateway.js';
import { redisNamesInUse } from '../../store/redis-namespace.js';

/**
 * Device-side security (issue 7, item 7): what gateway-auth-acl.test.ts does not already cover —
 * refusals counted in the metrics, cross-device cmd/status spoofing and wildcard subscriptions;
 * MQTT over TLS on MQTT_TLS_PORT with a self-signed certificate made here with openssl; and a
 * revoked device cut at once when the revocation comes from ANOTHER process (the API, the CLI)
 * through Redis, then refused with CONNACK 5.
 */
let db: TestDb;
let gateway: Gateway;
let url: string;
let tlsPort: number;
let certDir: string;
let cert: Buffer;
let app: FastifyInstance;
let redis: Redis;
let admin: TestLogin;
const open: MqttClient[] = [];

beforeAll(async () => {
  db = await createTestDb();
  certDir = await mkdtemp(join(tmpdir(), 'guardian-tls-'));
  // A throwaway self-signed certificate for 127.0.0.1 (openssl is in every Debian base image).
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-keyout', join(certDir, 'key.pem'), '-out', join(certDir, 'cert.pem')], { stdio: 'ignore' });
  cert = await readFile(join(certDir, 'cert.pem'));
  // Configured as the service is: MQTT_TLS_PORT + TLS_CERT + TLS_KEY, validated by the config schema.
  const config = parseConfig({ MQTT_TLS_PORT: '0', TLS_CERT: join(certDir, 'cert.pem'), TLS_KEY: join(certDir, 'key.pem') });
  ({ gateway, url } = await startTestGateway(db, {
    // The file's Redis namespace (redis-namespace-setup.ts): the API, the CLI and this gateway meet in it.
    redisUrl: inject('redisUrl'), queuePrefix: redisNamesInUse().queuePrefix,
    tls: { port: config.MQTT_TLS_PORT!, certFile: config.TLS_CERT!, keyFile: config.TLS_KEY! },
  }));
  tlsPort = gateway.ports.mqttTls!;
  // The API of another process: it reaches the gateway only through Redis (no onDeviceRevoked).
  redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: true });
  await redis.connect();
  app = await buildTestApp(db, { redis });
  admin = await loginAs(app, db, 'admin');
});
afterAll(async () => {
  for (const c of open) c.end(true);
  await app?.close();
  redis?.disconnect();
  await gateway?.stop();
  await db?.drop();
  await rm(certDir, { recursive: true, force: true });
});

const sos = (id: string) => JSON.stringify({ id, type: 'sos', ts: Date.now() });
const connackCode = (err: unknown) => (err as { code?: number }).code;
const aclDenied = async (action: 'publish' | 'subscribe') =>
  (await client.register.getSingleMetric('guardian_acl_denied_total')!.get()).values.find((v) => v.labels.action === action)?.value ?? 0;

describe('ACL refusals are counted and cover spoofing', () => {
  test("publishing a command to another device's cmd topic is refused, dropped and counted; it never reaches that device", async () => {
    const hh = await createHousehold(db);
    const victim = await createDevice(db, hh);
    const attacker = await createDevice(db, hh);
    const v = await connectDevice(url, victim.deviceId, victim.secret);
    open.push(v);
    await v.subscribeAsync(cmdTopic(victim.deviceId), { qos: 1 });
    const got: string[] = [];
    v.on('message', (_t, p) => got.push(p.toString()));
    const before = await aclDenied('publish');
    const a = await connectDevice(url, attacker.deviceId, attacker.secret);
    const closed = new Promise<void>((r) => a.once('close', () => r()));
    a.publish(cmdTopic(victim.deviceId), JSON.stringify({ type: 'alert_ack', alertId: 'x', state: 'resolved', text: '假的' }), { qos: 1 });
    await closed;
    a.end(true);
    expect(await aclDenied('publish')).toBe(before + 1);
    // The victim still gets real commands, and got no forged one.
    const real = new Promise<void>((r) => v.once('message', () => r()));
    await gateway.command(victim.deviceId, { type: 'ping' });
    await real;
    expect(got.map((m) => JSON.parse(m).type)).toEqual(['ping']);
  });

  test("another device's status (retained) is refused and counted; the victim's presence is untouched", async () => {
    const hh = await createHousehold(db);
    const victim = await createDevice(db, hh);
    const attacker = await createDevice(db, hh);
    const before = await aclDenied('publish');
    const a = await connectDevice(url, attacker.deviceId, attacker.secret);
    const closed = new Promise<void>((r) => a.once('close', () => r()));
    a.publish(statusTopic(victim.deviceId), 'online', { qos: 1, retain: true });
    await closed;
    a.end(true);
    expect(await aclDenied('publish')).toBe(before + 1);
    const row = (await db.pool.query(`SELECT online, last_seen_at FROM devices WHERE id = $1`, [victim.deviceId])).rows[0];
    expect(row).toEqual({ online: false, last_seen_at: null });
  });

  test("subscribing to another device's cmd, to a wildcard or to events is refused (SUBACK failure) and counted, the connection stays", async () => {
    const hh = await createHousehold(db);
    const a = await createDevice(db, hh);
    const b = await createDevice(db, hh);
    const c = await connectDevice(url, a.deviceId, a.secret);
    open.push(c);
    const before = await aclDenied('subscribe');
    for (const topic of [cmdTopic(b.deviceId), 'guardian/v1/+/cmd', 'guardian/v1/#', eventTopic(b.deviceId), '$SYS/#']) {
      await expect(c.subscribeAsync(topic), topic).rejects.toThrow(/Subscribe error/);
    }
    expect(await aclDenied('subscribe')).toBe(before + 5);
    expect(c.connected).toBe(true);
    // And the API's /metrics shows the counter (the gateway and the API share the registry in one process).
    const metrics = (await app.inject('/metrics')).body;
    expect(metrics).toMatch(/guardian_acl_denied_total\{action="subscribe"\} \d+/);
  });
});

describe('MQTT over TLS (MQTT_TLS_PORT, self-signed test certificate)', () => {
  test('mqtts with the certificate trusted: CONNECT, then an SOS is stored with its alert before the PUBACK', async () => {
    const hh = await createHousehold(db);
    const d = await createDevice(db, hh);
    const c = await connectDevice(`mqtts://127.0.0.1:${tlsPort}`, d.deviceId, d.secret, { ca: cert, rejectUnauthorized: true });
    open.push(c);
    await publishQos1(c, eventTopic(d.deviceId), sos('tls-sos-1'));
    const alerts = await db.pool.query(`SELECT kind, state FROM alerts WHERE household_id = $1`, [hh]);
    expect(alerts.rows).toEqual([{ kind: 'sos', state: 'open' }]);
  });

  test('over TLS a wrong secret is still CONNACK 4, and an untrusted certificate is refused by the client', async () => {
    const hh = await createHousehold(db);
    const d = await createDevice(db, hh);
    const wrong = await connectDevice(`mqtts://127.0.0.1:${tlsPort}`, d.deviceId, 'not-the-secret', { ca: cert }).catch((e) => e);
    expect(connackCode(wrong)).toBe(4);
    const untrusted = await connectDevice(`mqtts://127.0.0.1:${tlsPort}`, d.deviceId, d.secret, { rejectUnauthorized: true }).catch((e) => e);
    expect(String(untrusted)).toMatch(/self[- ]signed|certificate/i);
  });

  test('plain MQTT on the TLS port gets no CONNACK: the connection is closed', async () => {
    const hh = await createHousehold(db);
    const d = await createDevice(db, hh);
    const c = mqtt.connect(`mqtt://127.0.0.1:${tlsPort}`, {
      clientId: d.deviceId, username: d.deviceId, password: d.secret, protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 3000,
    });
    const outcome = await new Promise<string>((resolve) => {
      c.once('connect', () => resolve('connected'));
      c.once('close', () => resolve('closed'));
      c.once('error', () => resolve('error'));
    });
    c.end(true);
    expect(outcome).not.toBe('connected');
    // At the byte level: a raw MQTT CONNECT to the TLS port is answered by no CONNACK (0x20).
    const reply = await new Promise<Buffer>((resolve) => {
      const s = tcpConnect(tlsPort, '127.0.0.1');
      const chunks: Buffer[] = [];
      s.on('data', (b) => chunks.push(b));
      s.on('close', () => resolve(Buffer.concat(chunks)));
      s.on('error', () => {});
      // CONNECT, MQTT 3.1.1, clean session, keepalive 60, clientId "x".
      s.write(Buffer.from([0x10, 0x0d, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x02, 0x00, 0x3c, 0x00, 0x01, 0x78]));
      setTimeout(() => s.destroy(), 3000);
    });
    expect(reply[0]).not.toBe(0x20);
    // The plain port still serves plain MQTT.
    open.push(await connectDevice(url, d.deviceId, d.secret));
  });
});

describe('revoked devices are cut at once, from another process, and stay out', () => {
  async function connectedDevice() {
    const hh = await createHousehold(db);
    const d = await createDevice(db, hh);
    const c = await connectDevice(url, d.deviceId, d.secret, { reconnectPeriod: 0 });
    const closedAt = new Promise<number>((resolve) => c.once('close', () => resolve(Date.now())));
    // Bounded from the moment a test waits, so a session that is never cut fails the test
    // quickly instead of hanging it.
    const closed = () => Promise.race([closedAt, new Promise<never>((_, reject) => {
      setTimeout(() => reject(new Error(`${d.deviceId} still connected 5 s later`)), 5000).unref();
    })]);
    return { ...d, c, closed };
  }

  test('POST /api/v1/devices/:id/revoke (API without the gateway in-process): disconnected within 1 s, then CONNACK 5', async () => {
    const d = await connectedDevice();
    const t0 = Date.now();
    const res = await app.inject({ method: 'POST', url: `/api/v1/devices/${d.deviceId}/revoke`, headers: admin.bearer });
    expect(res.statusCode).toBe(200);
    const closedAt = await d.closed();
    expect(closedAt - t0).toBeLessThan(1000);
    d.c.end(true);
    expect(connackCode(await connectDevice(url, d.deviceId, d.secret).catch((e) => e))).toBe(5);
    expect(connackCode(await connectDevice(`mqtts://127.0.0.1:${tlsPort}`, d.deviceId, d.secret, { ca: cert }).catch((e) => e))).toBe(5);
  });

  test('DELETE /api/v1/devices/:id does the same and keeps the record', async () => {
    const d = await connectedDevice();
    const t0 = Date.now();
    const res = await app.inject({ method: 'DELETE', url: `/api/v1/devices/${d.deviceId}`, headers: admin.bearer });
    expect(res.json()).toEqual({ deviceId: d.deviceId, revoked: true, alreadyRevoked: false });
    expect((await d.closed()) - t0).toBeLessThan(1000);
    d.c.end(true);
    expect((await db.pool.query(`SELECT revoked_at FROM devices WHERE id = $1`, [d.deviceId])).rows[0].revoked_at).toBeInstanceOf(Date);
    expect(connackCode(await connectDevice(url, d.deviceId, d.secret).catch((e) => e))).toBe(5);
  });

  test('a CONNECT checked just before the revocation committed is closed when it becomes ready', async () => {
    // The race: auth read "not revoked", then the revocation commits and its cut goes out before
    // this connection is ready. Reproduced by announcing the cut for a device the database does
    // not (yet) mark revoked, then connecting: it gets its CONNACK 0 and is closed at once.
    const hh = await createHousehold(db);
    const d = await createDevice(db, hh);
    expect(await publishDeviceRevoked(redis, { deviceIds: [d.deviceId] })).toBeGreaterThanOrEqual(1);
    const c = await connectDevice(url, d.deviceId, d.secret).catch((e) => e as Error);
    if (!(c instanceof Error)) {
      await waitFor(() => !c.connected, { timeoutMs: 2000, what: 'the late session closed' });
      c.end(true);
    }
  });

  test('a device that keeps reconnecting is refused every time after the revoke', async () => {
    const d = await connectedDevice();
    d.c.end(true);
    const retrying = mqtt.connect(url, { clientId: d.deviceId, username: d.deviceId, password: d.secret, protocolVersion: 4, reconnectPeriod: 100, reconnectOnConnackError: true });
    const codes: number[] = [];
    retrying.on('error', (e) => { const code = (e as { code?: number }).code; if (typeof code === 'number') codes.push(code); });
    await new Promise<void>((r) => retrying.once('connect', () => r()));
    await app.inject({ method: 'POST', url: `/api/v1/devices/${d.deviceId}/revoke`, headers: admin.bearer });
    await waitFor(() => codes.length >= 3, { what: 'three refused reconnects' });
    retrying.end(true);
    expect(new Set(codes)).toEqual(new Set([5]));
  });

  test('npx guardian device revoke (a separate process): the live session is cut within 1 s of the command', async () => {
    const d = await connectedDevice();
    const dataDir = await mkdtemp(join(tmpdir(), 'guardian-sec-cli-'));
    try {
      const run = await new Promise<{ code: number; stdout: string; stderr: string; at: number }>((resolve) => {
        execFile(process.execPath, ['bin/guardian.mjs', 'device', 'revoke', d.deviceId], {
          cwd: join(import.meta.dirname, '../..'),
          env: { ...process.env, DATABASE_URL: db.url, REDIS_URL: inject('redisUrl'), REDIS_PREFIX: redisNamesInUse().queuePrefix, DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
          timeout: 30_000,
        }, (err, stdout, stderr) => resolve({ code: err ? 1 : 0, stdout, stderr, at: Date.now() }));
      });
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain('revoked');
      expect(run.stdout).toMatch(/told [1-9]\d* running gateway\(s\) to cut its live session/);
      const closedAt = await d.closed();
      expect(closedAt - run.at).toBeLessThan(1000);
      d.c.end(true);
      expect(connackCode(await connectDevice(url, d.deviceId, d.secret).catch((e) => e))).toBe(5);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
