import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { Gateway } from '../../gateway/broker.js';
import { provisionDevice } from '../../store/devices-repository.js';
import type { DeviceKind } from '../../domain/device-kinds.js';
import type { TestDb } from './db.js';

/** Starts a real gateway on an ephemeral port against a test database. */
export async function startTestGateway(db: TestDb, opts: Partial<ConstructorParameters<typeof Gateway>[0]> = {}) {
  const warnings: string[] = [];
  const gateway = new Gateway({
    pool: db.pool, host: '127.0.0.1', mqttPort: 0, batchMax: 2000,
    log: { info: () => {}, warn: (m) => { warnings.push(m); } },
    ...opts,
  });
  await gateway.start();
  return { gateway, url: `mqtt://127.0.0.1:${gateway.ports.mqtt}`, warnings };
}

let seq = 0;
/** A minimal place hierarchy and one household; returns its id. */
export async function createHousehold(db: TestDb): Promise<string> {
  const n = ++seq;
  const hh = `h-test-${n}-${Math.random().toString(36).slice(2, 7)}`;
  await db.pool.query(`INSERT INTO communities (id, name) VALUES ('c-test', '测试社区') ON CONFLICT DO NOTHING`);
  await db.pool.query(`INSERT INTO grids (id, community_id, name) VALUES ('g-test', 'c-test', '第一网格') ON CONFLICT DO NOTHING`);
  await db.pool.query(`INSERT INTO buildings (id, grid_id, name) VALUES ('b-test', 'g-test', '1栋') ON CONFLICT DO NOTHING`);
  await db.pool.query(`INSERT INTO households (id, building_id, unit, address) VALUES ($1, 'b-test', $2, '测试路1号')`, [hh, `${n}01室`]);
  return hh;
}

export async function createDevice(db: TestDb, householdId: string, kind: DeviceKind = 'sos_button', room = 'bedroom') {
  return provisionDevice(db.pool, { householdId, kind, room });
}

/** Connects as a device; rejects with the CONNACK error when refused. */
export function connectDevice(url: string, deviceId: string, secret: string, extra: IClientOptions = {}): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(url, {
      clientId: deviceId, username: deviceId, password: secret, protocolVersion: 4,
      reconnectPeriod: 0, connectTimeout: 5000, ...extra,
    });
    client.once('connect', () => resolve(client));
    client.once('error', (err) => { client.end(true); reject(err); });
  });
}

export function publishQos1(client: MqttClient, topic: string, payload: string | Buffer): Promise<void> {
  return new Promise((resolve, reject) => client.publish(topic, payload, { qos: 1 }, (err) => (err ? reject(err) : resolve())));
}

/** A gateway with one household and one connected device of `kind`: the setup of the bad-input tests. */
export async function startGatewayWithDevice(db: TestDb, kind: DeviceKind = 'sos_button') {
  const { gateway, url } = await startTestGateway(db);
  const d = await createDevice(db, await createHousehold(db), kind);
  const client = await connectDevice(url, d.deviceId, d.secret);
  return { gateway, client, deviceId: d.deviceId };
}
