import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import WebSocket from 'ws';
import { listenApp } from '../../api/server.js';
import { latestLiveSeq } from '../../store/live-events-repository.js';
import { buildTestApp, createHouseholdWithPeople, createResponder, insertAlert, loginAs, type TestLogin } from '../helpers/api.js';
import { createTestDb, waitFor, type TestDb } from '../helpers/db.js';

/**
 * Several API instances behind one load balancer (DESIGN §9, issue 21 item 6): a change made
 * through one instance reaches the live sockets of the others through Redis pub/sub — each
 * instance's table poll is set to a minute here, so only Redis can bring it in time — in seq
 * order, once; and a socket resuming on any instance replays what another instance wrote.
 */
let db: TestDb;
const apps: FastifyInstance[] = [];
const redises: Redis[] = [];
const sockets: WebSocket[] = [];
let a: { app: FastifyInstance; base: string };
let b: { app: FastifyInstance; base: string };
let op: TestLogin;

async function instance() {
  const redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: 1 });
  redises.push(redis);
  const app = await buildTestApp(db, {
    redis,
    createLiveSubscriber: () => { const s = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null }); redises.push(s); return s; },
    live: { pollMs: 60_000, gapWaitMs: 300, heartbeatMs: 30_000 },
  });
  apps.push(app);
  const port = await listenApp(app, { host: '127.0.0.1', port: 0 });
  return { app, base: `ws://127.0.0.1:${port}` };
}

interface Msg { type: string; seq: number; data: Record<string, unknown> }

async function openLive(base: string, query = '') {
  const ws = new WebSocket(`${base}/api/v1/live${query}`, { headers: op.bearer });
  sockets.push(ws);
  const messages: Msg[] = [];
  ws.on('message', (raw) => messages.push(JSON.parse(String(raw)) as Msg));
  await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject); });
  const events = () => messages.filter((m) => m.type !== 'snapshot' && m.type !== 'resume' && typeof m.seq === 'number');
  return {
    messages, events,
    until: (pred: (m: Msg) => boolean, what: string) => waitFor(() => messages.find(pred), { timeoutMs: 10_000, intervalMs: 10, what }),
  };
}

beforeAll(async () => {
  db = await createTestDb();
  a = await instance();
  b = await instance();
  op = await loginAs(a.app, db, 'operator'); // a session is in the database: valid on every instance
});
afterAll(async () => {
  for (const s of sockets) s.terminate();
  for (const app of apps) await app.close();
  for (const r of redises) r.disconnect();
  await db.drop();
});

const notifiedAlert = async () => insertAlert(db, { householdId: (await createHouseholdWithPeople(db)).id, kind: 'sos', state: 'notified', openedAt: new Date(Date.now() - 60_000) });

test('an accept through instance A reaches the sockets on A and on B, with the same seq, once each, in order', async () => {
  const alertId = await notifiedAlert();
  const responder = await createResponder(db);
  const onA = await openLive(a.base);
  const onB = await openLive(b.base);
  await onA.until((m) => m.type === 'snapshot', 'snapshot on A');
  await onB.until((m) => m.type === 'snapshot', 'snapshot on B');

  const accept = await a.app.inject({ method: 'POST', url: `/api/v1/alerts/${alertId}/accept`, headers: op.bearer, payload: { responderId: responder } });
  expect(accept.statusCode, accept.body).toBe(200);
  const isAccepted = (m: Msg) => m.type === 'alert.updated' && (m.data as { id?: string }).id === alertId && (m.data as { state?: string }).state === 'accepted';
  const seenOnA = await onA.until(isAccepted, 'the accept on A');
  const seenOnB = await onB.until(isAccepted, 'the accept on B (through Redis: its poll is a minute away)');
  expect(seenOnB.seq).toBe(seenOnA.seq);

  // A second change through B flows back to A: the fan-out is symmetric.
  const note = await b.app.inject({ method: 'POST', url: `/api/v1/alerts/${alertId}/notes`, headers: op.bearer, payload: { responderId: responder, text: '已电话联系家属' } });
  expect(note.statusCode, note.body).toBe(200);
  const last = await latestLiveSeq(db.pool);
  await onA.until((m) => m.seq === last, 'the note on A');
  await onB.until((m) => m.seq === last, 'the note on B');
  for (const s of [onA, onB]) {
    const seqs = s.events().map((m) => m.seq);
    expect(new Set(seqs).size).toBe(seqs.length); // once each
    expect([...seqs].sort((x, y) => x - y)).toEqual(seqs); // in seq order
  }
});

test('a socket resuming on B with ?since replays what was written through A, exactly', async () => {
  const since = await latestLiveSeq(db.pool);
  const alertId = await notifiedAlert();
  const responder = await createResponder(db);
  expect((await a.app.inject({ method: 'POST', url: `/api/v1/alerts/${alertId}/accept`, headers: op.bearer, payload: { responderId: responder } })).statusCode).toBe(200);
  const upTo = await latestLiveSeq(db.pool);
  expect(upTo).toBeGreaterThan(since);
  const resumed = await openLive(b.base, `?since=${since}`);
  await resumed.until((m) => m.seq === upTo, 'the replay up to the accept');
  const replayed = resumed.events().map((m) => m.seq).filter((s) => s <= upTo);
  expect(replayed).toEqual(Array.from({ length: upTo - since }, (_, i) => since + 1 + i));
});
