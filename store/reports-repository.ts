import type { Scope } from '../domain/access-scope.js';
import type { Queryable } from './db.js';
import { householdScopeSql } from './scope-sql.js';

/**
 * The SLA report (DESIGN §6 "reports (SLA: time to accept / on site per shift, per responder,
 * breaches; CSV export)", issue 4 item 8). Percentiles are computed by PostgreSQL
 * (percentile_cont, i.e. linear interpolation between the two nearest values), so the numbers
 * are the same whoever asks and nothing is loaded into memory.
 *
 * Definitions (times in seconds from the alert's first signal, as the SLA clock counts them;
 * `now` is the service clock's, so a report of a window still in progress is honest):
 * - alerts: critical and high alerts whose first signal is in [from, to). Maintenance alerts
 *   (device_offline, battery_low) are work orders without an SLA and are left out.
 * - pending: not cancelled, nobody on site yet, not closed, and the SLA deadline (first signal +
 *   SLA_ONSITE_S) still ahead of now: neither a success nor a miss yet (issue 14).
 * - decided: alerts - cancelled - pending; the on-site share is of these.
 * - accepted: alerts with an acceptance (also the implicit one of arriving without accepting).
 * - acceptedWithin60s / 180s (the telecare code's measures, issue 14): accepted within 60 s /
 *   180 s of the first signal, as a share of the non-cancelled alerts whose 60 s / 180 s have
 *   passed (or that were accepted within them).
 * - onSiteWithinSlaPct: decided alerts with someone on site within SLA_ONSITE_S. Null when none.
 * - ackBreaches: alerts whose ack timer ran out at some level (ack_breached).
 * - onSiteBreaches: decided alerts without anyone on site within SLA_ONSITE_S (the onsite_breached
 *   flag, a late arrival, or closed without a visit).
 * - nobodyOnDuty: alerts whose tier had nobody on duty when it was paged (the timeline says
 *   "tier N has nobody on duty").
 * - passive alerts (inactivity): detection delay from the last sign of life the rule saw
 *   (quietSince, else lastActivityAt) to the alert, median and p90 — the time-to-accept and
 *   time-on-site figures count from the alert, which is when the product knew.
 * - groups: shift = the local date and shift the first signal fell in ("2026-05-01 night"; the
 *   night that starts on 05-01 keeps that date after midnight), from the routed alert's
 *   shift/shift_date when set, else computed from DAY_SHIFT in GUARDIAN_TZ; responder = who
 *   accepted ('' = nobody accepted); grid = the household's grid; all = one row for the window.
 */
export type ReportGroupBy = 'shift' | 'responder' | 'grid' | 'all';

export interface SlaReportRow {
  key: string;
  label: string;
  alerts: number;
  accepted: number;
  onSite: number;
  cancelled: number;
  pending: number;
  decided: number;
  acceptedWithin60s: number;
  acceptedWithin60sPct: number | null;
  acceptedWithin180s: number;
  acceptedWithin180sPct: number | null;
  acceptMedianS: number | null;
  acceptP90S: number | null;
  onSiteMedianS: number | null;
  onSiteP90S: number | null;
  onSiteWithinSla: number;
  onSiteWithinSlaPct: number | null;
  ackBreaches: number;
  onSiteBreaches: number;
  nobodyOnDuty: number;
  passiveAlerts: number;
  detectionDelayMedianS: number | null;
  detectionDelayP90S: number | null;
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
  /** The service clock's now: alerts whose deadline is still ahead are pending. */
  now: Date;
}

const GROUP: Record<ReportGroupBy, { key: string; label: string }> = {
  shift: { key: `x.shift_day || ' ' || x.shift_name`, label: `x.shift_day || ' ' || x.shift_name` },
  responder: { key: `coalesce(x.accepted_by, '')`, label: `coalesce(x.responder_name, x.accepted_by, '(not accepted)')` },
  grid: { key: `x.grid_key`, label: `coalesce(x.grid_name, x.grid_key)` },
  all: { key: `'all'`, label: `'all'` },
};

export async function slaReport(db: Queryable, q: SlaReportQuery): Promise<SlaReportRow[]> {
  const g = GROUP[q.groupBy];
  // $1 from, $2 to, $3 SLA seconds, $4 time zone, $5 day start, $6 day end, $7 now; then the scope's.
  const params: unknown[] = [q.from, q.to, q.slaOnsiteS, q.timeZone, q.dayStarts, q.dayEnds, q.now];
  const inScope = q.scope ? householdScopeSql(q.scope, 'a.household_id', params, q.now) : null;
  const r = await db.query<SlaReportRow>(
    `WITH base AS (
       SELECT a.*, (a.first_signal_at AT TIME ZONE $4) AS local_at,
              extract(epoch FROM a.accepted_at - a.first_signal_at)::float8 AS tta,
              extract(epoch FROM a.on_site_at - a.first_signal_at)::float8 AS tto,
              extract(epoch FROM $7::timestamptz - a.first_signal_at)::float8 AS age,
              coalesce(a.grid_id, b.grid_id) AS grid_key, r.name AS responder_name,
              (a.state <> 'cancelled' AND a.on_site_at IS NULL AND a.closed_at IS NULL
                 AND a.first_signal_at + make_interval(secs => $3) > $7::timestamptz) AS pending,
              EXISTS (SELECT 1 FROM alert_events e WHERE e.alert_id = a.id AND e.type = 'escalated'
                        AND e.data->>'reason' LIKE '% has nobody on duty') AS nobody,
              CASE WHEN a.kind = 'inactivity' THEN (
                SELECT extract(epoch FROM a.first_signal_at - coalesce((e.data->>'quietSince')::timestamptz, (e.data->>'lastActivityAt')::timestamptz))::float8
                  FROM alert_events e WHERE e.alert_id = a.id AND e.type = 'created' ORDER BY e.id LIMIT 1) END AS detection
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
            count(*) FILTER (WHERE x.pending)::int AS pending,
            count(*) FILTER (WHERE x.state <> 'cancelled' AND NOT x.pending)::int AS decided,
            count(*) FILTER (WHERE x.tta <= 60)::int AS "acceptedWithin60s",
            round(100.0 * count(*) FILTER (WHERE x.tta <= 60)
                  / nullif(count(*) FILTER (WHERE x.state <> 'cancelled' AND (x.tta <= 60 OR x.age >= 60)), 0), 1)::float8 AS "acceptedWithin60sPct",
            count(*) FILTER (WHERE x.tta <= 180)::int AS "acceptedWithin180s",
            round(100.0 * count(*) FILTER (WHERE x.tta <= 180)
                  / nullif(count(*) FILTER (WHERE x.state <> 'cancelled' AND (x.tta <= 180 OR x.age >= 180)), 0), 1)::float8 AS "acceptedWithin180sPct",
            percentile_cont(0.5) WITHIN GROUP (ORDER BY x.tta) AS "acceptMedianS",
            percentile_cont(0.9) WITHIN GROUP (ORDER BY x.tta) AS "acceptP90S",
            percentile_cont(0.5) WITHIN GROUP (ORDER BY x.tto) AS "onSiteMedianS",
            percentile_cont(0.9) WITHIN GROUP (ORDER BY x.tto) AS "onSiteP90S",
            count(*) FILTER (WHERE x.tto <= $3)::int AS "onSiteWithinSla",
            round(100.0 * count(*) FILTER (WHERE x.tto <= $3)
                  / nullif(count(*) FILTER (WHERE x.state <> 'cancelled' AND NOT x.pending), 0), 1)::float8 AS "onSiteWithinSlaPct",
            count(*) FILTER (WHERE x.ack_breached)::int AS "ackBreaches",
            count(*) FILTER (WHERE x.state <> 'cancelled' AND NOT x.pending AND (x.tto IS NULL OR x.tto > $3))::int AS "onSiteBreaches",
            count(*) FILTER (WHERE x.nobody)::int AS "nobodyOnDuty",
            count(*) FILTER (WHERE x.kind = 'inactivity')::int AS "passiveAlerts",
            percentile_cont(0.5) WITHIN GROUP (ORDER BY x.detection) AS "detectionDelayMedianS",
            percentile_cont(0.9) WITHIN GROUP (ORDER BY x.detection) AS "detectionDelayP90S"
       FROM x GROUP BY 1, 2 ORDER BY 1`, params);
  return r.rows;
}
