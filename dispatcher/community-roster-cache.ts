import type { RosterRow } from '../domain/roster.js';
import type { Queryable } from '../store/db.js';
import { loadResponders, loadRosterRows, type ResponderRecord } from '../store/routing-context-repository.js';

export interface CommunityRoster { responders: ResponderRecord[]; rosters: RosterRow[] }

/**
 * A community's responders and roster rows, reused for `ttlMs` (issue 6: a burst of 1,000
 * escalations/s in one community read the same rows 2,000 times a second). Safe because the
 * cached rows are only the input: the tiers are still resolved at the escalation's own instant,
 * so shift boundaries are exact; what may be up to ttlMs old is an admin's roster edit or an
 * on-duty switch — as if the timer had fired that much earlier, against an ACK_TIMEOUT_S of
 * minutes. `responder.status` on the live feed drops the entry at once (alert-change-watcher).
 * Concurrent misses share one load.
 */
export class CommunityRosterCache {
  private readonly entries = new Map<string, { at: number; value: Promise<CommunityRoster> }>();

  constructor(private readonly ttlMs = 2000, private readonly now: () => number = Date.now) {}

  get(db: Queryable, communityId: string): Promise<CommunityRoster> {
    const hit = this.entries.get(communityId);
    if (hit && this.now() - hit.at < this.ttlMs) return hit.value;
    const value = Promise.all([loadResponders(db, communityId), loadRosterRows(db, communityId)])
      .then(([responders, rosters]) => ({ responders, rosters }));
    // A failed load must not be served to the next caller.
    value.catch(() => { if (this.entries.get(communityId)?.value === value) this.entries.delete(communityId); });
    if (this.ttlMs > 0) this.entries.set(communityId, { at: this.now(), value });
    return value;
  }

  invalidate(): void {
    this.entries.clear();
  }
}
