import type pg from 'pg';
import { wallClock, type Clock } from '../../domain/clock.js';
import type { Config } from '../../domain/config.js';
import type { AuthUser } from '../route-access.js';
import { slaReport, type ReportGroupBy, type SlaReportRow } from '../../store/reports-repository.js';
import { badRequest } from '../api-error.js';

const DAY_MS = 86_400_000;
/** A report spans at most a year: it is read by people, and the query stays bounded. */
const MAX_SPAN_MS = 366 * DAY_MS;

export interface SlaReport {
  from: Date; to: Date; groupBy: ReportGroupBy; slaOnsiteS: number;
  /** The service clock's now: alerts whose deadline is after it are pending. */
  now: Date;
  items: SlaReportRow[]; total: number;
}

/** The SLA report (see store/reports-repository.ts for every definition) and its CSV form. */
export class ReportsService {
  constructor(private readonly pool: pg.Pool, private readonly config: Config, private readonly clock: Clock = wallClock) {}

  /** Over the alerts of the caller's scope (their communities). */
  async sla(user: Pick<AuthUser, 'scope'>, q: { from?: string; to?: string; groupBy: ReportGroupBy }): Promise<SlaReport> {
    const now = this.clock.now();
    const to = q.to ? new Date(q.to) : now;
    const from = q.from ? new Date(q.from) : new Date(to.getTime() - 7 * DAY_MS);
    if (!(from < to)) throw badRequest('querystring.from must be before querystring.to');
    if (to.getTime() - from.getTime() > MAX_SPAN_MS) throw badRequest('querystring: a report spans at most 366 days');
    const [dayStarts, dayEnds] = this.config.DAY_SHIFT.split('-') as [string, string];
    const items = await slaReport(this.pool, {
      from, to, groupBy: q.groupBy, slaOnsiteS: this.config.SLA_ONSITE_S, timeZone: this.config.GUARDIAN_TZ, dayStarts, dayEnds,
      scope: user.scope, now,
    });
    return { from, to, groupBy: q.groupBy, slaOnsiteS: this.config.SLA_ONSITE_S, now, items, total: items.length };
  }
}

export const CSV_COLUMNS: Array<[keyof SlaReportRow, string]> = [
  ['key', 'group'], ['label', 'name'], ['alerts', 'alerts'], ['pending', 'pending'], ['decided', 'decided'],
  ['accepted', 'accepted'], ['onSite', 'on_site'], ['cancelled', 'cancelled'],
  ['acceptedWithin60sPct', 'accepted_within_60s_pct'], ['acceptedWithin180sPct', 'accepted_within_180s_pct'],
  ['acceptMedianS', 'accept_median_s'], ['acceptP90S', 'accept_p90_s'],
  ['onSiteMedianS', 'on_site_median_s'], ['onSiteP90S', 'on_site_p90_s'], ['onSiteWithinSla', 'on_site_within_sla'],
  ['onSiteWithinSlaPct', 'on_site_within_sla_pct'], ['ackBreaches', 'ack_breaches'], ['onSiteBreaches', 'on_site_breaches'],
  ['nobodyOnDuty', 'nobody_on_duty'], ['passiveAlerts', 'passive_alerts'],
  ['detectionDelayMedianS', 'detection_delay_median_s'], ['detectionDelayP90S', 'detection_delay_p90_s'],
];

/** RFC 4180 field: quoted when it holds a comma, quote or line break; a formula prefix is defused. */
function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  let s = typeof v === 'number' ? String(Math.round(v * 10) / 10) : String(v);
  // Spreadsheets run cells starting with = + - @ as formulas (CSV injection): prefix a quote.
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * UTF-8 with a byte-order mark, CRLF line ends and a header row: what Excel needs to open
 * Chinese names correctly by double click.
 */
export function toCsv(report: SlaReport): string {
  const lines = [CSV_COLUMNS.map(([, h]) => h).join(',')];
  for (const row of report.items) lines.push(CSV_COLUMNS.map(([k]) => csvField(row[k])).join(','));
  return '\uFEFF' + lines.join('\r\n') + '\r\n';
}
