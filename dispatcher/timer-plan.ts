import type { AlertKind, AlertState } from '../domain/alert-kinds.js';
import type { Config } from '../domain/config.js';
import type { EscalationJob } from '../domain/queues.js';
import { backupDueAt } from '../domain/dispatch-policy.js';
import { ackDeadline, arriveRemindAt, slaApplies, slaDeadlines } from '../domain/sla-clock.js';

export type TimerConfig = Pick<Config, 'ACK_TIMEOUT_S' | 'SLA_WARN_S' | 'SLA_ONSITE_S' | 'ARRIVE_REMIND_S'>
  & Partial<Pick<Config, 'DISPATCH_POLICY' | 'DISPATCH_WAVE_S' | 'BACKUP_AFTER_S' | 'BACKUP_MARGIN_S'>>;

export interface TimerAlert {
  id: string;
  kind: AlertKind;
  state: AlertState;
  level: number;
  firstSignalAt: Date;
  routedAt: Date | null;
  levelStartedAt: Date | null;
  acceptedAt: Date | null;
  acceptedBy: string | null;
  onSiteAt: Date | null;
  slaWarned: boolean;
  onsiteBreached: boolean;
  expectedArrivalAt?: Date | null;
}

export interface PlannedTimer { job: EscalationJob; dueAt: Date }

/**
 * The timers an alert should have armed, from database truth alone (DESIGN §4 "a reconciler …
 * re-arms timers of every live alert"):
 * - ack:{level} while nobody accepted, due ACK_TIMEOUT_S after the level started;
 * - sla warn / breach while nobody is on site and the flag is not yet set, due SLA_WARN_S /
 *   SLA_ONSITE_S after the first signal (not after routing: the resident waits since then);
 *   maintenance kinds have no SLA (slaApplies);
 * - arrive reminder ARRIVE_REMIND_S after an accept with no arrival (issue 4 item 11a). The API
 *   records accepts but may not import the dispatcher, so this is armed here: on the accept's
 *   live event (alert-change-watcher.ts) and by every reconciler pass.
 * Pure: arming the same list twice is a no-op because the job ids are fixed (domain/queues.ts).
 */
export function timersFor(alert: TimerAlert, config: TimerConfig): PlannedTimer[] {
  const timers: PlannedTimer[] = [];
  const waiting = alert.state === 'open' || alert.state === 'notified';
  if (waiting && alert.routedAt && alert.levelStartedAt) {
    timers.push({ job: { type: 'ack_timeout', alertId: alert.id, level: alert.level }, dueAt: ackDeadline(alert.levelStartedAt, config.ACK_TIMEOUT_S) });
  }
  const notOnSite = waiting || alert.state === 'accepted';
  if (notOnSite && !alert.onSiteAt && slaApplies(alert.kind)) {
    const { warnAt, breachAt } = slaDeadlines(alert.firstSignalAt, { slaWarnS: config.SLA_WARN_S, slaOnsiteS: config.SLA_ONSITE_S });
    if (!alert.slaWarned) timers.push({ job: { type: 'sla_warn', alertId: alert.id }, dueAt: warnAt });
    if (!alert.onsiteBreached) timers.push({ job: { type: 'sla_breach', alertId: alert.id }, dueAt: breachAt });
  }
  if (alert.state === 'accepted' && alert.acceptedBy && alert.acceptedAt) {
    timers.push({ job: { type: 'arrive_remind', alertId: alert.id, acceptedBy: alert.acceptedBy }, dueAt: arriveRemindAt(alert.acceptedAt, config.ARRIVE_REMIND_S) });
  }
  // Dispatch by distance (issue 15): the next wave while tier 1 has not accepted, and the backup
  // while the holder is not at the door. Absent under DISPATCH_POLICY=page_all.
  if (config.DISPATCH_POLICY === 'nearest') {
    if (waiting && alert.level === 0 && alert.routedAt) {
      timers.push({ job: { type: 'dispatch_wave', alertId: alert.id, wave: 1 }, dueAt: new Date(alert.routedAt.getTime() + (config.DISPATCH_WAVE_S ?? 30) * 1000) });
    }
    if (alert.state === 'accepted' && alert.acceptedAt && alert.routedAt && !alert.onSiteAt && slaApplies(alert.kind)) {
      const dueAt = backupDueAt(
        { firstSignalAt: alert.firstSignalAt, expectedArrivalAt: alert.expectedArrivalAt ?? null },
        { marginS: config.BACKUP_MARGIN_S ?? 180, backupAfterS: config.BACKUP_AFTER_S ?? 480 });
      timers.push({ job: { type: 'backup', alertId: alert.id, acceptedAtMs: alert.acceptedAt.getTime() }, dueAt });
    }
  }
  return timers;
}

/** The ack timer alone (what an escalation adds: its other timers do not depend on the level). */
export function ackTimerOf(alert: TimerAlert, config: TimerConfig): PlannedTimer[] {
  return timersFor(alert, config).filter((t) => t.job.type === 'ack_timeout');
}
