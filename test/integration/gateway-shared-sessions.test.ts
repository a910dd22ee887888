import { randomBytes } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import mqtt from 'mqtt';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { cmdTopic, eventTopic } from '../../domain/topics.js';
import type { Gateway } from '../../gateway/broker.js';
import { createTestDb, waitFor, type TestDb } from '../helpers/db.js';
import { createDevice, createHousehold, publishQos1, startTestGateway } from '../helpers/gateway.js';
import { useRedisPrefix } from '../../store/redis-namespace.js';

/** Two gateways on one Redis act as one broker (DESIGN §9): sessions and routing are shared. */
const prefix = `gs-${randomBytes(4).toString('hex')}`;
// Everything in this file, the API and publishers included, in the dispatcher's/gateway's Redis namespace.
useRedisPrefix(prefix);
let db: TestDb;
let a: { gateway: Gateway; url: string };
let b: { gateway: Gateway; url: string };
const clients: MqttClient[] = [];

beforeAll(async () => {
  db = await createTestDb();
  const opts = { redisUrl: inject('redisUrl'), queuePrefix: prefix, shareSessions: true };
  a = await startTestGateway(db, { ...opts, instanceId: `gwA-${prefix}` });
  b = await startTestGateway(db, { ...opts, instanceId: `gwB-${prefix}` });
});
afterAll(async () => {
  for (const c of clients) c.end(true);
  await a.gateway.stop();
  await b.gateway.stop();
  await db.drop();
});

function connect(url: string, deviceId: string, secret: string): Promise<{ client: MqttClient; sessionPresent: boolean }> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(url, { clientId: deviceId, username: deviceId, password: secret, protocolVersion: 4, clean: false, reconnectPeriod: 0, connectTimeout: 5000 });
    clients.push(client);
    client.once('connect', (connack) => resolve({ client, sessionPresent: connack.sessionPresent }));
    client.once('error', reject);
  });
}

test('a device moving to the other gateway keeps its session and gets a command queued while it was away', async () => {
  const householdId = await createHousehold(db);
  const { deviceId, secret } = await createDevice(db, householdId, 'sos_button');
  const first = await connect(a.url, deviceId, secret);
  expect(first.sessionPresent).toBe(false);
  await new Promise<void>((r, j) => first.client.subscribe(cmdTopic(deviceId), { qos: 1 }, (err) => (err ? j(err) : r())));
  await publishQos1(first.client, eventTopic(deviceId), JSON.stringify({ id: 's1', type: 'sos', ts: Date.now() }));
  // The link dies without DISCONNECT; a command sent meanwhile waits in the shared session.
  first.client.stream.destroy();
  await waitFor(() => a.gateway.connected === 0, { what: 'gateway A to notice the drop' });
  await b.gateway.command(deviceId, { type: 'ping' });

  const messages: string[] = [];
  const second = await new Promise<{ client: MqttClient; sessionPresent: boolean }>((resolve, reject) => {
    const client = mqtt.connect(b.url, { clientId: deviceId, username: deviceId, password: secret, protocolVersion: 4, clean: false, reconnectPeriod: 0, connectTimeout: 5000 });
    clients.push(client);
    client.on('message', (_t, p) => messages.push(p.toString()));
    client.once('connect', (connack) => resolve({ client, sessionPresent: connack.sessionPresent }));
    client.once('error', reject);
  });
  expect(second.sessionPresent).toBe(true);
  await waitFor(() => messages.length > 0, { what: 'the queued ping' });
  expect(JSON.parse(messages[0]!)).toEqual({ type: 'ping' });

  await publishQos1(second.client, eventTopic(deviceId), JSON.stringify({ id: 's2', type: 'sos', ts: Date.now() }));
  const signals = await db.pool.query(`SELECT event_id FROM signals WHERE device_id = $1 ORDER BY event_id`, [deviceId]);
  expect(signals.rows.map((r) => r.event_id)).toEqual(['s1', 's2']);
});

test('a second CONNECT with the same id on the other gateway takes the session over [MQTT-3.1.4-2]', async () => {
  const householdId = await createHousehold(db);
  const { deviceId, secret } = await createDevice(db, householdId, 'sos_button');
  const first = await connect(a.url, deviceId, secret);
  const closed = new Promise<void>((r) => first.client.once('close', () => r()));
  await connect(b.url, deviceId, secret);
  await closed;
  // aedes keeps live clients by id (its typings omit the map): the session now lives on B only.
  const holds = (g: Gateway) => !!(g as unknown as { broker: { clients: Record<string, unknown> } }).broker.clients[deviceId];
  await waitFor(() => !holds(a.gateway) && holds(b.gateway), { what: 'the takeover' });
});
