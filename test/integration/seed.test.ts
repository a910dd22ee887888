import { mkdtemp, rm, stat, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { secretMatches } from '../../domain/secrets.js';
import { readDemoDevices, readDemoLogins, seedDemoCommunity, type SeedDemoResult } from '../../store/demo-seed/index.js';
import { findUserByName, verifyPassword } from '../../store/users-repository.js';
import { createTestDb, type TestDb } from '../helpers/db.js';

let db: TestDb;
let dataDir: string;
let first: SeedDemoResult;

beforeAll(async () => {
  db = await createTestDb();
  dataDir = await mkdtemp(join(tmpdir(), 'guardian-seed-'));
  first = await seedDemoCommunity(db.pool, { households: 200, dataDir });
});
afterAll(async () => {
  await db.drop();
  await rm(dataDir, { recursive: true, force: true });
});

const one = async (sql: string, params: unknown[] = []): Promise<number> => Number((await db.pool.query(sql, params)).rows[0].n);

async function tableCounts() {
  const tables = ['communities', 'grids', 'buildings', 'households', 'residents', 'contacts', 'responders', 'roster_shifts', 'devices', 'users'];
  return Object.fromEntries(await Promise.all(tables.map(async (t) => [t, await one(`SELECT count(*) AS n FROM ${t}`)])));
}

/** Every live demo device has a credential in the file that matches its stored hash. */
async function expectCredentialsValid() {
  const creds = new Map((await readDemoDevices(dataDir)).map((c) => [c.deviceId, c]));
  const rows = (await db.pool.query<{ id: string; secret_hash: Buffer; household_id: string; kind: string }>(
    `SELECT id, secret_hash, household_id, kind FROM devices WHERE revoked_at IS NULL`)).rows;
  expect(rows.length).toBeGreaterThan(0);
  expect(creds.size).toBe(rows.length);
  for (const row of rows) {
    const c = creds.get(row.id);
    expect(c, row.id).toBeDefined();
    expect(c!.householdId).toBe(row.household_id);
    expect(c!.kind).toBe(row.kind);
    expect(secretMatches(c!.secret, row.secret_hash), row.id).toBe(true);
  }
  return creds;
}

test('the demo community meets the DESIGN §1 minimums', async () => {
  const n = await tableCounts();
  // The main community of 200 homes and, on the same street, a second one of 25 (issue 17).
  expect(n.communities).toBe(2);
  expect(n.grids).toBeGreaterThanOrEqual(4);
  expect(n.buildings).toBeGreaterThanOrEqual(12);
  expect(n.households).toBe(225);
  expect(await one(`SELECT count(*) AS n FROM households h JOIN buildings b ON b.id = h.building_id JOIN grids g ON g.id = b.grid_id WHERE g.community_id = 'c-demo'`)).toBe(200);
  expect(await one(`SELECT count(DISTINCT street_id) AS n FROM communities WHERE street_id IS NOT NULL`)).toBe(1);
  expect(n.residents).toBeGreaterThanOrEqual(200);
  expect(n.contacts).toBeGreaterThanOrEqual(200);
  expect(first.created.households).toBe(225);
  // Households are spread over all buildings, and every home has a resident and a contact.
  expect(await one(`SELECT count(*) AS n FROM buildings b WHERE NOT EXISTS (SELECT 1 FROM households h WHERE h.building_id = b.id)`)).toBe(0);
  expect(await one(`SELECT count(*) AS n FROM households h WHERE NOT EXISTS (SELECT 1 FROM residents r WHERE r.household_id = h.id)`)).toBe(0);
  expect(await one(`SELECT count(*) AS n FROM households h WHERE NOT EXISTS (SELECT 1 FROM contacts c WHERE c.household_id = h.id)`)).toBe(0);
  expect(await one(`SELECT count(*) AS n FROM residents WHERE birth_year NOT BETWEEN 1930 AND 1955`)).toBe(0);
  expect(await one(`SELECT count(*) AS n FROM households WHERE living_situation = 'alone'`)).toBeGreaterThan(100);
  const c = (await db.pool.query(`SELECT name, address, emergency_phone FROM communities`)).rows[0];
  expect(c.address).toMatch(/^南京市/);
  expect(c.emergency_phone).toMatch(/^025-/);
});

test('every home has the basic device set in the right rooms', async () => {
  const missing = await one(`
    SELECT count(*) AS n FROM households h CROSS JOIN (VALUES ('sos_button'), ('fall_radar'), ('pir'), ('door_contact')) AS k(kind)
     WHERE NOT EXISTS (SELECT 1 FROM devices d WHERE d.household_id = h.id AND d.kind = k.kind)`);
  expect(missing).toBe(0);
  expect(await one(`SELECT count(*) AS n FROM devices WHERE kind = 'fall_radar' AND room <> '卫生间'`)).toBe(0);
  expect(await one(`SELECT count(*) AS n FROM devices WHERE kind = 'sos_button' AND room NOT IN ('卧室', '客厅')`)).toBe(0);
  const beds = await one(`SELECT count(*) AS n FROM devices WHERE kind = 'bed_sensor'`);
  expect(beds).toBeGreaterThan(40);
  expect(beds).toBeLessThan(120);
  expect(await one(`SELECT count(*) AS n FROM devices WHERE kind IN ('smoke_detector', 'gas_detector')`)).toBeGreaterThan(0);
});

test('there are responders for every role, a grid worker for every grid, buddies for real homes', async () => {
  const roles = (await db.pool.query<{ role: string }>(`SELECT DISTINCT role FROM responders`)).rows.map((r) => r.role).sort();
  expect(roles).toEqual(['building_leader', 'grid_worker', 'neighbour_buddy', 'operator', 'org_specialist', 'property_duty', 'supervisor']);
  expect(await one(`SELECT count(*) AS n FROM grids g WHERE NOT EXISTS
    (SELECT 1 FROM responders r WHERE r.role = 'grid_worker' AND g.id = ANY (r.grid_ids))`)).toBe(0);
  expect(await one(`SELECT count(*) AS n FROM buildings b WHERE NOT EXISTS
    (SELECT 1 FROM responders r WHERE r.role = 'building_leader' AND b.id = ANY (r.building_ids))`)).toBe(0);
  expect(await one(`SELECT count(*) AS n FROM responders r, unnest(r.household_ids) AS h(id)
    WHERE NOT EXISTS (SELECT 1 FROM households x WHERE x.id = h.id)`)).toBe(0);
  expect(await one(`SELECT count(*) AS n FROM responders WHERE role = 'neighbour_buddy' AND cardinality(household_ids) > 0`)).toBeGreaterThan(0);
});

test('rosters: day and night shifts cover every weekday for every tier', async () => {
  // [role, shift]: day tier 1, night tier 1, tier 2, and the dispatch room.
  const needed: Array<[string, 'day' | 'night']> = [
    ['grid_worker', 'day'], ['org_specialist', 'day'], ['org_specialist', 'night'], ['property_duty', 'night'],
    ['supervisor', 'day'], ['supervisor', 'night'], ['operator', 'day'], ['operator', 'night'],
  ];
  for (const [role, shift] of needed) {
    const [starts, ends] = shift === 'day' ? ['08:00', '20:00'] : ['20:00', '08:00'];
    const days = (await db.pool.query<{ weekday: number }>(
      `SELECT DISTINCT s.weekday FROM roster_shifts s JOIN responders r ON r.id = s.responder_id
        WHERE r.role = $1 AND s.starts = $2::time AND s.ends = $3::time AND NOT s.off_duty ORDER BY 1`, [role, starts, ends])).rows.map((r) => r.weekday);
    expect(days, `${role} ${shift}`).toEqual([0, 1, 2, 3, 4, 5, 6]);
  }
  // Every grid has its grid worker on day duty every day.
  expect(await one(`SELECT count(*) AS n FROM grids g CROSS JOIN generate_series(0, 6) AS w(day) WHERE NOT EXISTS (
    SELECT 1 FROM responders r JOIN roster_shifts s ON s.responder_id = r.id
     WHERE r.role = 'grid_worker' AND g.id = ANY (r.grid_ids) AND s.weekday = w.day AND s.starts = '08:00')`)).toBe(0);
});

test('credentials and logins files are 0600 and valid', async () => {
  await expectCredentialsValid();
  expect((await stat(first.devicesFile)).mode & 0o777).toBe(0o600);
  expect((await stat(first.loginsFile)).mode & 0o777).toBe(0o600);
  const logins = await readDemoLogins(dataDir);
  expect(logins).toEqual(first.logins);
  const names = logins.map((l) => l.username);
  expect(names).toEqual(expect.arrayContaining(['operator', 'supervisor', 'gw1', 'gw4', 'org1', 'duty1', 'operator2', 'supervisor2', 'street']));
  // Each dispatch room works for its own community; the street office reads the street (issue 17).
  expect((await findUserByName(db.pool, 'operator'))?.communityIds).toEqual(['c-demo']);
  expect((await findUserByName(db.pool, 'operator2'))?.communityIds).toEqual(['c-demo-b']);
  expect(await findUserByName(db.pool, 'street')).toMatchObject({ role: 'street', streetIds: ['s-demo'], communityIds: [] });
  const op = logins.find((l) => l.username === 'operator')!;
  const user = await findUserByName(db.pool, 'operator');
  expect(user?.role).toBe('operator');
  expect(user?.responderId).toBe(op.responderId);
  expect(await verifyPassword(op.password, user!.passwordHash)).toBe(true);
  const gw1 = await findUserByName(db.pool, 'gw1');
  expect(gw1?.role).toBe('responder');
  expect((await db.pool.query(`SELECT role FROM responders WHERE id = $1`, [gw1!.responderId])).rows[0].role).toBe('grid_worker');
});

test('a second run creates nothing, keeps secrets and passwords', async () => {
  const before = await tableCounts();
  const secretsBefore = await readDemoDevices(dataDir);
  const second = await seedDemoCommunity(db.pool, { households: 200, dataDir });
  expect(Object.values(second.created).every((v) => v === 0), JSON.stringify(second.created)).toBe(true);
  expect(second.existing.households).toBe(225);
  expect(second.existing.devices).toBe(first.created.devices);
  expect(second.existing.users).toBe(first.created.users);
  expect(second.reissuedSecrets).toBe(0);
  expect(await tableCounts()).toEqual(before);
  expect(await readDemoDevices(dataDir)).toEqual(secretsBefore);
  expect(second.logins).toEqual(first.logins);
  await expectCredentialsValid();
});

test('a lost credentials file is rebuilt by issuing new secrets', async () => {
  const old = await readDemoDevices(dataDir);
  await unlink(first.devicesFile);
  const third = await seedDemoCommunity(db.pool, { households: 200, dataDir });
  expect(third.created.devices).toBe(0);
  expect(third.reissuedSecrets).toBe(old.length);
  const creds = await expectCredentialsValid();
  expect(creds.get(old[0]!.deviceId)!.secret).not.toBe(old[0]!.secret);
  expect((await stat(first.devicesFile)).mode & 0o777).toBe(0o600);
});

test('growing --households only adds the new homes', async () => {
  const before = await tableCounts();
  const grown = await seedDemoCommunity(db.pool, { households: 230, dataDir });
  // 30 more in the main community, and the second one grows with it from 25 to 29 homes.
  expect(grown.created.households).toBe(34);
  expect(grown.existing.households).toBe(225);
  expect(await one(`SELECT count(*) AS n FROM households`)).toBe(259);
  expect(grown.created.residents).toBe((await tableCounts()).residents - before.residents);
  // A buddy whose group of homes grew looks after the new home too.
  expect(await one(`SELECT count(*) AS n FROM households h WHERE NOT EXISTS
    (SELECT 1 FROM responders r WHERE r.role = 'neighbour_buddy' AND h.id = ANY (r.household_ids))`)).toBe(0);
  await expectCredentialsValid();
});
