import { TOP_LEVEL, targetsForLevel } from '../domain/routing.js';
import { markAlert, type AlertRecord } from '../store/alert-transitions-repository.js';
import type { DispatchContext } from './dispatch-context.js';
import type { NotificationMessage } from './notifiers/notifier.js';
import { informText, pageText, supervisorText, titleOf } from './notification-text.js';
import { pageRound } from './notification-rounds.js';
import { householdOf, recipientsOf, supervisorsOf, type PlannedRoute } from './route-planner.js';

export const alertRef = (a: AlertRecord): NotificationMessage['alert'] =>
  ({ id: a.id, kind: a.kind, severity: a.severity, householdId: a.householdId, firstSignalAt: a.firstSignalAt });

/**
 * Pages escalation level `level` (DESIGN §4): the tier's people, or everyone of every tier past
 * the top. `inform` adds the day shift's informed people (building leader, buddies) on the first
 * page. Nobody to page at all → the supervisors are told "nobody on duty", the timeline gets a
 * note and the live feed an update; if not even a supervisor exists, a 'none' row records it so
 * the alert's notification list shows the hole. Idempotent per round (NotificationSender).
 */
export async function pageLevel(ctx: DispatchContext, alert: AlertRecord, route: PlannedRoute, level: number, opts: { inform: boolean }): Promise<void> {
  const base = { alert: alertRef(alert), household: householdOf(route), round: pageRound(level), tier: level, title: titleOf(alertRef(alert)) };
  const recipients = recipientsOf(targetsForLevel(route.plan, level), route);
  const sends: Array<Promise<unknown>> = [];
  if (recipients.length > 0) {
    sends.push(ctx.sender.deliver({ ...base, purpose: 'page', recipients, text: pageText(base.alert, base.household, level, TOP_LEVEL) }));
  } else {
    sends.push(pageNobodyOnDuty(ctx, alert, route, level));
  }
  if (opts.inform && route.plan.informed.length > 0) {
    sends.push(ctx.sender.deliver({ ...base, purpose: 'inform', recipients: recipientsOf(route.plan.informed, route), text: informText(base.alert, base.household) }));
  }
  await Promise.all(sends);
}

async function pageNobodyOnDuty(ctx: DispatchContext, alert: AlertRecord, route: PlannedRoute, level: number): Promise<void> {
  const ref = alertRef(alert);
  const d = { alert: ref, household: householdOf(route), round: pageRound(level), tier: level, purpose: 'supervisor' as const };
  const supervisors = supervisorsOf(route);
  const first = supervisors.length > 0
    ? (await ctx.sender.deliver({ ...d, recipients: supervisors, title: titleOf(ref), text: supervisorText(ref, d.household, 'nobody_on_duty', 0) })).claimed > 0
    : await ctx.sender.recordUnreachable(d, 'no one on duty and no supervisor available');
  // Only the sender that claimed the round writes the note, so a retry does not repeat it.
  if (!first) return;
  ctx.log.warn(`alert ${alert.id}: no one on duty at level ${level} (${route.plan.gaps.map((g) => g.message).join('; ')})`);
  const marked = await markAlert(ctx.pool, alert.id, {}, {
    actor: 'system', type: 'note', data: { text: 'no one on duty', level, gaps: route.plan.gaps.map((g) => g.message), supervisorsTold: supervisors.length },
  }, ctx.clock.now());
  if (marked) ctx.publish(marked.live);
}

/** SLA notices (warn, breach) to the supervisors, once per round. */
export async function tellSupervisors(ctx: DispatchContext, alert: AlertRecord, route: PlannedRoute, round: string, why: 'sla_warn' | 'sla_breach', seconds: number): Promise<void> {
  const ref = alertRef(alert);
  const household = householdOf(route);
  const recipients = supervisorsOf(route);
  const d = { alert: ref, household, round, tier: null, purpose: 'supervisor' as const };
  if (recipients.length === 0) {
    await ctx.sender.recordUnreachable(d, 'no supervisor available');
    return;
  }
  await ctx.sender.deliver({ ...d, recipients, title: titleOf(ref), text: supervisorText(ref, household, why, seconds) });
}
