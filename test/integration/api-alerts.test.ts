import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ingestAlertEvent } from '../../store/alert-ingest-repository.js';
import { provisionDevice } from '../../store/devices-repository.js';
import { buildTestApp, createHouseholdWithPeople, createResponder, insertAlert, loginAs, type TestLogin } from '../helpers/api.js';
import { createTestDb, type TestDb } from '../helpers/db.js';

let db: TestDb;
let app: FastifyInstance;
let op: TestLogin;
let hhA: string;
let hhB: string;
const ids: Record<string, string> = {};

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);

beforeAll(async () => {
  db = await createTestDb();
  app = await buildTestApp(db);
  op = await loginAs(app, db, 'operator');
  hhA = (await createHouseholdWithPeople(db, { grid: 'g-north' })).id;
  hhB = (await createHouseholdWithPeople(db, { grid: 'g-south' })).id;
  ids.oldSos = await insertAlert(db, { householdId: hhA, kind: 'sos', severity: 'critical', state: 'resolved', openedAt: minutesAgo(300) });
  ids.inactivity = await insertAlert(db, { householdId: hhA, kind: 'inactivity', severity: 'high', state: 'open', openedAt: minutesAgo(5) });
  ids.battery = await insertAlert(db, { householdId: hhB, kind: 'battery_low', severity: 'maintenance', state: 'open', openedAt: minutesAgo(1) });
  ids.fall = await insertAlert(db, { householdId: hhB, kind: 'fall', severity: 'critical', state: 'notified', openedAt: minutesAgo(10) });
  ids.smoke = await insertAlert(db, { householdId: hhA, kind: 'smoke', severity: 'critical', state: 'accepted', openedAt: minutesAgo(2) });
});
afterAll(async () => {
  await app.close();
  await db.drop();
});

const get = (url: string, who: TestLogin = op) => app.inject({ url, headers: who.bearer });

describe('GET /api/v1/alerts', () => {
  test('critical first, then newest; items carry place and SLA flags; { items, total }', async () => {
    const res = await get('/api/v1/alerts');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.total).toBe(5);
    expect(body.items.map((a: { id: string }) => a.id)).toEqual([ids.smoke, ids.fall, ids.oldSos, ids.inactivity, ids.battery]);
    expect(body.items[0]).toMatchObject({
      id: ids.smoke, kind: 'smoke', severity: 'critical', state: 'accepted', householdId: hhA, level: 0, signalCount: 1,
      ackBreached: false, slaWarned: false, onsiteBreached: false, acceptedBy: null, closedAt: null,
      household: { buildingName: 'g-north-b1', gridName: 'g-north' },
    });
    expect(new Date(body.items[0].openedAt).toISOString()).toBe(body.items[0].openedAt);
  });

  test('state takes a comma-separated list', async () => {
    const body = (await get('/api/v1/alerts?state=open,notified')).json();
    expect(body.total).toBe(3);
    expect(new Set(body.items.map((a: { state: string }) => a.state))).toEqual(new Set(['open', 'notified']));
  });

  test('kind and householdId filter', async () => {
    expect((await get('/api/v1/alerts?kind=fall')).json().items.map((a: { id: string }) => a.id)).toEqual([ids.fall]);
    const byHome = (await get(`/api/v1/alerts?householdId=${hhB}`)).json();
    expect(byHome.total).toBe(2);
    expect(byHome.items.every((a: { householdId: string }) => a.householdId === hhB)).toBe(true);
  });

  test('limit and offset page through; total stays the full count', async () => {
    const p1 = (await get('/api/v1/alerts?limit=2')).json();
    const p2 = (await get('/api/v1/alerts?limit=2&offset=2')).json();
    const p3 = (await get('/api/v1/alerts?limit=2&offset=4')).json();
    expect([p1.total, p2.total, p3.total]).toEqual([5, 5, 5]);
    expect([p1.items.length, p2.items.length, p3.items.length]).toEqual([2, 2, 1]);
    expect([...p1.items, ...p2.items, ...p3.items].map((a: { id: string }) => a.id)).toEqual([ids.smoke, ids.fall, ids.oldSos, ids.inactivity, ids.battery]);
    expect((await get('/api/v1/alerts?offset=100')).json()).toEqual({ items: [], total: 5 });
  });

  test.each([
    ['limit=5000', 'querystring.limit must be <= 1000'],
    ['limit=0', 'querystring.limit must be >= 1'],
    ['limit=ten', 'querystring.limit must be integer'],
    ['offset=-1', 'querystring.offset must be >= 0'],
    ['kind=earthquake', 'querystring.kind must be one of: sos, fall, smoke'],
    ['state=open,sleeping', 'querystring.state: unknown state "sleeping"; allowed: open, notified'],
  ])('bad query %s is a 400 naming the field', async (qs, message) => {
    const res = await get(`/api/v1/alerts?${qs}`);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('bad_request');
    expect(res.json().error.message).toContain(message);
  });

  test('a responder sees the alerts of the homes their own alerts reach (paged for or held), nothing else', async () => {
    const rid = await createResponder(db);
    const responder = await loginAs(app, db, 'responder', { responderId: rid });
    expect((await get('/api/v1/alerts', responder)).json()).toEqual({ items: [], total: 0 });

    await db.pool.query(`UPDATE alerts SET accepted_by = $1 WHERE id = $2`, [rid, ids.smoke]);
    await db.pool.query(`INSERT INTO notifications (alert_id, responder_id, tier, channel, target, status) VALUES ($1, $2, 1, 'webhook', '13700001111', 'sent')`, [ids.fall, rid]);
    // Home A (the smoke they hold) and home B (the fall they were paged for) are theirs while those alerts live.
    const elsewhere = await insertAlert(db, { householdId: (await createHouseholdWithPeople(db, { grid: 'g-west' })).id, kind: 'sos', state: 'notified' });
    try {
      const body = (await get('/api/v1/alerts', responder)).json();
      expect(body.total).toBe(5);
      expect(body.items.map((a: { id: string }) => a.id)).toEqual([ids.smoke, ids.fall, ids.oldSos, ids.inactivity, ids.battery]);
      // Filters still apply inside their view.
      expect((await get('/api/v1/alerts?kind=fall', responder)).json().total).toBe(1);

      // Detail: their own alert yes (with others' phone numbers masked); another home's does not exist for them.
      const mine = await get(`/api/v1/alerts/${ids.fall}`, responder);
      expect(mine.statusCode).toBe(200);
      expect(mine.json().notifications[0].target).toBe('137****1111');
      expect((await get(`/api/v1/alerts/${ids.fall}`)).json().notifications[0].target).toBe('13700001111');
      const other = await get(`/api/v1/alerts/${elsewhere}`, responder);
      expect(other.statusCode).toBe(404);
      expect(other.json().error).toEqual({ code: 'not_found', message: `no alert ${elsewhere}` });
    } finally {
      await db.pool.query(`DELETE FROM alerts WHERE id = $1`, [elsewhere]);
      await db.pool.query(`UPDATE alerts SET accepted_by = NULL WHERE id = $1`, [ids.smoke]);
    }
  });

  test('a responder account without a responder record sees nothing', async () => {
    const unlinked = await loginAs(app, db, 'responder');
    expect((await get('/api/v1/alerts', unlinked)).json()).toEqual({ items: [], total: 0 });
    expect((await get(`/api/v1/alerts/${ids.fall}`, unlinked)).statusCode).toBe(404);
  });
});

describe('GET /api/v1/alerts/:id', () => {
  test('an alert from real ingest comes with its timeline, signals and notifications', async () => {
    const { id: hh } = await createHouseholdWithPeople(db);
    const { deviceId } = await provisionDevice(db.pool, { householdId: hh, kind: 'sos_button', room: 'bedroom' });
    const signal = (eventId: string, at: Date) => ({
      deviceId, householdId: hh, eventId, type: 'sos', ts: at, deviceTs: at, receivedAt: at, value: null,
      battery: 90, rssi: -60, confidence: null, room: 'bedroom', activity: false,
    });
    const first = await ingestAlertEvent(db.pool, signal('press-1', minutesAgo(3)));
    expect(first.outcome).toBe('opened');
    const alertId = (first as { alertId: string }).alertId;
    await ingestAlertEvent(db.pool, signal('press-2', minutesAgo(2)));
    await db.pool.query(`INSERT INTO notifications (alert_id, tier, channel, target, status) VALUES ($1, 1, 'webpush', 'user:zhang', 'sent')`, [alertId]);

    const res = await get(`/api/v1/alerts/${alertId}`);
    expect(res.statusCode).toBe(200);
    const a = res.json();
    expect(a).toMatchObject({ id: alertId, kind: 'sos', severity: 'critical', state: 'open', signalCount: 2, deviceId, householdId: hh });
    expect(a.timeline.map((e: { type: string }) => e.type)).toEqual(['created', 'repeat']);
    expect(a.timeline[0]).toMatchObject({ actor: `device:${deviceId}`, toState: 'open', data: { eventId: 'press-1', room: 'bedroom' } });
    expect(a.signals.map((s: { eventId: string }) => s.eventId)).toEqual(['press-1', 'press-2']);
    expect(a.signals[0]).toMatchObject({ deviceId, type: 'sos' });
    expect(a.notifications).toEqual([expect.objectContaining({ channel: 'webpush', target: 'user:zhang', status: 'sent', tier: 1 })]);
  });

  test('a missing alert is 404; a malformed id is 400, never 500', async () => {
    const missing = await get('/api/v1/alerts/6f1c1a52-5d3c-4a3e-9c55-2b1b7a0e0d11');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('not_found');
    for (const bad of ['abc', '123', "1'%20OR%20'1'='1", '6f1c1a52-5d3c-4a3e-9c55-2b1b7a0e0d1z']) {
      const res = await get(`/api/v1/alerts/${bad}`);
      expect(res.statusCode, bad).toBe(400);
      expect(res.json().error).toEqual({ code: 'bad_request', message: 'params.id must be a valid uuid', params: { field: 'params.id', rule: 'format', format: 'uuid' } });
    }
  });
});
