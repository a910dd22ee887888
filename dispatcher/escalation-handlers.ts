import { firstStaffedLevel, TOP_LEVEL } from '../domain/routing.js';
import type { EscalationJob } from '../domain/queues.js';
import { slaApplies } from '../domain/sla-clock.js';
import { AlertActionRefusedError, applyAlertAction, findAlert, markAlert, type ActionResult, type AlertRecord } from '../store/alert-transitions-repository.js';
import type pg from 'pg';
import { escalateAllIfUnchanged, findAlertsForTimers, type EscalationStep, type VersionedAlert } from '../store/escalation-repository.js';
import { TickBatcher } from './tick-batcher.js';
import type { DispatchContext } from './dispatch-context.js';
import { escalationsTotal } from './dispatcher-metrics.js';
import { reminderText, titleOf } from './notification-text.js';
import { ARRIVE_REMIND_ROUND, SLA_BREACH_ROUND, SLA_WARN_ROUND } from './notification-rounds.js';
import { householdOf, planRoute, planRouteIn, recipientsOf } from './route-planner.js';
import { alertRef, pageLevel, tellSupervisors } from './tier-pager.js';
import { dispatchBackup, dispatchNextWave } from './nearest-dispatch.js';
import { ackTimerOf } from './timer-plan.js';

/**
 * The timers that run in one event-loop turn share their read and their escalation statement
 * (tick-batcher.ts); one pair of batchers per pool.
 */
const batchers = new WeakMap<pg.Pool, {
  read: TickBatcher<string, VersionedAlert | null>;
  escalate: TickBatcher<EscalationStep, Awaited<ReturnType<typeof escalateAllIfUnchanged>>[number]>;
}>();
function batched(pool: pg.Pool) {
  let b = batchers.get(pool);
  if (!b) {
    b = { read: new TickBatcher((ids) => findAlertsForTimers(pool, ids)), escalate: new TickBatcher((steps) => escalateAllIfUnchanged(pool, steps)) };
    batchers.set(pool, b);
  }
  return b;
}

/** What a timer did; 'noop' when the alert moved on (DESIGN §4 "does nothing if it moved on"). */
export type TimerOutcome = 'noop' | 'done';

/**
 * Every handler re-reads the alert and acts only if the reason for the timer still holds, so a
 * late, duplicated or stale job — one that survived a restart, a re-arm after completion, a
 * second dispatcher — never pages about an alert that was accepted, resolved or cancelled
 * (issue 4 item 11e).
 */
export async function handleEscalationJob(ctx: DispatchContext, job: EscalationJob): Promise<TimerOutcome> {
  switch (job.type) {
    case 'ack_timeout': return onAckTimeout(ctx, job.alertId, job.level);
    case 'sla_warn': return onSla(ctx, job.alertId, 'sla_warn');
    case 'sla_breach': return onSla(ctx, job.alertId, 'sla_breach');
    case 'arrive_remind': return onArriveRemind(ctx, job.alertId, job.acceptedBy);
    case 'dispatch_wave': return onDispatchWave(ctx, job.alertId, job.wave);
    case 'backup': return onBackup(ctx, job.alertId, job.acceptedAtMs);
  }
}

/** DISPATCH_WAVE_S after routing and tier 1 still has not accepted: page the next wave (issue 15). */
async function onDispatchWave(ctx: DispatchContext, alertId: string, wave: number): Promise<TimerOutcome> {
  const alert = await findAlert(ctx.pool, alertId);
  if (!alert || (alert.state !== 'open' && alert.state !== 'notified') || alert.level !== 0) return 'noop';
  const route = await planRoute(ctx.pool, ctx.config, alert.householdId, ctx.clock.now(), ctx.rosters);
  if (!route) return 'noop';
  const paged = await dispatchNextWave(ctx, alert, route, wave);
  if (paged > 0) ctx.log.info(`alert ${alertId} (${alert.kind}): nobody accepted within ${ctx.config.DISPATCH_WAVE_S}s; paged ${paged} more of tier 1`);
  return paged > 0 ? 'done' : 'noop';
}

/** The holder is not at the door by expected arrival + margin or BACKUP_AFTER_S: a backup (issue 15). */
async function onBackup(ctx: DispatchContext, alertId: string, acceptedAtMs: number): Promise<TimerOutcome> {
  const alert = await findAlert(ctx.pool, alertId);
  if (!alert || alert.state !== 'accepted' || alert.onSiteAt || alert.acceptedAt?.getTime() !== acceptedAtMs) return 'noop';
  const route = await planRoute(ctx.pool, ctx.config, alert.householdId, ctx.clock.now(), ctx.rosters);
  if (!route) return 'noop';
  const outcome = await dispatchBackup(ctx, alert, route);
  if (outcome !== 'already') ctx.log.info(`alert ${alertId} (${alert.kind}): holder not at the door in time; backup ${outcome}`);
  return outcome === 'sent' ? 'done' : 'noop';
}

/**
 * No accept within ACK_TIMEOUT_S of paging `level` → the next staffed tier (DESIGN §4), past the
 * top tier a "re-notify everyone" round per ACK_TIMEOUT_S. Each step is an `escalate` with
 * expectLevel, so of two racing handlers only one moves the level; the other is refused as
 * stale and stops. Empty tiers are escalated through at once (one timeline row each).
 */
async function onAckTimeout(ctx: DispatchContext, alertId: string, level: number): Promise<TimerOutcome> {
  const read = await batched(ctx.pool).read.call(alertId);
  if (!read) return 'noop';
  const { alert, context } = read;
  if ((alert.state !== 'open' && alert.state !== 'notified') || alert.level !== level) return 'noop';
  if (!context) return 'noop';
  const now = ctx.clock.now();
  const route = await planRouteIn(ctx.pool, ctx.config, context, now, ctx.rosters);
  const next = firstStaffedLevel(route.plan, level + 1) ?? level + 1;
  let current: AlertRecord = alert;
  let version: string | null = read.version;
  for (let from = level; from < next; from++) {
    const reason = from === level
      ? (from >= TOP_LEVEL ? 'no accept: re-notify everyone' : 'no accept within ACK_TIMEOUT_S')
      : `tier ${from + 2} has nobody on duty`;
    const action = { type: 'escalate', by: 'system', expectLevel: from, reason } as const;
    const extra = { levelStartedAt: now, ackBreached: true };
    // Fast path: one statement, compare-and-set on the row version we read. Only while the alert
    // is still waiting for an accept: an accept that landed since moves the version.
    let r: ActionResult | null = null;
    if (version !== null && (current.state === 'open' || current.state === 'notified')) {
      const fast = await batched(ctx.pool).escalate.call({ before: current, version, action, actor: 'system', at: now, extra });
      if (fast) { r = fast; version = fast.version; }
    }
    if (!r) {
      // The row changed since the read (or this step needs the lock): re-check under the row lock.
      version = null;
      try {
        r = await applyAlertAction(ctx.pool, alertId, action, 'system', now, extra);
      } catch (err) {
        if (err instanceof AlertActionRefusedError) return 'noop'; // accepted, closed or escalated meanwhile
        throw err;
      }
    }
    ctx.publish(r.live);
    current = r.alert;
  }
  escalationsTotal.inc({ level: String(Math.min(next, TOP_LEVEL + 1)) });
  ctx.log.info(`alert ${alertId} (${current.kind}) escalated from level ${level} to ${next}: no accept within ${ctx.config.ACK_TIMEOUT_S}s`);
  // Only the new level's ack timer: the SLA timers were armed when the alert was routed and their
  // due instants (from the first signal) do not move with the level; a lost one comes back from
  // the reconciler (timersFor over every live alert), as after a FLUSHALL.
  await ctx.timers.arm(ackTimerOf(current, ctx.config));
  await pageLevel(ctx, current, route, next, { inform: false });
  return 'done';
}

/** SLA_WARN_S / SLA_ONSITE_S after the first signal with nobody on site: flag + supervisors (§4, item 11a). */
async function onSla(ctx: DispatchContext, alertId: string, which: 'sla_warn' | 'sla_breach'): Promise<TimerOutcome> {
  const alert = await findAlert(ctx.pool, alertId);
  if (!alert || alert.onSiteAt || !['open', 'notified', 'accepted'].includes(alert.state) || !slaApplies(alert.kind)) return 'noop';
  const now = ctx.clock.now();
  const warn = which === 'sla_warn';
  let current = alert;
  if (warn ? !alert.slaWarned : !alert.onsiteBreached) {
    const seconds = Math.round((now.getTime() - alert.firstSignalAt.getTime()) / 1000);
    const marked = await markAlert(ctx.pool, alertId, warn ? { slaWarned: true } : { onsiteBreached: true },
      { actor: 'system', type: which, data: { secondsSinceFirstSignal: seconds, state: alert.state } }, now);
    if (!marked) return 'noop'; // closed meanwhile
    ctx.log.info(`alert ${alertId} (${alert.kind}) ${warn ? 'SLA warning' : 'SLA breached'}: nobody on site ${seconds}s after the first signal (state ${alert.state})`);
    ctx.publish(marked.live);
    current = marked.alert;
  }
  // Told even when the flag was already set: a crash between the flag and the notice must not
  // lose the notice; the round's unique rows keep it to once.
  const route = await planRoute(ctx.pool, ctx.config, alert.householdId, now, ctx.rosters);
  if (!route) return 'done';
  await tellSupervisors(ctx, current, route, warn ? SLA_WARN_ROUND : SLA_BREACH_ROUND, which,
    warn ? ctx.config.SLA_WARN_S : ctx.config.SLA_ONSITE_S);
  return 'done';
}

/** ARRIVE_REMIND_S after an accept and still not on site: remind the one who accepted (item 11a). */
async function onArriveRemind(ctx: DispatchContext, alertId: string, acceptedBy: string): Promise<TimerOutcome> {
  const alert = await findAlert(ctx.pool, alertId);
  if (!alert || alert.state !== 'accepted' || alert.acceptedBy !== acceptedBy) return 'noop';
  const route = await planRoute(ctx.pool, ctx.config, alert.householdId, ctx.clock.now(), ctx.rosters);
  if (!route) return 'noop';
  const recipients = recipientsOf([{ kind: 'responder', responderId: acceptedBy, role: 'grid_worker' }], route);
  if (recipients.length === 0) return 'noop'; // accepted by someone who is not a responder (an operator's user)
  const ref = alertRef(alert);
  const household = householdOf(route);
  await ctx.sender.deliver({
    alert: ref, household, round: ARRIVE_REMIND_ROUND, purpose: 'reminder', tier: null, recipients,
    title: titleOf(ref), text: reminderText(ref, household),
  });
  return 'done';
}
