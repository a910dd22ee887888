import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { cmdTopic, eventTopic, statusTopic } from '../../domain/topics.js';
import type { Gateway } from '../../gateway/broker.js';
import { revokeDevice } from '../../store/devices-repository.js';
import { createTestDb, waitFor, type TestDb } from '../helpers/db.js';
import { connectDevice, createDevice, createHousehold, publishQos1, startTestGateway } from '../helpers/gateway.js';

let db: TestDb;
let gateway: Gateway;
let url: string;
const open: MqttClient[] = [];

beforeAll(async () => {
  db = await createTestDb();
  ({ gateway, url } = await startTestGateway(db));
});
afterAll(async () => {
  for (const c of open) c.end(true);
  await gateway.stop();
  await db.drop();
});

const sos = (id: string) => JSON.stringify({ id, type: 'sos', ts: Date.now() });
const connackCode = (err: unknown) => (err as { code?: number }).code;

test('a wrong secret is refused with CONNACK 4', async () => {
  const hh = await createHousehold(db);
  const { deviceId } = await createDevice(db, hh);
  const err = await connectDevice(url, deviceId, 'not-the-secret').catch((e) => e);
  expect(connackCode(err)).toBe(4);
});

test('an unknown device is refused with CONNACK 4', async () => {
  const err = await connectDevice(url, 'no-such-device', 'whatever').catch((e) => e);
  expect(connackCode(err)).toBe(4);
});

test('a clientId that is not the username is refused with CONNACK 5', async () => {
  const hh = await createHousehold(db);
  const { deviceId, secret } = await createDevice(db, hh);
  const err = await connectDevice(url, 'other-id', secret, { username: deviceId }).catch((e) => e);
  expect(connackCode(err)).toBe(5);
});

test('a revoked device is refused with CONNACK 5, and its live session can be cut at once', async () => {
  const hh = await createHousehold(db);
  const { deviceId, secret } = await createDevice(db, hh);
  const live = await connectDevice(url, deviceId, secret);
  const closed = new Promise<void>((r) => live.once('close', () => r()));
  expect(await revokeDevice(db.pool, deviceId)).toBe(true);
  expect(gateway.disconnect(deviceId)).toBe(true);
  await closed;
  const err = await connectDevice(url, deviceId, secret).catch((e) => e);
  expect(connackCode(err)).toBe(5);
});

test("publishing to another device's topic stores nothing, drops the offender and the broker serves others", async () => {
  const hh = await createHousehold(db);
  const victim = await createDevice(db, hh);
  const attacker = await createDevice(db, await createHousehold(db));
  const client = await connectDevice(url, attacker.deviceId, attacker.secret);
  const closed = new Promise<void>((r) => client.once('close', () => r()));
  client.publish(eventTopic(victim.deviceId), sos('forged'), { qos: 1 });
  await closed;
  client.end(true);
  const rows = await db.pool.query('SELECT count(*)::int AS n FROM signals WHERE device_id = $1', [victim.deviceId]);
  expect(rows.rows[0].n).toBe(0);
  const alerts = await db.pool.query('SELECT count(*)::int AS n FROM alerts WHERE household_id = $1', [hh]);
  expect(alerts.rows[0].n).toBe(0);

  // Still serving: the victim itself can report.
  const ok = await connectDevice(url, victim.deviceId, victim.secret);
  open.push(ok);
  await publishQos1(ok, eventTopic(victim.deviceId), sos('real'));
  const after = await db.pool.query('SELECT count(*)::int AS n FROM alerts WHERE household_id = $1', [hh]);
  expect(after.rows[0].n).toBe(1);
});

test('publishing to an arbitrary topic drops the connection', async () => {
  const hh = await createHousehold(db);
  const d = await createDevice(db, hh);
  const client = await connectDevice(url, d.deviceId, d.secret);
  const closed = new Promise<void>((r) => client.once('close', () => r()));
  client.publish('some/other/topic', 'x', { qos: 1 });
  await closed;
  client.end(true);
  const stored = await db.pool.query('SELECT count(*)::int AS n FROM signals WHERE device_id = $1', [d.deviceId]);
  expect(stored.rows[0].n).toBe(0);
});

test('a device may subscribe only to its own command topic', async () => {
  const hh = await createHousehold(db);
  const a = await createDevice(db, hh);
  const b = await createDevice(db, hh);
  const client = await connectDevice(url, a.deviceId, a.secret);
  open.push(client);
  const own = await client.subscribeAsync(cmdTopic(a.deviceId));
  expect(own.map((g) => g.qos)).toEqual([0]);
  // SUBACK 0x80 (failure) for the rest; mqtt.js surfaces it as an error. The connection stays.
  await expect(client.subscribeAsync(cmdTopic(b.deviceId))).rejects.toThrow(/Subscribe error/);
  await expect(client.subscribeAsync('#')).rejects.toThrow(/Subscribe error/);
  expect(client.connected).toBe(true);
});

test('a downlink command reaches the device on its cmd topic', async () => {
  const hh = await createHousehold(db);
  const d = await createDevice(db, hh);
  const client = await connectDevice(url, d.deviceId, d.secret);
  open.push(client);
  await client.subscribeAsync(cmdTopic(d.deviceId), { qos: 1 });
  const got = new Promise<string>((r) => client.once('message', (_t, p) => r(p.toString())));
  await gateway.command(d.deviceId, { type: 'alert_ack', alertId: 'a1', state: 'accepted', text: '已有人响应，请稍候' });
  expect(JSON.parse(await got)).toMatchObject({ type: 'alert_ack', state: 'accepted' });
});

test('a device sending a type its kind may not send is quarantined, not stored', async () => {
  const hh = await createHousehold(db);
  const d = await createDevice(db, hh, 'door_contact');
  const client = await connectDevice(url, d.deviceId, d.secret);
  open.push(client);
  await publishQos1(client, eventTopic(d.deviceId), sos('door-sos'));
  const alerts = await db.pool.query('SELECT count(*)::int AS n FROM alerts WHERE household_id = $1', [hh]);
  expect(alerts.rows[0].n).toBe(0);
  await waitFor(async () => (await db.pool.query(`SELECT reason FROM quarantine WHERE device_id = $1`, [d.deviceId])).rows[0]?.reason.startsWith('type_not_allowed'),
    { what: 'quarantine row' });
  expect(client.connected).toBe(true);
});

/** aedes' retained store (the Gateway keeps its broker private; only this test looks inside). */
async function retainedTopics(g: Gateway): Promise<string[]> {
  const broker = (g as unknown as { broker: { persistence: { createRetainedStream(p: string): AsyncIterable<{ topic: string }> } } }).broker;
  const topics: string[] = [];
  for await (const packet of broker.persistence.createRetainedStream('#')) topics.push(packet.topic);
  return topics;
}

test('a retained status and a will update presence but are not kept retained (nobody may subscribe to them)', async () => {
  const hh = await createHousehold(db);
  const { deviceId, secret } = await createDevice(db, hh);
  const online = (async () => (await db.pool.query(`SELECT online FROM devices WHERE id = $1`, [deviceId])).rows[0]?.online);
  const client = await connectDevice(url, deviceId, secret, { will: { topic: statusTopic(deviceId), payload: Buffer.from('offline'), qos: 1, retain: true } });
  await new Promise<void>((resolve, reject) => client.publish(statusTopic(deviceId), 'online', { qos: 1, retain: true }, (e) => (e ? reject(e) : resolve())));
  await waitFor(async () => (await online()) === true, { what: 'device online' });
  expect(await retainedTopics(gateway)).toEqual([]);
  // An unclean end publishes the will: presence goes offline, still nothing retained.
  client.stream.destroy();
  await waitFor(async () => (await online()) === false, { what: 'device offline after its will' });
  expect(await retainedTopics(gateway)).toEqual([]);
});
