import type { Queryable } from './db.js';
import type { VisitRow } from './households-repository.js';

/**
 * Manual monitoring (DESIGN §4): visits, phone calls and check-ins recorded in the household
 * file. A responder's visit names them; the dispatch room's names the console user.
 */
export const VISIT_KINDS = ['visit', 'phone', 'check_in'] as const;
export type VisitKind = (typeof VISIT_KINDS)[number];

export interface NewVisit {
  householdId: string; kind: VisitKind; note: string; byUser: string; responderId: string | null;
  at?: Date; scheduledFor?: Date | null;
}

export async function insertVisit(db: Queryable, v: NewVisit): Promise<VisitRow> {
  const r = await db.query<VisitRow>(
    `INSERT INTO visits (household_id, kind, at, by_user, responder_id, note, scheduled_for)
     VALUES ($1, $2, COALESCE($3, now()), $4, $5, $6, $7)
     RETURNING id, kind, at, by_user AS "byUser", responder_id AS "responderId", note, scheduled_for AS "scheduledFor"`,
    [v.householdId, v.kind, v.at ?? null, v.byUser, v.responderId, v.note, v.scheduledFor ?? null]);
  return r.rows[0]!;
}
