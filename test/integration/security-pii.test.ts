import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ALL_ROLES } from '../../api/route-access.js';
import type { UserRole } from '../../store/users-repository.js';
import {
  buildTestApp, createHouseholdWithPeople, createResponder, insertAlert, loginAs, notifyResponder, type HouseholdSeed, type TestLogin,
} from '../helpers/api.js';
import { createTestDb, type TestDb } from '../helpers/db.js';

/**
 * Personal data per role (issue 7, item 7; DESIGN §6): residents' and family phone numbers, ID
 * numbers and street addresses are shown to the dispatch room (operator, supervisor, admin) and
 * masked for responders — except for the home whose live alert they accepted — and for the
 * read-only street office. Every read of a
 * household file, by any role, masked or not, is a row in the audit log. Checked for every role
 * and every place the data comes out: the household list, the file, the alert detail, the team.
 */
let db: TestDb;
let app: FastifyInstance;
let hh: HouseholdSeed;
let responderId: string;
let colleagueId: string;
let alertId: string;
const logins = new Map<UserRole, TestLogin>();
const COLLEAGUE_PHONE = '13566667777';
const OWN_PHONE = '13511112222';

beforeAll(async () => {
  db = await createTestDb();
  app = await buildTestApp(db);
  hh = await createHouseholdWithPeople(db, { residentName: '赵奶奶' });
  // The responder is the grid worker of the test grid (g-api), so its homes are in their scope.
  responderId = await createResponder(db, undefined, { phone: OWN_PHONE, gridIds: ['g-api'] });
  colleagueId = await createResponder(db, undefined, { phone: COLLEAGUE_PHONE });
  // The street office of the test community's street.
  await db.pool.query(`INSERT INTO streets (id, name) VALUES ('s-api', '宁海路街道')`);
  await db.pool.query(`UPDATE communities SET street_id = 's-api' WHERE id = 'c-api'`);
  for (const role of ALL_ROLES) {
    logins.set(role, await loginAs(app, db, role, role === 'responder' ? { responderId } : role === 'street' ? { streetIds: ['s-api'] } : {}));
  }
  // An alert the responder was paged for (so they may open it), with a page to the family phone.
  alertId = await insertAlert(db, { householdId: hh.id, kind: 'fall', state: 'notified' });
  await notifyResponder(db, alertId, responderId);
  await db.pool.query(`INSERT INTO notifications (alert_id, tier, channel, target, status, purpose, round) VALUES ($1, 3, 'webhook', $2, 'sent', 'page', 'tier3')`, [alertId, hh.contactPhone]);
});
afterAll(async () => {
  await app.close();
  await db.drop();
});

const get = (url: string, role: UserRole) => app.inject({ url, headers: logins.get(role)!.bearer });
/** Responders and the street office (which oversees, and never calls a resident) see personal data masked. */
const masks = (role: UserRole) => role === 'responder' || role === 'street';
const PII = () => [hh.residentPhone, hh.contactPhone, hh.idNumber, '芦山路18号', '02584561234'];

describe.each(ALL_ROLES)('%s', (role) => {
  test(`household list: the street address is ${masks(role) ? 'masked' : 'shown'}`, async () => {
    const res = await get('/api/v1/households?limit=1000', role);
    expect(res.statusCode).toBe(200);
    const item = res.json().items.find((h: { id: string }) => h.id === hh.id);
    expect(item.address).toBe(masks(role) ? '南京市鼓楼区宁海路街道****' : hh.address);
    if (masks(role)) for (const v of PII()) expect(res.body).not.toContain(v);
  });

  test(`household file: phones, ID number and street ${masks(role) ? 'masked' : 'shown'}, and the read audited`, async () => {
    const before = Number((await db.pool.query(`SELECT count(*) AS n FROM audit_log WHERE action = 'household.read' AND target = $1`, [hh.id])).rows[0].n);
    const res = await get(`/api/v1/households/${hh.id}`, role);
    expect(res.statusCode).toBe(200);
    const f = res.json();
    expect(f.masked).toBe(masks(role));
    if (masks(role)) {
      for (const v of PII()) expect(res.body, v).not.toContain(v);
      expect(f.residents[0]).toMatchObject({ name: '赵奶奶', phone: '138****5678', idNumber: '3201**********1234' });
    } else {
      expect(f.residents[0]).toMatchObject({ phone: hh.residentPhone, idNumber: hh.idNumber });
      expect(f.contacts[0].phone).toBe(hh.contactPhone);
      expect(f.household.address).toBe(hh.address);
    }
    const audit = await db.pool.query(
      `SELECT username, role, action, target, data FROM audit_log WHERE action = 'household.read' AND target = $1 ORDER BY id`, [hh.id]);
    expect(audit.rows).toHaveLength(before + 1);
    expect(audit.rows.at(-1)).toEqual({ username: logins.get(role)!.username, role, action: 'household.read', target: hh.id, data: { masked: masks(role) } });
  });

  test(`alert detail: notification targets (family phones) ${masks(role) ? 'masked' : 'shown'}`, async () => {
    const res = await get(`/api/v1/alerts/${alertId}`, role);
    expect(res.statusCode).toBe(200);
    const targets = res.json().notifications.map((n: { target: string }) => n.target);
    if (masks(role)) {
      expect(targets).toContain('139****4321');
      expect(res.body).not.toContain(hh.contactPhone);
    } else {
      expect(targets).toContain(hh.contactPhone);
    }
  });

  test(`the team: colleagues' phones ${masks(role) ? 'masked (own shown)' : 'shown'}`, async () => {
    const res = await get('/api/v1/responders?limit=1000', role);
    expect(res.statusCode).toBe(200);
    const byId = new Map(res.json().items.map((r: { id: string; phone: string }) => [r.id, r.phone]));
    expect(byId.get(colleagueId)).toBe(masks(role) ? '135****7777' : COLLEAGUE_PHONE);
    // A responder sees their own number; the street office sees nobody's.
    expect(byId.get(responderId)).toBe(role === 'street' ? '135****2222' : OWN_PHONE);
  });
});

describe('responder on the way', () => {
  test('accepting the live alert unmasks that home only; closing it masks it again; every read audited', async () => {
    const other = await createHouseholdWithPeople(db);
    await db.pool.query(`UPDATE alerts SET state = 'accepted', accepted_by = $2, accepted_at = now() WHERE id = $1`, [alertId, responderId]);
    const mine = (await get(`/api/v1/households/${hh.id}`, 'responder')).json();
    expect(mine.masked).toBe(false);
    expect(mine.residents[0].phone).toBe(hh.residentPhone);
    expect((await get(`/api/v1/households/${other.id}`, 'responder')).json().masked).toBe(true);
    await db.pool.query(`UPDATE alerts SET state = 'resolved', closed_at = now(), outcome = 'assisted' WHERE id = $1`, [alertId]);
    expect((await get(`/api/v1/households/${hh.id}`, 'responder')).json().masked).toBe(true);
    const audit = await db.pool.query(
      `SELECT target, data FROM audit_log WHERE action = 'household.read' AND username = $1 ORDER BY id DESC LIMIT 3`, [logins.get('responder')!.username]);
    expect(audit.rows.reverse()).toEqual([
      { target: hh.id, data: { masked: false } }, { target: other.id, data: { masked: true } }, { target: hh.id, data: { masked: true } },
    ]);
  });

  test('the audit log itself (IPs, who read what) is for admins and supervisors only', async () => {
    for (const role of ALL_ROLES) {
      const res = await get('/api/v1/audit', role);
      expect(res.statusCode, role).toBe(role === 'admin' || role === 'supervisor' ? 200 : 403);
    }
  });
});
