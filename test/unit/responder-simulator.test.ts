import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { ALERT_KINDS, OUTCOMES, type AlertKind } from '../../domain/alert-kinds.js';
import { fieldResponders, parseResponderLogins, readResponderLogins, ResponderLoginsError } from '../../simulators/responder-logins.js';
import { planResponse } from '../../simulators/responder-plan.js';
import { startResponderSimulation, type ResponderSimulation } from '../../simulators/responder-simulator.js';

/**
 * Simulated responders (issue 4 item 9): the decision logic (delays, late share, outcomes), the
 * logins file, and the HTTP conversation against a small stand-in of the API's alert actions
 * (login → bearer token, list, accept first-wins with 409, arrive, resolve {outcome, note}).
 */

async function waitUntil(fn: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('planResponse', () => {
  const ids = Array.from({ length: 2000 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);

  test('is deterministic per alert and seed; colleagues differ only in their own reaction time', () => {
    const a = planResponse({ id: ids[1]!, kind: 'sos', signalCount: 2 }, { lateRate: 0.2, seed: 7, responderId: 'r1' });
    expect(planResponse({ id: ids[1]!, kind: 'sos', signalCount: 2 }, { lateRate: 0.2, seed: 7, responderId: 'r1' })).toEqual(a);
    const b = planResponse({ id: ids[1]!, kind: 'sos', signalCount: 2 }, { lateRate: 0.2, seed: 7, responderId: 'r2' });
    expect({ ...b, acceptAfterS: 0, arriveAfterS: 0 }).toEqual({ ...a, acceptAfterS: 0, arriveAfterS: 0 });
  });

  test('about lateRate of the alerts are late: accepted past the ack timeout and at the door past the 15-minute SLA', () => {
    const plans = ids.map((id) => planResponse({ id, kind: 'fall', signalCount: 1 }, { lateRate: 0.2, seed: 1, responderId: 'r' }));
    const late = plans.filter((p) => p.late);
    expect(late.length / plans.length).toBeGreaterThan(0.16);
    expect(late.length / plans.length).toBeLessThan(0.24);
    for (const p of late) {
      expect(p.acceptAfterS).toBeGreaterThan(180);
      expect(p.acceptAfterS + p.arriveAfterS).toBeGreaterThanOrEqual(960);
    }
    for (const p of plans.filter((x) => !x.late)) {
      expect(p.acceptAfterS).toBeGreaterThanOrEqual(10);
      expect(p.acceptAfterS).toBeLessThanOrEqual(90);
      expect(p.arriveAfterS).toBeGreaterThanOrEqual(120);
      expect(p.arriveAfterS).toBeLessThanOrEqual(720);
      expect(p.acceptAfterS + p.arriveAfterS).toBeLessThan(900);
    }
    for (const p of plans) {
      expect(p.resolveAfterS).toBeGreaterThanOrEqual(180);
      expect(p.resolveAfterS).toBeLessThanOrEqual(900);
    }
    expect(ids.some((id) => planResponse({ id, kind: 'fall', signalCount: 1 }, { lateRate: 0 }).late)).toBe(false);
    expect(ids.every((id) => planResponse({ id, kind: 'fall', signalCount: 1 }, { lateRate: 1 }).late)).toBe(true);
  });

  test('outcomes fit the kind: mostly assisted, false alarms for single SOS presses, hospital rarely', () => {
    const share = (kind: AlertKind, signalCount: number, outcome: string) =>
      ids.filter((id) => planResponse({ id, kind, signalCount }, { lateRate: 0.2, seed: 3 }).outcome === outcome).length / ids.length;
    for (const kind of ALERT_KINDS) {
      for (const id of ids.slice(0, 200)) {
        const p = planResponse({ id, kind, signalCount: 1 }, { lateRate: 0.2 });
        expect(OUTCOMES).toContain(p.outcome);
        expect(p.note.length).toBeGreaterThan(0);
      }
    }
    expect(share('sos', 1, 'false_alarm')).toBeGreaterThan(0.3);
    expect(share('sos', 3, 'false_alarm')).toBeLessThan(0.1);
    expect(share('sos', 3, 'assisted')).toBeGreaterThan(0.75);
    expect(share('fall', 1, 'hospital')).toBeLessThan(0.25);
    expect(share('fall', 1, 'assisted')).toBeGreaterThan(0.6);
    expect(share('battery_low', 1, 'other')).toBe(1);
  });
});

describe('logins file', () => {
  test('keeps valid logins; only responder accounts linked to a responder act', () => {
    const logins = parseResponderLogins({ logins: [
      { username: 'gw1', password: 'p', role: 'responder', responderId: 'r-1', displayName: '网格员' },
      { username: 'op', password: 'p', role: 'operator', responderId: null, displayName: '调度员' },
      { username: 'loose', password: 'p', role: 'responder', responderId: null, displayName: 'x' },
      { username: 'bad', role: 'responder' },
      'junk',
    ] }, 'f.json');
    expect(logins.map((l) => l.username)).toEqual(['gw1', 'op', 'loose']);
    expect(fieldResponders(logins).map((l) => l.username)).toEqual(['gw1']);
    expect(() => parseResponderLogins({ nope: 1 }, 'f.json')).toThrow(ResponderLoginsError);
  });

  test('a missing or broken file says to run the demo seed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'guardian-logins-'));
    try {
      await expect(readResponderLogins(join(dir, 'missing.json'))).rejects.toThrow(/seed --demo/);
      await writeFile(join(dir, 'bad.json'), '{not json');
      await expect(readResponderLogins(join(dir, 'bad.json'))).rejects.toThrow(ResponderLoginsError);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

// ------------------------------------------------------------------ a stand-in of the API

interface FakeAlert {
  id: string; kind: AlertKind; state: string; signalCount: number; firstSignalAt: string;
  acceptedBy: string | null; notified: string[]; outcome?: string; note?: string;
}

function fakeApi(alerts: FakeAlert[]) {
  const users: Record<string, { password: string; responderId: string }> = {
    gw: { password: 'pw-gw', responderId: 'r-gw' }, org: { password: 'pw-org', responderId: 'r-org' },
  };
  const tokens = new Map<string, string>();
  const calls: Array<{ method: string; path: string; status: number; by: string | null; headers: IncomingMessage['headers'] }> = [];
  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => { raw += c; });
    req.on('end', () => {
      const url = new URL(req.url!, 'http://x');
      const body = raw ? JSON.parse(raw) as Record<string, string> : {};
      const me = tokens.get((req.headers.authorization ?? '').replace(/^Bearer /, '')) ?? null;
      const reply = (status: number, b: unknown) => {
        calls.push({ method: req.method!, path: url.pathname, status, by: me, headers: req.headers });
        send(res, status, b);
      };
      if (req.method === 'POST' && url.pathname === '/api/v1/auth/login') {
        const u = users[body.username!];
        if (!u || u.password !== body.password) return reply(401, { error: { code: 'unauthorized', message: 'wrong' } });
        const token = `t-${body.username}`;
        tokens.set(token, u.responderId);
        return reply(200, { token, user: { username: body.username } });
      }
      if (!me) return reply(401, { error: { code: 'unauthorized', message: 'login first' } });
      if (req.method === 'GET' && url.pathname === '/api/v1/alerts') {
        const states = (url.searchParams.get('state') ?? '').split(',');
        const items = alerts.filter((a) => states.includes(a.state) && (a.acceptedBy === me || a.notified.includes(me)))
          .map(({ notified: _n, ...a }) => a);
        return reply(200, { items, total: items.length });
      }
      const m = /^\/api\/v1\/alerts\/([^/]+)\/(accept|arrive|resolve)$/.exec(url.pathname);
      const a = m && alerts.find((x) => x.id === m[1]);
      if (req.method !== 'POST' || !m || !a) return reply(404, { error: { code: 'not_found', message: 'no' } });
      if (m[2] === 'accept') {
        if (a.acceptedBy) return reply(409, { error: { code: 'already_accepted', message: `already taken by ${a.acceptedBy}` } });
        a.acceptedBy = me;
        a.state = 'accepted';
      } else if (m[2] === 'arrive') {
        if (a.state !== 'accepted' || a.acceptedBy !== me) return reply(409, { error: { code: 'invalid_transition', message: 'no' } });
        a.state = 'on_site';
      } else {
        if (a.state !== 'on_site' || !body.outcome) return reply(409, { error: { code: 'arrival_required', message: 'no' } });
        Object.assign(a, { state: 'resolved', outcome: body.outcome, note: body.note });
      }
      return reply(200, { ok: true });
    });
  });
  return {
    calls,
    async listen(): Promise<string> {
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const logins = [
  { username: 'gw', password: 'pw-gw', role: 'responder', responderId: 'r-gw', displayName: '网格员小张' },
  { username: 'org', password: 'pw-org', role: 'responder', responderId: 'r-org', displayName: '社工小王' },
  { username: 'boss', password: 'x', role: 'operator', responderId: null, displayName: '调度员' },
];

describe('startResponderSimulation', () => {
  let sim: ResponderSimulation | undefined;
  let api: ReturnType<typeof fakeApi> | undefined;
  afterEach(async () => {
    await sim?.stop();
    await api?.close();
    sim = api = undefined;
  });

  test('accepts, arrives and resolves through the API; two people paged for one alert: one accept wins', async () => {
    const at = new Date().toISOString();
    const alerts: FakeAlert[] = [
      { id: 'a-shared', kind: 'sos', state: 'notified', signalCount: 1, firstSignalAt: at, acceptedBy: null, notified: ['r-gw', 'r-org'] },
      { id: 'a-fall', kind: 'fall', state: 'notified', signalCount: 1, firstSignalAt: at, acceptedBy: null, notified: ['r-org'] },
      { id: 'a-taken', kind: 'inactivity', state: 'accepted', signalCount: 1, firstSignalAt: at, acceptedBy: 'r-someone', notified: ['r-gw'] },
    ];
    api = fakeApi(alerts);
    const url = await api.listen();
    sim = startResponderSimulation({ url, logins, speed: 5000, lateRate: 0.5, seed: 11, pollMs: 100 });
    expect(await sim.ready).toEqual({ loggedIn: 2, failed: [] });

    // The fake API flips the state before it answers; the simulator counts once the answer is in.
    await waitUntil(() => alerts[0]!.state === 'resolved' && alerts[1]!.state === 'resolved' && sim!.stats().resolved === 2, 'both alerts resolved');
    expect(alerts[1]!.acceptedBy).toBe('r-org');
    expect(OUTCOMES).toContain(alerts[0]!.outcome);
    expect(alerts[0]!.note).toBeTruthy();
    // Someone else's alert is left alone.
    expect(alerts[2]).toMatchObject({ state: 'accepted', acceptedBy: 'r-someone' });
    const accepted = api.calls.filter((c) => c.path === '/api/v1/alerts/a-shared/accept' && c.status === 200);
    expect(accepted).toHaveLength(1);
    const winner = accepted[0]!.by;
    // Only the winner goes on: the other person never tries to arrive or resolve.
    expect(api.calls.filter((c) => /a-shared\/(arrive|resolve)$/.test(c.path)).every((c) => c.by === winner && c.status === 200)).toBe(true);
    const actions = api.calls.filter((c) => c.method === 'POST' && c.path.startsWith('/api/v1/alerts/'));
    expect(actions.every((c) => /^Bearer t-/.test(c.headers.authorization ?? '') && c.headers['x-requested-with'] === 'guardian')).toBe(true);
    expect(sim.stats()).toMatchObject({ responders: 2, loggedIn: 2, accepted: 2, arrived: 2, resolved: 2, errors: 0 });
  });

  test('picks up an alert it already accepted (e.g. after a restart) and a refused accept is dropped, not retried', async () => {
    const at = new Date().toISOString();
    const alerts: FakeAlert[] = [
      { id: 'a-mine', kind: 'water_leak', state: 'on_site', signalCount: 1, firstSignalAt: at, acceptedBy: 'r-gw', notified: ['r-gw'] },
      // Listed as notified but the server says someone took it meanwhile.
      { id: 'a-race', kind: 'fall', state: 'notified', signalCount: 1, firstSignalAt: at, acceptedBy: null, notified: ['r-gw'] },
    ];
    api = fakeApi(alerts);
    const url = await api.listen();
    const original = alerts[1]!;
    sim = startResponderSimulation({
      url, logins: logins.slice(0, 1), speed: 5000, lateRate: 0, seed: 2, pollMs: 100,
      // The other responder wins the race the moment our accept is sent.
      fetch: (async (input: URL | RequestInfo, init?: RequestInit) => {
        if (String(input).endsWith('/a-race/accept')) Object.assign(original, { acceptedBy: 'r-other', state: 'accepted' });
        return fetch(input, init);
      }) as typeof fetch,
    });
    await sim.ready;
    await waitUntil(() => alerts[0]!.state === 'resolved', 'own on-site alert resolved');
    await waitUntil(() => sim!.stats().conflicts === 1, 'the refused accept');
    const before = api.calls.length;
    await waitUntil(() => api!.calls.length > before + 3, 'a few more polls');
    expect(api.calls.filter((c) => c.path.endsWith('/a-race/accept'))).toHaveLength(1);
    expect(sim.stats()).toMatchObject({ accepted: 0, arrived: 0, resolved: 1, conflicts: 1 });
  });

  test('a wrong password is reported by ready, not thrown', async () => {
    api = fakeApi([]);
    const url = await api.listen();
    sim = startResponderSimulation({ url, logins: [{ ...logins[0]!, password: 'nope' }], pollMs: 100 });
    const ready = await sim.ready;
    expect(ready.loggedIn).toBe(0);
    expect(ready.failed).toEqual([{ username: 'gw', error: 'wrong' }]);
  });
});
