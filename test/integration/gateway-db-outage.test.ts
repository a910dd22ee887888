import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import type pg from 'pg';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { eventTopic } from '../../domain/topics.js';
import { Gateway } from '../../gateway/broker.js';
import { createPool } from '../../store/db.js';
import { provisionDevice } from '../../store/devices-repository.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../store/embedded-postgres.js';
import { migrate } from '../../store/migrate.js';
import { waitFor } from '../helpers/db.js';

// This file stops and starts its own PostgreSQL, so it does not share the run's instance.
let dir: string;
let pgServer: EmbeddedPostgres;
let pool: pg.Pool;
let gateway: Gateway;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'guardian-outage-'));
  await chmod(dir, 0o755);
  pgServer = await startEmbeddedPostgres(dir);
  pool = createPool(pgServer.url, 5);
  await migrate(pool);
  gateway = new Gateway({ pool, host: '127.0.0.1', mqttPort: 0, batchMax: 2000, log: { info: () => {}, warn: () => {} } });
  await gateway.start();
});
afterAll(async () => {
  await gateway.stop();
  await pool.end();
  await pgServer.stop();
  await rm(dir, { recursive: true, force: true });
});

test('database down: SOS gets no PUBACK, the broker keeps serving; back up: the retry is stored', async () => {
  await pool.query(`INSERT INTO communities (id, name) VALUES ('c', 'c'); INSERT INTO grids VALUES ('g', 'c', 'g');
                    INSERT INTO buildings (id, grid_id, name) VALUES ('b', 'g', 'b');
                    INSERT INTO households (id, building_id, unit, address) VALUES ('h', 'b', '101', 'addr')`);
  const { deviceId, secret } = await provisionDevice(pool, { householdId: 'h', kind: 'sos_button' });
  const url = `mqtt://127.0.0.1:${gateway.ports.mqtt}`;
  const client = mqtt.connect(url, { clientId: deviceId, username: deviceId, password: secret, reconnectPeriod: 200, protocolVersion: 4 });
  await new Promise<void>((r) => client.once('connect', () => r()));

  await pgServer.stop();
  let acked = false;
  const puback = new Promise<void>((resolve, reject) => client.publish(eventTopic(deviceId),
    JSON.stringify({ id: 'during-outage', type: 'sos', ts: Date.now() }), { qos: 1 }, (err) => (err ? reject(err) : (acked = true, resolve()))));

  // While the database is down: no PUBACK, and the broker still answers (CONNACK 3 to new devices).
  await new Promise((r) => setTimeout(r, 1500));
  expect(acked).toBe(false);
  expect(gateway.ready).toBe(true);
  const probe = await new Promise<number | undefined>((resolve) => {
    const c = mqtt.connect(url, { clientId: 'probe', username: 'probe', password: 'x', reconnectPeriod: 0 });
    c.once('error', (err) => { c.end(true); resolve((err as { code?: number }).code); });
    c.once('connect', () => { c.end(true); resolve(0); });
  });
  expect(probe).toBe(3);

  pgServer = await startEmbeddedPostgres(dir);
  await puback; // the client's own retry after reconnecting
  expect(acked).toBe(true);
  const stored = await waitFor(async () => (await pool.query(`SELECT count(*)::int AS n FROM alerts WHERE household_id = 'h' AND kind = 'sos'`)).rows[0].n === 1,
    { what: 'the SOS alert after recovery', timeoutMs: 15_000 });
  expect(stored).toBe(true);
  const signals = await pool.query(`SELECT count(*)::int AS n FROM signals WHERE event_id = 'during-outage'`);
  expect(signals.rows[0].n).toBe(1);
  client.end(true);
});
