import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Gateway } from '../../gateway/broker.js';
import { registerZigbeeChild } from '../../store/devices-repository.js';
import { createTestDb, waitFor, type TestDb } from '../helpers/db.js';
import { connectDevice, createDevice, createHousehold, publishQos1, startTestGateway } from '../helpers/gateway.js';

/** DESIGN §2: a z2m_hub relays zigbee2mqtt/<friendly_name> for children registered as <hubId>/<name>. */
let db: TestDb;
let gateway: Gateway;
let url: string;
let householdId: string;
let hubId: string;
let hub: MqttClient;

beforeAll(async () => {
  db = await createTestDb();
  ({ gateway, url } = await startTestGateway(db));
  householdId = await createHousehold(db);
  const created = await createDevice(db, householdId, 'z2m_hub', 'living room');
  hubId = created.deviceId;
  await registerZigbeeChild(db.pool, hubId, 'bathroom_radar', 'fall_radar', '卫生间');
  await registerZigbeeChild(db.pool, hubId, 'hall_pir', 'pir', '客厅');
  await registerZigbeeChild(db.pool, hubId, 'kitchen_leak', 'leak_sensor', '厨房');
  hub = await connectDevice(url, hubId, created.secret);
});
afterAll(async () => {
  hub?.end(true);
  await gateway.stop();
  await db.drop();
});

test('a fall from a zigbee radar opens a fall alert for the child, durable at PUBACK', async () => {
  await publishQos1(hub, 'zigbee2mqtt/bathroom_radar', JSON.stringify({ fall_down_status: 'fall', linkquality: 80, battery: 90 }));
  const signals = await db.pool.query(`SELECT device_id, type, room FROM signals WHERE device_id = $1`, [`${hubId}/bathroom_radar`]);
  expect(signals.rows).toEqual([{ device_id: `${hubId}/bathroom_radar`, type: 'fall', room: '卫生间' }]);
  const alerts = await db.pool.query(`SELECT kind, state, device_id FROM alerts WHERE household_id = $1`, [householdId]);
  expect(alerts.rows).toEqual([{ kind: 'fall', state: 'open', device_id: `${hubId}/bathroom_radar` }]);
});

test('occupancy and water_leak map to motion and a water_leak alert', async () => {
  await publishQos1(hub, 'zigbee2mqtt/hall_pir', JSON.stringify({ occupancy: true }));
  await publishQos1(hub, 'zigbee2mqtt/kitchen_leak', JSON.stringify({ water_leak: true }));
  await waitFor(async () => (await db.pool.query(`SELECT 1 FROM signals WHERE device_id = $1 AND type = 'motion'`, [`${hubId}/hall_pir`])).rowCount === 1,
    { what: 'motion signal of the zigbee PIR' });
  const leak = await db.pool.query(`SELECT kind FROM alerts WHERE household_id = $1 AND kind = 'water_leak'`, [householdId]);
  expect(leak.rowCount).toBe(1);
});

test('availability sets the child offline and online', async () => {
  await publishQos1(hub, 'zigbee2mqtt/hall_pir/availability', JSON.stringify({ state: 'offline' }));
  await waitFor(async () => (await db.pool.query(`SELECT online FROM devices WHERE id = $1`, [`${hubId}/hall_pir`])).rows[0]?.online === false,
    { what: 'child offline' });
  await publishQos1(hub, 'zigbee2mqtt/hall_pir/availability', 'online');
  await waitFor(async () => (await db.pool.query(`SELECT online FROM devices WHERE id = $1`, [`${hubId}/hall_pir`])).rows[0]?.online === true,
    { what: 'child online' });
});

test('an unregistered friendly name is quarantined, not stored', async () => {
  await publishQos1(hub, 'zigbee2mqtt/stranger', JSON.stringify({ action: 'emergency' }));
  await waitFor(async () => (await db.pool.query(`SELECT reason FROM quarantine WHERE device_id = $1`, [hubId])).rows
    .some((r) => String(r.reason).startsWith('unknown_child')), { what: 'quarantine row' });
  const signals = await db.pool.query(`SELECT 1 FROM signals WHERE device_id LIKE $1`, [`${hubId}/stranger%`]);
  expect(signals.rowCount).toBe(0);
});

test('a device that is not a hub may not publish zigbee2mqtt topics', async () => {
  const other = await createDevice(db, householdId, 'sos_button');
  const client = await connectDevice(url, other.deviceId, other.secret);
  const closed = new Promise<void>((r) => client.once('close', () => r()));
  client.publish('zigbee2mqtt/hall_pir', JSON.stringify({ occupancy: true }), { qos: 1 });
  await closed;
  client.end(true);
  expect(gateway.ready).toBe(true);
});
