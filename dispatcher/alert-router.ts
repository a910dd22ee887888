import { isLive } from '../domain/alert-state-machine.js';
import { firstStaffedLevel } from '../domain/routing.js';
import { applyAlertAction, findAlert, markAlert, type AlertRecord } from '../store/alert-transitions-repository.js';
import type { DispatchContext } from './dispatch-context.js';
import { routedTotal } from './dispatcher-metrics.js';
import { planRoute } from './route-planner.js';
import { pageLevel } from './tier-pager.js';
import { announceNobodyAvailable, dispatchFirstWave, rankFor } from './nearest-dispatch.js';
import { timersFor } from './timer-plan.js';

export type RouteOutcome = 'routed' | 'already_routed' | 'not_live' | 'missing' | 'busy';

/**
 * Routes one alert from the outbox (DESIGN §4 "New alert → notify tier 1 together, arm the ack
 * timer"): plan the tiers for the household at this instant, skip empty tiers
 * (firstStaffedLevel), mark it notified with the routing facts in one transaction (routed_at is
 * set there, last, so a crash before it leaves the alert in the outbox), page, arm the timers.
 *
 * The route queue de-duplicates by jobId = alertId, but the reconciler also routes the outbox
 * inline; a session advisory lock per alert keeps two dispatchers from routing the same alert
 * at once (the loser re-reads routed_at afterwards or is told 'busy').
 */
export async function routeAlert(ctx: DispatchContext, alertId: string, path: 'queue' | 'reconciler'): Promise<RouteOutcome> {
  const lock = await ctx.pool.connect();
  const key = `guardian:route:${alertId}`;
  try {
    const got = await lock.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(hashtext($1)) AS ok`, [key]);
    if (!got.rows[0]?.ok) return 'busy';
    try {
      return await routeLocked(ctx, alertId, path);
    } finally {
      await lock.query(`SELECT pg_advisory_unlock(hashtext($1))`, [key]).catch(() => {});
    }
  } finally {
    lock.release();
  }
}

async function routeLocked(ctx: DispatchContext, alertId: string, path: 'queue' | 'reconciler'): Promise<RouteOutcome> {
  const alert = await findAlert(ctx.pool, alertId);
  if (!alert) return 'missing';
  if (!isLive(alert.state)) return 'not_live';
  if (alert.routedAt) {
    await ctx.timers.arm(timersFor(alert, ctx.config));
    return 'already_routed';
  }
  const now = ctx.clock.now();
  const route = await planRoute(ctx.pool, ctx.config, alert.householdId, now, ctx.rosters);
  if (!route) {
    ctx.log.error(`alert ${alertId}: household ${alert.householdId} has no place (building/grid); cannot route`);
    return 'missing';
  }
  const facts = { routedAt: now, levelStartedAt: now, shift: route.plan.shift, shiftDate: route.plan.shiftDate, gridId: route.context.household.gridId };

  if (alert.state !== 'open' && alert.state !== 'notified') {
    // Accepted (or on site) before we got to it, e.g. an operator took a phone call: nobody to
    // summon, but it leaves the outbox and keeps its SLA timers.
    const marked = await markAlert(ctx.pool, alertId, facts, null, now);
    if (marked) {
      ctx.publish(marked.live);
      await ctx.timers.arm(timersFor(marked.alert, ctx.config));
    }
    return 'routed';
  }

  let current: AlertRecord = alert;
  let target = firstStaffedLevel(route.plan, alert.level) ?? alert.level;
  // DISPATCH_POLICY=nearest (issue 15): tier 1 pages the nearest free people; when every one of
  // them is busy or declined, nobody is free — say so and go on to the next tier at once.
  const nearest = ctx.config.DISPATCH_POLICY === 'nearest' && target === 0;
  const ranking = nearest ? await rankFor(ctx, alert, route) : undefined;
  const nobodyFree = ranking !== undefined && !ranking.ranked.some((c) => c.eligible);
  if (nobodyFree) target = firstStaffedLevel(route.plan, 1) ?? 1;
  for (let level = alert.level; level < target; level++) {
    const reason = level === 0 && nobodyFree ? 'everyone on duty in tier 1 is busy' : `tier ${level + 1} has nobody on duty`;
    const r = await applyAlertAction(ctx.pool, alertId,
      { type: 'escalate', by: 'system', expectLevel: level, reason }, 'system', now, { levelStartedAt: now });
    ctx.publish(r.live);
    current = r.alert;
  }
  const notified = await applyAlertAction(ctx.pool, alertId, { type: 'notify', by: 'system' }, 'system', now, facts);
  ctx.publish(notified.live);
  current = notified.alert;
  routedTotal.inc({ shift: route.plan.shift, path });
  // Timers first: a slow SMS gateway must not delay them, and a crash while paging leaves the
  // unsent round to the reconciler (alertsMissingPageRound).
  await ctx.timers.arm(timersFor(current, ctx.config));
  ctx.log.info(`alert ${alertId} (${current.kind}, ${current.severity}) for household ${current.householdId}: paging level ${current.level} (${route.plan.shift} shift)`);
  if (nobodyFree) await announceNobodyAvailable(ctx, current, route, 'everyone on duty in tier 1 is busy');
  if (nearest && !nobodyFree && current.level === 0 && await dispatchFirstWave(ctx, current, route, ranking)) return 'routed';
  await pageLevel(ctx, current, route, current.level, { inform: true });
  return 'routed';
}
