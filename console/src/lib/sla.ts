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

/**
 * A span of time in words — "14 分 19 秒", "1 小时 5 分", "14 min 19 s" — never in a form that
 * reads like a clock time ("14:19 按时到场" was read as a time of day at 14:20, issue 20 item 1).
 * Counting down, it rounds towards the deadline, so "0 秒" shows only when it is reached.
 */
export function spanWords(ms: number, lang: 'zh' | 'en', towards: 'up' | 'down' = 'down'): string {
  const total = Math.max(0, towards === 'up' ? Math.ceil(ms / 1000) : Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (lang === 'zh') return h > 0 ? `${h} 小时 ${m} 分` : m > 0 ? `${m} 分 ${s} 秒` : `${s} 秒`;
  return h > 0 ? `${h} h ${m} min` : m > 0 ? `${m} min ${s} s` : `${s} s`;
}

/** A duration rounded to whole minutes ("6 分", "6 min"); under a minute in seconds. */
export function minutesWords(ms: number, lang: 'zh' | 'en'): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return lang === 'zh' ? `${s} 秒` : `${s} s`;
  const m = Math.round(s / 60);
  if (m >= 60) return spanWords(m * 60_000, lang);
  return lang === 'zh' ? `${m} 分` : `${m} min`;
}

export type SlaWording =
  | { key: 'sla.none' | 'sla.unknown' | 'sla.closed' }
  | { key: 'sla.left' | 'sla.over' | 'sla.tookOnSite'; t: string };

/**
 * What the countdown says: "剩 14 分 19 秒" while running, "超时 2 分 5 秒" overdue, "已到场 · 用时
 * 6 分" once someone arrived (from the first signal), "已结案" when it closed with nobody on site,
 * "—" for maintenance alerts and while the server has not said its SLA settings.
 */
export function slaWording(alert: SlaInput, v: SlaView | null, lang: 'zh' | 'en'): SlaWording {
  if (!v) return { key: 'sla.unknown' };
  if (v.tone === 'none') return { key: 'sla.none' };
  if (alert.onSiteAt) return { key: 'sla.tookOnSite', t: minutesWords(Date.parse(alert.onSiteAt) - Date.parse(alert.firstSignalAt), lang) };
  if (!v.running) return { key: 'sla.closed' };
  return v.remainingMs > 0 ? { key: 'sla.left', t: spanWords(v.remainingMs, lang, 'up') } : { key: 'sla.over', t: spanWords(-v.remainingMs, lang) };
}
