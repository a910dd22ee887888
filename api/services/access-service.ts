import { communityInScope, communityPeopleInScope, householdInScope, placeInScope, type Place, type Scope } from '../../domain/access-scope.js';
import type { Clock } from '../../domain/clock.js';
import type { Queryable } from '../../store/db.js';
import { alertLinksOf, placeOfHousehold } from '../../store/scope-sql.js';
import { forbidden, notFound } from '../api-error.js';
import type { AuthUser } from '../route-access.js';

/**
 * Object-level access for single objects (domain/access-scope.ts decides; this loads what it
 * decides on). An object out of the caller's scope answers exactly like one that does not
 * exist — 404 with the same message — so ids cannot be probed. Lists filter in SQL by the same
 * rule (store/scope-sql.ts).
 */
export class AccessService {
  constructor(private readonly pool: Queryable, private readonly clock: Clock) {}

  /** The home's place when the user reaches it; 404 otherwise. */
  async household(user: AuthUser, householdId: string, missing = `no household ${householdId}`): Promise<Place> {
    const place = await placeOfHousehold(this.pool, householdId);
    if (!place || !(await this.reaches(user.scope, place))) throw notFound(missing);
    return place;
  }

  /** Whether the user reaches the home (no throw), e.g. to mask a field rather than refuse. */
  async reachesHousehold(user: AuthUser, householdId: string): Promise<boolean> {
    const place = await placeOfHousehold(this.pool, householdId);
    return place !== null && await this.reaches(user.scope, place);
  }

  /** Responders and rosters of a community: 404 outside the user's people scope. */
  people(user: AuthUser, communityId: string, missing: string): void {
    if (!communityPeopleInScope(user.scope, communityId)) throw notFound(missing);
  }

  /** A community of the dispatch room's view (its register, settings, overview): 404 outside it. */
  community(user: AuthUser, communityId: string, missing: string): void {
    if (!communityInScope(user.scope, communityId)) throw notFound(missing);
  }

  /** The street office reads and never changes (a second line behind the route's roles). */
  mayWrite(user: AuthUser): void {
    if (!user.scope.canWrite) throw forbidden('this account reads only; the community dispatch room acts', 'read_only');
  }

  private async reaches(scope: Scope, place: Place): Promise<boolean> {
    if (placeInScope(scope, place)) return true;
    if (!scope.alertGrants) return false;
    const links = await alertLinksOf(this.pool, place.householdId, scope.alertGrants.responderId);
    return householdInScope(scope, place, links, this.clock.now());
  }
}
