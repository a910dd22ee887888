import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ACK_PRESETS } from '../../domain/zigbee2mqtt-ack.js';
import { parseBridgeDevices } from '../../domain/zigbee2mqtt-bridge.js';
import { provisionDevice } from '../../store/devices-repository.js';
import { syncBridgeDevices } from '../../store/zigbee2mqtt-repository.js';
import { buildTestApp, createHouseholdWithPeople, loginAs, type TestLogin } from '../helpers/api.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { EmulatedZigbeeDevice } from '../helpers/z2m-fleet.js';

/** Issue 18 item 2: registering a hub's Zigbee devices through the API. */
let db: TestDb;
let app: FastifyInstance;
let admin: TestLogin;
let operator: TestLogin;
let householdId: string;
let hubId: string;
const button = new EmulatedZigbeeDevice({ ieeeAddr: '0x00158d00000c0001', modelID: 'SOS-EM', manufacturerName: 'HEIMAN' });
const radar = new EmulatedZigbeeDevice({ ieeeAddr: '0x00158d00000c0002', modelID: 'TS0601', manufacturerName: '_TZE200_lu01t0zl', powerSource: 'Mains (single phase)' });

beforeAll(async () => {
  db = await createTestDb();
  app = await buildTestApp(db);
  admin = await loginAs(app, db, 'admin');
  operator = await loginAs(app, db, 'operator');
  householdId = (await createHouseholdWithPeople(db)).id;
  hubId = (await provisionDevice(db.pool, { householdId, kind: 'z2m_hub', room: '客厅' })).deviceId;
  const offered = parseBridgeDevices([await button.bridgeEntry('bedroom_button'), await radar.bridgeEntry('bathroom_radar')])!;
  await syncBridgeDevices(db.pool, hubId, offered, new Date());
});
afterAll(async () => {
  await app.close();
  await db.drop();
});

const url = (ieee: string, tail = 'register') => `/api/v1/hubs/${encodeURIComponent(hubId)}/zigbee/${ieee}/${tail}`;

describe('GET /api/v1/zigbee/devices', () => {
  test('pending offers with model, vendor and a suggested kind', async () => {
    const res = await app.inject({ method: 'GET', url: `/api/v1/zigbee/devices?pending=true&hubId=${encodeURIComponent(hubId)}`, headers: operator.bearer });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.total).toBe(2);
    expect(body.items.map((i: Record<string, unknown>) => [i.friendlyName, i.vendor, i.model, i.suggestedKind, i.deviceId])).toEqual([
      ['bathroom_radar', 'Tuya', 'MIR-HE200-TY', 'fall_radar', null],
      ['bedroom_button', 'Heiman', 'HS1EB/HS1EB-E', 'sos_button', null],
    ]);
  });

  test('supervisors and responders may not install devices', async () => {
    for (const role of ['supervisor', 'responder'] as const) {
      const who = await loginAs(app, db, role);
      const res = await app.inject({ method: 'GET', url: '/api/v1/zigbee/devices', headers: who.bearer });
      expect(res.statusCode).toBe(403);
    }
  });
});

describe('POST /api/v1/hubs/:hubId/zigbee/:ieee/register', () => {
  test('201: a child by IEEE address, heartbeat by power source, audited; no longer pending', async () => {
    const res = await app.inject({ method: 'POST', url: url(radar.spec.ieeeAddr), headers: operator.bearer, payload: { kind: 'fall_radar', room: '卫生间' } });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({ deviceId: `${hubId}/0x00158d00000c0002`, householdId, kind: 'fall_radar', heartbeatS: 3600 });
    const row = (await db.pool.query(`SELECT household_id, kind, room, parent_id, heartbeat_s FROM devices WHERE id = $1`, [res.json().deviceId])).rows[0];
    expect(row).toEqual({ household_id: householdId, kind: 'fall_radar', room: '卫生间', parent_id: hubId, heartbeat_s: 3600 });
    const audit = (await db.pool.query(`SELECT action, data FROM audit_log WHERE target = $1`, [res.json().deviceId])).rows[0];
    expect(audit.action).toBe('device.register_zigbee');
    expect(audit.data).toMatchObject({ ieee: '0x00158d00000c0002', friendlyName: 'bathroom_radar', model: 'MIR-HE200-TY' });
    const pending = await app.inject({ method: 'GET', url: '/api/v1/zigbee/devices?pending=true', headers: operator.bearer });
    expect(pending.json().items.map((i: { friendlyName: string }) => i.friendlyName)).toEqual(['bedroom_button']);
  });

  test('409 when registered twice; 404 for a device the hub never offered; 400 for bad input, never 500', async () => {
    const twice = await app.inject({ method: 'POST', url: url(radar.spec.ieeeAddr), headers: operator.bearer, payload: { kind: 'fall_radar', room: '卫生间' } });
    expect(twice.statusCode).toBe(409);
    expect(twice.json().error.code).toBe('already_registered');
    const unknown = await app.inject({ method: 'POST', url: url('0x00158d00000cffff'), headers: operator.bearer, payload: { kind: 'pir', room: 'x' } });
    expect(unknown.statusCode).toBe(404);
    for (const [ieee, payload] of [
      [button.spec.ieeeAddr, { kind: 'z2m_hub', room: 'x' }],
      [button.spec.ieeeAddr, { kind: 'sos_button' }],
      [button.spec.ieeeAddr, { kind: 'sos_button', room: 'x', householdId: 'h-nope' }],
      ['not-an-ieee', { kind: 'sos_button', room: 'x' }],
    ] as const) {
      const res = await app.inject({ method: 'POST', url: url(ieee), headers: operator.bearer, payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
    }
  });
});

describe('help is coming: PUT/DELETE …/ack, PATCH /hubs/:hubId', () => {
  test('a preset or own payloads; bad payloads are a 400', async () => {
    const put = await app.inject({ method: 'PUT', url: url(button.spec.ieeeAddr, 'ack'), headers: operator.bearer, payload: { preset: 'light' } });
    expect(put.statusCode).toBe(200);
    expect(put.json().ack).toEqual(ACK_PRESETS.light);
    const own = await app.inject({ method: 'PUT', url: url(button.spec.ieeeAddr, 'ack'), headers: operator.bearer, payload: { payloads: { accepted: { state: 'ON' } } } });
    expect(own.json().ack).toEqual({ accepted: { state: 'ON' } });
    const bad = await app.inject({ method: 'PUT', url: url(button.spec.ieeeAddr, 'ack'), headers: operator.bearer, payload: { payloads: {} } });
    expect(bad.statusCode).toBe(400);
    const both = await app.inject({ method: 'PUT', url: url(button.spec.ieeeAddr, 'ack'), headers: operator.bearer, payload: { preset: 'siren', payloads: { accepted: {} } } });
    expect(both.statusCode).toBe(400);
    const del = await app.inject({ method: 'DELETE', url: url(button.spec.ieeeAddr, 'ack'), headers: operator.bearer });
    expect(del.json().ack).toBeNull();
  });

  test('the base topic: admin only, validated', async () => {
    const hub = `/api/v1/hubs/${encodeURIComponent(hubId)}`;
    expect((await app.inject({ method: 'PATCH', url: hub, headers: operator.bearer, payload: { baseTopic: 'home/z2m' } })).statusCode).toBe(403);
    expect((await app.inject({ method: 'PATCH', url: hub, headers: admin.bearer, payload: { baseTopic: 'guardian/v1' } })).statusCode).toBe(400);
    expect((await app.inject({ method: 'PATCH', url: hub, headers: admin.bearer, payload: { baseTopic: 'home/#' } })).statusCode).toBe(400);
    const ok = await app.inject({ method: 'PATCH', url: hub, headers: admin.bearer, payload: { baseTopic: 'home/z2m' } });
    expect(ok.json()).toEqual({ hubId, baseTopic: 'home/z2m' });
    expect((await db.pool.query(`SELECT base_topic FROM zigbee_hubs WHERE hub_id = $1`, [hubId])).rows[0].base_topic).toBe('home/z2m');
  });
});
