import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { provisionDevice } from '../../store/devices-repository.js';
import { buildTestApp, createHouseholdWithPeople, createResponder, insertAlert, loginAs, type HouseholdSeed, type TestLogin } from '../helpers/api.js';
import { createTestDb, type TestDb } from '../helpers/db.js';

let db: TestDb;
let app: FastifyInstance;
let op: TestLogin;
let hh: HouseholdSeed;

beforeAll(async () => {
  db = await createTestDb();
  app = await buildTestApp(db);
  op = await loginAs(app, db, 'operator');
  hh = await createHouseholdWithPeople(db, { grid: 'g-east', residentName: '李爷爷', unit: '3单元502室' });
  const d1 = await provisionDevice(db.pool, { householdId: hh.id, kind: 'pir', room: 'living' });
  await provisionDevice(db.pool, { householdId: hh.id, kind: 'sos_button', room: 'bedroom' });
  const revoked = await provisionDevice(db.pool, { householdId: hh.id, kind: 'door_contact' });
  await db.pool.query(`UPDATE devices SET online = true WHERE id = $1`, [d1.deviceId]);
  await db.pool.query(`UPDATE devices SET revoked_at = now() WHERE id = $1`, [revoked.deviceId]);
  await insertAlert(db, { householdId: hh.id, kind: 'inactivity', severity: 'high', state: 'open' });
  await db.pool.query(`INSERT INTO visits (household_id, kind, by_user, note) VALUES ($1, 'phone', 'op', '电话问候，一切正常')`, [hh.id]);
  await db.pool.query(
    `INSERT INTO signals (ts, received_at, device_ts, device_id, household_id, event_id, type, value, room)
     VALUES (now(), now(), now(), $1, $2, 'm-1', 'motion', 'true', 'living')`, [d1.deviceId, hh.id]);
  await createHouseholdWithPeople(db, { grid: 'g-west', residentName: '赵奶奶', unit: '1单元101室' });
});
afterAll(async () => {
  await app.close();
  await db.drop();
});

const get = (url: string, who: TestLogin = op) => app.inject({ url, headers: who.bearer });
const audits = async (target: string) =>
  (await db.pool.query(`SELECT username, role, action, target, data FROM audit_log WHERE target = $1 ORDER BY id`, [target])).rows;

describe('GET /api/v1/households', () => {
  test('items carry place, residents, device and alert counts', async () => {
    const body = (await get('/api/v1/households')).json();
    expect(body.total).toBe(2);
    const item = body.items.find((h: { id: string }) => h.id === hh.id);
    expect(item).toEqual({
      id: hh.id, code: hh.id, communityId: 'c-api', retiredAt: null, unit: '3单元502室', address: hh.address, buildingId: 'g-east-b1', buildingName: 'g-east-b1',
      gridId: 'g-east', gridName: 'g-east', residents: ['李爷爷'], lastActivityAt: null,
      devicesOnline: 1, devicesTotal: 2, openAlerts: 1,
    });
  });

  test('filters by grid, building and a unit or name search', async () => {
    expect((await get('/api/v1/households?gridId=g-west')).json().items.map((h: { residents: string[] }) => h.residents[0])).toEqual(['赵奶奶']);
    expect((await get('/api/v1/households?buildingId=g-east-b1')).json().total).toBe(1);
    expect((await get(`/api/v1/households?q=${encodeURIComponent('李')}`)).json().items[0].id).toBe(hh.id);
    expect((await get(`/api/v1/households?q=${encodeURIComponent('502')}`)).json().items[0].id).toBe(hh.id);
    // LIKE wildcards are literal characters, not "match anything".
    expect((await get('/api/v1/households?q=%25')).json().total).toBe(0);
    expect((await get('/api/v1/households?limit=1')).json()).toMatchObject({ total: 2, items: [expect.any(Object)] });
  });

  test('responders (a grid worker of the home\'s grid) see the address masked', async () => {
    const responder = await loginAs(app, db, 'responder', { responderId: await createResponder(db, undefined, { gridIds: ['g-east'] }) });
    const item = (await get('/api/v1/households', responder)).json().items.find((h: { id: string }) => h.id === hh.id);
    expect(item.address).toBe('南京市鼓楼区宁海路街道****');
    expect(item.residents).toEqual(['李爷爷']);
  });
});

describe('GET /api/v1/households/:id (一户一档)', () => {
  test('the file for an operator: unmasked, complete, and audited', async () => {
    const res = await get(`/api/v1/households/${hh.id}`);
    expect(res.statusCode).toBe(200);
    const f = res.json();
    expect(f.masked).toBe(false);
    expect(f.household).toMatchObject({ id: hh.id, unit: '3单元502室', address: hh.address, phone: '02584561234', gridId: 'g-east', communityName: '芦山社区', inactivityDayS: 21600 });
    expect(f.residents).toEqual([expect.objectContaining({ name: '李爷爷', phone: hh.residentPhone, idNumber: hh.idNumber, conditions: ['hypertension'], birthYear: 1945 })]);
    expect(f.contacts).toEqual([expect.objectContaining({ name: '王小明', relation: 'son', phone: hh.contactPhone })]);
    expect(f.devices).toHaveLength(3);
    expect(f.devices.every((d: Record<string, unknown>) => !('secretHash' in d) && !('secret_hash' in d))).toBe(true);
    expect(f.alerts).toEqual([expect.objectContaining({ kind: 'inactivity', state: 'open' })]);
    expect(f.visits).toEqual([expect.objectContaining({ kind: 'phone', note: '电话问候，一切正常' })]);
    expect(f.signals).toEqual([expect.objectContaining({ type: 'motion', eventId: 'm-1', value: true, room: 'living' })]);
    expect(await audits(hh.id)).toContainEqual({ username: op.username, role: 'operator', action: 'household.read', target: hh.id, data: { masked: false } });
  });

  test('the file for a responder: phones, ID number and street masked, and audited', async () => {
    const rid = await createResponder(db, undefined, { gridIds: ['g-east'] });
    const responder = await loginAs(app, db, 'responder', { responderId: rid });
    const f = (await get(`/api/v1/households/${hh.id}`, responder)).json();
    expect(f.masked).toBe(true);
    expect(f.household.address).toBe('南京市鼓楼区宁海路街道****');
    expect(f.household.phone).toBe('025****1234');
    expect(f.residents[0]).toMatchObject({ name: '李爷爷', phone: '138****5678', idNumber: '3201**********1234' });
    expect(f.contacts[0].phone).toBe('139****4321');
    expect(JSON.stringify(f)).not.toContain(hh.residentPhone);
    expect(JSON.stringify(f)).not.toContain(hh.idNumber);
    expect(JSON.stringify(f)).not.toContain('芦山路18号');
    expect(await audits(hh.id)).toContainEqual({ username: responder.username, role: 'responder', action: 'household.read', target: hh.id, data: { masked: true } });
  });

  test('a responder holding a live alert they accepted for this home sees it unmasked; closed ones do not count', async () => {
    const rid = await createResponder(db, undefined, { gridIds: ['g-east'] });
    const responder = await loginAs(app, db, 'responder', { responderId: rid });
    const alertId = await insertAlert(db, { householdId: hh.id, kind: 'sos', state: 'accepted', acceptedBy: rid });
    const f = (await get(`/api/v1/households/${hh.id}`, responder)).json();
    expect(f.masked).toBe(false);
    expect(f.residents[0].phone).toBe(hh.residentPhone);
    expect(f.household.address).toBe(hh.address);

    await db.pool.query(`UPDATE alerts SET state = 'resolved', closed_at = now() WHERE id = $1`, [alertId]);
    expect((await get(`/api/v1/households/${hh.id}`, responder)).json().masked).toBe(true);
  });

  test('an unknown household is 404 and writes no audit row; an over-long id is a 4xx', async () => {
    const res = await get('/api/v1/households/no-such-home');
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('not_found');
    expect(await audits('no-such-home')).toEqual([]);
    expect((await get(`/api/v1/households/${'x'.repeat(129)}`)).statusCode).toBe(400);
    // Beyond the router's parameter limit it is 414 URI Too Long: still a 4xx in our error shape.
    const huge = await get(`/api/v1/households/${'x'.repeat(3000)}`);
    expect(huge.statusCode).toBe(414);
    expect(huge.json().error.code).toBe('uri_too_long');
  });
});
