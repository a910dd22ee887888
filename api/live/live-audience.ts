import type pg from 'pg';
import { communityInScope, communityPeopleInScope, placeInScope, type Place, type Scope } from '../../domain/access-scope.js';
import type { Clock } from '../../domain/clock.js';
import type { LiveEvent } from '../../domain/live-events.js';
import { alertAudiences } from '../../store/alerts-repository.js';
import { communitiesOfGrids, communitiesOfResponders, grantedHouseholdsOf } from '../../store/live-scope-repository.js';
import { placesOfHouseholds } from '../../store/scope-sql.js';

/** A socket as the filter sees it: what its user reaches, and who they are as a responder. */
export interface LiveViewer {
  readonly scope: Scope;
  /** The responder this socket belongs to (a responder user), else null. */
  readonly responderId: string | null;
}

/** How long a home's place, a responder's or a grid's community is reused: a move shows on the feed within this. */
const PLACE_TTL_MS = 60_000;

/** Small time-bounded lookups shared by every batch of one hub (places rarely change). */
export class LiveDirectory {
  private readonly places = new Map<string, { at: number; value: Place | null }>();
  private readonly responders = new Map<string, { at: number; value: string | null }>();
  private readonly grids = new Map<string, { at: number; value: string | null }>();

  constructor(private readonly pool: pg.Pool, private readonly clock: Clock) {}

  async placesOf(ids: Iterable<string>): Promise<Map<string, Place | null>> {
    return this.cached(this.places, ids, async (missing) => {
      const found = await placesOfHouseholds(this.pool, missing);
      return new Map(missing.map((id) => [id, found.get(id) ?? null]));
    });
  }

  async communitiesOfResponders(ids: Iterable<string>): Promise<Map<string, string | null>> {
    return this.cached(this.responders, ids, (missing) => communitiesOfResponders(this.pool, missing));
  }

  async communitiesOfGrids(ids: Iterable<string>): Promise<Map<string, string | null>> {
    return this.cached(this.grids, ids, (missing) => communitiesOfGrids(this.pool, missing));
  }

  private async cached<V>(cache: Map<string, { at: number; value: V }>, ids: Iterable<string>, load: (missing: string[]) => Promise<Map<string, V>>): Promise<Map<string, V>> {
    const now = this.clock.nowMs();
    const out = new Map<string, V>();
    const missing: string[] = [];
    for (const id of new Set(ids)) {
      const hit = cache.get(id);
      if (hit && now - hit.at < PLACE_TTL_MS) out.set(id, hit.value);
      else missing.push(id);
    }
    if (missing.length > 0) {
      const loaded = await load(missing);
      for (const id of missing) {
        const value = loaded.get(id) as V;
        cache.set(id, { at: now, value });
        out.set(id, value);
      }
      if (cache.size > 50_000) cache.clear(); // bounded; it refills from the next batches
    }
    return out;
  }
}

/**
 * Which events of one batch each socket may receive: the same rule as the API's reads
 * (domain/access-scope.ts) applied to live events. Built once per batch with every fact the
 * batch needs, loaded in a few queries (and none when only admins are connected).
 */
export class LiveAudience {
  private constructor(
    private readonly places: Map<string, Place | null>,
    private readonly responderCommunity: Map<string, string | null>,
    private readonly gridCommunity: Map<string, string | null>,
    /** alert id → responders paged for it or holding it. */
    private readonly involved: Map<string, Set<string>>,
    /** responder id → homes their alerts grant them now. */
    private readonly granted: Map<string, Set<string>>,
  ) {}

  static readonly EMPTY = new LiveAudience(new Map(), new Map(), new Map(), new Map(), new Map());

  static async of(pool: pg.Pool, directory: LiveDirectory, clock: Clock, events: readonly LiveEvent[], viewers: Iterable<LiveViewer>): Promise<LiveAudience> {
    const scoped = [...viewers].filter((v) => !v.scope.all);
    if (scoped.length === 0 || events.length === 0) return LiveAudience.EMPTY;
    const homes = new Set<string>();
    const responders = new Set<string>();
    const grids = new Set<string>();
    const alerts = new Set<string>();
    for (const e of events) {
      const d = e.data as unknown as Record<string, unknown>;
      if (typeof d.householdId === 'string') homes.add(d.householdId);
      if (e.type === 'alert.created' || e.type === 'alert.updated') alerts.add(e.data.id);
      if ((e.type as string) === 'responder.notify' && typeof d.alertId === 'string') alerts.add(d.alertId);
      if (typeof d.responderId === 'string') responders.add(d.responderId);
      if (e.type === 'roster.gap') grids.add(e.data.gridId);
    }
    const responderViewers = [...new Set(scoped.map((v) => v.responderId).filter((r): r is string => r !== null))];
    const graceMs = scoped.find((v) => v.scope.alertGrants)?.scope.alertGrants?.graceMs ?? 0;
    const [places, responderCommunity, gridCommunity, involved, granted] = await Promise.all([
      directory.placesOf(homes),
      directory.communitiesOfResponders(responders),
      directory.communitiesOfGrids(grids),
      alertAudiences(pool, [...alerts]),
      responderViewers.length && homes.size ? grantedHouseholdsOf(pool, responderViewers, graceMs, clock.now()) : Promise.resolve(new Map<string, Set<string>>()),
    ]);
    return new LiveAudience(places, responderCommunity, gridCommunity, involved, granted);
  }

  visibleTo(e: LiveEvent, v: LiveViewer): boolean {
    if (v.scope.all) return true;
    const d = e.data as unknown as Record<string, unknown>;
    switch (e.type as string) {
      case 'alert.created':
      case 'alert.updated':
        return this.home(String(d.householdId), v) || (v.responderId !== null && (this.involved.get(String(d.id))?.has(v.responderId) ?? false));
      case 'household.status':
      case 'device.status':
        return this.home(String(d.householdId), v);
      case 'responder.notify':
        // Addressed to one person; the dispatch room of their community sees who was paged.
        return d.responderId === v.responderId || (v.responderId === null && this.people(String(d.responderId), v));
      case 'responder.status':
        return d.responderId === v.responderId || this.people(String(d.responderId), v);
      case 'roster.gap': {
        const community = this.gridCommunity.get(String(d.gridId));
        return community != null && communityInScope(v.scope, community);
      }
      default:
        return false;
    }
  }

  private home(householdId: string, v: LiveViewer): boolean {
    const place = this.places.get(householdId);
    if (place && placeInScope(v.scope, place)) return true;
    return v.responderId !== null && (this.granted.get(v.responderId)?.has(householdId) ?? false);
  }

  private people(responderId: string, v: LiveViewer): boolean {
    const community = this.responderCommunity.get(responderId);
    return community != null && communityPeopleInScope(v.scope, community);
  }
}
