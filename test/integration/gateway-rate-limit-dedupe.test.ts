import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eventTopic } from '../../domain/topics.js';
import type { Gateway } from '../../gateway/broker.js';
import { rateLimited } from '../../gateway/gateway-metrics.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { connectDevice, createDevice, createHousehold, publishQos1, startTestGateway } from '../helpers/gateway.js';

/**
 * Two promises of the device protocol users rely on (issue 21 item 6), through the real broker:
 * the per-device telemetry limit (DEVICE_RATE_MAX / DEVICE_RATE_BURST: over it a message is
 * PUBACKed, late, and not stored; an alert-class event is never limited), and the 24 h dedupe
 * window (the same device and event id within 24 h is stored once and never opens two alerts).
 */
const RATE = 10;
const BURST = 5;
let db: TestDb;
let gateway: Gateway;
let url: string;
const clients: MqttClient[] = [];

beforeAll(async () => {
  db = await createTestDb();
  ({ gateway, url } = await startTestGateway(db, { rateLimit: { perSecond: RATE, burst: BURST } }));
});
afterAll(async () => {
  for (const c of clients) c.end(true);
  await gateway.stop();
  await db.drop();
});

async function device() {
  const householdId = await createHousehold(db);
  const { deviceId, secret } = await createDevice(db, householdId, 'sos_button');
  const client = await connectDevice(url, deviceId, secret);
  clients.push(client);
  return { householdId, deviceId, client };
}

const event = (id: string, type: string) => JSON.stringify({ id, type, ts: new Date().toISOString() });
const stored = async (deviceId: string, type: string) =>
  Number((await db.pool.query(`SELECT count(*) AS n FROM signals WHERE device_id = $1 AND type = $2`, [deviceId, type])).rows[0].n);
const counter = async () => (await rateLimited.get()).values.reduce((a, v) => a + v.value, 0);

describe('per-device telemetry rate limit', () => {
  test('a flooding device gets every PUBACK but only its rate stored; its SOS mid-flood is stored with its alert; a neighbour is untouched', async () => {
    const flooder = await device();
    const neighbour = await device();
    const before = await counter();
    const N = 60;
    const t0 = performance.now();
    // All at once, as a broken device would: 60 heartbeats, an SOS after the 30th.
    const acks = Array.from({ length: N }, (_, i) => publishQos1(flooder.client, eventTopic(flooder.deviceId), event(`hb-${i}`, 'heartbeat')));
    acks.splice(30, 0, publishQos1(flooder.client, eventTopic(flooder.deviceId), event('sos-1', 'sos')));
    const neighbourAcks = Array.from({ length: 5 }, (_, i) => publishQos1(neighbour.client, eventTopic(neighbour.deviceId), event(`n-${i}`, 'heartbeat')));
    await Promise.all([...acks, ...neighbourAcks]); // every message PUBACKed: none refused, none to retry
    const elapsedS = (performance.now() - t0) / 1000;

    const kept = await stored(flooder.deviceId, 'heartbeat');
    // The bucket: the burst, then RATE a second over however long the flood took (a loaded machine only widens this).
    expect(kept).toBeGreaterThanOrEqual(BURST);
    expect(kept).toBeLessThanOrEqual(BURST + Math.ceil(RATE * elapsedS) + 1);
    expect(kept).toBeLessThan(N);
    expect((await counter()) - before).toBe(N - kept); // every one left out is counted

    expect(await stored(flooder.deviceId, 'sos')).toBe(1);
    const alerts = await db.pool.query(`SELECT kind, state FROM alerts WHERE household_id = $1`, [flooder.householdId]);
    expect(alerts.rows).toEqual([{ kind: 'sos', state: 'open' }]);
    expect(await stored(neighbour.deviceId, 'heartbeat')).toBe(5);
  });

  test('an alert-class event from a device whose bucket is empty is never limited', async () => {
    const d = await device();
    // Empty the bucket (and go into debt) with telemetry, then press the button.
    await Promise.all(Array.from({ length: BURST + 5 }, (_, i) => publishQos1(d.client, eventTopic(d.deviceId), event(`hb-${i}`, 'heartbeat'))));
    expect(await stored(d.deviceId, 'heartbeat')).toBeLessThan(BURST + 5);
    const before = await counter();
    await publishQos1(d.client, eventTopic(d.deviceId), event('sos-empty', 'sos'));
    // Stored before its PUBACK, as every alert-class event, and not counted as limited.
    expect(await stored(d.deviceId, 'sos')).toBe(1);
    expect(await counter()).toBe(before);
  });
});

describe('the 24 h dedupe window', () => {
  /** Moves a dedupe key back in time, as if the first copy had arrived `hoursAgo` ago. */
  const age = (deviceId: string, eventId: string, hoursAgo: number) =>
    db.pool.query(`UPDATE signal_dedupe SET seen_at = now() - make_interval(secs => $3::float8 * 3600) WHERE device_id = $1 AND event_id = $2`, [deviceId, eventId, hoursAgo]);

  test('a retry 23 h later is still a duplicate; 25 h later the same id is a new event', async () => {
    const d = await device();
    await publishQos1(d.client, eventTopic(d.deviceId), event('t-1', 'battery'));
    await age(d.deviceId, 't-1', 23);
    await publishQos1(d.client, eventTopic(d.deviceId), event('t-1', 'battery'));
    expect(await stored(d.deviceId, 'battery')).toBe(1);
    await age(d.deviceId, 't-1', 25);
    await publishQos1(d.client, eventTopic(d.deviceId), event('t-1', 'battery'));
    expect(await stored(d.deviceId, 'battery')).toBe(2);
  });

  test('an SOS resent within 24 h opens no second alert and adds no repeat; past the window it is a new press', async () => {
    const d = await device();
    await publishQos1(d.client, eventTopic(d.deviceId), event('s-1', 'sos'));
    await age(d.deviceId, 's-1', 23.5);
    await publishQos1(d.client, eventTopic(d.deviceId), event('s-1', 'sos'));
    const alerts = async () => (await db.pool.query(`SELECT signal_count FROM alerts WHERE household_id = $1`, [d.householdId])).rows;
    expect(await alerts()).toEqual([{ signal_count: 1 }]);
    await age(d.deviceId, 's-1', 24.5);
    await publishQos1(d.client, eventTopic(d.deviceId), event('s-1', 'sos'));
    // The alert is still open: the new press attaches to it as a repeat.
    expect(await alerts()).toEqual([{ signal_count: 2 }]);
    expect(await stored(d.deviceId, 'sos')).toBe(2);
  });
});
