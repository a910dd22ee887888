import type { Scope } from '../domain/access-scope.js';
import type { Queryable } from './db.js';
import { peopleScopeSql } from './scope-sql.js';

/**
 * Roster shifts (roster_shifts, DESIGN §4 "Rosters say who is on duty when"): the weekly
 * pattern (weekday 0 = Sunday … 6, local time in GUARDIAN_TZ) and dated overrides. CRUD for the
 * API and the CLI; routing reads them through routing-context-repository's loadRosterRows.
 */
export interface RosterShiftRow {
  id: number;
  responderId: string;
  responderName: string;
  responderRole: string;
  weekday: number | null;
  /** 'YYYY-MM-DD' */
  onDate: string | null;
  /** 'HH:MM' */
  starts: string;
  ends: string;
  offDuty: boolean;
}

export interface NewRosterShift {
  responderId: string;
  weekday?: number | null;
  onDate?: string | null;
  starts: string;
  ends: string;
  offDuty?: boolean;
}

const COLUMNS = `s.id, s.responder_id AS "responderId", r.name AS "responderName", r.role AS "responderRole",
  s.weekday, to_char(s.on_date, 'YYYY-MM-DD') AS "onDate", to_char(s.starts, 'HH24:MI') AS starts,
  to_char(s.ends, 'HH24:MI') AS ends, s.off_duty AS "offDuty"`;

export async function listRosterShifts(db: Queryable, f: { responderId?: string; scope?: Scope; limit?: number; offset?: number } = {}): Promise<{ items: RosterShiftRow[]; total: number }> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (f.responderId !== undefined) { params.push(f.responderId); where.push(`s.responder_id = $${params.length}`); }
  const inScope = f.scope ? peopleScopeSql(f.scope, 'r.community_id', params) : null;
  if (inScope) where.push(inScope);
  const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const total = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM roster_shifts s JOIN responders r ON r.id = s.responder_id ${w}`, params)).rows[0]!.n;
  const r = await db.query<RosterShiftRow>(
    `SELECT ${COLUMNS} FROM roster_shifts s JOIN responders r ON r.id = s.responder_id ${w}
      ORDER BY r.name, s.responder_id, s.on_date NULLS FIRST, s.weekday, s.starts, s.id
      LIMIT $${params.length + 1} OFFSET $${params.length + 2}`, [...params, f.limit ?? 100, f.offset ?? 0]);
  return { items: r.rows, total };
}

export async function findRosterShift(db: Queryable, id: number): Promise<RosterShiftRow | null> {
  const r = await db.query<RosterShiftRow>(
    `SELECT ${COLUMNS} FROM roster_shifts s JOIN responders r ON r.id = s.responder_id WHERE s.id = $1`, [id]);
  return r.rows[0] ?? null;
}

/** Inserts several shifts at once (e.g. weekdays 1-5 from the CLI); returns them in order. */
export async function insertRosterShifts(db: Queryable, shifts: readonly NewRosterShift[]): Promise<RosterShiftRow[]> {
  if (shifts.length === 0) return [];
  const r = await db.query<{ id: number }>(
    `INSERT INTO roster_shifts (responder_id, weekday, on_date, starts, ends, off_duty)
     SELECT * FROM unnest($1::text[], $2::smallint[], $3::date[], $4::time[], $5::time[], $6::boolean[])
     RETURNING id`,
    [shifts.map((s) => s.responderId), shifts.map((s) => s.weekday ?? null), shifts.map((s) => s.onDate ?? null),
     shifts.map((s) => s.starts), shifts.map((s) => s.ends), shifts.map((s) => s.offDuty ?? false)]);
  const ids = r.rows.map((x) => x.id);
  const rows = await db.query<RosterShiftRow>(
    `SELECT ${COLUMNS} FROM roster_shifts s JOIN responders r ON r.id = s.responder_id WHERE s.id = ANY($1::bigint[]) ORDER BY s.id`, [ids]);
  return rows.rows;
}

export async function deleteRosterShift(db: Queryable, id: number): Promise<RosterShiftRow | null> {
  const found = await findRosterShift(db, id);
  if (!found) return null;
  await db.query(`DELETE FROM roster_shifts WHERE id = $1`, [id]);
  return found;
}
