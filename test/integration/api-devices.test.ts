import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEVICE_KINDS } from '../../domain/device-kinds.js';
import { hashSecret, secretMatches } from '../../domain/secrets.js';
import { buildTestApp, createHouseholdWithPeople, loginAs, type TestLogin } from '../helpers/api.js';
import { createTestDb, type TestDb } from '../helpers/db.js';

let db: TestDb;
let app: FastifyInstance;
let admin: TestLogin;
let householdId: string;
const revoked: string[] = [];

beforeAll(async () => {
  db = await createTestDb();
  app = await buildTestApp(db, { onDeviceRevoked: (id) => revoked.push(id) });
  admin = await loginAs(app, db, 'admin');
  householdId = (await createHouseholdWithPeople(db)).id;
});
afterAll(async () => {
  await app.close();
  await db.drop();
});

const provision = (payload: unknown, who: TestLogin = admin) =>
  app.inject({ method: 'POST', url: '/api/v1/devices', headers: who.bearer, payload: payload as object });

describe('POST /api/v1/devices', () => {
  test('201 with the secret once; the database keeps only its SHA-256', async () => {
    const res = await provision({ householdId, kind: 'fall_radar', room: 'bathroom', heartbeatS: 120 });
    expect(res.statusCode).toBe(201);
    const { deviceId, secret } = res.json();
    expect(deviceId).toMatch(/^fallradar-/);
    expect(secret.length).toBeGreaterThanOrEqual(32);
    const row = (await db.pool.query(`SELECT household_id, kind, room, heartbeat_s, secret_hash FROM devices WHERE id = $1`, [deviceId])).rows[0];
    expect(row).toMatchObject({ household_id: householdId, kind: 'fall_radar', room: 'bathroom', heartbeat_s: 120 });
    expect(Buffer.compare(row.secret_hash, hashSecret(secret))).toBe(0);
    expect(secretMatches(secret, row.secret_hash)).toBe(true);
    // The secret itself is nowhere in the database.
    const leak = await db.pool.query(
      `SELECT count(*)::int AS n FROM devices WHERE secret_hash = convert_to($1, 'UTF8') OR encode(secret_hash, 'escape') LIKE '%' || $1 || '%'`, [secret]);
    expect(leak.rows[0].n).toBe(0);
    const audit = await db.pool.query(`SELECT username, action, data FROM audit_log WHERE target = $1`, [deviceId]);
    expect(audit.rows).toEqual([{ username: admin.username, action: 'device.provision', data: { householdId, kind: 'fall_radar', room: 'bathroom' } }]);
    expect(JSON.stringify(audit.rows)).not.toContain(secret);
  });

  test('an unknown household is a clear 400 and creates nothing', async () => {
    const res = await provision({ householdId: 'no-such-home', kind: 'pir' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toEqual({ code: 'unknown_household', message: 'householdId: no household "no-such-home"; create the household first' });
    expect((await db.pool.query(`SELECT 1 FROM devices WHERE household_id = 'no-such-home'`)).rows).toHaveLength(0);
  });

  test('a bad kind is a 400 listing the allowed kinds', async () => {
    const res = await provision({ householdId, kind: 'toaster' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toBe(`body.kind must be one of: ${DEVICE_KINDS.join(', ')}`);
  });

  test.each([
    [{ kind: 'pir' }, 'body.householdId is required'],
    [{ householdId: 'h', kind: 'pir', secret: 'mine' }, 'body has an unknown field "secret"'],
    [{ householdId: 'h', kind: 'pir', heartbeatS: 'often' }, 'body.heartbeatS must be integer'],
    [{ householdId: 'h', kind: 'pir', heartbeatS: 1 }, 'body.heartbeatS must be >= 10'],
    [{ householdId: { $ne: null }, kind: 'pir' }, 'body.householdId must be string'],
    [{ householdId: 'h', kind: ['pir', 'sos_button'] }, 'body.kind must be'],
    [[1, 2], 'body must be object'],
  ])('bad body %j is a 400 naming the field, never a 500', async (payload, message) => {
    const res = await provision(payload);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('bad_request');
    expect(res.json().error.message).toContain(message);
  });

  test('a wrong content type is a 415 in the usual error shape', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/devices', headers: { ...admin.bearer, 'content-type': 'application/xml' }, payload: '<device/>' });
    expect(res.statusCode).toBe(415);
    expect(res.json().error.code).toBe('unsupported_media_type');
  });
});

describe('GET /api/v1/devices and revoke', () => {
  test('operators list devices, never with secrets', async () => {
    const op = await loginAs(app, db, 'operator');
    await provision({ householdId, kind: 'pir' });
    const res = await app.inject({ url: `/api/v1/devices?householdId=${householdId}&limit=1`, headers: op.bearer });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.total).toBeGreaterThanOrEqual(2);
    expect(body.items).toHaveLength(1);
    expect(Object.keys(body.items[0]).sort()).toEqual(
      ['battery', 'createdAt', 'heartbeatS', 'householdId', 'id', 'kind', 'lastSeenAt', 'online', 'parentId', 'revokedAt', 'room', 'rssi'].sort());
  });

  test('revoke marks the device, tells the composer to cut its session, audits, and is safe to repeat', async () => {
    const { deviceId } = (await provision({ householdId, kind: 'sos_button' })).json();
    const res = await app.inject({ method: 'POST', url: `/api/v1/devices/${deviceId}/revoke`, headers: admin.bearer });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ deviceId, revoked: true, alreadyRevoked: false });
    expect(revoked).toContain(deviceId);
    const row = (await db.pool.query(`SELECT revoked_at FROM devices WHERE id = $1`, [deviceId])).rows[0];
    expect(row.revoked_at).toBeInstanceOf(Date);
    expect((await db.pool.query(`SELECT action FROM audit_log WHERE target = $1 ORDER BY id`, [deviceId])).rows.map((r) => r.action))
      .toEqual(['device.provision', 'device.revoke']);

    const again = await app.inject({ method: 'POST', url: `/api/v1/devices/${deviceId}/revoke`, headers: admin.bearer });
    expect(again.json()).toEqual({ deviceId, revoked: true, alreadyRevoked: true });
  });

  test('revoking an unknown device is 404; a responder may not revoke', async () => {
    expect((await app.inject({ method: 'POST', url: '/api/v1/devices/nope/revoke', headers: admin.bearer })).statusCode).toBe(404);
    const responder = await loginAs(app, db, 'responder');
    expect((await app.inject({ method: 'POST', url: '/api/v1/devices/nope/revoke', headers: responder.bearer })).statusCode).toBe(403);
  });
});
