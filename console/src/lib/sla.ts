import { SEVERITY_OF, type Alert, type ServiceConfig } from './types';

/**
 * The SLA countdown of DESIGN §4, as the wall screen shows it. The clock starts at the first
 * signal (the resident has been waiting since then), turns amber at SLA_WARN_S and red at
 * SLA_ONSITE_S unless someone is on site; arrival or closing stops it. Same rules as
 * domain/sla-clock.ts (restated: the console only talks HTTP). Pure: `now` is passed in.
 *
 *   ok      running, before warn            → green
 *   warn    running, at/after warn          → amber
 *   breach  at/after breach without arrival → red (running or stopped late)
 *   met     stopped before the deadline     → calm
 *   none    maintenance alerts have no SLA
 */
export type SlaTone = 'ok' | 'warn' | 'breach' | 'met' | 'none';

export interface SlaView {
  tone: SlaTone;
  /** Deadline minus now (or minus when the clock stopped); negative = overdue. */
  remainingMs: number;
  running: boolean;
}

type SlaInput = Pick<Alert, 'kind' | 'state' | 'firstSignalAt' | 'onSiteAt' | 'closedAt'>;

export function slaView(alert: SlaInput, now: number, cfg: Pick<ServiceConfig, 'slaWarnS' | 'slaOnsiteS'>): SlaView {
  const start = Date.parse(alert.firstSignalAt);
  const breachAt = start + cfg.slaOnsiteS * 1000;
  const warnAt = start + cfg.slaWarnS * 1000;
  if (SEVERITY_OF[alert.kind] === 'maintenance') return { tone: 'none', remainingMs: 0, running: false };
  let stoppedAt: number | null = null;
  if (alert.onSiteAt) stoppedAt = Date.parse(alert.onSiteAt);
  else if (alert.state === 'resolved' || alert.state === 'cancelled') stoppedAt = alert.closedAt ? Date.parse(alert.closedAt) : now;
  const until = stoppedAt ?? now;
  const remainingMs = breachAt - until;
  if (stoppedAt !== null) return { tone: remainingMs > 0 ? 'met' : 'breach', remainingMs, running: false };
  if (remainingMs <= 0) return { tone: 'breach', remainingMs, running: true };
  return { tone: until >= warnAt ? 'warn' : 'ok', remainingMs, running: true };
}

/** 14:59 / -2:05 / 1:02:03: minutes and seconds of a countdown, signed when overdue. */
export function formatCountdown(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  // Round towards the deadline so "0:00" is shown only when it is reached.
  const total = ms < 0 ? Math.floor(-ms / 1000) : Math.ceil(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${sign}${h}:${String(m).padStart(2, '0')}:${ss}` : `${sign}${m}:${ss}`;
}
