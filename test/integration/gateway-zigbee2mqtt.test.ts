import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Gateway } from '../../gateway/broker.js';
import { ACK_PRESETS, suggestAckPreset } from '../../domain/zigbee2mqtt-ack.js';
import { registerZigbeeChild, setAckPayloads } from '../../store/zigbee2mqtt-repository.js';
import type { DeviceKind } from '../../domain/device-kinds.js';
import { createTestDb, waitFor, type TestDb } from '../helpers/db.js';
import { connectDevice, createDevice, createHousehold, startTestGateway } from '../helpers/gateway.js';
import { EmulatedZigbeeDevice, fleet } from '../helpers/z2m-fleet.js';
import { Z2mHub } from '../helpers/z2m-hub.js';

/**
 * Issue 18 against the real broker and PostgreSQL: a client that connects, subscribes and
 * publishes as zigbee2mqtt 2.x does, with device payloads made by zigbee-herdsman-converters.
 */
let db: TestDb;
let gateway: Gateway;
let url: string;

async function newHub(base?: string) {
  const householdId = await createHousehold(db);
  const created = await createDevice(db, householdId, 'z2m_hub', '客厅');
  if (base) await db.pool.query(`INSERT INTO zigbee_hubs (hub_id, base_topic) VALUES ($1, $2)`, [created.deviceId, base]);
  const hub = await Z2mHub.connect(url, created.deviceId, created.secret, base);
  return { hub, hubId: created.deviceId, householdId };
}

async function register(hubId: string, householdId: string, dev: EmulatedZigbeeDevice, kind: DeviceKind, room = '卧室') {
  const r = await registerZigbeeChild(db.pool, { hubId, ieee: dev.spec.ieeeAddr, householdId, kind, room, heartbeatS: 28800, at: new Date() });
  if (!r.ok) throw new Error(`register failed: ${r.reason}`);
  return r.deviceId;
}

/** The hub pairs these devices and publishes bridge/devices; resolves once the gateway has the offers. */
async function offer(hub: Z2mHub, hubId: string, devices: Array<[EmulatedZigbeeDevice, string]>) {
  for (const [dev, name] of devices) hub.add(dev, name);
  await hub.publishDevices();
  await waitFor(async () => (await db.pool.query(`SELECT 1 FROM zigbee_devices WHERE hub_id = $1 AND gone_at IS NULL`, [hubId])).rowCount === devices.length,
    { what: 'offers from bridge/devices' });
}

const signals = async (deviceId: string) => (await db.pool.query<{ type: string; value: unknown; event_id: string; rssi: number | null }>(
  `SELECT type, value, event_id, rssi FROM signals WHERE device_id = $1 ORDER BY received_at, event_id`, [deviceId])).rows;
const alerts = async (householdId: string) => (await db.pool.query<{ kind: string; device_id: string; signal_count: number }>(
  `SELECT kind, device_id, signal_count FROM alerts WHERE household_id = $1 ORDER BY opened_at`, [householdId])).rows;

beforeAll(async () => {
  db = await createTestDb();
  ({ gateway, url } = await startTestGateway(db));
});
afterAll(async () => {
  await gateway.stop();
  await db.drop();
});

describe('a hub connects exactly as zigbee2mqtt 2.x does', () => {
  test('its SUBSCRIBE <base>/# is granted, it stays connected, and no other home’s traffic reaches it', async () => {
    const a = await newHub();
    const b = await newHub();
    expect(a.hub.granted).toEqual([0]);
    expect(b.hub.granted).toEqual([0]);
    const door = new EmulatedZigbeeDevice({ ieeeAddr: '0x00158d00000b0001', modelID: 'lumi.sensor_magnet.aq2' });
    a.hub.add(door, 'front_door');
    await a.hub.publishDevices();
    await a.hub.state(door, await door.receive({ cluster: 'genOnOff', type: 'attributeReport', data: { onOff: 1 } }));

    // Another client may neither drive a hub nor listen to one.
    const other = await createDevice(db, a.householdId, 'sos_button');
    const spy = await connectDevice(url, other.deviceId, other.secret);
    // SUBACK 0x80: mqtt.js rejects, as zigbee2mqtt's subscribeAsync would (and it would exit).
    await expect(spy.subscribeAsync('zigbee2mqtt/#')).rejects.toThrow(/Subscribe error/);
    const closed = new Promise<void>((r) => spy.once('close', () => r()));
    spy.publish('zigbee2mqtt/bridge/request/permit_join', JSON.stringify({ time: 254 }), { qos: 1 });
    await closed;
    spy.end(true);

    // A's own traffic may come back to A (zigbee2mqtt ignores its own topics); B hears none of it.
    await b.hub.client.publishAsync('zigbee2mqtt/bridge/devices', '[]', { qos: 1 });
    await waitFor(() => b.hub.received.some((m) => m.topic === 'zigbee2mqtt/bridge/devices'), { what: 'B hears its own publish' });
    expect(b.hub.received.filter((m) => m.payload.includes('front_door') || m.topic.includes('front_door'))).toEqual([]);
    expect(b.hub.received.some((m) => m.topic.includes('permit_join'))).toBe(false);
    expect(a.hub.received.some((m) => m.topic.includes('permit_join'))).toBe(false);
    expect(a.hub.client.connected && b.hub.client.connected).toBe(true);
    a.hub.end();
    b.hub.end();
  });

  test('bridge/state comes from the hub and its will; bridge/info and bridge/devices are read', async () => {
    const { hub, hubId } = await newHub();
    const pir = new EmulatedZigbeeDevice({ ieeeAddr: '0x00158d00000b0002', modelID: 'MS01' });
    hub.add(pir, 'hall/pir'); // friendly names may contain '/'
    await hub.publishDevices();
    const offer = await waitFor(async () => (await db.pool.query(
      `SELECT friendly_name, vendor, model, features, device_id FROM zigbee_devices WHERE hub_id = $1`, [hubId])).rows[0], { what: 'offer' });
    expect(offer).toMatchObject({ friendly_name: 'hall/pir', vendor: 'SONOFF', model: 'SNZB-03', device_id: null });
    expect(offer.features).toEqual(expect.arrayContaining(['occupancy', 'battery_low']));
    const info = (await db.pool.query(`SELECT bridge_state, version, coordinator, last_seen_mode FROM zigbee_hubs WHERE hub_id = $1`, [hubId])).rows[0];
    expect(info).toEqual({ bridge_state: 'online', version: '2.6.3', coordinator: '0x00124b0000000001', last_seen_mode: 'ISO_8601' });
    hub.client.stream.destroy(); // a dead hub: the broker publishes its will
    await waitFor(async () => (await db.pool.query(`SELECT bridge_state FROM zigbee_hubs WHERE hub_id = $1`, [hubId])).rows[0]?.bridge_state === 'offline',
      { what: 'will: bridge/state offline' });
    hub.end();
  });

  test('a hub may not publish outside its base topic; a hub with its own base topic gets only that', async () => {
    const { hub, hubId } = await newHub('home-42/z2m');
    expect(hub.granted).toEqual([0]);
    await expect(hub.client.subscribeAsync('zigbee2mqtt/#')).rejects.toThrow(/Subscribe error/);
    const closed = new Promise<void>((r) => hub.client.once('close', () => r()));
    hub.client.publish(`zigbee2mqtt/bridge/state`, JSON.stringify({ state: 'online' }), { qos: 1 });
    await closed;
    expect(gateway.ready).toBe(true);
    hub.end();
    expect(hubId).toBeTruthy();
  });
});

describe('registered children: state, not events', () => {
  test('each device family gives its signal and alert in the right household, a resend gives none', async () => {
    const { hub, hubId, householdId } = await newHub();
    const homes = new Map<string, string>();
    const ids = new Map<string, string>();
    const devs = new Map<string, EmulatedZigbeeDevice>();
    for (const d of fleet()) {
      const dev = new EmulatedZigbeeDevice(d.spec);
      dev.lastSeen = Date.now() - 2000;
      devs.set(d.name, dev);
      hub.add(dev, d.name);
    }
    await hub.publishDevices();
    for (const d of fleet()) {
      // Each device in a household of its own, so each alert can be told apart.
      const home = await createHousehold(db);
      homes.set(d.name, home);
      await waitFor(async () => (await db.pool.query(`SELECT 1 FROM zigbee_devices WHERE hub_id = $1 AND ieee = $2`, [hubId, d.spec.ieeeAddr])).rowCount === 1, { what: d.name });
      ids.set(d.name, await register(hubId, home, devs.get(d.name)!, d.kind));
    }
    for (const d of fleet()) {
      const dev = devs.get(d.name)!;
      if (d.calm) await hub.state(dev, await dev.receive(d.calm));
      else if (d.kind === 'door_contact') await hub.state(dev, await dev.receive({ cluster: 'genOnOff', type: 'attributeReport', data: { onOff: 0 } }));
      await hub.state(dev, await dev.receive(d.trigger));
      await hub.state(dev, dev.resend());
      await hub.state(dev, dev.resend());
    }
    for (const d of fleet()) {
      const rows = (await signals(ids.get(d.name)!)).filter((s) => s.type !== 'battery');
      expect(rows.map((s) => ({ type: s.type, value: s.value })), d.name).toContainEqual({ type: d.expect.type, value: d.expect.value });
      expect(rows.filter((s) => s.type === d.expect.type && s.value === d.expect.value), `${d.name}: one signal, not one per resend`).toHaveLength(1);
      expect(rows.every((s) => s.rssi === null), 'linkquality is not an RSSI').toBe(true);
      const alertKind = { sos: 'sos', fall: 'fall', smoke: 'smoke', gas: 'gas', water_leak: 'water_leak' }[d.expect.type];
      const homeAlerts = await alerts(homes.get(d.name)!);
      if (alertKind) expect(homeAlerts, d.name).toEqual([{ kind: alertKind, device_id: ids.get(d.name), signal_count: 1 }]);
      else expect(homeAlerts, d.name).toEqual([]);
    }
    expect(await alerts(householdId)).toEqual([]); // nothing in the hub's own household
    const lq = (await db.pool.query(`SELECT link_quality FROM zigbee_devices WHERE device_id = $1`, [ids.get('heiman_smoke')])).rows[0];
    expect(lq).toEqual({ link_quality: 120 });
    hub.end();
  });

  test('registration takes effect at once: the first press after it opens the SOS', async () => {
    const { hub, hubId, householdId } = await newHub();
    const btn = new EmulatedZigbeeDevice({ ieeeAddr: '0x00158d00000b0003', modelID: 'SOS-EM', manufacturerName: 'HEIMAN' });
    hub.add(btn, 'sos_btn');
    await hub.publishDevices();
    const press = { cluster: 'ssIasZone', type: 'commandStatusChangeNotification', data: { zonestatus: 1 } };
    await hub.state(btn, await btn.receive(press)); // not registered yet: nothing stored
    expect(await alerts(householdId)).toEqual([]);
    const id = await waitFor(async () => {
      const r = await registerZigbeeChild(db.pool, { hubId, ieee: btn.spec.ieeeAddr, householdId, kind: 'sos_button', room: '卧室', heartbeatS: 28800, at: new Date() });
      return r.ok ? r.deviceId : null;
    }, { what: 'registration' });
    await hub.state(btn, await btn.receive(press));
    expect(await alerts(householdId)).toEqual([{ kind: 'sos', device_id: id, signal_count: 1 }]);
    hub.end();
  });

  test('renaming in zigbee2mqtt keeps the registration (it is by IEEE address)', async () => {
    const { hub, hubId, householdId } = await newHub();
    const leak = new EmulatedZigbeeDevice({ ieeeAddr: '0x00158d00000b0004', modelID: 'WaterSensor-N' });
    await offer(hub, hubId, [[leak, '0x00158d00000b0004']]);
    const id = await register(hubId, householdId, leak, 'leak_sensor', '厨房');
    hub.rename(leak, 'kitchen_leak');
    await hub.client.publishAsync(`zigbee2mqtt/0x00158d00000b0004/availability`, '', { retain: true, qos: 1 });
    await hub.publishDevices();
    await hub.state(leak, await leak.receive({ cluster: 'ssIasZone', type: 'commandStatusChangeNotification', data: { zonestatus: 1 } }));
    expect(await alerts(householdId)).toEqual([{ kind: 'water_leak', device_id: id, signal_count: 1 }]);
    hub.end();
  });

  test('a QoS 1 resend of the same PUBLISH is stored once; another press is another signal', async () => {
    const { hub, hubId, householdId } = await newHub();
    const btn = new EmulatedZigbeeDevice({ ieeeAddr: '0x00158d00000b0005', modelID: 'WB01' });
    await offer(hub, hubId, [[btn, 'cord']]);
    const id = await register(hubId, householdId, btn, 'pull_cord', '卫生间');
    const press = JSON.stringify(await btn.receive({ cluster: 'genOnOff', type: 'commandToggle', data: {} }));
    hub.rawPublish('zigbee2mqtt/cord', press, 4242);
    hub.rawPublish('zigbee2mqtt/cord', press, 4242); // the resend of an un-PUBACKed message
    await waitFor(async () => (await alerts(householdId)).length === 1, { what: 'SOS alert' });
    hub.rawPublish('zigbee2mqtt/cord', press, 4243); // a second press, byte for byte the same payload
    await waitFor(async () => (await signals(id)).filter((s) => s.type === 'sos').length === 2, { what: 'second press' });
    await hub.client.publishAsync('zigbee2mqtt/cord', JSON.stringify(btn.resend()), { qos: 1 }); // flush: all three handled
    expect((await signals(id)).filter((s) => s.type === 'sos')).toHaveLength(2);
    expect(await alerts(householdId)).toEqual([{ kind: 'sos', device_id: id, signal_count: 2 }]);
    hub.end();
  });

  test('availability offline opens device_offline, and household_unmonitored once every sensor is offline', async () => {
    const { hub, hubId, householdId } = await newHub();
    const pir = new EmulatedZigbeeDevice({ ieeeAddr: '0x00158d00000b0006', modelID: 'MS01' });
    const door = new EmulatedZigbeeDevice({ ieeeAddr: '0x00158d00000b0007', modelID: 'lumi.sensor_magnet.aq2' });
    await offer(hub, hubId, [[pir, 'pir'], [door, 'door']]);
    const pirId = await register(hubId, householdId, pir, 'pir');
    const doorId = await register(hubId, householdId, door, 'door_contact');
    await hub.availability(pir, 'online');
    await hub.availability(door, 'online');
    await waitFor(async () => (await db.pool.query(`SELECT count(*)::int AS n FROM devices WHERE id = ANY($1) AND online`, [[pirId, doorId]])).rows[0].n === 2, { what: 'online' });
    await hub.availability(pir, 'offline');
    expect(await alerts(householdId)).toEqual([{ kind: 'device_offline', device_id: pirId, signal_count: 1 }]);
    await db.pool.query(`UPDATE alerts SET state = 'resolved', closed_at = now() WHERE household_id = $1`, [householdId]);
    await hub.availability(door, 'offline');
    expect((await alerts(householdId)).map((a) => a.kind)).toEqual(['device_offline', 'household_unmonitored']);
    hub.end();
  });

  test('battery_low:true opens a battery_low alert once', async () => {
    const { hub, hubId, householdId } = await newHub();
    const smoke = new EmulatedZigbeeDevice({ ieeeAddr: '0x00158d00000b0008', modelID: 'SmokeSensor-EM' });
    await offer(hub, hubId, [[smoke, 'smoke']]);
    await register(hubId, householdId, smoke, 'smoke_detector', '厨房');
    await hub.state(smoke, await smoke.receive({ cluster: 'ssIasZone', type: 'commandStatusChangeNotification', data: { zonestatus: 0 } }));
    await hub.state(smoke, await smoke.receive({ cluster: 'ssIasZone', type: 'commandStatusChangeNotification', data: { zonestatus: 8 } }));
    await hub.state(smoke, smoke.resend());
    expect((await alerts(householdId)).map((a) => a.kind)).toEqual(['battery_low']);
    hub.end();
  });
});

describe('help is coming', () => {
  test('an alert_ack to a hub becomes <base>/<siren>/set, and only that hub gets it', async () => {
    const a = await newHub();
    const b = await newHub();
    const siren = new EmulatedZigbeeDevice({ ieeeAddr: '0x00158d00000b0009', modelID: 'WarningDevice', powerSource: 'Mains (single phase)' });
    await offer(a.hub, a.hubId, [[siren, 'hall_siren']]);
    const features = (await db.pool.query(`SELECT features FROM zigbee_devices WHERE hub_id = $1`, [a.hubId])).rows[0].features;
    expect(suggestAckPreset(features)).toBe('siren'); // what the console offers for it
    await setAckPayloads(db.pool, a.hubId, siren.spec.ieeeAddr, ACK_PRESETS.siren);
    await gateway.command(a.hubId, { type: 'alert_ack', alertId: '00000000-0000-0000-0000-000000000001', state: 'accepted', text: '已接单' });
    const got = await waitFor(() => a.hub.received.find((m) => m.topic === 'zigbee2mqtt/hall_siren/set'), { what: 'set on hub A' });
    expect(JSON.parse(got.payload)).toEqual(ACK_PRESETS.siren.accepted);
    await b.hub.client.publishAsync('zigbee2mqtt/bridge/devices', '[]', { qos: 1 });
    await waitFor(() => b.hub.received.some((m) => m.topic === 'zigbee2mqtt/bridge/devices'), { what: 'B round trip' });
    expect(b.hub.received.some((m) => m.topic.endsWith('/set'))).toBe(false);
    a.hub.end();
    b.hub.end();
  });
});

test('a device that is not a hub may not publish zigbee2mqtt topics', async () => {
  const householdId = await createHousehold(db);
  const other = await createDevice(db, householdId, 'sos_button');
  const client = await connectDevice(url, other.deviceId, other.secret);
  const closed = new Promise<void>((r) => client.once('close', () => r()));
  client.publish('zigbee2mqtt/hall_pir', JSON.stringify({ occupancy: true }), { qos: 1 });
  await closed;
  client.end(true);
  expect(gateway.ready).toBe(true);
  expect(mqtt).toBeTruthy();
});
