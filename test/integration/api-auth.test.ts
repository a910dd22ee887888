import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { hashSecret } from '../../domain/secrets.js';
import { buildTestApp, createTestUser, login, loginAs, sessionCookieOf, type TestLogin } from '../helpers/api.js';
import { createTestDb, type TestDb } from '../helpers/db.js';

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

describe('login', () => {
  test('sets an HttpOnly SameSite=Lax session cookie and returns a token and the user', async () => {
    const { username, password } = await createTestUser(db, 'operator');
    const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password } });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.token).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(body.user).toEqual({ username, role: 'operator', displayName: `operator ${username}`, responderId: null });
    const cookie = res.cookies.find((c) => c.name === 'guardian_session')!;
    expect(cookie).toMatchObject({ value: body.token, httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(cookie.secure).toBeFalsy(); // plain http here; https requests get Secure
    expect(String(res.headers['set-cookie'])).toMatch(/HttpOnly/);
  });

  test('behind a TLS-terminating proxy (trustProxy) the cookie is Secure', async () => {
    const proxied = await buildTestApp(db, { trustProxy: true });
    try {
      const { username, password } = await createTestUser(db, 'operator');
      const res = await proxied.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'x-forwarded-proto': 'https' }, payload: { username, password } });
      expect(res.statusCode).toBe(200);
      expect(res.cookies.find((c) => c.name === 'guardian_session')).toMatchObject({ secure: true, httpOnly: true });
    } finally {
      await proxied.close();
    }
  });

  test('the database keeps only SHA-256 of the token, expiring after SESSION_TTL_H', async () => {
    const l = await loginAs(app, db, 'admin');
    const r = await db.pool.query(`SELECT extract(epoch FROM expires_at - now()) AS ttl FROM sessions WHERE token_hash = $1`, [hashSecret(l.token)]);
    expect(r.rows).toHaveLength(1);
    expect(Number(r.rows[0].ttl)).toBeGreaterThan(11.9 * 3600);
    expect(Number(r.rows[0].ttl)).toBeLessThanOrEqual(12 * 3600);
    const raw = await db.pool.query(`SELECT 1 FROM sessions WHERE token_hash = convert_to($1, 'UTF8')`, [l.token]);
    expect(raw.rows).toHaveLength(0);
  });

  test('wrong password, unknown user and disabled user all get the same 401 bad_credentials', async () => {
    const { username, password } = await createTestUser(db, 'operator');
    const disabled = await createTestUser(db, 'operator');
    await db.pool.query(`UPDATE users SET disabled = true WHERE username = $1`, [disabled.username]);
    const attempts = [
      { username, password: password + 'x' },
      { username: 'nobody-here', password },
      { username: disabled.username, password: disabled.password },
    ];
    const bodies = [];
    for (const payload of attempts) {
      const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload });
      expect(res.statusCode).toBe(401);
      expect(res.cookies).toHaveLength(0);
      bodies.push(res.json());
    }
    expect(bodies[0]).toEqual({ error: { code: 'bad_credentials', message: 'wrong username or password' } });
    expect(bodies[1]).toEqual(bodies[0]);
    expect(bodies[2]).toEqual(bodies[0]);
  });

  test('a missing field is a 400 naming it', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'a' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toEqual({ code: 'bad_request', message: 'body.password is required', params: { field: 'body.password', rule: 'required' } });
  });

  test('not JSON at all is a 400, not a 500', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: '{"username":' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('bad_request');
  });
});

describe('sessions', () => {
  let op: TestLogin;
  beforeAll(async () => { op = await loginAs(app, db, 'operator'); });

  test('the bearer token authenticates', async () => {
    const res = await app.inject({ url: '/api/v1/auth/me', headers: op.bearer });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ user: { username: op.username, role: 'operator' }, via: 'bearer' });
  });

  test('the cookie authenticates', async () => {
    const res = await app.inject({ url: '/api/v1/auth/me', cookies: { guardian_session: op.cookie } });
    expect(res.statusCode).toBe(200);
    expect(res.json().via).toBe('cookie');
  });

  test('a made-up or expired token is a 401', async () => {
    expect((await app.inject({ url: '/api/v1/auth/me', headers: { authorization: 'Bearer made-up' } })).statusCode).toBe(401);
    const l = await loginAs(app, db, 'operator');
    await db.pool.query(`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE token_hash = $1`, [hashSecret(l.token)]);
    const res = await app.inject({ url: '/api/v1/auth/me', headers: l.bearer });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('unauthorized');
  });

  test('disabling a user ends their sessions at once', async () => {
    const l = await loginAs(app, db, 'operator');
    await db.pool.query(`UPDATE users SET disabled = true WHERE username = $1`, [l.username]);
    expect((await app.inject({ url: '/api/v1/auth/me', headers: l.bearer })).statusCode).toBe(401);
  });

  test('logout ends the session and clears the cookie', async () => {
    const l = await loginAs(app, db, 'responder');
    const res = await app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: l.bearer });
    expect(res.statusCode).toBe(200);
    expect(res.cookies.find((c) => c.name === 'guardian_session')?.value).toBe('');
    expect((await app.inject({ url: '/api/v1/auth/me', headers: l.bearer })).statusCode).toBe(401);
    const left = await db.pool.query(`SELECT 1 FROM sessions WHERE token_hash = $1`, [hashSecret(l.token)]);
    expect(left.rows).toHaveLength(0);
  });
});

describe('CSRF', () => {
  test('a cookie-authenticated POST without X-Requested-With is refused with 403', async () => {
    const l = await loginAs(app, db, 'admin');
    const res = await app.inject({ method: 'POST', url: '/api/v1/auth/logout', cookies: { guardian_session: l.cookie } });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('csrf');
    // The session survived the refused request.
    expect((await app.inject({ url: '/api/v1/auth/me', headers: l.bearer })).statusCode).toBe(200);
  });

  test('with X-Requested-With: guardian it goes through', async () => {
    const l = await loginAs(app, db, 'admin');
    const res = await app.inject({ method: 'POST', url: '/api/v1/auth/logout', cookies: { guardian_session: l.cookie }, headers: { 'x-requested-with': 'guardian' } });
    expect(res.statusCode).toBe(200);
  });

  test('a same-origin Origin header is accepted, a foreign one refused', async () => {
    const l = await loginAs(app, db, 'admin');
    const foreign = await app.inject({ method: 'POST', url: '/api/v1/auth/logout', cookies: { guardian_session: l.cookie }, headers: { origin: 'https://evil.example', host: 'guardian.local' } });
    expect(foreign.statusCode).toBe(403);
    const same = await app.inject({ method: 'POST', url: '/api/v1/auth/logout', cookies: { guardian_session: l.cookie }, headers: { origin: 'http://guardian.local', host: 'guardian.local' } });
    expect(same.statusCode).toBe(200);
  });

  test('bearer requests need no CSRF header (a browser never sends a bearer token by itself)', async () => {
    const l = await loginAs(app, db, 'admin');
    expect((await app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: l.bearer })).statusCode).toBe(200);
  });

  test('safe methods with the cookie need no header', async () => {
    const l = await loginAs(app, db, 'operator');
    expect((await app.inject({ url: '/api/v1/alerts', cookies: { guardian_session: l.cookie } })).statusCode).toBe(200);
  });
});

describe('RBAC', () => {
  test('anonymous callers get 401 on every non-public route of the OpenAPI document', async () => {
    const doc = app.swagger() as { paths: Record<string, Record<string, { security?: unknown[] }>> };
    let checked = 0;
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        const isPublic = Array.isArray(op.security) && op.security.length === 0;
        const url = path.replace('{id}', '00000000-0000-4000-8000-000000000000');
        const res = await app.inject({ method: method.toUpperCase() as 'GET', url, payload: method === 'get' ? undefined : {} });
        if (isPublic) {
          expect(res.statusCode, `${method} ${path}`).not.toBe(401);
        } else {
          expect(res.statusCode, `${method} ${path}`).toBe(401);
          expect(res.json().error.code).toBe('unauthorized');
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThanOrEqual(8);
  });

  test('a route without an access declaration is refused at startup', async () => {
    const { buildApp } = await import('../../api/app.js');
    const { parseConfig } = await import('../../domain/config.js');
    const bare = await buildApp({ pool: db.pool, config: parseConfig({}) });
    expect(() => bare.get('/api/v1/forgotten', async () => ({ open: true }))).toThrow(/declares neither config.public nor config.roles/);
    await bare.close();
  });

  test('responder is refused device provisioning (403); operator too; admin is allowed', async () => {
    const payload = { householdId: 'nope', kind: 'pir' };
    for (const role of ['responder', 'operator', 'supervisor'] as const) {
      const l = await loginAs(app, db, role);
      const res = await app.inject({ method: 'POST', url: '/api/v1/devices', headers: l.bearer, payload });
      expect(res.statusCode, role).toBe(403);
      expect(res.json().error.code).toBe('forbidden');
    }
    const admin = await loginAs(app, db, 'admin');
    // Past the role check: the unknown household is the answer now.
    expect((await app.inject({ method: 'POST', url: '/api/v1/devices', headers: admin.bearer, payload })).statusCode).toBe(400);
  });

  test('operators may read the lists; responders may not list devices', async () => {
    const op = await loginAs(app, db, 'operator');
    for (const url of ['/api/v1/alerts', '/api/v1/households', '/api/v1/devices']) {
      expect((await app.inject({ url, headers: op.bearer })).statusCode, url).toBe(200);
    }
    const resp = await loginAs(app, db, 'responder');
    expect((await app.inject({ url: '/api/v1/devices', headers: resp.bearer })).statusCode).toBe(403);
  });
});

describe('login rate limit', () => {
  test('repeated failed logins for one user from one address get 429, others are unaffected', async () => {
    const limited = await buildTestApp(db, { loginRateLimit: { max: 3, timeWindowMs: 60_000 } });
    try {
      const { username, password } = await createTestUser(db, 'operator');
      const codes = [];
      for (let i = 0; i < 5; i++) {
        const res = await limited.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password: 'wrong' } });
        codes.push(res.statusCode);
      }
      expect(codes).toEqual([401, 401, 401, 429, 429]);
      const res = await limited.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password } });
      expect(res.statusCode).toBe(429);
      expect(res.json().error.code).toBe('rate_limited');
      expect(res.headers['retry-after']).toBeDefined();
      // Another username from the same address still gets in.
      const other = await createTestUser(db, 'operator');
      const ok = await limited.inject({ method: 'POST', url: '/api/v1/auth/login', payload: other });
      expect(ok.statusCode).toBe(200);
      sessionCookieOf(ok);
      await login(limited, other.username, other.password);
    } finally {
      await limited.close();
    }
  });
});
