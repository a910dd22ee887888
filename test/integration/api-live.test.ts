import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import WebSocket from 'ws';
import { listenApp } from '../../api/server.js';
import type { LiveEvent } from '../../domain/live-events.js';
import { appendLiveEvents, latestLiveSeq } from '../../store/live-events-repository.js';
import { publishLive } from '../../store/live-publisher.js';
import {
  buildTestApp, createHouseholdWithPeople, createResponder, insertAlert, loginAs, notifyResponder, type TestLogin,
} from '../helpers/api.js';
import { createTestDb, waitFor, type TestDb } from '../helpers/db.js';

let db: TestDb;
let app: FastifyInstance;
let redis: Redis;
let base: string;
let op: TestLogin;

beforeAll(async () => {
  db = await createTestDb();
  redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: 1 });
  app = await buildTestApp(db, { redis, live: { pollMs: 250, gapWaitMs: 300, heartbeatMs: 30_000 } });
  const port = await listenApp(app, { host: '127.0.0.1', port: 0 });
  base = `ws://127.0.0.1:${port}`;
  op = await loginAs(app, db, 'operator');
});
afterAll(async () => {
  await app.close();
  redis.disconnect();
  await db.drop();
});

interface Msg { type: string; seq: number; data: Record<string, unknown> }

/** A live socket that records every message; `until` waits for one matching. */
function openLive(query = '', headers: Record<string, string> = op.bearer) {
  const ws = new WebSocket(`${base}/api/v1/live${query}`, { headers });
  const messages: Msg[] = [];
  ws.on('message', (raw) => messages.push(JSON.parse(String(raw)) as Msg));
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (req, res) => {
      // With this listener ws leaves the refused request open; end it, as a browser would.
      req.destroy();
      reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { statusCode: res.statusCode }));
    });
    ws.once('error', reject);
  });
  return {
    ws, messages, opened,
    until: (pred: (m: Msg) => boolean, what: string, timeoutMs = 3000) =>
      waitFor(() => messages.find(pred), { timeoutMs, what, intervalMs: 10 }),
    events: () => messages.filter((m) => typeof m.seq === 'number' && m.type !== 'snapshot' && m.type !== 'resume'),
    close: () => new Promise<void>((resolve) => { if (ws.readyState === WebSocket.CLOSED) resolve(); else { ws.once('close', () => resolve()); ws.close(); } }),
  };
}

async function notifiedAlert(kind = 'sos') {
  const householdId = (await createHouseholdWithPeople(db)).id;
  return insertAlert(db, { householdId, kind, state: 'notified', openedAt: new Date(Date.now() - 60_000) });
}

const act = (alertId: string, action: string, payload: Record<string, unknown> = {}, who: TestLogin = op) =>
  app.inject({ method: 'POST', url: `/api/v1/alerts/${alertId}/${action}`, headers: who.bearer, payload });

describe('connecting', () => {
  test('anonymous is refused before the upgrade (401); a bad token too', async () => {
    await expect(openLive('', {}).opened).rejects.toMatchObject({ statusCode: 401 });
    await expect(openLive('?token=nonsense', {}).opened).rejects.toMatchObject({ statusCode: 401 });
  });

  test('snapshot on connect: live alerts, summary, and the seq it is consistent with', async () => {
    const alertId = await notifiedAlert();
    const s = openLive();
    await s.opened;
    const snap = await s.until((m) => m.type === 'snapshot', 'snapshot');
    expect(snap.seq).toBe(await latestLiveSeq(db.pool));
    const alerts = snap.data.alerts as Array<{ id: string; state: string; household: { unit: string } }>;
    expect(alerts.find((a) => a.id === alertId)).toMatchObject({ state: 'notified', household: { unit: expect.any(String) } });
    expect(snap.data.summary).toMatchObject({ households: expect.any(Number), liveAlertsByState: expect.any(Object) });
    await s.close();
  });

  test('cookie auth from our own origin works; from another origin it is refused (403); ?token= works', async () => {
    const host = new URL(base).host;
    const ok = openLive('', { cookie: `guardian_session=${op.cookie}`, origin: `http://${host}` });
    await ok.opened;
    await ok.until((m) => m.type === 'snapshot', 'snapshot over cookie');
    await ok.close();
    await expect(openLive('', { cookie: `guardian_session=${op.cookie}`, origin: 'http://evil.example' }).opened).rejects.toMatchObject({ statusCode: 403 });
    const byQuery = openLive(`?token=${op.token}`, {});
    await byQuery.opened;
    await byQuery.until((m) => m.type === 'snapshot', 'snapshot over ?token');
    await byQuery.close();
  });

  test('a plain GET is told to upgrade (426)', async () => {
    const res = await app.inject({ url: '/api/v1/live', headers: op.bearer });
    expect(res.statusCode).toBe(426);
  });
});

describe('streaming', () => {
  test('alert.updated arrives within 1 s of an action', async () => {
    const alertId = await notifiedAlert();
    const s = openLive();
    await s.opened;
    await s.until((m) => m.type === 'snapshot', 'snapshot');
    const t0 = Date.now();
    expect((await act(alertId, 'accept')).statusCode).toBe(200);
    const ev = await s.until((m) => m.type === 'alert.updated' && m.data.id === alertId, 'alert.updated', 1000);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(ev.data).toMatchObject({ id: alertId, state: 'accepted', acceptedBy: `user:${op.username}` });
    await s.close();
  });

  test('resume with ?since=seq replays exactly the missed events, without gaps or duplicates', async () => {
    const alerts = await Promise.all([notifiedAlert(), notifiedAlert(), notifiedAlert()]);
    const first = openLive();
    await first.opened;
    await first.until((m) => m.type === 'snapshot', 'snapshot');
    await act(alerts[0]!, 'accept');
    const seen = await first.until((m) => m.type === 'alert.updated' && m.data.id === alerts[0], 'first event');
    await first.close();

    // Missed while disconnected.
    await act(alerts[0]!, 'arrive');
    await act(alerts[1]!, 'accept');
    await act(alerts[2]!, 'notes', { text: '电话无人接' });
    const missed = (await db.pool.query<{ seq: number }>(`SELECT seq FROM live_events WHERE seq > $1 ORDER BY seq`, [seen.seq])).rows.map((r) => r.seq);
    expect(missed.length).toBeGreaterThanOrEqual(3);

    const again = openLive(`?since=${seen.seq}`);
    await again.opened;
    const resume = await again.until((m) => m.type === 'resume', 'resume');
    expect(resume.data).toMatchObject({ since: seen.seq });
    await waitFor(() => again.events().length >= missed.length, { what: 'replayed events' });
    expect(again.messages.some((m) => m.type === 'snapshot')).toBe(false);
    expect(again.events().map((m) => m.seq)).toEqual(missed);

    // And then it streams on, continuing the sequence.
    await act(alerts[1]!, 'arrive');
    await again.until((m) => m.type === 'alert.updated' && m.data.id === alerts[1] && m.data.state === 'on_site', 'streamed after resume');
    const seqs = again.events().map((m) => m.seq);
    expect(seqs).toEqual([...new Set(seqs)].sort((a, b) => a - b));
    await again.close();
  });

  test('a since older than the table keeps gets a snapshot instead', async () => {
    const s = openLive('?since=1');
    await s.opened;
    // seq 1 exists in this database, so make sure we ask for one that was pruned: delete it.
    await s.close();
    await db.pool.query(`DELETE FROM live_events WHERE seq <= 1`);
    const t = openLive('?since=1');
    await t.opened;
    await t.until((m) => m.type === 'snapshot', 'snapshot for a pruned since');
    await t.close();
  });
});

// The hub's delivery mechanics, watched by an admin (whose scope is everything): the events name
// homes that do not exist, which an operator's scope would filter out.
describe('gaps', () => {
  test('an event appended without a publish (lost publish) is delivered by the table poll', async () => {
    const alertId = await notifiedAlert();
    const s = openLive('', (await loginAs(app, db, 'admin')).bearer);
    await s.opened;
    await s.until((m) => m.type === 'snapshot', 'snapshot');
    const [silent] = await appendLiveEvents(db.pool, [{ type: 'household.status', data: { householdId: 'hh-silent', liveAlerts: 1 } }]);
    await s.until((m) => m.seq === silent!.seq, 'the unpublished event, via the poll', 3000);
    // Then a lost publish followed by a published one: the hub fills the hole from the table, in order.
    const [lost] = await appendLiveEvents(db.pool, [{ type: 'household.status', data: { householdId: 'hh-lost' } }]);
    const [sent] = await appendLiveEvents(db.pool, [{ type: 'household.status', data: { householdId: 'hh-sent' } }]);
    publishLive(redis, [sent as LiveEvent]);
    await s.until((m) => m.seq === sent!.seq, 'the published event');
    const seqs = s.events().map((m) => m.seq);
    expect(seqs.indexOf(lost!.seq)).toBeGreaterThanOrEqual(0);
    expect(seqs.indexOf(lost!.seq)).toBeLessThan(seqs.indexOf(sent!.seq));
    expect(seqs).toEqual([...new Set(seqs)].sort((a, b) => a - b));
    expect(alertId).toBeTruthy();
    await s.close();
  });

  test('a seq that never commits holds the feed only briefly (gapWaitMs), then later events flow', async () => {
    const s = openLive('', (await loginAs(app, db, 'admin')).bearer);
    await s.opened;
    await s.until((m) => m.type === 'snapshot', 'snapshot');
    // Burn a seq in a rolled-back transaction: identity values are never reused.
    const c = await db.pool.connect();
    await c.query('BEGIN');
    await appendLiveEvents(c, [{ type: 'household.status', data: { householdId: 'hh-rolled-back' } }]);
    await c.query('ROLLBACK');
    c.release();
    const [after] = await appendLiveEvents(db.pool, [{ type: 'household.status', data: { householdId: 'hh-after' } }]);
    publishLive(redis, [after as LiveEvent]);
    await s.until((m) => m.seq === after!.seq, 'the event after the hole', 3000);
    expect(s.events().some((m) => m.data.householdId === 'hh-rolled-back')).toBe(false);
    await s.close();
  });
});

describe('what a responder receives', () => {
  test('only their own alerts and notifications; no household or other alerts', async () => {
    const rid = await createResponder(db, undefined, { name: '手机端' });
    const me = await loginAs(app, db, 'responder', { responderId: rid });
    const mine = await notifiedAlert();
    const others = await notifiedAlert('fall');
    await notifyResponder(db, mine, rid);

    const s = openLive('', me.bearer);
    await s.opened;
    const snap = await s.until((m) => m.type === 'snapshot', 'snapshot');
    expect((snap.data.alerts as Array<{ id: string }>).map((a) => a.id)).toEqual([mine]);
    expect(snap.data.summary).toBeNull();

    await act(others, 'accept');
    await appendLiveEvents(db.pool, [{ type: 'household.status', data: { householdId: 'hh-x' } }]);
    await act(mine, 'accept', {}, me);
    await s.until((m) => m.type === 'alert.updated' && m.data.id === mine, 'my alert');
    // A sentinel for them after everything else: events are delivered in seq order, so once it
    // is here anything meant for them before it has arrived too.
    const [sentinel] = await appendLiveEvents(db.pool, [{ type: 'responder.status', data: { responderId: rid, onDuty: true } }]);
    publishLive(redis, [sentinel as LiveEvent]);
    await s.until((m) => m.seq === sentinel!.seq, 'the sentinel');
    expect(s.events().map((m) => m.type === 'responder.status' ? 'me' : m.data.id)).toEqual([mine, 'me']);
    await s.close();
  });
});
