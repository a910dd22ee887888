import { LIVE_STATES } from '../domain/alert-kinds.js';
import type { Queryable } from './db.js';
import { involvesResponder } from './scope-sql.js';

/** The lookups the live feed's per-socket filter needs (api/live/live-audience.ts), a batch at a time. */

export async function communitiesOfResponders(db: Queryable, ids: readonly string[]): Promise<Map<string, string | null>> {
  const r = await db.query<{ id: string; communityId: string }>(
    `SELECT id, community_id AS "communityId" FROM responders WHERE id = ANY($1::text[])`, [ids]);
  return new Map(r.rows.map((x) => [x.id, x.communityId]));
}

export async function communitiesOfGrids(db: Queryable, ids: readonly string[]): Promise<Map<string, string | null>> {
  const r = await db.query<{ id: string; communityId: string }>(
    `SELECT id, community_id AS "communityId" FROM grids WHERE id = ANY($1::text[])`, [ids]);
  return new Map(r.rows.map((x) => [x.id, x.communityId]));
}

/** For each responder, the homes their alerts grant them at `now` (live, or closed within graceMs). */
export async function grantedHouseholdsOf(db: Queryable, responderIds: readonly string[], graceMs: number, now: Date): Promise<Map<string, Set<string>>> {
  const r = await db.query<{ responderId: string; householdId: string }>(
    `SELECT DISTINCT rid AS "responderId", ga.household_id AS "householdId"
       FROM unnest($1::text[]) AS rid, alerts ga
      WHERE (ga.state = ANY($2::text[]) OR ga.closed_at >= $3) AND ${involvesResponder('ga', 'rid')}`,
    [responderIds, LIVE_STATES, new Date(now.getTime() - graceMs)]);
  const out = new Map<string, Set<string>>();
  for (const row of r.rows) {
    const set = out.get(row.responderId) ?? new Set<string>();
    set.add(row.householdId);
    out.set(row.responderId, set);
  }
  return out;
}
