import type { RosterRow } from '../domain/roster.js';
import type { Queryable } from '../store/db.js';
import { loadResponders, loadRosterRows, type ResponderRecord } from '../store/routing-context-repository.js';
import { TtlCache } from './ttl-cache.js';

export interface CommunityRoster { responders: ResponderRecord[]; rosters: RosterRow[] }

export async function loadCommunityRoster(db: Queryable, communityId: string): Promise<CommunityRoster> {
  const [responders, rosters] = await Promise.all([loadResponders(db, communityId), loadRosterRows(db, communityId)]);
  return { responders, rosters };
}

/**
 * A community's responders and roster rows, reused for `ttlMs` (issue 6: a burst of 1,000
 * escalations/s in one community read the same rows 2,000 times a second). Safe because the
 * cached rows are only the input: the tiers are still resolved at the escalation's own instant,
 * so shift boundaries are exact; what may be up to ttlMs old is an admin's roster edit or an
 * on-duty switch — as if the timer had fired that much earlier, against an ACK_TIMEOUT_S of
 * minutes. `responder.status` on the live feed drops the entry at once (alert-change-watcher).
 */
export class CommunityRosterCache {
  private readonly cache: TtlCache<CommunityRoster>;

  constructor(ttlMs = 2000, now: () => number = Date.now) {
    this.cache = new TtlCache(ttlMs, { now });
  }

  get(db: Queryable, communityId: string): Promise<CommunityRoster> {
    return this.cache.get(communityId, () => loadCommunityRoster(db, communityId));
  }

  invalidate(): void {
    this.cache.clear();
  }
}
