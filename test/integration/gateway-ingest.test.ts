import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eventTopic } from '../../domain/topics.js';
import type { Gateway } from '../../gateway/broker.js';
import { batchSize } from '../../gateway/gateway-metrics.js';
import { createTestDb, waitFor, type TestDb } from '../helpers/db.js';
import { connectDevice, createDevice, createHousehold, publishQos1, startTestGateway } from '../helpers/gateway.js';

let db: TestDb;
let gateway: Gateway;
let url: string;
const clients: MqttClient[] = [];

beforeAll(async () => {
  db = await createTestDb();
  ({ gateway, url } = await startTestGateway(db));
});
afterAll(async () => {
  for (const c of clients) c.end(true);
  await gateway.stop();
  await db.drop();
});

async function device(kind: Parameters<typeof createDevice>[2] = 'sos_button') {
  const householdId = await createHousehold(db);
  const { deviceId, secret } = await createDevice(db, householdId, kind);
  const client = await connectDevice(url, deviceId, secret);
  clients.push(client);
  return { householdId, deviceId, client };
}

const event = (id: string, type: string, extra: object = {}) => JSON.stringify({ id, type, ts: new Date().toISOString(), ...extra });

describe('alert-class events are durable at PUBACK', () => {
  test('SOS: the signal and an open alert exist when the PUBACK arrives', async () => {
    const { householdId, deviceId, client } = await device();
    await publishQos1(client, eventTopic(deviceId), event('e1', 'sos', { battery: 88 }));
    // No waiting: the PUBACK itself is the guarantee.
    const signals = await db.pool.query('SELECT type, event_id FROM signals WHERE device_id = $1', [deviceId]);
    expect(signals.rows).toEqual([{ type: 'sos', event_id: 'e1' }]);
    const alerts = await db.pool.query('SELECT id, kind, severity, state, signal_count FROM alerts WHERE household_id = $1', [householdId]);
    expect(alerts.rows).toHaveLength(1);
    expect(alerts.rows[0]).toMatchObject({ kind: 'sos', severity: 'critical', state: 'open', signal_count: 1 });
    const timeline = await db.pool.query('SELECT type, to_state, actor FROM alert_events WHERE alert_id = $1', [alerts.rows[0].id]);
    expect(timeline.rows).toEqual([{ type: 'created', to_state: 'open', actor: `device:${deviceId}` }]);
    const evidence = await db.pool.query('SELECT event_id FROM alert_signals WHERE alert_id = $1', [alerts.rows[0].id]);
    expect(evidence.rows).toEqual([{ event_id: 'e1' }]);
  });

  test('a duplicate event id is stored once and opens one alert', async () => {
    const { householdId, deviceId, client } = await device();
    await publishQos1(client, eventTopic(deviceId), event('dup-1', 'sos'));
    await publishQos1(client, eventTopic(deviceId), event('dup-1', 'sos'));
    const n = await db.pool.query('SELECT count(*)::int AS n FROM signals WHERE device_id = $1', [deviceId]);
    expect(n.rows[0].n).toBe(1);
    const a = await db.pool.query('SELECT signal_count FROM alerts WHERE household_id = $1', [householdId]);
    expect(a.rows).toEqual([{ signal_count: 1 }]);
  });

  test('repeated SOS presses attach to the one live alert as repeats on its timeline', async () => {
    const { householdId, deviceId, client } = await device();
    for (let i = 0; i < 4; i++) await publishQos1(client, eventTopic(deviceId), event(`rep-${i}`, 'sos'));
    const a = await db.pool.query('SELECT id, signal_count FROM alerts WHERE household_id = $1', [householdId]);
    expect(a.rows).toHaveLength(1);
    expect(a.rows[0].signal_count).toBe(4);
    const t = await db.pool.query(`SELECT type FROM alert_events WHERE alert_id = $1 ORDER BY id`, [a.rows[0].id]);
    expect(t.rows.map((r) => r.type)).toEqual(['created', 'repeat', 'repeat', 'repeat']);
  });

  test('concurrent SOS from two devices of one home still make one alert', async () => {
    const householdId = await createHousehold(db);
    const devs = await Promise.all([createDevice(db, householdId), createDevice(db, householdId, 'pull_cord')]);
    const cs = await Promise.all(devs.map((d) => connectDevice(url, d.deviceId, d.secret)));
    clients.push(...cs);
    await Promise.all(cs.flatMap((c, i) => [0, 1, 2].map((k) => publishQos1(c, eventTopic(devs[i]!.deviceId), event(`c-${k}`, 'sos')))));
    const a = await db.pool.query('SELECT signal_count FROM alerts WHERE household_id = $1', [householdId]);
    expect(a.rows).toEqual([{ signal_count: 6 }]);
  });

  test('a resident cancel within 60 s cancels the unaccepted alert; later it is only a note', async () => {
    const { householdId, deviceId, client } = await device();
    await publishQos1(client, eventTopic(deviceId), event('s1', 'sos'));
    await publishQos1(client, eventTopic(deviceId), event('x1', 'cancel'));
    const first = await db.pool.query('SELECT id, state, cancel_reason FROM alerts WHERE household_id = $1', [householdId]);
    expect(first.rows[0]).toMatchObject({ state: 'cancelled', cancel_reason: 'resident_cancel' });

    // A second SOS opens a new alert; pretend it is 2 minutes old, then cancel: only a note.
    await publishQos1(client, eventTopic(deviceId), event('s2', 'sos'));
    await db.pool.query(`UPDATE alerts SET first_signal_at = now() - interval '2 minutes' WHERE household_id = $1 AND state = 'open'`, [householdId]);
    await publishQos1(client, eventTopic(deviceId), event('x2', 'cancel'));
    const live = await db.pool.query(`SELECT id, state FROM alerts WHERE household_id = $1 AND state = 'open'`, [householdId]);
    expect(live.rows).toHaveLength(1);
    const notes = await db.pool.query(`SELECT data FROM alert_events WHERE alert_id = $1 AND type = 'note'`, [live.rows[0].id]);
    expect(notes.rows).toHaveLength(1);
    expect(notes.rows[0].data.text).toMatch(/visit goes ahead/);
  });

  test('fall from a radar opens a fall alert and keeps confidence and room', async () => {
    const { householdId, deviceId, client } = await device('fall_radar');
    await publishQos1(client, eventTopic(deviceId), event('f1', 'fall', { confidence: 0.93, room: 'bathroom' }));
    const s = await db.pool.query('SELECT confidence, room FROM signals WHERE device_id = $1', [deviceId]);
    expect(s.rows[0].room).toBe('bathroom');
    expect(s.rows[0].confidence).toBeCloseTo(0.93, 5);
    const a = await db.pool.query('SELECT kind FROM alerts WHERE household_id = $1', [householdId]);
    expect(a.rows).toEqual([{ kind: 'fall' }]);
  });
});

describe('telemetry', () => {
  test('10,000 telemetry messages are all stored, in batches, and bump activity', async () => {
    const { householdId, deviceId, client } = await device('pir');
    const total = 10_000;
    const sends: Promise<void>[] = [];
    for (let i = 0; i < total; i++) {
      sends.push(publishQos1(client, eventTopic(deviceId), event(`m-${i}`, i % 50 === 0 ? 'heartbeat' : 'motion', { value: true, battery: 77 })));
    }
    await Promise.all(sends);
    const n = await db.pool.query('SELECT count(*)::int AS n FROM signals WHERE device_id = $1', [deviceId]);
    expect(n.rows[0].n).toBe(total);
    const hh = await db.pool.query('SELECT last_activity_at FROM households WHERE id = $1', [householdId]);
    expect(hh.rows[0].last_activity_at).toBeInstanceOf(Date);
    // Presence is written in batches too: battery and last_seen arrive shortly after.
    await waitFor(async () => (await db.pool.query('SELECT battery, online FROM devices WHERE id = $1', [deviceId])).rows[0]?.battery === 77,
      { what: 'battery to be recorded' });
    // Group commit: far fewer writes than messages (never one INSERT per message).
    const hist = await batchSize.get();
    const writes = hist.values.find((v) => v.metricName === 'guardian_telemetry_batch_rows_count')!.value;
    expect(writes).toBeLessThan(total / 5);
  });

  test('motion: false is stored but is not a sign of life', async () => {
    const { householdId, deviceId, client } = await device('pir');
    await publishQos1(client, eventTopic(deviceId), event('mf', 'motion', { value: false }));
    const hh = await db.pool.query('SELECT last_activity_at FROM households WHERE id = $1', [householdId]);
    expect(hh.rows[0].last_activity_at).toBeNull();
  });

  test('presence: online on connect, offline after disconnect', async () => {
    const { deviceId, client } = await device('door_contact');
    await waitFor(async () => (await db.pool.query('SELECT online FROM devices WHERE id = $1', [deviceId])).rows[0]?.online === true, { what: 'online' });
    await new Promise<void>((r) => client.end(false, {}, () => r()));
    await waitFor(async () => (await db.pool.query('SELECT online FROM devices WHERE id = $1', [deviceId])).rows[0]?.online === false, { what: 'offline' });
  });

  test('a device clock far off is filed under the receive time, its own time kept', async () => {
    const { deviceId, client } = await device('pir');
    await publishQos1(client, eventTopic(deviceId), JSON.stringify({ id: 'clk', type: 'motion', ts: '2001-01-01T00:00:00Z', value: true }));
    const s = await db.pool.query('SELECT ts, device_ts, received_at FROM signals WHERE device_id = $1', [deviceId]);
    expect(s.rows[0].device_ts.toISOString()).toBe('2001-01-01T00:00:00.000Z');
    expect(s.rows[0].ts.getTime()).toBe(s.rows[0].received_at.getTime());
  });
});

test('stop() returns while devices are still connected (the broker closes them first)', async () => {
  const { startTestGateway: start } = await import('../helpers/gateway.js');
  const other = await start(db);
  const householdId = await createHousehold(db);
  const { deviceId, secret } = await createDevice(db, householdId, 'pir');
  const client = await connectDevice(other.url, deviceId, secret, { reconnectPeriod: 0 });
  const closed = new Promise<void>((r) => client.once('close', () => r()));
  await other.gateway.stop();
  await closed;
  client.end(true);
});

test('a device marked offline by the sweep is online again as soon as it sends anything', async () => {
  const { deviceId, client } = await device('pir');
  await waitFor(async () => (await db.pool.query('SELECT online FROM devices WHERE id = $1', [deviceId])).rows[0]?.online === true, { what: 'online after connect' });
  await db.pool.query('UPDATE devices SET online = false WHERE id = $1', [deviceId]); // as the offline sweep does
  await publishQos1(client, eventTopic(deviceId), event('alive-1', 'motion', { value: true }));
  await waitFor(async () => (await db.pool.query('SELECT online FROM devices WHERE id = $1', [deviceId])).rows[0]?.online === true, { what: 'online after a message' });
});
