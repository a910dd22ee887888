import { ALERT_SEVERITY, type AlertKind, type AlertState } from './alert-kinds.js';

/**
 * The SLA clock of DESIGN §4: "on site within SLA_ONSITE_S (900) of the first signal. At
 * SLA_WARN_S not on site → amber + supervisor; at SLA_ONSITE_S → onsite_breached, red". The clock
 * starts at the alert's first signal (alerts.first_signal_at), not when it was routed, because
 * the resident has been waiting since then. Pure: `now` is always passed in.
 */

export interface SlaConfig {
  slaWarnS: number;
  slaOnsiteS: number;
}

export interface SlaDeadlines {
  warnAt: Date;
  breachAt: Date;
}

const at = (base: Date, seconds: number) => new Date(base.getTime() + seconds * 1000);

export function slaDeadlines(firstSignalAt: Date, config: SlaConfig): SlaDeadlines {
  return { warnAt: at(firstSignalAt, config.slaWarnS), breachAt: at(firstSignalAt, config.slaOnsiteS) };
}

/** When the tier notified at `levelStartedAt` has had its ACK_TIMEOUT_S (the ack:{level} timer). */
export function ackDeadline(levelStartedAt: Date, ackTimeoutS: number): Date {
  return at(levelStartedAt, ackTimeoutS);
}

/** When to remind the responder who accepted but has not pressed "arrived" (ARRIVE_REMIND_S). */
export function arriveRemindAt(acceptedAt: Date, arriveRemindS: number): Date {
  return at(acceptedAt, arriveRemindS);
}

/**
 * Whether the on-site SLA applies to an alert kind. Maintenance alerts (device_offline,
 * battery_low) are work orders, not emergencies: nobody has to be at the door in 15 minutes,
 * so they get no SLA timers and never count as breaches (decision; DESIGN §3 severities).
 */
export function slaApplies(kind: AlertKind): boolean {
  return ALERT_SEVERITY[kind] !== 'maintenance';
}

/**
 * ok     running, before warnAt;
 * warn   running, past warnAt (amber);
 * breach past breachAt without anybody on site — running, or stopped too late (red);
 * met    stopped before breachAt: someone arrived in time, or the alert was closed
 *        (resolved without a visit, cancelled) before the deadline.
 */
export type SlaState = 'ok' | 'warn' | 'breach' | 'met';

export interface SlaAlert {
  state: AlertState;
  firstSignalAt: Date;
  onSiteAt?: Date | null;
  closedAt?: Date | null;
}

export interface SlaStatus extends SlaDeadlines {
  status: SlaState;
  /** breachAt minus now (or minus when the clock stopped); negative = overdue. For the countdown. */
  remainingMs: number;
  /** Whether the countdown still ticks. */
  running: boolean;
  /** When the clock stopped (arrival, or closing without one); null while running. */
  stoppedAt: Date | null;
  stoppedBy: 'on_site' | 'closed' | null;
}

export function slaStatus(alert: SlaAlert, now: Date, config: SlaConfig): SlaStatus {
  const deadlines = slaDeadlines(alert.firstSignalAt, config);
  let stoppedAt: Date | null = null;
  let stoppedBy: SlaStatus['stoppedBy'] = null;
  if (alert.onSiteAt) {
    stoppedAt = alert.onSiteAt;
    stoppedBy = 'on_site';
  } else if (alert.state === 'resolved' || alert.state === 'cancelled') {
    // A closed alert without a recorded closedAt stops "now" rather than ticking forever.
    stoppedAt = alert.closedAt ?? now;
    stoppedBy = 'closed';
  }
  const until = (stoppedAt ?? now).getTime();
  const remainingMs = deadlines.breachAt.getTime() - until;
  let status: SlaState;
  if (stoppedAt) status = remainingMs > 0 ? 'met' : 'breach';
  else if (remainingMs <= 0) status = 'breach';
  else status = until >= deadlines.warnAt.getTime() ? 'warn' : 'ok';
  return { ...deadlines, status, remainingMs, running: stoppedAt === null, stoppedAt, stoppedBy };
}

/** Milliseconds from the first signal to acceptance; null if never accepted (reports, §6). */
export function timeToAccept(alert: { firstSignalAt: Date; acceptedAt?: Date | null }): number | null {
  return alert.acceptedAt ? alert.acceptedAt.getTime() - alert.firstSignalAt.getTime() : null;
}

/** Milliseconds from the first signal to arrival; null if nobody arrived. */
export function timeToOnSite(alert: { firstSignalAt: Date; onSiteAt?: Date | null }): number | null {
  return alert.onSiteAt ? alert.onSiteAt.getTime() - alert.firstSignalAt.getTime() : null;
}
