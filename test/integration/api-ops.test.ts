import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { buildApp } from '../../api/app.js';
import { HttpPortInUseError } from '../../api/http-port-in-use-error.js';
import { closeApp, listenApp } from '../../api/server.js';
import { parseConfig } from '../../domain/config.js';
import { buildTestApp, createHouseholdWithPeople, insertAlert, loginAs } from '../helpers/api.js';
import { createTestDb, waitFor, type TestDb } from '../helpers/db.js';

let db: TestDb;
let app: FastifyInstance;

beforeAll(async () => {
  db = await createTestDb();
  app = await buildTestApp(db);
});
afterAll(async () => {
  await app.close();
  await db.drop();
});

describe('health, readiness, metrics', () => {
  test('/healthz is public and says ok', async () => {
    const res = await app.inject('/healthz');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  test('/readyz checks the database and every readiness entry', async () => {
    const ok = await buildTestApp(db, { readiness: { redis: () => true, broker: async () => true } });
    const res = await ok.inject('/readyz');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ready', checks: { db: true, redis: true, broker: true } });
    await ok.close();
  });

  test('/readyz is 503 naming the failed check (false, or thrown)', async () => {
    const bad = await buildTestApp(db, { readiness: { redis: () => false, broker: async () => { throw new Error('down'); } } });
    const res = await bad.inject('/readyz');
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ status: 'not_ready', checks: { db: true, redis: false, broker: false } });
    await bad.close();
  });

  test('/readyz is 503 when the database is unreachable; /healthz stays 200', async () => {
    const dead = new pg.Pool({ connectionString: 'postgres://x:y@127.0.0.1:1/none', connectionTimeoutMillis: 500 });
    dead.on('error', () => {});
    const outage = await buildApp({ pool: dead, config: parseConfig({}) });
    const res = await outage.inject('/readyz');
    expect(res.statusCode).toBe(503);
    expect(res.json().checks.db).toBe(false);
    expect((await outage.inject('/healthz')).statusCode).toBe(200);
    await outage.close();
    await dead.end();
  });

  test('/metrics is Prometheus text with guardian_ metrics, including live alerts by state from the database', async () => {
    const { id } = await createHouseholdWithPeople(db);
    await insertAlert(db, { householdId: id, kind: 'sos', state: 'open' });
    await insertAlert(db, { householdId: id, kind: 'fall', state: 'accepted' });
    await app.inject('/healthz');
    const res = await app.inject('/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.body).toContain('guardian_');
    expect(res.body).toMatch(/^guardian_alerts\{state="open"\} 1$/m);
    expect(res.body).toMatch(/^guardian_alerts\{state="accepted"\} 1$/m);
    expect(res.body).toMatch(/^guardian_alerts\{state="on_site"\} 0$/m);
    expect(res.body).toMatch(/guardian_http_request_duration_seconds_count\{method="GET",route="\/healthz",status="200"\} \d+/);
  });

  test('/metrics can be closed with a metrics token', async () => {
    const closed = await buildTestApp(db, { metricsToken: 'scrape-me' });
    expect((await closed.inject('/metrics')).statusCode).toBe(401);
    expect((await closed.inject({ url: '/metrics', headers: { authorization: 'Bearer wrong' } })).statusCode).toBe(401);
    expect((await closed.inject({ url: '/metrics', headers: { authorization: 'Bearer scrape-me' } })).statusCode).toBe(200);
    await closed.close();
  });
});

describe('errors', () => {
  test('an unknown route is a 404 JSON error, signed in or not', async () => {
    const anon = await app.inject('/api/v1/nothing-here');
    expect(anon.statusCode).toBe(404);
    expect(anon.json()).toEqual({ error: { code: 'not_found', message: 'no route GET /api/v1/nothing-here' } });
    const op = await loginAs(app, db, 'operator');
    expect((await app.inject({ method: 'DELETE', url: '/api/v1/alerts', headers: op.bearer })).statusCode).toBe(404);
  });

  test('a 500 hides its details from the caller and logs them', async () => {
    const lines: string[] = [];
    const stream = new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } });
    const boom = await buildApp({ pool: db.pool, config: parseConfig({}), logger: { level: 'info', stream } });
    boom.get('/boom', { config: { public: true } }, async () => { throw new Error('db password is hunter2'); });
    const res = await boom.inject('/boom');
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: { code: 'internal', message: 'internal error; the details are in the server log' } });
    expect(res.body).not.toContain('hunter2');
    expect(lines.join('')).toContain('hunter2');
    await boom.close();
  });

  test('passwords, tokens, cookies and device secrets never reach the log', async () => {
    const lines: string[] = [];
    const stream = new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } });
    const logged = await buildApp({ pool: db.pool, config: parseConfig({}), logger: { level: 'trace', stream } });
    const admin = await loginAs(logged, db, 'admin');
    const { id } = await createHouseholdWithPeople(db);
    const created = await logged.inject({ method: 'POST', url: '/api/v1/devices', headers: admin.bearer, payload: { householdId: id, kind: 'pir' } });
    const { secret } = created.json();
    await logged.inject({ url: '/api/v1/auth/me', cookies: { guardian_session: admin.cookie } });
    await logged.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: admin.username, password: 'wrong-password-123' } });
    await logged.close();
    const log = lines.join('');
    expect(log.length).toBeGreaterThan(100); // something was logged at all
    for (const s of [admin.password, 'wrong-password-123', admin.token, secret]) expect(log).not.toContain(s);
  });
});

describe('OpenAPI', () => {
  test('the document and UI are served at /api/docs, with a response schema on every route', async () => {
    const json = await app.inject('/api/docs/json');
    expect(json.statusCode).toBe(200);
    const doc = json.json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/alerts', '/api/v1/alerts/{id}', '/api/v1/households/{id}', '/api/v1/devices', '/readyz']));
    for (const [path, methods] of Object.entries(doc.paths as Record<string, Record<string, { responses?: object }>>)) {
      for (const [method, op] of Object.entries(methods)) expect(Object.keys(op.responses ?? {}), `${method} ${path}`).not.toHaveLength(0);
    }
    const ui = await app.inject('/api/docs/');
    expect(ui.statusCode).toBe(200);
    expect(ui.headers['content-type']).toMatch(/text\/html/);
  });
});

describe('server', () => {
  test('listenApp binds port 0 and returns the port; a taken port is HttpPortInUseError', async () => {
    const a = await buildTestApp(db);
    const port = await listenApp(a, { host: '127.0.0.1', port: 0 });
    expect(port).toBeGreaterThan(0);
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(await res.json()).toEqual({ status: 'ok' });
    const b = await buildTestApp(db);
    await expect(listenApp(b, { host: '127.0.0.1', port })).rejects.toBeInstanceOf(HttpPortInUseError);
    await expect(listenApp(await buildTestApp(db), { host: '127.0.0.1', port })).rejects.toThrow(`HTTP port ${port} on 127.0.0.1 is already in use`);
    await closeApp(a);
    await b.close().catch(() => {});
  });

  test('MQTT over WebSocket: /mqtt accepts the mqtt subprotocol and hands the stream over', async () => {
    const handed: { url?: string; proto?: string } = {};
    const echo = (stream: Duplex, req: IncomingMessage) => {
      handed.url = req.url;
      handed.proto = String(req.headers['sec-websocket-protocol']);
      stream.pipe(stream); // a fake broker: every byte comes back
    };
    const a = await buildTestApp(db, { mqttOverWebSocket: echo });
    const port = await listenApp(a, { host: '127.0.0.1', port: 0 });
    try {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/mqtt`, 'mqtt');
      await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
      expect(ws.protocol).toBe('mqtt');
      const got: Buffer[] = [];
      ws.on('message', (m: Buffer) => got.push(m));
      const connect = Buffer.from([0x10, 0x0c, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x02, 0x00, 0x3c, 0x00, 0x00]);
      ws.send(connect);
      await waitFor(() => Buffer.concat(got).length >= connect.length, { what: 'echo' });
      expect(Buffer.concat(got)).toEqual(connect);
      expect(handed).toEqual({ url: '/mqtt', proto: 'mqtt' });

      // A plain GET is told to upgrade.
      const plain = await fetch(`http://127.0.0.1:${port}/mqtt`);
      expect(plain.status).toBe(426);
      expect(plain.headers.get('upgrade')).toBe('websocket');
      expect((await plain.json()).error.code).toBe('upgrade_required');
      ws.close();
    } finally {
      await closeApp(a, { timeoutMs: 2000 });
    }
  });

  test('without an MQTT handler, /mqtt refuses the upgrade with 503', async () => {
    const a = await buildTestApp(db);
    const port = await listenApp(a, { host: '127.0.0.1', port: 0 });
    try {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/mqtt`, 'mqtt');
      const status = await new Promise<number>((resolve, reject) => {
        ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.once('open', () => reject(new Error('upgrade should have been refused')));
        ws.once('error', () => {});
      });
      expect(status).toBe(503);
      ws.terminate();
    } finally {
      await closeApp(a, { timeoutMs: 2000 });
    }
  });

  test('closeApp finishes even with a WebSocket client still connected', async () => {
    const a = await buildTestApp(db, { mqttOverWebSocket: (s) => { s.resume(); } });
    const port = await listenApp(a, { host: '127.0.0.1', port: 0 });
    const ws = new WebSocket(`ws://127.0.0.1:${port}/mqtt`, 'mqtt');
    await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
    const closed = new Promise((resolve) => ws.once('close', resolve));
    const t0 = Date.now();
    await closeApp(a, { timeoutMs: 3000 });
    await closed;
    expect(Date.now() - t0).toBeLessThan(3000);
  });
});
