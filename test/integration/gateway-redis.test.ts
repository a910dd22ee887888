import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { QUEUES } from '../../domain/queues.js';
import { cmdTopic, eventTopic } from '../../domain/topics.js';
import type { Gateway } from '../../gateway/broker.js';
import { createTestDb, waitFor, type TestDb } from '../helpers/db.js';
import { connectDevice, createDevice, createHousehold, publishQos1, startTestGateway } from '../helpers/gateway.js';
import { redisNamesInUse, useRedisPrefix } from '../../store/redis-namespace.js';

/** The gateway's Redis side: route jobs and live events after the commit, downlink relay. */
const prefix = `gt-${randomBytes(4).toString('hex')}`;
// Everything in this file, the API and publishers included, in the dispatcher's/gateway's Redis namespace.
useRedisPrefix(prefix);
let db: TestDb;
let gateway: Gateway;
let url: string;
let redis: Redis;
let sub: Redis;
const live: unknown[] = [];
const clients: MqttClient[] = [];

beforeAll(async () => {
  db = await createTestDb();
  ({ gateway, url } = await startTestGateway(db, { redisUrl: inject('redisUrl'), queuePrefix: prefix }));
  redis = new Redis(inject('redisUrl'));
  sub = new Redis(inject('redisUrl'));
  sub.on('message', (_c, m) => live.push(...(JSON.parse(m) as unknown[])));
  await sub.subscribe(redisNamesInUse().live);
});
afterAll(async () => {
  for (const c of clients) c.end(true);
  await gateway.stop();
  redis.disconnect();
  sub.disconnect();
  await db.drop();
});

test('a new SOS enqueues its route job (jobId = alertId) and publishes alert.created with its seq', async () => {
  const householdId = await createHousehold(db);
  const { deviceId, secret } = await createDevice(db, householdId, 'sos_button');
  const client = await connectDevice(url, deviceId, secret);
  clients.push(client);
  await publishQos1(client, eventTopic(deviceId), JSON.stringify({ id: 'r1', type: 'sos', ts: Date.now() }));
  const alertId = (await db.pool.query(`SELECT id FROM alerts WHERE household_id = $1`, [householdId])).rows[0].id as string;
  const queue = new Queue(QUEUES.route, { connection: redis, prefix });
  try {
    const job = await waitFor(() => queue.getJob(alertId), { what: 'route job' });
    expect(job.data).toEqual({ alertId });
  } finally {
    await queue.close();
  }
  const created = await waitFor(() => live.find((e) => (e as { type: string; data: { id: string } }).type === 'alert.created'
    && (e as { data: { id: string } }).data.id === alertId) as { seq: number; data: Record<string, unknown> } | undefined, { what: 'alert.created' });
  expect(created.data).toMatchObject({ kind: 'sos', state: 'open', householdId });
  const row = await db.pool.query(`SELECT type FROM live_events WHERE seq = $1`, [created.seq]);
  expect(row.rows).toEqual([{ type: 'alert.created' }]);

  // A repeat press is an alert.updated and no second route job.
  await publishQos1(client, eventTopic(deviceId), JSON.stringify({ id: 'r2', type: 'sos', ts: Date.now() }));
  await waitFor(() => live.some((e) => (e as { type: string; data: { id: string; signalCount: number } }).type === 'alert.updated'
    && (e as { data: { id: string; signalCount: number } }).data.signalCount === 2), { what: 'alert.updated for the repeat' });
});

test('a downlink published on Redis reaches the connected device on its cmd topic', async () => {
  const householdId = await createHousehold(db);
  const { deviceId, secret } = await createDevice(db, householdId, 'sos_button');
  const client = await connectDevice(url, deviceId, secret);
  clients.push(client);
  await client.subscribeAsync(cmdTopic(deviceId), { qos: 1 });
  const received = new Promise<string>((r) => client.once('message', (_t, m) => r(m.toString())));
  await redis.publish(redisNamesInUse().downlink, JSON.stringify({ deviceIds: [deviceId, 'not-connected'], command: { type: 'alert_ack', alertId: 'a1', state: 'accepted', text: '已有人接单' } }));
  expect(JSON.parse(await received)).toEqual({ type: 'alert_ack', alertId: 'a1', state: 'accepted', text: '已有人接单' });
});
