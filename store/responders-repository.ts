import { randomBytes } from 'node:crypto';
import type { ResponderRole } from '../domain/roster.js';
import type { Scope } from '../domain/access-scope.js';
import type { Queryable } from './db.js';
import { peopleScopeSql } from './scope-sql.js';

/**
 * Responders (DESIGN §4 "People"): CRUD for the API and the CLI. Routing reads them through
 * routing-context-repository's loaders, as domain types; this module is the people admin side.
 */
export interface ResponderRow {
  id: string;
  name: string;
  role: ResponderRole;
  phone: string;
  communityId: string;
  gridIds: string[];
  buildingIds: string[];
  householdIds: string[];
  onDuty: boolean;
  active: boolean;
  createdAt: Date;
  /** Console user linked to this responder (users.responder_id), if any. */
  username: string | null;
}

export interface ResponderFilter {
  role?: ResponderRole;
  communityId?: string;
  gridId?: string;
  active?: boolean;
  onDuty?: boolean;
  /** Only this responder (a responder's own view). */
  id?: string;
  q?: string;
  /** Only the people this scope reaches (domain/access-scope.ts). */
  scope?: Scope;
  limit?: number;
  offset?: number;
}

export interface NewResponder {
  id?: string;
  name: string;
  role: ResponderRole;
  phone: string;
  communityId: string;
  gridIds?: readonly string[];
  buildingIds?: readonly string[];
  householdIds?: readonly string[];
  onDuty?: boolean;
  active?: boolean;
}

export type ResponderChanges = Partial<Omit<NewResponder, 'id' | 'communityId'>>;

const COLUMNS = `r.id, r.name, r.role, r.phone, r.community_id AS "communityId", r.grid_ids AS "gridIds",
  r.building_ids AS "buildingIds", r.household_ids AS "householdIds", r.on_duty AS "onDuty", r.active,
  r.created_at AS "createdAt",
  (SELECT u.username FROM users u WHERE u.responder_id = r.id ORDER BY u.id LIMIT 1) AS username`;

const COLUMN: Record<keyof ResponderChanges, string> = {
  name: 'name', role: 'role', phone: 'phone', gridIds: 'grid_ids', buildingIds: 'building_ids',
  householdIds: 'household_ids', onDuty: 'on_duty', active: 'active',
};

/** `r-` + 8 random hex characters: short enough to type in the CLI. */
export function newResponderId(): string {
  return `r-${randomBytes(4).toString('hex')}`;
}

export async function listResponders(db: Queryable, f: ResponderFilter = {}): Promise<{ items: ResponderRow[]; total: number }> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: (p: string) => string, v: unknown) => { params.push(v); where.push(sql(`$${params.length}`)); };
  if (f.id !== undefined) add((p) => `r.id = ${p}`, f.id);
  if (f.role !== undefined) add((p) => `r.role = ${p}`, f.role);
  if (f.gridId !== undefined) add((p) => `${p} = ANY(r.grid_ids)`, f.gridId);
  if (f.communityId !== undefined) add((p) => `r.community_id = ${p}`, f.communityId);
  if (f.active !== undefined) add((p) => `r.active = ${p}`, f.active);
  if (f.onDuty !== undefined) add((p) => `r.on_duty = ${p}`, f.onDuty);
  if (f.q !== undefined) add((p) => `(r.name ILIKE ${p} OR r.id ILIKE ${p})`, `%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  const inScope = f.scope ? peopleScopeSql(f.scope, 'r.community_id', params) : null;
  if (inScope) where.push(inScope);
  const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const total = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM responders r ${w}`, params)).rows[0]!.n;
  const r = await db.query<ResponderRow>(
    `SELECT ${COLUMNS} FROM responders r ${w} ORDER BY r.role, r.name, r.id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
    [...params, f.limit ?? 100, f.offset ?? 0]);
  return { items: r.rows, total };
}

export async function findResponder(db: Queryable, id: string): Promise<ResponderRow | null> {
  const r = await db.query<ResponderRow>(`SELECT ${COLUMNS} FROM responders r WHERE r.id = $1`, [id]);
  return r.rows[0] ?? null;
}

/** Inserts a responder; a taken id raises PostgreSQL 23505 (the caller turns it into a 409). */
export async function insertResponder(db: Queryable, n: NewResponder): Promise<ResponderRow> {
  const id = n.id ?? newResponderId();
  await db.query(
    `INSERT INTO responders (id, name, role, phone, community_id, grid_ids, building_ids, household_ids, on_duty, active)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [id, n.name, n.role, n.phone, n.communityId, n.gridIds ?? [], n.buildingIds ?? [], n.householdIds ?? [], n.onDuty ?? true, n.active ?? true]);
  return (await findResponder(db, id))!;
}

/** Applies the given changes; null when there is no such responder. */
export async function updateResponder(db: Queryable, id: string, changes: ResponderChanges): Promise<ResponderRow | null> {
  const entries = (Object.entries(changes) as Array<[keyof ResponderChanges, unknown]>).filter(([, v]) => v !== undefined);
  if (entries.length > 0) {
    const sets = entries.map(([k], i) => `${COLUMN[k]} = $${i + 2}`);
    const r = await db.query(`UPDATE responders SET ${sets.join(', ')} WHERE id = $1`, [id, ...entries.map(([, v]) => v)]);
    if ((r.rowCount ?? 0) === 0) return null;
  }
  return findResponder(db, id);
}

/** The only community when there is exactly one (the usual deployment); otherwise null. */
export async function soleCommunityId(db: Queryable): Promise<string | null> {
  const r = await db.query<{ id: string }>(`SELECT id FROM communities ORDER BY id LIMIT 2`);
  return r.rows.length === 1 ? r.rows[0]!.id : null;
}

/** Community of each kind of place, as a SQL expression over the place's own row `x`. */
const COMMUNITY_OF = {
  communities: 'x.id',
  grids: 'x.community_id',
  buildings: '(SELECT g.community_id FROM grids g WHERE g.id = x.grid_id)',
  households: '(SELECT g.community_id FROM buildings b JOIN grids g ON g.id = b.grid_id WHERE b.id = x.building_id)',
} as const;

/** The ids among `ids` that name no place, or a place outside `communityIds` (null = any community). */
export async function unknownPlaces(db: Queryable, table: keyof typeof COMMUNITY_OF, ids: readonly string[], communityIds: readonly string[] | null = null): Promise<string[]> {
  if (ids.length === 0) return [];
  const r = await db.query<{ id: string }>(
    `SELECT x.id FROM ${table} x WHERE x.id = ANY($1::text[]) AND ($2::text[] IS NULL OR ${COMMUNITY_OF[table]} = ANY($2::text[]))`,
    [ids, communityIds]);
  const known = new Set(r.rows.map((x) => x.id));
  return [...new Set(ids)].filter((id) => !known.has(id));
}

export async function unknownStreets(db: Queryable, ids: readonly string[]): Promise<string[]> {
  const r = await db.query<{ id: string }>(`SELECT id FROM streets WHERE id = ANY($1::text[])`, [ids]);
  const known = new Set(r.rows.map((x) => x.id));
  return [...new Set(ids)].filter((id) => !known.has(id));
}
