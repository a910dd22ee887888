import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { clockAt } from '../../domain/clock.js';
import { provisionDevice } from '../../store/devices-repository.js';
import { buildTestApp, createHouseholdWithPeople, createResponder, insertAlert, loginAs, notifyResponder, type TestLogin } from '../helpers/api.js';
import { createTestDb, type TestDb } from '../helpers/db.js';

/**
 * Issue 15 item 5: an arrive press gets a `presence` row on the timeline saying whether a device
 * of the home (door contact opening, the resident's button, the radar's presence) confirmed it
 * within 3 minutes either side. The API reads the injected clock; the test moves it.
 */
let db: TestDb;
let app: FastifyInstance;
let now = new Date();
const advance = (s: number) => { now = new Date(now.getTime() + s * 1000); };

beforeAll(async () => {
  db = await createTestDb();
  app = await buildTestApp(db, { clock: clockAt(() => now) });
});
afterAll(async () => {
  await app?.close();
  await db?.drop();
});

const post = (url: string, who: TestLogin, payload: Record<string, unknown> = {}) =>
  app.inject({ method: 'POST', url, headers: who.bearer, payload });

async function signal(householdId: string, deviceId: string, type: string, value: unknown, at: Date): Promise<void> {
  await db.pool.query(
    `INSERT INTO signals (ts, received_at, device_ts, device_id, household_id, event_id, type, value) VALUES ($1, $1, $1, $2, $3, $4, $5, $6)`,
    [at, deviceId, householdId, crypto.randomUUID(), type, JSON.stringify(value)]);
}

async function scene(): Promise<{ alertId: string; householdId: string; me: TestLogin; door: string; radar: string }> {
  const householdId = (await createHouseholdWithPeople(db)).id;
  const alertId = await insertAlert(db, { householdId, kind: 'fall', state: 'notified', openedAt: new Date(now.getTime() - 5 * 60_000) });
  const rid = await createResponder(db, undefined, { name: `到场${Math.random().toString(36).slice(2, 6)}` });
  await notifyResponder(db, alertId, rid);
  const me = await loginAs(app, db, 'responder', { responderId: rid });
  const door = (await provisionDevice(db.pool, { householdId, kind: 'door_contact' })).deviceId;
  const radar = (await provisionDevice(db.pool, { householdId, kind: 'fall_radar' })).deviceId;
  return { alertId, householdId, me, door, radar };
}

const presenceRows = async (alertId: string) =>
  (await db.pool.query(`SELECT actor, at, data FROM alert_events WHERE alert_id = $1 AND type = 'presence' ORDER BY id`, [alertId])).rows;

describe('presence beside the arrive press', () => {
  test('the door opening 40 s before the press confirms it; a closing and an old opening do not count', async () => {
    const { alertId, householdId, me, door } = await scene();
    await signal(householdId, door, 'door', 'open', new Date(now.getTime() - 10 * 60_000)); // before the window
    await signal(householdId, door, 'door', 'open', new Date(now.getTime() - 40_000));
    await signal(householdId, door, 'door', 'closed', new Date(now.getTime() - 5_000));
    expect((await post(`/api/v1/alerts/${alertId}/arrive`, me)).statusCode).toBe(200);
    const rows = await presenceRows(alertId);
    expect(rows).toHaveLength(1);
    expect(rows[0].data).toMatchObject({ confirmed: true, deviceId: door, deviceKind: 'door_contact', signalType: 'door', offsetS: -40, windowS: 180 });
    expect(rows[0].at.getTime()).toBe(now.getTime());
    // Shown on the alert's timeline.
    const detail = (await app.inject({ url: `/api/v1/alerts/${alertId}`, headers: me.bearer })).json();
    expect(detail.timeline.some((e: { type: string; data: { confirmed?: boolean } }) => e.type === 'presence' && e.data.confirmed)).toBe(true);
  });

  test('no signal at the press: recorded as unconfirmed; the radar 2 min later is recorded at the next action', async () => {
    const { alertId, householdId, me, radar } = await scene();
    const arriveAt = new Date(now.getTime());
    expect((await post(`/api/v1/alerts/${alertId}/arrive`, me)).statusCode).toBe(200);
    expect((await presenceRows(alertId)).map((r) => r.data.confirmed)).toEqual([false]);

    advance(120);
    await signal(householdId, radar, 'presence', false, now); // the radar saying nobody is there is no confirmation
    advance(30);
    await signal(householdId, radar, 'presence', true, now);
    advance(600);
    expect((await post(`/api/v1/alerts/${alertId}/resolve`, me, { outcome: 'assisted', note: '已扶起' })).statusCode).toBe(200);
    const rows = await presenceRows(alertId);
    expect(rows.map((r) => r.data.confirmed)).toEqual([false, true]);
    expect(rows[1].data).toMatchObject({ deviceId: radar, deviceKind: 'fall_radar', signalType: 'presence', offsetS: 150, arriveAt: arriveAt.toISOString() });
    expect(rows[1].actor).toBe('system');
  });

  test('a button press 4 min after the arrive is outside the window: nothing more is recorded', async () => {
    const { alertId, householdId, me } = await scene();
    const button = (await provisionDevice(db.pool, { householdId, kind: 'sos_button' })).deviceId;
    expect((await post(`/api/v1/alerts/${alertId}/arrive`, me)).statusCode).toBe(200);
    advance(240);
    await signal(householdId, button, 'button', { action: 'single' }, now);
    expect((await post(`/api/v1/alerts/${alertId}/resolve`, me, { outcome: 'assisted', note: '已处理' })).statusCode).toBe(200);
    expect((await presenceRows(alertId)).map((r) => r.data.confirmed)).toEqual([false]);
  });
});
