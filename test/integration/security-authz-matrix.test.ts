import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildApp } from '../../api/app.js';
import { ALL_ROLES, type RouteAccessEntry } from '../../api/route-access.js';
import { parseConfig } from '../../domain/config.js';
import type { UserRole } from '../../store/users-repository.js';
import { buildTestApp, createHouseholdWithPeople, createResponder, insertAlert, loginAs, notifyResponder, type TestLogin } from '../helpers/api.js';
import { createTestDb, type TestDb } from '../helpers/db.js';

/**
 * The authorisation matrix (issue 7, item 7), generated from the route table: every route the
 * router serves × {anonymous, every role}. The expected outcome comes from the route's declared
 * policy (`config.public` / `config.roles`, recorded by the auth plugin in `app.accessTable`),
 * never from a list kept in this test, so a new route is covered the day it is added — and one
 * the router serves without a declared policy fails here (the auth plugin also refuses to start).
 */
let db: TestDb;
let app: FastifyInstance;
const logins = new Map<UserRole, TestLogin>();
let ownResponderId: string;

beforeAll(async () => {
  db = await createTestDb();
  // Every optional part wired, so no route answers 503 for a missing dependency.
  app = await buildTestApp(db, { mqttOverWebSocket: (stream) => { stream.destroy(); }, onDeviceRevoked: () => {} });
  ownResponderId = await createResponder(db);
  for (const role of ALL_ROLES) await signIn(role);
});
afterAll(async () => {
  await app.close();
  await db.drop();
});

interface RouterRoute { method: string; path: string }

/**
 * Every (method, path) the router serves, read from `printRoutes({ commonPrefix: false })`:
 * a tree whose lines are `├── <segment> (GET, HEAD)`, children indented by 4 characters and
 * their segments appended to their parent's.
 */
function routerRoutes(instance: FastifyInstance): RouterRoute[] {
  const out: RouterRoute[] = [];
  const stack: string[] = [];
  for (const line of instance.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^([│ ]*)[├└]── (.+?)(?: \(([A-Z, ]+)\))?$/u.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    stack.length = depth;
    stack.push(m[2]!);
    const path = stack.join('');
    for (const method of (m[3] ?? '').split(',').map((s) => s.trim()).filter(Boolean)) out.push({ method, path });
  }
  return out;
}

/**
 * The declared policy of a route. Fastify registers a prefixed '/' route (the OpenAPI UI's
 * `/api/docs/`) under both spellings, with and without the slash, after one onRoute call.
 */
function policyOf(r: RouterRoute): RouteAccessEntry | undefined {
  return app.accessTable.find((e) => e.method === r.method && sameRoute(r.path, e.url));
}

/**
 * Fastify registers a prefixed '/' route (the OpenAPI UI's `/api/docs/`) under both spellings,
 * with and without the slash, after one onRoute call; and the printed radix tree shows a
 * wildcard under the last node it splits at (`/api/docs/static/*` prints as `/api/docs/*`).
 */
function sameRoute(routerPath: string, tableUrl: string): boolean {
  if (routerPath === tableUrl || routerPath === `${tableUrl}/`) return true;
  return routerPath.endsWith('*') && tableUrl.endsWith('*') && tableUrl.startsWith(routerPath.slice(0, -1));
}

/** A concrete URL for a route pattern: ids that exist nowhere (the role gate comes first). */
function concreteUrl(path: string): string {
  return path
    .replace('/responders/:id', `/responders/${ownResponderId}`)
    .replace('/rosters/:id', '/rosters/999999')
    .replace('/alerts/:id', '/alerts/00000000-0000-4000-8000-000000000000')
    .replace(/:[A-Za-z]+/g, 'no-such-id')
    .replace(/\*$/, 'no-such-file.js');
}

type Caller = 'anonymous' | UserRole;
const CALLERS: Caller[] = ['anonymous', ...ALL_ROLES];
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const signIn = async (role: UserRole) => {
  logins.set(role, await loginAs(app, db, role, role === 'responder' ? { responderId: ownResponderId } : {}));
};

async function request(r: RouterRoute, caller: Caller, via: 'bearer' | 'cookie' | 'cookie+header' = 'bearer'): Promise<LightMyRequestResponse> {
  const pattern = r.path.endsWith('*') ? policyOf(r)!.url : r.path;
  const opts: InjectOptions = { method: r.method as InjectOptions['method'], url: concreteUrl(pattern), headers: {} };
  if (['POST', 'PUT', 'PATCH'].includes(r.method)) opts.payload = {};
  if (caller !== 'anonymous') {
    const l = logins.get(caller)!;
    if (via === 'bearer') opts.headers = { ...l.bearer };
    else opts.cookies = { guardian_session: l.cookie };
    if (via === 'cookie+header') opts.headers = { 'x-requested-with': 'guardian' };
  }
  const res = await app.inject(opts);
  // A successful logout ends the caller's session: sign in again for the next request.
  if (caller !== 'anonymous' && r.path === '/api/v1/auth/logout' && res.statusCode === 200) await signIn(caller);
  return res;
}

const errorCode = (res: LightMyRequestResponse) => {
  try { return (res.json() as { error?: { code?: string } }).error?.code; } catch { return undefined; }
};

describe('the route table', () => {
  test('every route the router serves has a declared policy, and the table lists nothing the router lacks', () => {
    const routes = routerRoutes(app);
    expect(routes.length).toBeGreaterThanOrEqual(50);
    const undeclared = routes.filter((r) => !policyOf(r)).map((r) => `${r.method} ${r.path}`);
    expect(undeclared, 'routes without config.public / config.roles').toEqual([]);
    const unserved = app.accessTable.filter((e) => !routes.some((r) => r.method === e.method && sameRoute(r.path, e.url)));
    expect(unserved.map((e) => `${e.method} ${e.url}`)).toEqual([]);
    for (const e of app.accessTable) {
      if (e.access.public) continue;
      expect(e.access.roles?.length, `${e.method} ${e.url}`).toBeGreaterThan(0);
      for (const role of e.access.roles!) expect(ALL_ROLES).toContain(role);
    }
  });

  test('the public routes are exactly the sign-in, health, metrics, MQTT-over-WebSocket, the OpenAPI UI, the providers\' callbacks (authenticated by their URL token) and the one-time links', () => {
    const publicPaths = [...new Set(app.accessTable.filter((e) => e.access.public).map((e) => e.url))].sort();
    for (const p of publicPaths) {
      expect(p, p).toMatch(/^(\/api\/v1\/auth\/login|\/healthz|\/readyz|\/metrics|\/mqtt|\/api\/docs(\/.*)?|\/api\/v1\/callbacks\/(aliyun|tencent)\/:token\/:kind|\/l\/:token)$/);
    }
    expect(app.accessTable.find((e) => e.url === '/api/v1/auth/login')?.method).toBe('POST');
  });

  test('a route added without a policy stops the app at start-up', async () => {
    const extra = await buildApp({ pool: db.pool, config: parseConfig({}) });
    expect(() => extra.get('/api/v1/new-thing', async () => ({ open: true }))).toThrow(/declares neither config.public nor config.roles/);
    expect(() => extra.route({ method: 'DELETE', url: '/api/v1/new-thing', config: { roles: [] }, handler: async () => ({}) })).toThrow(/declares neither/);
    await extra.close();
  });
});

describe('route × caller', () => {
  test('anonymous: 401 on every non-public route; public ones never 401/403; nothing is a 5xx', async () => {
    const failures: string[] = [];
    for (const r of routerRoutes(app)) {
      const policy = policyOf(r)!;
      const res = await request(r, 'anonymous');
      const tag = `${r.method} ${r.path} anonymous → ${res.statusCode} ${errorCode(res) ?? ''}`;
      if (res.statusCode >= 500) failures.push(tag);
      else if (policy.access.public && [401, 403].includes(res.statusCode)) failures.push(tag);
      else if (!policy.access.public && !(res.statusCode === 401 && (r.method === 'HEAD' || errorCode(res) === 'unauthorized'))) failures.push(tag);
    }
    expect(failures).toEqual([]);
  });

  test('each role (bearer): 403 forbidden exactly where the policy leaves it out, through the gate elsewhere, never a 5xx', async () => {
    const failures: string[] = [];
    let denied = 0, allowed = 0;
    for (const r of routerRoutes(app)) {
      const policy = policyOf(r)!;
      for (const caller of CALLERS.filter((c): c is UserRole => c !== 'anonymous')) {
        const res = await request(r, caller);
        const tag = `${r.method} ${r.path} ${caller} → ${res.statusCode} ${errorCode(res) ?? ''}`;
        const mayCall = policy.access.public === true || policy.access.roles!.includes(caller);
        if (res.statusCode >= 500) failures.push(tag);
        else if (mayCall) {
          allowed++;
          // Past the role gate: a 400/404/409/426 about the request itself is fine; 401, or the gate's 403, is not.
          if (res.statusCode === 401 || (res.statusCode === 403 && (r.method === 'HEAD' || errorCode(res) === 'forbidden'))) failures.push(tag);
        } else {
          denied++;
          if (!(res.statusCode === 403 && (r.method === 'HEAD' || errorCode(res) === 'forbidden'))) failures.push(tag);
        }
      }
    }
    expect(failures).toEqual([]);
    // The matrix really denies somewhere for every non-admin role and allows somewhere for all.
    expect(denied).toBeGreaterThanOrEqual(20);
    expect(allowed).toBeGreaterThanOrEqual(150);
  });

  test('cookie sessions: every change without X-Requested-With is refused (403 csrf) for the roles the route allows; with it, the same as bearer', async () => {
    const failures: string[] = [];
    let checked = 0;
    for (const r of routerRoutes(app).filter((x) => UNSAFE.has(x.method))) {
      const policy = policyOf(r)!;
      if (policy.access.public) continue;
      for (const role of ALL_ROLES) {
        const bare = await request(r, role, 'cookie');
        const withHeader = await request(r, role, 'cookie+header');
        const bearer = await request(r, role, 'bearer');
        const tag = `${r.method} ${r.path} ${role}: cookie ${bare.statusCode} ${errorCode(bare)}, +header ${withHeader.statusCode}, bearer ${bearer.statusCode}`;
        if (!policy.access.roles!.includes(role)) {
          if (bare.statusCode !== 403 || withHeader.statusCode !== 403 || bearer.statusCode !== 403) failures.push(tag);
          continue;
        }
        checked++;
        if (bare.statusCode !== 403 || errorCode(bare) !== 'csrf') failures.push(tag);
        // With the header the request passes the gate, as a bearer request does.
        if (withHeader.statusCode >= 500 || errorCode(withHeader) === 'csrf' || errorCode(withHeader) === 'forbidden') failures.push(tag);
        if (errorCode(bearer) === 'csrf') failures.push(tag);
      }
    }
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThanOrEqual(30);
  });
});

describe('object level: a responder reaches only their own alerts, duty and roster', () => {
  test("another responder's alert is 404 (out of scope), their duty switch and roster 403; their own are not; the alert is unchanged", async () => {
    const other = await createResponder(db);
    const hh = await createHouseholdWithPeople(db);
    const theirs = await insertAlert(db, { householdId: hh.id, kind: 'sos', state: 'accepted', acceptedBy: other });
    await notifyResponder(db, theirs, other);
    const me = logins.get('responder')!;
    const as = (method: 'GET' | 'POST', url: string, payload?: object) => app.inject({ method, url, headers: me.bearer, ...(payload ? { payload } : {}) });
    const unseen = [
      await as('GET', `/api/v1/alerts/${theirs}`),
      await as('POST', `/api/v1/alerts/${theirs}/accept`, {}),
      await as('POST', `/api/v1/alerts/${theirs}/arrive`, {}),
      await as('POST', `/api/v1/alerts/${theirs}/resolve`, { outcome: 'false_alarm', note: 'x' }),
      await as('POST', `/api/v1/alerts/${theirs}/cancel`, { reason: 'x' }),
      await as('POST', `/api/v1/alerts/${theirs}/notes`, { text: 'x' }),
      await as('POST', `/api/v1/alerts/${theirs}/accept`, { responderId: other }),
    ];
    expect(unseen.map((r) => r.statusCode)).toEqual(unseen.map(() => 404));
    const refused = [
      await as('POST', `/api/v1/responders/${other}/duty`, { onDuty: false }),
      await as('GET', `/api/v1/rosters?responderId=${other}`),
    ];
    expect(refused.map((r) => r.statusCode)).toEqual(refused.map(() => 403));
    const alert = (await db.pool.query(`SELECT state, accepted_by FROM alerts WHERE id = $1`, [theirs])).rows[0];
    expect(alert).toEqual({ state: 'accepted', accepted_by: other });
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM alert_events WHERE alert_id = $1`, [theirs])).rows[0].n).toBe(0);
    expect((await as('POST', `/api/v1/responders/${ownResponderId}/duty`, { onDuty: true })).statusCode).toBe(200);
    expect((await as('GET', `/api/v1/rosters?responderId=${ownResponderId}`)).statusCode).toBe(200);
    // Their alert is not in my list either.
    const mine = (await as('GET', '/api/v1/alerts?limit=1000')).json().items.map((a: { id: string }) => a.id);
    expect(mine).not.toContain(theirs);
  });
});
