import { onDutyAt } from '../../domain/roster.js';
import { rosterGaps } from '../../domain/routing.js';
import { gridsByCommunity, recordRosterGaps, type RosterGapRow } from '../../store/passive-queries-repository.js';
import { loadResponders, loadRosterRows } from '../../store/routing-context-repository.js';
import type { RuleContext } from './rule-context.js';

/**
 * Roster gaps (issue 4 item 11b): at `instant` every first-tier role of every grid must have an
 * on-duty person who can be reached (a phone number, which the webhook/SMS gateway and the
 * dispatch room's call both need). Each gap is reported once per shift — a 'roster.gap' live
 * event, an in-app notification row for each on-duty supervisor, and a log warning — by
 * whichever dispatcher records it first (roster_gap_reports, migration 004). Run at each shift
 * start and periodically, because rosters change through the API and it cannot call us.
 */
export async function checkRosterGaps(ctx: RuleContext, instant: Date = ctx.now): Promise<RosterGapRow[]> {
  const reported: RosterGapRow[] = [];
  for (const community of await gridsByCommunity(ctx.pool)) {
    const [responders, rosters] = await Promise.all([
      loadResponders(ctx.pool, community.communityId), loadRosterRows(ctx.pool, community.communityId),
    ]);
    const phones = new Map(responders.map((r) => [r.id, r.phone]));
    const gaps = rosterGaps({
      grids: community.grids, instant, tz: ctx.config.GUARDIAN_TZ, dayShift: ctx.config.DAY_SHIFT, responders, rosters,
      canBeReached: (r) => (phones.get(r.id) ?? '').trim() !== '',
    });
    if (gaps.length === 0) continue;
    const onDuty = onDutyAt(responders, rosters, instant, ctx.config.GUARDIAN_TZ);
    const supervisors = responders.filter((r) => r.role === 'supervisor' && onDuty.has(r.id)).map((r) => r.id);
    const { fresh, live } = await recordRosterGaps(ctx.pool, gaps, supervisors, instant);
    ctx.out.publish(live);
    for (const g of fresh) {
      ctx.log.warn(`roster gap: no reachable ${g.role} on duty for grid ${g.gridId} in the ${g.shift} shift of ${g.shiftDate}`
        + (supervisors.length === 0 ? ' — and no supervisor on duty to tell' : ''));
    }
    reported.push(...fresh);
  }
  return reported;
}
