import { LIVE_STATES } from '../domain/alert-kinds.js';
import type { AlertLink, Place, Principal, Scope } from '../domain/access-scope.js';
import type { Queryable } from './db.js';

/**
 * The SQL twin of domain/access-scope.ts: the same rule as a filter, for lists, reports,
 * exports and the live snapshot. test/integration/security-object-scope.test.ts checks that
 * the two agree object by object.
 */

/** Alerts that involve responder $r: paged for (any notification naming them) or held. */
export const involvesResponder = (alert: string, r: string) =>
  `(${alert}.accepted_by = ${r} OR EXISTS (SELECT 1 FROM notifications n WHERE n.alert_id = ${alert}.id AND n.responder_id = ${r}))`;

/**
 * A boolean SQL expression: the household id in `column` is in `scope` at `now`, or null when
 * the scope is everything (no filter). Pushes its parameters onto `params`.
 */
export function householdScopeSql(scope: Scope, column: string, params: unknown[], now: Date): string | null {
  if (scope.all) return null;
  const parts: string[] = [];
  const places: string[] = [];
  const add = (ids: readonly string[], expr: (p: string) => string) => {
    if (ids.length === 0) return;
    params.push(ids);
    places.push(expr(`$${params.length}::text[]`));
  };
  add(scope.communityIds, (p) => `g.community_id = ANY(${p})`);
  add(scope.gridIds, (p) => `b.grid_id = ANY(${p})`);
  add(scope.buildingIds, (p) => `h.building_id = ANY(${p})`);
  add(scope.householdIds, (p) => `h.id = ANY(${p})`);
  if (places.length) {
    parts.push(`${column} IN (SELECT h.id FROM households h JOIN buildings b ON b.id = h.building_id
      JOIN grids g ON g.id = b.grid_id WHERE ${places.join(' OR ')})`);
  }
  if (scope.alertGrants) {
    params.push(scope.alertGrants.responderId);
    const r = `$${params.length}`;
    params.push(LIVE_STATES);
    const live = `$${params.length}::text[]`;
    params.push(new Date(now.getTime() - scope.alertGrants.graceMs));
    const since = `$${params.length}::timestamptz`;
    // Live alerts (alerts_live) and recently closed ones (alerts_closed_recent): both small sets.
    parts.push(`${column} IN (SELECT ga.household_id FROM alerts ga
      WHERE (ga.state = ANY(${live}) OR ga.closed_at >= ${since}) AND ${involvesResponder('ga', r)})`);
  }
  return parts.length ? `(${parts.join(' OR ')})` : 'false';
}

/** Communities whose people (responders, rosters) the scope reaches, as a filter on `column`; null = all. */
export function peopleScopeSql(scope: Scope, column: string, params: unknown[]): string | null {
  if (scope.all) return null;
  const ids = [...scope.communityIds, ...(scope.peopleCommunityId ? [scope.peopleCommunityId] : [])];
  if (ids.length === 0) return 'false';
  params.push(ids);
  return `${column} = ANY($${params.length}::text[])`;
}

/** Communities of the dispatch room's view (reports, summaries, roster gaps), as a filter on `column`; null = all. */
export function communityScopeSql(scope: Scope, column: string, params: unknown[]): string | null {
  if (scope.all) return null;
  if (scope.communityIds.length === 0) return 'false';
  params.push(scope.communityIds);
  return `${column} = ANY($${params.length}::text[])`;
}

/** Where a home is; null when there is no such household. */
export async function placeOfHousehold(db: Queryable, householdId: string): Promise<Place | null> {
  const r = await db.query<Place>(
    `SELECT h.id AS "householdId", h.building_id AS "buildingId", b.grid_id AS "gridId", g.community_id AS "communityId"
       FROM households h JOIN buildings b ON b.id = h.building_id JOIN grids g ON g.id = b.grid_id
      WHERE h.id = $1`, [householdId]);
  return r.rows[0] ?? null;
}

/** The places of many homes at once (the live feed's filter). */
export async function placesOfHouseholds(db: Queryable, householdIds: readonly string[]): Promise<Map<string, Place>> {
  const out = new Map<string, Place>();
  if (householdIds.length === 0) return out;
  const r = await db.query<Place>(
    `SELECT h.id AS "householdId", h.building_id AS "buildingId", b.grid_id AS "gridId", g.community_id AS "communityId"
       FROM households h JOIN buildings b ON b.id = h.building_id JOIN grids g ON g.id = b.grid_id
      WHERE h.id = ANY($1::text[])`, [householdIds]);
  for (const p of r.rows) out.set(p.householdId, p);
  return out;
}

/** The alerts of a home that involve this responder, as the grant rule needs them. */
export async function alertLinksOf(db: Queryable, householdId: string, responderId: string): Promise<AlertLink[]> {
  const r = await db.query<{ closedAt: Date | null }>(
    `SELECT a.closed_at AS "closedAt" FROM alerts a WHERE a.household_id = $1 AND ${involvesResponder('a', '$2')}
      ORDER BY a.closed_at DESC NULLS FIRST LIMIT 50`, [householdId, responderId]);
  return r.rows.map((x) => ({ involved: true, closedAt: x.closedAt }));
}

/** Homes granted to a responder by their alerts at `now` (live, or closed within the grace). */
export async function grantedHouseholds(db: Queryable, responderId: string, graceMs: number, now: Date): Promise<Set<string>> {
  const r = await db.query<{ householdId: string }>(
    `SELECT DISTINCT ga.household_id AS "householdId" FROM alerts ga
      WHERE (ga.state = ANY($2::text[]) OR ga.closed_at >= $3) AND ${involvesResponder('ga', '$1')}`,
    [responderId, LIVE_STATES, new Date(now.getTime() - graceMs)]);
  return new Set(r.rows.map((x) => x.householdId));
}

/** A responder record as the scope rule reads it; null when unknown or no longer active. */
export async function responderPrincipal(db: Queryable, responderId: string): Promise<Principal['responder']> {
  const r = await db.query<NonNullable<Principal['responder']>>(
    `SELECT id, role, community_id AS "communityId", grid_ids AS "gridIds", building_ids AS "buildingIds", household_ids AS "householdIds"
       FROM responders WHERE id = $1 AND active`, [responderId]);
  return r.rows[0] ?? null;
}
