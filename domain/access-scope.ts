import type { ResponderRole } from './roster.js';

/**
 * Object-level access (DESIGN §6; issue 23): which homes — and so which residents, contacts,
 * devices, alerts, visits, signals and live events — a signed-in person may reach. Health
 * conditions and daily activity are sensitive personal information (PIPL art. 28): access is
 * limited to what the person's work needs. This file is the one place that decides; the API
 * applies it to single reads (out of scope → 404, so ids cannot be probed) and, through
 * store/scope-sql.ts, to every list, report and export, and the live feed filters by it.
 *
 * The rule:
 * - admin: everything.
 * - operator, supervisor: the communities they belong to (users.community_ids).
 * - street: every community of their streets, read-only (the street office watches, the
 *   community dispatch rooms act).
 * - responder (a user linked to a responder record), by the responder's role:
 *   grid worker → the homes of their grids; building leader → the homes of their buildings;
 *   neighbour buddy → the homes they look after; everyone else (org specialist, property duty…)
 *   → no home of their own. On top of that, every responder reaches the home of an alert they
 *   were paged for or hold, while the alert is live and for `alertGraceMs` after it closed.
 *   A responder account not linked to a responder reaches nothing.
 * People and rosters follow communities: the dispatch room manages those of its communities; a
 * responder sees the colleagues of their own community (phones masked elsewhere).
 */

export type ScopeRole = 'admin' | 'operator' | 'supervisor' | 'street' | 'responder';

/** What the scope is computed from: the user row, their responder record and their streets' communities. */
export interface Principal {
  role: ScopeRole;
  /** operator/supervisor: assigned communities; street: the communities of their streets. */
  communityIds: readonly string[];
  responder: {
    id: string;
    role: ResponderRole;
    communityId: string;
    gridIds: readonly string[];
    buildingIds: readonly string[];
    householdIds: readonly string[];
  } | null;
}

/** The homes a person reaches, as sets of places (any match grants), plus alert-derived grants. */
export interface Scope {
  all: boolean;
  communityIds: readonly string[];
  gridIds: readonly string[];
  buildingIds: readonly string[];
  householdIds: readonly string[];
  /** This responder also reaches homes of alerts they were paged for or hold (live, or closed within graceMs). */
  alertGrants: { responderId: string; graceMs: number } | null;
  /** May change things (accept, record a visit, edit the register); false for the street office. */
  canWrite: boolean;
  /** The community whose people (responders, rosters) a responder sees; null for others. */
  peopleCommunityId: string | null;
}

/** Where a home is: what the place sets of a Scope are matched against. */
export interface Place {
  householdId: string;
  buildingId: string;
  gridId: string;
  communityId: string;
}

/** An alert of a home as the grant rule sees it. */
export interface AlertLink {
  /** Paged for it (any notification row naming this responder) or holding it (accepted_by, backup). */
  involved: boolean;
  /** null while the alert is live. */
  closedAt: Date | null;
}

export const NOBODY: Scope = {
  all: false, communityIds: [], gridIds: [], buildingIds: [], householdIds: [], alertGrants: null, canWrite: false, peopleCommunityId: null,
};

export function scopeOf(p: Principal, alertGraceMs: number): Scope {
  switch (p.role) {
    case 'admin':
      return { ...NOBODY, all: true, canWrite: true };
    case 'operator':
    case 'supervisor':
      return { ...NOBODY, communityIds: [...p.communityIds], canWrite: true };
    case 'street':
      return { ...NOBODY, communityIds: [...p.communityIds], canWrite: false };
    case 'responder': {
      const r = p.responder;
      if (!r) return NOBODY;
      return {
        ...NOBODY,
        gridIds: r.role === 'grid_worker' ? [...r.gridIds] : [],
        buildingIds: r.role === 'building_leader' ? [...r.buildingIds] : [],
        householdIds: r.role === 'neighbour_buddy' ? [...r.householdIds] : [],
        alertGrants: { responderId: r.id, graceMs: alertGraceMs },
        canWrite: true,
        peopleCommunityId: r.communityId,
      };
    }
  }
}

/** The static part: the place alone puts the home in scope. */
export function placeInScope(scope: Scope, place: Place): boolean {
  return scope.all
    || scope.communityIds.includes(place.communityId)
    || scope.gridIds.includes(place.gridId)
    || scope.buildingIds.includes(place.buildingId)
    || scope.householdIds.includes(place.householdId);
}

/** Whether one alert of a home grants its home to this responder at `now`. */
export function alertGrants(scope: Scope, link: AlertLink, now: Date): boolean {
  if (!scope.alertGrants || !link.involved) return false;
  return link.closedAt === null || now.getTime() - link.closedAt.getTime() <= scope.alertGrants.graceMs;
}

/**
 * A home (and everything of it: residents, contacts, devices, alerts, visits, signals) is in
 * scope by its place, or by one of its alerts that grants it. `links` are the home's alerts
 * that involve this person (the caller loads only those).
 */
export function householdInScope(scope: Scope, place: Place, links: readonly AlertLink[], now: Date): boolean {
  return placeInScope(scope, place) || links.some((l) => alertGrants(scope, l, now));
}

/** People (responders, their rosters) of a community: the dispatch room's communities, a responder's own. */
export function communityPeopleInScope(scope: Scope, communityId: string): boolean {
  return scope.all || scope.communityIds.includes(communityId) || scope.peopleCommunityId === communityId;
}

/** The dispatch room's view of a community (reports, the summary, roster gaps). */
export function communityInScope(scope: Scope, communityId: string): boolean {
  return scope.all || scope.communityIds.includes(communityId);
}
