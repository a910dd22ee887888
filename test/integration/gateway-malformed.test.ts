import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { eventTopic } from '../../domain/topics.js';
import type { Gateway } from '../../gateway/broker.js';
import { createTestDb, waitFor, type TestDb } from '../helpers/db.js';
import { publishQos1, startGatewayWithDevice } from '../helpers/gateway.js';

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

/** Deterministic PRNG so a failure reproduces. */
function prng(seed: number) {
  return () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed / 0x7fffffff; };
}

function malformedPayloads(count: number): Buffer[] {
  const rnd = prng(42);
  const now = new Date().toISOString();
  const shapes: Array<(i: number) => Buffer | string> = [
    () => Buffer.from(Array.from({ length: 1 + Math.floor(rnd() * 300) }, () => Math.floor(rnd() * 256))),
    () => '',
    () => 'null',
    () => '[1,2,3]',
    () => '"just a string"',
    () => '{"id":',
    (i) => JSON.stringify({ id: `x${i}`, type: 'sos' }), // missing ts
    (i) => JSON.stringify({ id: `x${i}`, type: 'teleport', ts: now }),
    (i) => JSON.stringify({ id: `x${i}`, type: 'sos', ts: 'yesterday' }),
    (i) => JSON.stringify({ id: 42 + i, type: 'sos', ts: now }),
    (i) => JSON.stringify({ id: `x${i}`, type: 'sos', ts: now, battery: 250 }),
    (i) => JSON.stringify({ id: `x${i}`, type: 'sos', ts: now, value: { nested: true } }),
    (i) => JSON.stringify({ id: `x${i}`, type: 'sos', ts: now, confidence: 7 }),
    (i) => JSON.stringify({ id: 'y'.repeat(65 + i % 10), type: 'sos', ts: now }),
    () => '['.repeat(5000) + ']'.repeat(5000),
    () => JSON.stringify({ id: 'deep', type: 'sos', ts: now, value: JSON.parse('['.repeat(200) + ']'.repeat(200)) }),
    () => Buffer.alloc(5000, 0x7b),
    () => '{"__proto__":{"polluted":1},"id":"p","type":"sos","ts":1}',
  ];
  const out: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const p = shapes[i % shapes.length]!(i);
    out.push(typeof p === 'string' ? Buffer.from(p) : p);
  }
  return out;
}

test('1,000+ malformed payloads are quarantined (rate-limited), nothing is a signal, the connection and broker stay up', async () => {
  const rssBefore = process.memoryUsage().rss;
  const payloads = malformedPayloads(1200);
  for (let i = 0; i < payloads.length; i += 100) {
    await Promise.all(payloads.slice(i, i + 100).map((p) => publishQos1(client, eventTopic(deviceId), p)));
  }
  // One megabyte in one message: parsed by the MQTT layer, refused by size, connection kept.
  await publishQos1(client, eventTopic(deviceId), Buffer.alloc(1024 * 1024, 0x41));
  expect(client.connected).toBe(true);

  const signals = await db.pool.query('SELECT count(*)::int AS n FROM signals WHERE device_id = $1', [deviceId]);
  expect(signals.rows[0].n).toBe(0);
  const alerts = await db.pool.query('SELECT count(*)::int AS n FROM alerts');
  expect(alerts.rows[0].n).toBe(0);
  // Rate-limited per device: some rows for the engineer, not 1,200.
  const q = await waitFor(async () => {
    const r = await db.pool.query('SELECT count(*)::int AS n, count(DISTINCT split_part(reason, \':\', 1))::int AS reasons FROM quarantine WHERE device_id = $1', [deviceId]);
    return r.rows[0].n > 0 ? r.rows[0] : null;
  }, { what: 'quarantine rows' });
  expect(q.n).toBeGreaterThan(0);
  expect(q.n).toBeLessThanOrEqual(25);
  expect(q.reasons).toBeGreaterThan(3);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();

  // A good event right after is stored: the device is not punished for the garbage.
  await publishQos1(client, eventTopic(deviceId), JSON.stringify({ id: 'good', type: 'sos', ts: Date.now() }));
  const good = await db.pool.query('SELECT count(*)::int AS n FROM signals WHERE device_id = $1', [deviceId]);
  expect(good.rows[0].n).toBe(1);
  expect(gateway.ready).toBe(true);
  // Memory stays bounded (generous: the 1 MB payload and test buffers are in there too).
  expect(process.memoryUsage().rss - rssBefore).toBeLessThan(150 * 1024 * 1024);
});
