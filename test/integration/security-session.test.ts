import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseConfig } from '../../domain/config.js';
import { SPRAY_FACTOR } from '../../api/services/login-throttle.js';
import { buildTestApp, createTestUser, loginAs } from '../helpers/api.js';
import { createTestDb, waitFor, type TestDb } from '../helpers/db.js';

/**
 * Sign-in and session security (issue 7, item 7): brute force throttled without locking out the
 * wrong people, session cookie flags (HttpOnly, SameSite, Secure on HTTPS — behind a trusted
 * proxy only), CSRF for cookie sessions, no CORS grant, tokens only where they belong.
 */
let db: TestDb;
let app: FastifyInstance;
const MAX = 3;
/** Long enough that a test's attempts (each a real scrypt verification) fit in one window. */
const WINDOW_MS = 60_000;
/** For the one test that waits for a window to end. */
const SHORT_WINDOW_MS = 4000;

beforeAll(async () => {
  db = await createTestDb();
  app = await buildTestApp(db, { loginRateLimit: { max: MAX, timeWindowMs: WINDOW_MS } });
});
afterAll(async () => {
  await app.close();
  await db.drop();
});

const attempt = (username: string, password: string, ip = '198.51.100.1'): Promise<LightMyRequestResponse> =>
  app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: ip, payload: { username, password } });

describe('brute force', () => {
  test(`${MAX} failed sign-ins lock that name from that address (429 with Retry-After, even with the right password)`, async () => {
    const u = await createTestUser(db, 'operator');
    const codes = [];
    for (let i = 0; i < MAX + 2; i++) codes.push((await attempt(u.username, `guess-${i}`)).statusCode);
    expect(codes).toEqual([...Array(MAX).fill(401), 429, 429]);
    const right = await attempt(u.username, u.password);
    expect(right.statusCode).toBe(429);
    expect(right.json().error.code).toBe('rate_limited');
    expect(Number(right.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(right.cookies).toHaveLength(0);
    // The name is matched case-insensitively: OPERATOR-1 is the same target.
    expect((await attempt(u.username.toUpperCase(), 'x')).statusCode).toBe(429);
  });

  test('…without locking out the same person from another address, or a colleague behind the same address', async () => {
    const victim = await createTestUser(db, 'operator');
    const colleague = await createTestUser(db, 'operator');
    for (let i = 0; i < MAX + 3; i++) await attempt(victim.username, 'wrong', '203.0.113.66');
    expect((await attempt(victim.username, victim.password, '203.0.113.66')).statusCode).toBe(429);
    expect((await attempt(victim.username, victim.password, '192.0.2.10')).statusCode).toBe(200);
    expect((await attempt(colleague.username, colleague.password, '203.0.113.66')).statusCode).toBe(200);
  });

  test('the lock ends with its window', async () => {
    const short = await buildTestApp(db, { loginRateLimit: { max: MAX, timeWindowMs: SHORT_WINDOW_MS } });
    const tryOn = (username: string, password: string) =>
      short.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: '198.51.100.77', payload: { username, password } });
    try {
      const u = await createTestUser(db, 'responder');
      for (let i = 0; i < MAX; i++) await tryOn(u.username, 'wrong');
      expect((await tryOn(u.username, u.password)).statusCode).toBe(429);
      await waitFor(async () => (await tryOn(u.username, u.password)).statusCode === 200, { timeoutMs: SHORT_WINDOW_MS * 4, intervalMs: 250, what: 'the window to pass' });
    } finally {
      await short.close();
    }
  });

  test('only failures count: signing in correctly many times in a row is never throttled, and a success clears the count', async () => {
    const u = await createTestUser(db, 'operator');
    for (let i = 0; i < MAX * 3; i++) expect((await attempt(u.username, u.password, '198.51.100.9')).statusCode, `sign-in ${i}`).toBe(200);
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < MAX - 1; i++) expect((await attempt(u.username, 'typo', '198.51.100.9')).statusCode).toBe(401);
      expect((await attempt(u.username, u.password, '198.51.100.9')).statusCode).toBe(200);
    }
  });

  test(`password spraying: ${MAX * SPRAY_FACTOR} failures across any names lock the address, not others`, async () => {
    const sprayer = '203.0.113.200';
    const real = await createTestUser(db, 'admin');
    const codes = [];
    for (let i = 0; i < MAX * SPRAY_FACTOR; i++) codes.push((await attempt(`name-${i}`, 'Winter2026!', sprayer)).statusCode);
    expect(new Set(codes)).toEqual(new Set([401]));
    expect((await attempt('name-new', 'Winter2026!', sprayer)).statusCode).toBe(429);
    expect((await attempt(real.username, real.password, sprayer)).statusCode).toBe(429);
    expect((await attempt(real.username, real.password, '192.0.2.11')).statusCode).toBe(200);
  });

  test('the throttled attempts are counted in /metrics', async () => {
    const metrics = (await app.inject('/metrics')).body;
    expect(metrics).toMatch(/guardian_logins_total\{result="throttled"\} [1-9]/);
    expect(metrics).toMatch(/guardian_logins_total\{result="refused"\} [1-9]/);
  });
});

describe('session cookie', () => {
  const cookieOf = (res: LightMyRequestResponse) => res.cookies.find((c) => c.name === 'guardian_session');

  test('HttpOnly, SameSite=Lax, Path=/, expiring with the session; not Secure over plain HTTP', async () => {
    const u = await createTestUser(db, 'operator');
    const res = await attempt(u.username, u.password, '192.0.2.50');
    const c = cookieOf(res)!;
    expect(c).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(c.secure).toBeFalsy();
    expect(c.expires!.getTime()).toBeGreaterThan(Date.now() + 11 * 3600_000);
    expect(c.domain).toBeUndefined(); // host-only: never shared with sibling subdomains
  });

  test('X-Forwarded-Proto: https is ignored unless the proxy is trusted; trusted (TRUST_PROXY), the cookie is Secure', async () => {
    const u = await createTestUser(db, 'operator');
    const spoofed = await app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'x-forwarded-proto': 'https' }, payload: u });
    expect(cookieOf(spoofed)!.secure).toBeFalsy();

    // As bin/ wires it: TRUST_PROXY=127.0.0.1 trusts the local reverse proxy only.
    const config = parseConfig({ TRUST_PROXY: '127.0.0.1' });
    expect(config.TRUST_PROXY).toEqual(['127.0.0.1']);
    const proxied = await buildTestApp(db, { trustProxy: config.TRUST_PROXY });
    try {
      const viaProxy = await proxied.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: '127.0.0.1', headers: { 'x-forwarded-proto': 'https' }, payload: u });
      expect(cookieOf(viaProxy)).toMatchObject({ secure: true, httpOnly: true, sameSite: 'Lax' });
      expect(String(viaProxy.headers['set-cookie'])).toMatch(/; Secure/);
      // The same header from an address that is not the proxy is not believed.
      const direct = await proxied.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: '198.51.100.5', headers: { 'x-forwarded-proto': 'https' }, payload: u });
      expect(cookieOf(direct)!.secure).toBeFalsy();
    } finally {
      await proxied.close();
    }
  });

  test('TRUST_PROXY takes true, false or addresses, and refuses anything else naming the variable', () => {
    expect(parseConfig({}).TRUST_PROXY).toBe(false);
    expect(parseConfig({ TRUST_PROXY: 'true' }).TRUST_PROXY).toBe(true);
    expect(parseConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }).TRUST_PROXY).toEqual(['loopback', '10.0.0.0/8']);
    expect(() => parseConfig({ TRUST_PROXY: 'yes please' })).toThrow(/TRUST_PROXY/);
  });

  test('logout clears the cookie with the same Path', async () => {
    const l = await loginAs(app, db, 'operator');
    const res = await app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: l.bearer });
    const c = cookieOf(res)!;
    expect(c.value).toBe('');
    expect(c.path).toBe('/');
  });
});

describe('CSRF and cross-origin', () => {
  test('a cross-site form post with the cookie (text/plain or urlencoded, no custom header) changes nothing', async () => {
    const l = await loginAs(app, db, 'admin');
    for (const [type, body] of [['text/plain', '{"name":"x"}'], ['application/x-www-form-urlencoded', 'name=x']] as const) {
      const res = await app.inject({
        method: 'POST', url: '/api/v1/responders', cookies: { guardian_session: l.cookie },
        headers: { 'content-type': type, origin: 'https://evil.example' }, payload: body,
      });
      expect(res.statusCode, type).toBe(403);
      expect(res.json().error.code).toBe('csrf');
    }
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM responders WHERE name = 'x'`)).rows[0].n).toBe(0);
  });

  test('a CORS preflight from another origin is granted nothing, so fetch cannot add X-Requested-With cross-site', async () => {
    const res = await app.inject({
      method: 'OPTIONS', url: '/api/v1/responders',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-requested-with' },
    });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(res.headers['access-control-allow-headers']).toBeUndefined();
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
  });

  test('the session token is taken from the query string on the live feed only', async () => {
    const l = await loginAs(app, db, 'operator');
    const res = await app.inject({ url: `/api/v1/alerts?token=${l.token}` });
    expect(res.statusCode).toBe(401);
  });

  test('a bad cookie is cleared, and never confused with a bearer token', async () => {
    const res = await app.inject({ url: '/api/v1/auth/me', cookies: { guardian_session: 'forged-value' } });
    expect(res.statusCode).toBe(401);
    expect(res.cookies.find((c) => c.name === 'guardian_session')?.value).toBe('');
  });
});
