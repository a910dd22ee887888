import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SPRAY_FACTOR } from '../../api/services/login-throttle.js';
import { parseConfig } from '../../domain/config.js';
import { buildTestApp, createTestUser } from '../helpers/api.js';
import { createTestDb, type TestDb } from '../helpers/db.js';

/**
 * Sign-in throttling behind a reverse proxy (issue 21 item 6), over a real HTTP socket: with
 * TRUST_PROXY naming the proxy, the limits key on the client address the proxy forwards
 * (X-Forwarded-For), so the residents of one proxy are not locked out together; without it, or
 * from an address that is not the proxy, the header is not believed and cannot be used to
 * dodge the limits.
 */
const MAX = 3;
let db: TestDb;
const apps: FastifyInstance[] = [];

async function listening(trustProxy: boolean | string[]): Promise<string> {
  const app = await buildTestApp(db, { trustProxy, loginRateLimit: { max: MAX, timeWindowMs: 60_000 } });
  apps.push(app);
  await app.listen({ host: '127.0.0.1', port: 0 });
  return `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
}

const signIn = (base: string, username: string, password: string, forwardedFor?: string) =>
  fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) },
    body: JSON.stringify({ username, password }),
  }).then((r) => r.status);

beforeAll(async () => { db = await createTestDb(); });
afterAll(async () => {
  for (const a of apps) await a.close();
  await db.drop();
});

describe('TRUST_PROXY naming the proxy (the service behind nginx on this host)', () => {
  let base: string;
  beforeAll(async () => { base = await listening(parseConfig({ TRUST_PROXY: '127.0.0.1' }).TRUST_PROXY); });

  test('limits per forwarded client: one client locked, another behind the same proxy signs in', async () => {
    const u = await createTestUser(db, 'operator');
    const codes = [];
    for (let i = 0; i < MAX + 1; i++) codes.push(await signIn(base, u.username, 'wrong', '203.0.113.7'));
    expect(codes).toEqual([...Array(MAX).fill(401), 429]);
    expect(await signIn(base, u.username, u.password, '203.0.113.7')).toBe(429);
    // The same person from their phone on another network, through the same proxy.
    expect(await signIn(base, u.username, u.password, '198.51.100.23')).toBe(200);
  });

  test('the client is the address the proxy appended (the last hop), not one the client wrote in front', async () => {
    const u = await createTestUser(db, 'operator');
    // "X-Forwarded-For: <forged>, <real client>" as nginx's $proxy_add_x_forwarded_for writes it.
    for (let i = 0; i < MAX; i++) expect(await signIn(base, u.username, 'wrong', `10.9.9.${i}, 203.0.113.44`)).toBe(401);
    expect(await signIn(base, u.username, u.password, '10.250.0.1, 203.0.113.44')).toBe(429);
  });

  test(`password spraying is limited per forwarded client (${MAX * SPRAY_FACTOR} failures across names)`, async () => {
    for (let i = 0; i < MAX * SPRAY_FACTOR; i++) expect(await signIn(base, `nobody-${i}`, 'Winter2026!', '203.0.113.99')).toBe(401);
    expect(await signIn(base, 'nobody-else', 'Winter2026!', '203.0.113.99')).toBe(429);
    const u = await createTestUser(db, 'operator');
    expect(await signIn(base, u.username, u.password, '203.0.113.100')).toBe(200);
  });
});

describe('no TRUST_PROXY (the default), or a header from an address that is not the proxy', () => {
  test('X-Forwarded-For is not believed: a client rotating it is still locked by its socket address', async () => {
    const base = await listening(false);
    const u = await createTestUser(db, 'operator');
    const codes = [];
    for (let i = 0; i < MAX + 1; i++) codes.push(await signIn(base, u.username, 'wrong', `192.0.2.${i + 1}`));
    expect(codes).toEqual([...Array(MAX).fill(401), 429]);
    expect(await signIn(base, u.username, u.password, '192.0.2.200')).toBe(429);
  });

  test('a trusted proxy elsewhere: the header from this host is not believed either', async () => {
    const base = await listening(parseConfig({ TRUST_PROXY: '10.0.0.5' }).TRUST_PROXY);
    const u = await createTestUser(db, 'operator');
    for (let i = 0; i < MAX; i++) await signIn(base, u.username, 'wrong', `192.0.2.${i + 1}`);
    expect(await signIn(base, u.username, u.password, '192.0.2.201')).toBe(429);
  });
});
