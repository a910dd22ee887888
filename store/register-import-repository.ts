import type { Scope } from '../domain/access-scope.js';
import type { RegisterChanges, RegisterSnapshot } from '../domain/register-plan.js';
import type { RegisterEntry } from '../domain/register-sheet.js';
import type pg from 'pg';
import type { Queryable } from './db.js';
import { communityScopeSql } from './scope-sql.js';

/**
 * The register's bulk side (issue 17): the snapshot an import is planned against, the changes
 * written set-wise (jsonb_to_recordset, CHUNK rows a statement, never a statement per row), and
 * the export's read. The caller holds the transaction.
 */
const CHUNK = 2000;
const json = (rows: unknown[]) => JSON.stringify(rows);

/** Serialises imports (two at once would plan against the same snapshot). */
export const IMPORT_LOCK_KEY = 365_000_017;

/** The communities named (by name) and everything under them; the streets. */
export async function loadRegisterSnapshot(db: Queryable, communityNames: readonly string[], scope: Scope): Promise<RegisterSnapshot> {
  const params: unknown[] = [communityNames];
  const inScope = communityScopeSql(scope, 'id', params);
  const communities = (await db.query<RegisterSnapshot['communities'][number] & { id: string }>(
    `SELECT id, name, street_id AS "streetId", retired_at IS NOT NULL AS retired FROM communities
      WHERE name = ANY($1::text[]) ${inScope ? `AND ${inScope}` : ''} ORDER BY retired_at NULLS FIRST, id`, params)).rows;
  const ids = communities.map((c) => c.id);
  // One after another: `db` may be a transaction's client, which runs one query at a time.
  const q = async (sql: string, p: unknown[] = []) => db.query(sql, p);
  const [streets, grids, buildings, households, residents, contacts] = (await sequence([
    () => q(`SELECT id, name FROM streets WHERE retired_at IS NULL ORDER BY id`),
    () => q(`SELECT id, community_id AS "communityId", name, retired_at IS NOT NULL AS retired FROM grids WHERE community_id = ANY($1::text[]) ORDER BY id`, [ids]),
    () => q(`SELECT b.id, b.grid_id AS "gridId", b.name, b.address, b.x_m AS x, b.y_m AS y, b.lat, b.lng, b.retired_at IS NOT NULL AS retired
                FROM buildings b JOIN grids g ON g.id = b.grid_id WHERE g.community_id = ANY($1::text[]) ORDER BY b.id`, [ids]),
    () => q(`SELECT h.id, g.community_id AS "communityId", h.code, h.building_id AS "buildingId", h.unit, h.address, h.phone,
                     h.living_situation AS "livingSituation", h.access_notes AS "accessNotes", h.notes, h.retired_at IS NOT NULL AS retired
                FROM households h JOIN buildings b ON b.id = h.building_id JOIN grids g ON g.id = b.grid_id
               WHERE g.community_id = ANY($1::text[]) ORDER BY h.id`, [ids]),
    () => q(`SELECT r.id, r.household_id AS "householdId", r.name, r.gender, r.birth_year AS "birthYear", r.phone, r.conditions, r.notes
                FROM residents r JOIN households h ON h.id = r.household_id JOIN buildings b ON b.id = h.building_id JOIN grids g ON g.id = b.grid_id
               WHERE g.community_id = ANY($1::text[]) AND r.retired_at IS NULL ORDER BY r.id`, [ids]),
    () => q(`SELECT c.id, c.household_id AS "householdId", c.name, c.relation, c.phone, c.priority
                FROM contacts c JOIN households h ON h.id = c.household_id JOIN buildings b ON b.id = h.building_id JOIN grids g ON g.id = b.grid_id
               WHERE g.community_id = ANY($1::text[]) ORDER BY c.priority, c.id`, [ids]),
  ])) as [pg.QueryResult, pg.QueryResult, pg.QueryResult, pg.QueryResult, pg.QueryResult, pg.QueryResult];
  return {
    streets: streets.rows, communities, grids: grids.rows, buildings: buildings.rows,
    households: households.rows, residents: residents.rows, contacts: contacts.rows,
  } as RegisterSnapshot;
}

async function sequence<T>(steps: Array<() => Promise<T>>): Promise<T[]> {
  const out: T[] = [];
  for (const step of steps) out.push(await step());
  return out;
}

async function chunked<T>(db: Queryable, rows: readonly T[], sql: string, extra: unknown[] = [], progress?: (n: number) => void): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    const part = rows.slice(i, i + CHUNK);
    await db.query(sql, [json(part), ...extra]);
    progress?.(part.length);
  }
}

/** Writes a plan. `at` is the service clock's now (retirements, audit rows). */
export async function applyRegisterChanges(db: Queryable, c: RegisterChanges, audit: { username: string; role: string; ip: string | null; at: Date }, progress?: (n: number) => void): Promise<void> {
  await chunked(db, c.streets, `INSERT INTO streets (id, name, created_at) SELECT x.id, x.name, $2 FROM jsonb_to_recordset($1::jsonb) AS x(id text, name text)`, [audit.at]);
  await chunked(db, c.communities, `INSERT INTO communities (id, name, street_id, created_at)
    SELECT x.id, x.name, x."streetId", $2 FROM jsonb_to_recordset($1::jsonb) AS x(id text, name text, "streetId" text)`, [audit.at]);
  await chunked(db, c.communityStreets.map((u) => ({ id: u.id, streetId: u.after.streetId })), `UPDATE communities c SET street_id = x."streetId"
    FROM jsonb_to_recordset($1::jsonb) AS x(id text, "streetId" text) WHERE c.id = x.id`);
  await chunked(db, c.grids, `INSERT INTO grids (id, community_id, name) SELECT x.id, x."communityId", x.name FROM jsonb_to_recordset($1::jsonb) AS x(id text, "communityId" text, name text)`);
  const B = `x(id text, "gridId" text, name text, address text, x float8, y float8, lat float8, lng float8)`;
  await chunked(db, c.buildings, `INSERT INTO buildings (id, grid_id, name, address, x_m, y_m, lat, lng)
    SELECT x.id, x."gridId", x.name, x.address, x.x, x.y, x.lat, x.lng FROM jsonb_to_recordset($1::jsonb) AS ${B}`);
  await chunked(db, c.buildingUpdates.map((u) => ({ id: u.id, ...u.after })), `UPDATE buildings b SET address = x.address, x_m = x.x, y_m = x.y, lat = x.lat, lng = x.lng
    FROM jsonb_to_recordset($1::jsonb) AS ${B} WHERE b.id = x.id`);
  const H = `x(id text, code text, "buildingId" text, unit text, address text, phone text, "livingSituation" text, "accessNotes" text, notes text)`;
  await chunked(db, c.households, `INSERT INTO households (id, code, building_id, unit, address, phone, living_situation, access_notes, notes, created_at)
    SELECT x.id, x.code, x."buildingId", x.unit, x.address, x.phone, x."livingSituation", x."accessNotes", x.notes, $2
      FROM jsonb_to_recordset($1::jsonb) AS ${H}`, [audit.at], progress);
  await chunked(db, c.householdUpdates.map((u) => ({ id: u.id, ...u.after })), `UPDATE households h SET building_id = x."buildingId", unit = x.unit,
      address = x.address, phone = x.phone, living_situation = x."livingSituation", access_notes = x."accessNotes", notes = x.notes, retired_at = NULL
    FROM jsonb_to_recordset($1::jsonb) AS ${H} WHERE h.id = x.id`, [], progress);
  const R = `x(id bigint, "householdId" text, name text, gender text, "birthYear" int, phone text, conditions text[], notes text)`;
  await chunked(db, c.residents, `INSERT INTO residents (household_id, name, gender, birth_year, phone, conditions, notes)
    SELECT x."householdId", x.name, x.gender, x."birthYear", x.phone, x.conditions, x.notes FROM jsonb_to_recordset($1::jsonb) AS ${R}`);
  await chunked(db, c.residentUpdates.map((u) => ({ id: u.id, ...u.after })), `UPDATE residents r SET name = x.name, gender = x.gender, birth_year = x."birthYear",
      phone = x.phone, conditions = x.conditions, notes = x.notes FROM jsonb_to_recordset($1::jsonb) AS ${R} WHERE r.id = x.id`);
  await chunked(db, c.residentRetires, `UPDATE residents r SET retired_at = $2 FROM jsonb_to_recordset($1::jsonb) AS x(id bigint) WHERE r.id = x.id`, [audit.at]);
  const C = `x(id bigint, "householdId" text, name text, relation text, phone text, priority int)`;
  await chunked(db, c.contacts, `INSERT INTO contacts (household_id, name, relation, phone, priority)
    SELECT x."householdId", x.name, x.relation, x.phone, x.priority FROM jsonb_to_recordset($1::jsonb) AS ${C}`);
  await chunked(db, c.contactUpdates.map((u) => ({ id: u.id, ...u.after })), `UPDATE contacts k SET name = x.name, relation = x.relation, phone = x.phone, priority = x.priority
    FROM jsonb_to_recordset($1::jsonb) AS ${C} WHERE k.id = x.id`);
  await chunked(db, c.contactRemovals, `DELETE FROM contacts k USING jsonb_to_recordset($1::jsonb) AS x(id bigint) WHERE k.id = x.id`);

  // The audit trail: one row per household touched, with what changed in it before and after.
  const byHousehold = new Map<string, { before: Record<string, unknown>; after: Record<string, unknown> }>();
  const entry = (id: string) => { let e = byHousehold.get(id); if (!e) { e = { before: {}, after: {} }; byHousehold.set(id, e); } return e; };
  for (const h of c.households) entry(h.id).after.household = h;
  for (const u of c.householdUpdates) Object.assign(entry(u.id), { before: { ...entry(u.id).before, household: u.before }, after: { ...entry(u.id).after, household: u.after } });
  const push = (id: string, side: 'before' | 'after', key: string, v: unknown) => { const e = entry(id)[side]; ((e[key] ??= []) as unknown[]).push(v); };
  for (const r of c.residents) push(r.householdId, 'after', 'residents', r);
  for (const r of c.residentUpdates) { push(r.householdId, 'before', 'residents', r.before); push(r.householdId, 'after', 'residents', r.after); }
  for (const r of c.residentRetires) push(r.householdId, 'before', 'residentsRetired', r);
  for (const k of c.contacts) push(k.householdId, 'after', 'contacts', k);
  for (const k of c.contactUpdates) { push(k.householdId, 'before', 'contacts', k.before); push(k.householdId, 'after', 'contacts', k.after); }
  for (const k of c.contactRemovals) push(k.householdId, 'before', 'contactsRemoved', k);
  const created = new Set(c.households.map((h) => h.id));
  const rows = [...byHousehold].map(([target, data]) => ({ target, action: created.has(target) ? 'household.create' : 'household.update', data: { ...data, via: 'import' } }));
  const places = [
    ...c.communities.map((x) => ({ target: x.id, action: 'community.create', data: { before: null, after: x, via: 'import' } })),
    ...c.grids.map((x) => ({ target: x.id, action: 'grid.create', data: { before: null, after: x, via: 'import' } })),
    ...c.buildings.map((x) => ({ target: x.id, action: 'building.create', data: { before: null, after: x, via: 'import' } })),
    ...c.buildingUpdates.map((x) => ({ target: x.id, action: 'building.update', data: { before: x.before, after: x.after, via: 'import' } })),
  ];
  await chunked(db, [...places, ...rows], `INSERT INTO audit_log (username, role, action, target, ip, data, at)
    SELECT $2, $3, x.action, x.target, $4, x.data, $5 FROM jsonb_to_recordset($1::jsonb) AS x(target text, action text, data jsonb)`,
  [audit.username, audit.role, audit.ip, audit.at]);
}

/** The register of the communities in scope, as households with their residents and contacts (the export). */
export async function readRegister(db: Queryable, scope: Scope, communityId?: string): Promise<RegisterEntry[]> {
  const params: unknown[] = [];
  const where = ['h.retired_at IS NULL'];
  const s = communityScopeSql(scope, 'g.community_id', params);
  if (s) where.push(s);
  if (communityId) { params.push(communityId); where.push(`g.community_id = $${params.length}`); }
  const r = await db.query<RegisterEntry & { id: string }>(
    `SELECT h.id, st.name AS street, c.name AS community, g.name AS grid, b.name AS building, h.code, h.unit, h.address, h.phone,
            h.living_situation AS "livingSituation", h.access_notes AS "accessNotes", h.notes,
            json_build_object('address', b.address, 'x', b.x_m, 'y', b.y_m, 'lat', b.lat, 'lng', b.lng) AS "buildingDetails",
            COALESCE((SELECT json_agg(json_build_object('name', x.name, 'gender', x.gender, 'birthYear', x.birth_year, 'phone', x.phone,
                        'conditions', x.conditions, 'notes', x.notes) ORDER BY x.id)
                        FROM residents x WHERE x.household_id = h.id AND x.retired_at IS NULL), '[]') AS residents,
            COALESCE((SELECT json_agg(json_build_object('name', k.name, 'relation', k.relation, 'phone', k.phone, 'priority', k.priority) ORDER BY k.priority, k.id)
                        FROM contacts k WHERE k.household_id = h.id), '[]') AS contacts
       FROM households h JOIN buildings b ON b.id = h.building_id JOIN grids g ON g.id = b.grid_id
       JOIN communities c ON c.id = g.community_id LEFT JOIN streets st ON st.id = c.street_id
      WHERE ${where.join(' AND ')}
      ORDER BY c.name, g.name, b.name, h.code`, params);
  return r.rows;
}
