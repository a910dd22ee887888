import type { Scope } from '../domain/access-scope.js';
import { LIVE_STATES } from '../domain/alert-kinds.js';
import type { Queryable } from './db.js';
import { communityScopeSql } from './scope-sql.js';

/**
 * The street overview (issue 17 item 3): per community of the caller's scope, at a glance —
 * open alerts by severity and the oldest, the last 24 hours' SLA figures against the
 * community's own on-site target, and the roster gaps the dispatcher reported this shift.
 */
export interface CommunityOverviewRow {
  communityId: string; name: string; streetId: string | null; streetName: string | null;
  households: number; openCritical: number; openHigh: number; openMaintenance: number; oldestOpenAt: Date | null;
  slaOnsiteS: number; alerts24h: number; onSiteWithinSla24h: number; onSiteWithinSlaPct24h: number | null;
  acceptMedianS24h: number | null; onSiteBreaches24h: number; ackBreaches24h: number;
  rosterGaps: Array<{ gridId: string; gridName: string; role: string; shift: string; shiftDate: string }>;
}

export async function communityOverview(db: Queryable, p: { scope: Scope; now: Date; defaultSlaOnsiteS: number; streetId?: string; limit: number; offset: number }) {
  const params: unknown[] = [p.now, LIVE_STATES, p.defaultSlaOnsiteS];
  const where = ['c.retired_at IS NULL'];
  const s = communityScopeSql(p.scope, 'c.id', params);
  if (s) where.push(s);
  if (p.streetId) { params.push(p.streetId); where.push(`c.street_id = $${params.length}`); }
  const w = `WHERE ${where.join(' AND ')}`;
  // The first three parameters belong to the main query; named here too so their types are known.
  const total = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM communities c, (SELECT $1::timestamptz, $2::text[], $3::int) p ${w}`, params)).rows[0]!.n;
  const r = await db.query<CommunityOverviewRow>(
    `WITH homes AS (
       SELECT h.id, g.community_id FROM households h JOIN buildings b ON b.id = h.building_id JOIN grids g ON g.id = b.grid_id
     )
     SELECT c.id AS "communityId", c.name, c.street_id AS "streetId", st.name AS "streetName",
            (SELECT count(*)::int FROM households h JOIN buildings b ON b.id = h.building_id JOIN grids g ON g.id = b.grid_id
              WHERE g.community_id = c.id AND h.retired_at IS NULL) AS households,
            COALESCE(o.critical, 0) AS "openCritical", COALESCE(o.high, 0) AS "openHigh", COALESCE(o.maintenance, 0) AS "openMaintenance",
            o.oldest AS "oldestOpenAt",
            COALESCE(c.sla_onsite_s, $3)::int AS "slaOnsiteS",
            COALESCE(k.alerts, 0) AS "alerts24h", COALESCE(k.within, 0) AS "onSiteWithinSla24h",
            round(100.0 * k.within / nullif(k.not_cancelled, 0), 1)::float8 AS "onSiteWithinSlaPct24h",
            k.accept_median AS "acceptMedianS24h", COALESCE(k.onsite_breaches, 0) AS "onSiteBreaches24h", COALESCE(k.ack_breaches, 0) AS "ackBreaches24h",
            COALESCE((SELECT json_agg(json_build_object('gridId', rg.grid_id, 'gridName', g.name, 'role', rg.role, 'shift', rg.shift,
                        'shiftDate', to_char(rg.shift_date, 'YYYY-MM-DD')) ORDER BY g.name, rg.role)
                        FROM roster_gap_reports rg JOIN grids g ON g.id = rg.grid_id
                       WHERE g.community_id = c.id AND rg.reported_at > $1::timestamptz - interval '12 hours'), '[]') AS "rosterGaps"
       FROM communities c
       LEFT JOIN streets st ON st.id = c.street_id
       LEFT JOIN LATERAL (
         SELECT count(*) FILTER (WHERE a.severity = 'critical')::int AS critical, count(*) FILTER (WHERE a.severity = 'high')::int AS high,
                count(*) FILTER (WHERE a.severity = 'maintenance')::int AS maintenance, min(a.first_signal_at) AS oldest
           FROM alerts a JOIN homes ON homes.id = a.household_id
          WHERE homes.community_id = c.id AND a.state = ANY($2::text[])
       ) o ON true
       LEFT JOIN LATERAL (
         SELECT count(*)::int AS alerts,
                count(*) FILTER (WHERE a.on_site_at - a.first_signal_at <= make_interval(secs => COALESCE(c.sla_onsite_s, $3)))::int AS within,
                count(*) FILTER (WHERE a.state <> 'cancelled')::int AS not_cancelled,
                percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM a.accepted_at - a.first_signal_at)) AS accept_median,
                count(*) FILTER (WHERE a.onsite_breached OR a.on_site_at - a.first_signal_at > make_interval(secs => COALESCE(c.sla_onsite_s, $3)))::int AS onsite_breaches,
                count(*) FILTER (WHERE a.ack_breached)::int AS ack_breaches
           FROM alerts a JOIN homes ON homes.id = a.household_id
          WHERE homes.community_id = c.id AND a.severity IN ('critical', 'high')
            AND a.first_signal_at >= $1::timestamptz - interval '24 hours' AND a.first_signal_at < $1::timestamptz
       ) k ON true
       ${w}
      ORDER BY (COALESCE(o.critical, 0) + COALESCE(o.high, 0)) DESC, st.name NULLS LAST, c.name, c.id
      LIMIT $${params.length + 1} OFFSET $${params.length + 2}`, [...params, p.limit, p.offset]);
  return { items: r.rows, total };
}
