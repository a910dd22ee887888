import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { eventTopic } from '../../domain/topics.js';
import type { Gateway } from '../../gateway/broker.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { publishQos1, startGatewayWithDevice } from '../helpers/gateway.js';

/**
 * Events that pass a naive check but that PostgreSQL refuses (NUL in text or jsonb, an RSSI
 * beyond smallint): before, each failed its transaction, got no PUBACK and closed the
 * connection, so the device resent it forever (found by the chaos fuzz). They are quarantined
 * and PUBACKed like any bad input, and the connection stays up.
 */
let db: TestDb;
let gateway: Gateway;
let client: MqttClient;
let deviceId: string;

beforeAll(async () => {
  db = await createTestDb();
  ({ gateway, client, deviceId } = await startGatewayWithDevice(db));
});
afterAll(async () => {
  client.end(true);
  await gateway.stop();
  await db.drop();
});

test.each([
  ['NUL in the id', { id: 'a\u0000b', type: 'sos' }],
  ['NUL in the room', { id: 'p2', type: 'sos', room: 'bed\u0000room' }],
  ['NUL in a string value', { id: 'p3', type: 'button', value: '\u0000' }],
  ['a lone surrogate in a string value', { id: 'p6', type: 'button', value: 'x\ud800' }],
  ['an RSSI beyond smallint', { id: 'p4', type: 'sos', rssi: 1e9 }],
  ['a negative RSSI beyond smallint', { id: 'p5', type: 'heartbeat', rssi: -1e308 }],
])('%s is quarantined and PUBACKed; the connection stays up', async (_what, event) => {
  await publishQos1(client, eventTopic(deviceId), JSON.stringify({ ts: Date.now(), ...event }));
  expect(client.connected).toBe(true);
  const signals = await db.pool.query(`SELECT count(*)::int AS n FROM signals WHERE device_id = $1`, [deviceId]);
  expect(signals.rows[0].n).toBe(0);
});

test('a valid SOS after them is stored', async () => {
  await publishQos1(client, eventTopic(deviceId), JSON.stringify({ id: 'ok', type: 'sos', ts: Date.now(), rssi: -70, room: '卧室' }));
  const signals = await db.pool.query(`SELECT event_id FROM signals WHERE device_id = $1`, [deviceId]);
  expect(signals.rows).toEqual([{ event_id: 'ok' }]);
});
