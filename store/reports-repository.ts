import type { Scope } from '../domain/access-scope.js';
import type { Queryable } from './db.js';
import { householdScopeSql } from './scope-sql.js';

/**
 * The SLA report (DESIGN §6 "reports (SLA: time to accept / on site per shift, per responder,
 * breaches; CSV export)", issue 4 item 8). Percentiles are computed by PostgreSQL
 * (percentile_cont, i.e. linear interpolation between the two nearest values), so the numbers
 * are the same whoever asks and nothing is loaded into memory.
 *
 * Definitions (times in seconds from the alert's first signal, as the SLA clock counts them):
 * - alerts: critical and high alerts whose first signal is in [from, to). Maintenance alerts
 *   (device_offline, battery_low) are work orders without an SLA and are left out.
 * - accepted: alerts with an acceptance (also the implicit one of arriving without accepting).
 * - onSiteWithinSlaPct: alerts with someone on site within SLA_ONSITE_S, as a percentage of the
 *   alerts that were not cancelled (a cancelled alert — e.g. the resident's own cancel press —
 *   needed nobody at the door). Null when there is no such alert.
 * - ackBreaches: alerts whose ack timer ran out at some level (ack_breached).
 * - onSiteBreaches: onsite_breached set by the SLA timer, or an arrival later than SLA_ONSITE_S
 *   (the same fact, also when no dispatcher was running to set the flag).
 * - groups: shift = the local date and shift the first signal fell in ("2026-05-01 night"; the
 *   night that starts on 05-01 keeps that date after midnight), from the routed alert's
 *   shift/shift_date when set, else computed from DAY_SHIFT in GUARDIAN_TZ; responder = who
 *   accepted ('' = nobody accepted); grid = the household's grid.
 */
export type ReportGroupBy = 'shift' | 'responder' | 'grid';

export interface SlaReportRow {
  key: string;
  label: string;
  alerts: number;
  accepted: number;
  onSite: number;
  cancelled: number;
  acceptMedianS: number | null;
  acceptP90S: number | null;
  onSiteMedianS: number | null;
  onSiteP90S: number | null;
  onSiteWithinSla: number;
  onSiteWithinSlaPct: number | null;
  ackBreaches: number;
  onSiteBreaches: number;
}

export interface SlaReportQuery {
  from: Date;
  to: Date;
  groupBy: ReportGroupBy;
  slaOnsiteS: number;
  timeZone: string;
  /** DAY_SHIFT as two 'HH:MM' times. */
  dayStarts: string;
  dayEnds: string;
  /** Only alerts of homes this scope reaches (the caller's communities). */
  scope?: Scope;
  now?: Date;
}

const GROUP: Record<ReportGroupBy, { key: string; label: string }> = {
  shift: { key: `x.shift_day || ' ' || x.shift_name`, label: `x.shift_day || ' ' || x.shift_name` },
  responder: { key: `coalesce(x.accepted_by, '')`, label: `coalesce(x.responder_name, x.accepted_by, '(not accepted)')` },
  grid: { key: `x.grid_key`, label: `coalesce(x.grid_name, x.grid_key)` },
};

export async function slaReport(db: Queryable, q: SlaReportQuery): Promise<SlaReportRow[]> {
  const g = GROUP[q.groupBy];
  // $1 from, $2 to, $3 SLA seconds, $4 time zone, $5 day start, $6 day end; then the scope's.
  const params: unknown[] = [q.from, q.to, q.slaOnsiteS, q.timeZone, q.dayStarts, q.dayEnds];
  const inScope = q.scope ? householdScopeSql(q.scope, 'a.household_id', params, q.now ?? new Date()) : null;
  const r = await db.query<SlaReportRow>(
    `WITH base AS (
       SELECT a.*, (a.first_signal_at AT TIME ZONE $4) AS local_at,
              extract(epoch FROM a.accepted_at - a.first_signal_at)::float8 AS tta,
              extract(epoch FROM a.on_site_at - a.first_signal_at)::float8 AS tto,
              coalesce(a.grid_id, b.grid_id) AS grid_key, r.name AS responder_name
         FROM alerts a
         JOIN households h ON h.id = a.household_id
         JOIN buildings b ON b.id = h.building_id
         LEFT JOIN responders r ON r.id = a.accepted_by
        WHERE a.severity IN ('critical', 'high') AND a.first_signal_at >= $1 AND a.first_signal_at < $2
              ${inScope ? `AND ${inScope}` : ''}
     ), shifted AS (
       SELECT base.*, CASE
                WHEN $5::time < $6::time THEN local_at::time >= $5::time AND local_at::time < $6::time
                ELSE local_at::time >= $5::time OR local_at::time < $6::time END AS in_day
         FROM base
     ), x AS (
       SELECT s.*, gr.name AS grid_name,
              coalesce(s.shift, CASE WHEN in_day THEN 'day' ELSE 'night' END) AS shift_name,
              coalesce(to_char(s.shift_date, 'YYYY-MM-DD'), to_char(s.local_at::date - CASE
                WHEN local_at::time < CASE WHEN in_day THEN $5::time ELSE $6::time END THEN 1 ELSE 0 END, 'YYYY-MM-DD')) AS shift_day
         FROM shifted s LEFT JOIN grids gr ON gr.id = s.grid_key
     )
     SELECT ${g.key} AS key, ${g.label} AS label,
            count(*)::int AS alerts,
            count(x.accepted_at)::int AS accepted,
            count(x.on_site_at)::int AS "onSite",
            count(*) FILTER (WHERE x.state = 'cancelled')::int AS cancelled,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY x.tta) AS "acceptMedianS",
            percentile_cont(0.9) WITHIN GROUP (ORDER BY x.tta) AS "acceptP90S",
            percentile_cont(0.5) WITHIN GROUP (ORDER BY x.tto) AS "onSiteMedianS",
            percentile_cont(0.9) WITHIN GROUP (ORDER BY x.tto) AS "onSiteP90S",
            count(*) FILTER (WHERE x.tto <= $3)::int AS "onSiteWithinSla",
            round(100.0 * count(*) FILTER (WHERE x.tto <= $3)
                  / nullif(count(*) FILTER (WHERE x.state <> 'cancelled'), 0), 1)::float8 AS "onSiteWithinSlaPct",
            count(*) FILTER (WHERE x.ack_breached)::int AS "ackBreaches",
            count(*) FILTER (WHERE x.onsite_breached OR x.tto > $3)::int AS "onSiteBreaches"
       FROM x GROUP BY 1, 2 ORDER BY 1`, params);
  return r.rows;
}
