import { LIVE_STATES, PERSON_ALERT_KINDS } from '../domain/alert-kinds.js';
import type { Queryable } from './db.js';

const LIVE = `a.state IN (${LIVE_STATES.map((s) => `'${s}'`).join(', ')})`;
/** The marker in the check-in note that makes "no water" a once-a-day check per home. */
export const NO_WATER_MARK = '[no_water]';

export interface WaterMorningCandidate {
  householdId: string;
  /** Local minute of the first water use of each of the last 28 days that had one. */
  firstUseMins: number[];
  historyDays: number;
  usedToday: boolean;
  away: boolean;
  /** Type of the last activity signal today (the front door = gone out), null when none. */
  lastTypeToday: string | null;
  lastActivityAt: Date | null;
}

/**
 * Homes with a water meter that may be judged for "no water all morning" (issue 19 item 3): no
 * check under way, no live inactivity/wandering alert, and no such check already today (the mark
 * in the visits note). One indexed pass per home over its last 28 days of water signals.
 */
export async function waterMorningCandidates(db: Queryable, p: { now: Date; dayStart: Date; tz: string; activityTypes: readonly string[] }): Promise<WaterMorningCandidate[]> {
  const r = await db.query<WaterMorningCandidate>(
    `SELECT h.id AS "householdId", h.last_activity_at AS "lastActivityAt",
            COALESCE((SELECT array_agg(m ORDER BY m) FROM (
               SELECT min(extract(hour FROM s.ts AT TIME ZONE $3) * 60 + extract(minute FROM s.ts AT TIME ZONE $3))::int AS m
                 FROM signals s WHERE s.household_id = h.id AND s.type = 'water_use'
                  AND s.ts >= $2::timestamptz - interval '28 days' AND s.ts < $2
                GROUP BY (s.ts AT TIME ZONE $3)::date) x), '{}') AS "firstUseMins",
            (SELECT count(DISTINCT (s.ts AT TIME ZONE $3)::date)::int FROM signals s
              WHERE s.household_id = h.id AND s.ts >= $2::timestamptz - interval '28 days' AND s.ts < $2) AS "historyDays",
            EXISTS (SELECT 1 FROM signals s WHERE s.household_id = h.id AND s.type = 'water_use' AND s.ts >= $2 AND s.ts <= $1) AS "usedToday",
            COALESCE(t.away_until > $1, false) AS away,
            (SELECT s.type FROM signals s WHERE s.household_id = h.id AND s.ts >= $2 AND s.ts <= $1 AND s.type = ANY($4::text[])
              ORDER BY s.ts DESC LIMIT 1) AS "lastTypeToday"
       FROM households h LEFT JOIN household_passive_tuning t ON t.household_id = h.id
      WHERE EXISTS (SELECT 1 FROM devices d WHERE d.household_id = h.id AND d.kind = 'water_meter' AND d.revoked_at IS NULL)
        AND NOT EXISTS (SELECT 1 FROM inactivity_checks c WHERE c.household_id = h.id)
        -- A person alert live, or raised today: someone has been (or is going) to the door, and the
        -- morning's routine is broken for a reason already known.
        AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.household_id = h.id AND a.kind = ANY($6::text[]) AND (${LIVE} OR a.first_signal_at >= $2))
        AND NOT EXISTS (SELECT 1 FROM visits v WHERE v.household_id = h.id AND v.kind = 'check_in' AND v.at >= $2
                           AND position($5 in v.note) > 0)
      ORDER BY h.id`,
    [p.now, p.dayStart, p.tz, p.activityTypes, NO_WATER_MARK, PERSON_ALERT_KINDS]);
  return r.rows;
}
