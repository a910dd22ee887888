import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { provisionDevice } from '../../store/devices-repository.js';
import { buildTestApp, insertAlert, loginAs, type TestLogin } from '../helpers/api.js';
import { createTestDb, type TestDb } from '../helpers/db.js';

/** The register through the API (issue 17 item 1): create, edit, move, retire; validation; audit with before/after. */
let db: TestDb;
let app: FastifyInstance;
let admin: TestLogin, opA: TestLogin, street: TestLogin;

const call = (login: TestLogin, method: string, url: string, payload?: object) =>
  app.inject({ method: method as 'GET', url: `/api/v1${url}`, headers: login.bearer, ...(payload ? { payload } : {}) });
const lastAudit = async (action: string) =>
  (await db.pool.query(`SELECT username, action, target, data FROM audit_log WHERE action = $1 ORDER BY id DESC LIMIT 1`, [action])).rows[0];

beforeAll(async () => {
  db = await createTestDb();
  app = await buildTestApp(db);
  admin = await loginAs(app, db, 'admin');
});
afterAll(async () => {
  await app.close();
  await db.drop();
});

describe('places', () => {
  test('an admin builds a street and two communities; operators and the street office see theirs', async () => {
    expect((await call(admin, 'POST', '/streets', { id: 's-ny', name: '南苑街道' })).statusCode).toBe(201);
    const a = await call(admin, 'POST', '/communities', { id: 'c-a', name: '鹿山社区', streetId: 's-ny', emergencyPhone: '025-86661365', dayShift: '07:30-19:30' });
    expect(a.statusCode, a.body).toBe(201);
    expect(a.json().settings).toMatchObject({ dayShift: '07:30-19:30', slaOnsiteS: 900, source: { dayShift: 'community', slaOnsiteS: 'global' } });
    expect((await call(admin, 'POST', '/communities', { id: 'c-b', name: '兴达社区', streetId: 's-ny' })).statusCode).toBe(201);
    const badPhone = await call(admin, 'POST', '/communities', { name: 'x', emergencyPhone: '12345' });
    expect(badPhone.json().error.code).toBe('phone_invalid');
    const badSla = await call(admin, 'POST', '/communities', { name: 'x', slaWarnS: 1000, slaOnsiteS: 900 });
    expect(badSla.json().error.code).toBe('settings_invalid');
    const noStreet = await call(admin, 'POST', '/communities', { name: 'x', streetId: 's-none' });
    expect(noStreet.json().error.code).toBe('unknown_place');

    opA = await loginAs(app, db, 'operator', { communityIds: ['c-a'] });
    street = await loginAs(app, db, 'street', { streetIds: ['s-ny'] });
    expect((await call(opA, 'GET', '/communities')).json().items.map((c: { id: string }) => c.id)).toEqual(['c-a']);
    expect((await call(street, 'GET', '/communities')).json().items.map((c: { id: string }) => c.id).sort()).toEqual(['c-a', 'c-b']);
    expect((await call(opA, 'GET', '/communities/c-b')).statusCode).toBe(404);
    // The operator edits their community's settings, never its street; the street office changes nothing.
    const edited = await call(opA, 'PATCH', '/communities/c-a', { slaOnsiteS: 1200, slaWarnS: 800 });
    expect(edited.json().settings).toMatchObject({ slaOnsiteS: 1200, slaWarnS: 800, source: { slaOnsiteS: 'community' } });
    expect((await lastAudit('community.update')).data).toMatchObject({ before: { slaOnsiteS: null }, after: { slaOnsiteS: 1200 } });
    expect((await call(opA, 'PATCH', '/communities/c-a', { streetId: null })).json().error.code).toBe('admin_only');
    expect((await call(street, 'PATCH', '/communities/c-a', { name: 'x' })).statusCode).toBe(403);
    expect((await call(opA, 'GET', '/communities/c-a/settings')).json()).toMatchObject({ communityId: 'c-a', slaOnsiteS: 1200, dayShift: '07:30-19:30' });
    const cleared = await call(opA, 'PATCH', '/communities/c-a', { slaOnsiteS: null, slaWarnS: null });
    expect(cleared.json().settings).toMatchObject({ slaOnsiteS: 900, source: { slaOnsiteS: 'global' } });
  });

  test('grids and buildings: only in the operator\'s communities; site-plan position; retire refuses while in use', async () => {
    expect((await call(opA, 'POST', '/grids', { id: 'g-a1', communityId: 'c-a', name: '第1网格' })).statusCode).toBe(201);
    expect((await call(opA, 'POST', '/grids', { communityId: 'c-b', name: '别人的' })).json().error.code).toBe('unknown_place');
    await call(admin, 'POST', '/grids', { id: 'g-b1', communityId: 'c-b', name: '第1网格' });
    const b = await call(opA, 'POST', '/buildings', { id: 'b-a1', gridId: 'g-a1', name: '1栋', x: 120, y: 45.5, lat: 32.0, lng: 118.7 });
    expect(b.json()).toMatchObject({ id: 'b-a1', communityId: 'c-a', x: 120, y: 45.5, lat: 32, lng: 118.7 });
    expect((await call(opA, 'POST', '/buildings', { gridId: 'g-b1', name: '2栋' })).json().error.code).toBe('unknown_place');
    expect((await call(opA, 'POST', '/buildings', { gridId: 'g-a1', name: '2栋', lat: 91 })).statusCode).toBe(400);
    await call(opA, 'POST', '/buildings', { id: 'b-a2', gridId: 'g-a1', name: '2栋' });
    const retired = await call(opA, 'POST', '/grids/g-a1/retire');
    expect(retired.statusCode).toBe(409);
    expect(retired.json().error.code).toBe('place_in_use');
  });
});

describe('households, residents, contacts', () => {
  let home: string;

  test('create with a code unique in the community; validation says what is wrong', async () => {
    const h = await call(opA, 'POST', '/households', { buildingId: 'b-a1', unit: '1单元101室', address: '鹿山路88号', code: '1-101', accessNotes: '钥匙在楼栋长家', phone: '025-84561234' });
    expect(h.statusCode, h.body).toBe(201);
    home = h.json().id;
    expect(h.json()).toMatchObject({ code: '1-101', accessNotes: '钥匙在楼栋长家', livingSituation: 'alone' });
    const dup = await call(opA, 'POST', '/households', { buildingId: 'b-a2', unit: 'x', address: 'y', code: '1-101' });
    expect([dup.statusCode, dup.json().error.code]).toEqual([409, 'code_taken']);
    expect((await call(opA, 'POST', '/households', { buildingId: 'b-a2', unit: 'x', address: 'y', phone: '1234' })).json().error.code).toBe('phone_invalid');
    expect((await call(opA, 'POST', '/households', { buildingId: 'nope', unit: 'x', address: 'y' })).json().error.code).toBe('unknown_place');
    const r = await call(opA, 'POST', `/households/${home}/residents`, { name: '王秀英', gender: 'female', birthYear: 1941, conditions: ['高血压'], notes: '耳背' });
    expect(r.statusCode, r.body).toBe(201);
    const c1 = await call(opA, 'POST', `/households/${home}/contacts`, { name: '李明', relation: '儿子', phone: '13987654321' });
    const c2 = await call(opA, 'POST', `/households/${home}/contacts`, { name: '李芳', relation: '女儿', phone: '139 8765 4322' });
    expect([c1.json().priority, c2.json().priority]).toEqual([1, 2]);
    expect(c2.json().phone).toBe('13987654322');
    expect((await call(opA, 'POST', `/households/${home}/contacts`, { name: '李', relation: '子', phone: 'abc123' })).json().error.code).toBe('phone_invalid');
    expect((await lastAudit('resident.create'))).toMatchObject({ target: home, data: { before: null, after: { name: '王秀英', conditions: ['高血压'] } } });

    const file = (await call(opA, 'GET', `/households/${home}`)).json();
    expect(file.household).toMatchObject({ code: '1-101', accessNotes: '钥匙在楼栋长家' });
    expect(file.residents.map((x: { name: string }) => x.name)).toEqual(['王秀英']);
    expect(file.contacts.map((x: { name: string }) => x.name)).toEqual(['李明', '李芳']);
    // The street office reads (masked) and writes nothing.
    expect((await call(street, 'GET', `/households/${home}`)).json().contacts[0].phone).not.toBe('13987654321');
    expect((await call(street, 'POST', `/households/${home}/residents`, { name: 'x' })).statusCode).toBe(403);
    const residentId = r.json().id;
    expect((await call(opA, 'PATCH', `/residents/${residentId}`, { birthYear: 1942 })).json().birthYear).toBe(1942);
    expect((await lastAudit('resident.update')).data).toMatchObject({ before: { birthYear: 1941 }, after: { birthYear: 1942 } });
    expect((await call(opA, 'POST', `/residents/${residentId}/retire`)).json().retiredAt).not.toBeNull();
    expect((await call(opA, 'GET', `/households/${home}`)).json().residents).toEqual([]);
    await call(opA, 'POST', `/residents/${residentId}/restore`);
    expect((await call(opA, 'DELETE', `/contacts/${c2.json().id}`)).statusCode).toBe(200);
    expect((await lastAudit('contact.delete')).data).toMatchObject({ before: { name: '李芳', phone: '13987654322' }, after: null });
  });

  test('a move keeps the household\'s history; retiring waits for live alerts and devices, then hides it', async () => {
    const alert = await insertAlert(db, { householdId: home, kind: 'sos', state: 'notified' });
    const moved = await call(opA, 'PATCH', `/households/${home}`, { buildingId: 'b-a2', unit: '2单元201室' });
    expect(moved.json()).toMatchObject({ id: home, buildingId: 'b-a2', unit: '2单元201室' });
    expect((await lastAudit('household.update')).data).toMatchObject({ before: { buildingId: 'b-a1' }, after: { buildingId: 'b-a2' } });
    expect((await call(opA, 'GET', `/alerts/${alert}`)).json().household.unit).toBe('2单元201室');
    expect((await call(opA, 'PATCH', `/households/${home}`, { buildingId: 'b-nowhere' })).json().error.code).toBe('unknown_place');

    expect((await call(opA, 'POST', `/households/${home}/retire`)).json().error.code).toBe('household_has_alerts');
    await db.pool.query(`UPDATE alerts SET state = 'resolved', outcome = 'assisted', closed_at = now() WHERE id = $1`, [alert]);
    const device = await provisionDevice(db.pool, { householdId: home, kind: 'sos_button' });
    expect((await call(opA, 'POST', `/households/${home}/retire`)).json().error.code).toBe('household_has_devices');
    await db.pool.query(`UPDATE devices SET revoked_at = now() WHERE id = $1`, [device.deviceId]);
    const gone = await call(opA, 'POST', `/households/${home}/retire`);
    expect(gone.json().retiredAt).not.toBeNull();
    expect((await call(opA, 'GET', '/households')).json().items.map((h: { id: string }) => h.id)).not.toContain(home);
    expect((await call(opA, 'GET', '/households?includeRetired=true')).json().items.map((h: { id: string }) => h.id)).toContain(home);
    // History stays readable: the file and its alert.
    expect((await call(opA, 'GET', `/households/${home}`)).json().household.retiredAt).not.toBeNull();
    expect((await call(opA, 'GET', `/alerts?householdId=${home}`)).json().total).toBe(1);
    // Now the building can go, and come back.
    expect((await call(opA, 'POST', '/buildings/b-a1/retire')).statusCode).toBe(200);
    expect((await call(opA, 'GET', '/buildings')).json().items.map((b: { id: string }) => b.id)).toEqual(['b-a2']);
    expect((await call(opA, 'POST', '/buildings/b-a1/restore')).json().retiredAt).toBeNull();
    expect((await call(opA, 'POST', `/households/${home}/restore`)).json().retiredAt).toBeNull();
  });
});

describe('lists that scale', () => {
  test('alerts history filters by date, kind, outcome, responder; devices by kind, search and online; users by search', async () => {
    const home = (await call(opA, 'POST', '/households', { buildingId: 'b-a2', unit: '9单元', address: '某路', code: 'h-9' })).json().id;
    const old = new Date(Date.now() - 3 * 86_400_000);
    await insertAlert(db, { householdId: home, kind: 'fall', state: 'resolved', openedAt: old, acceptedBy: 'r-x' });
    await db.pool.query(`UPDATE alerts SET outcome = 'hospital' WHERE kind = 'fall'`);
    await insertAlert(db, { householdId: home, kind: 'sos', state: 'open' });
    const q = async (s: string) => (await call(opA, 'GET', `/alerts?${s}`)).json() as { total: number; items: Array<{ kind: string; outcome: string | null }> };
    expect((await q(`householdId=${home}&from=${new Date(Date.now() - 86_400_000).toISOString()}`)).items.map((a) => a.kind)).toEqual(['sos']);
    expect((await q(`householdId=${home}&to=${new Date(Date.now() - 86_400_000).toISOString()}`)).items.map((a) => a.kind)).toEqual(['fall']);
    expect((await q('outcome=hospital')).items).toMatchObject([{ kind: 'fall', outcome: 'hospital' }]);
    expect((await q('responderId=r-x')).total).toBe(1);
    expect((await q('kind=fall&order=newest')).total).toBe(1);
    expect((await call(opA, 'GET', '/alerts?from=yesterday')).statusCode).toBe(400);

    for (let i = 0; i < 3; i++) await provisionDevice(db.pool, { householdId: home, kind: i === 0 ? 'pir' : 'sos_button', room: i === 2 ? '卫生间' : '卧室' });
    const d = async (s: string) => (await call(opA, 'GET', `/devices?${s}`)).json() as { total: number; items: Array<{ kind: string }> };
    expect((await d('kind=pir')).total).toBe(1);
    expect((await d('q=卫生间')).total).toBe(1);
    expect((await d(`householdId=${home}&online=false&limit=2`)).items).toHaveLength(2);
    expect((await d(`householdId=${home}&online=false&limit=2`)).total).toBe(3);
    const users = (await call(admin, 'GET', `/users?q=${encodeURIComponent(opA.username.slice(0, 12))}`)).json();
    expect(users.items.map((u: { username: string }) => u.username)).toContain(opA.username);
    expect((await call(admin, 'GET', '/users?communityId=c-a')).json().items.every((u: { communityIds: string[] }) => u.communityIds.includes('c-a'))).toBe(true);
  });

  test('the street overview: open alerts and last-24-h SLA per community, only the caller\'s', async () => {
    const items = (await call(street, 'GET', '/overview/communities')).json().items as Array<{ communityId: string; openCritical: number; alerts24h: number; slaOnsiteS: number }>;
    expect(items.map((i) => i.communityId).sort()).toEqual(['c-a', 'c-b']);
    expect(items.find((i) => i.communityId === 'c-a')).toMatchObject({ openCritical: 1, alerts24h: 2, slaOnsiteS: 900 });
    expect((await call(opA, 'GET', '/overview/communities')).json().items.map((i: { communityId: string }) => i.communityId)).toEqual(['c-a']);
  });
});
