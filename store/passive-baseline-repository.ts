import type pg from 'pg';
import { inTransaction } from './db.js';
import { silenceKeySql } from './silence-key-sql.js';

/**
 * Each home's rhythm learned from its own signals (issue 19 item 1), in SQL over `signals` and
 * `activity_hourly` (a view on plain PostgreSQL, the continuous aggregate on TimescaleDB — the
 * same columns). `now` comes from the caller's clock; the window is the 28 days before it.
 * Whole-table refresh in one transaction: readers see yesterday's baselines or today's, never half.
 */

export const BASELINE_DAYS = 28;
const ACTIVITY_TYPES = ['motion', 'door', 'bed', 'presence', 'water_use', 'button'];

export interface BaselineRefresh { households: number; rows: number; enough: number }

/** When the baselines were last learned (null: never), so a restart need not relearn them. */
export async function lastBaselineRefresh(db: pg.Pool | pg.PoolClient): Promise<Date | null> {
  const r = await db.query<{ at: Date | null }>(`SELECT max(computed_at) AS at FROM household_rhythm`);
  return r.rows[0]?.at ?? null;
}

export async function refreshBaselines(pool: pg.Pool, p: { now: Date; tz: string; minHistoryDays: number }): Promise<BaselineRefresh> {
  return inTransaction(pool, async (tx) => {
    // One refresh at a time (a start and the daily job, or two dispatchers): without the lock the
    // second one's DELETE does not see the first one's new rows and its INSERT hits their keys.
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('guardian:refresh-baselines'))`);
    await tx.query(`DELETE FROM household_silence_baselines`);
    // Silence after a sign of life: the gap from each activity signal to the home's next one,
    // by the room of the signal (or "in bed") and its local hour.
    const rows = await tx.query(
      `WITH s AS (
         SELECT household_id, ts, ${silenceKeySql('sg')} AS room,
                lead(ts) OVER (PARTITION BY household_id ORDER BY ts) AS next_ts
           FROM signals sg
          WHERE ts >= $1::timestamptz - make_interval(days => $3) AND ts < $1 AND type = ANY($4)
       )
       INSERT INTO household_silence_baselines (household_id, room, hour, samples, gap_p50_s, gap_p99_s)
       SELECT household_id, room, extract(hour FROM ts AT TIME ZONE $2)::smallint, count(*),
              round(percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM next_ts - ts))),
              round(percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM next_ts - ts)))
         FROM s WHERE next_ts IS NOT NULL
        GROUP BY 1, 2, 3`,
      [p.now, p.tz, BASELINE_DAYS, ACTIVITY_TYPES]);

    // Wake-up: per local day, the last signal between 03:30 and 11:00 that ends at least 2 h
    // of silence (a night bathroom trip an hour before waking is then the one picked — early
    // by < 1 h, on the safe side). Bedtime: the first signal after 19:00 followed by ≥ 3 h of silence.
    await tx.query(
      `WITH s AS (
         SELECT household_id, ts AT TIME ZONE $2 AS lt,
                ts - lag(ts) OVER w AS before, lead(ts) OVER w - ts AS after
           FROM signals
          WHERE ts >= $1::timestamptz - make_interval(days => $3) AND ts < $1 AND type = ANY($4)
         WINDOW w AS (PARTITION BY household_id ORDER BY ts)
       ),
       days AS (SELECT household_id, count(DISTINCT lt::date)::int AS n FROM s GROUP BY 1),
       wake AS (
         SELECT household_id, lt::date AS d, max(extract(epoch FROM lt::time) / 60) AS m
           FROM s WHERE lt::time BETWEEN '03:30' AND '11:00' AND before >= interval '2 hours'
          GROUP BY 1, 2
       ),
       bed AS (
         SELECT household_id, (lt - interval '12 hours')::date AS d,
                min(extract(epoch FROM lt::time) / 60 + CASE WHEN lt::time < '12:00' THEN 1440 ELSE 0 END) AS m
           FROM s WHERE (lt::time >= '19:00' OR lt::time < '03:00') AND after >= interval '3 hours'
          GROUP BY 1, 2
       ),
       how_k AS (
         SELECT household_id,
                (extract(isodow FROM bucket AT TIME ZONE $2)::int - 1) * 24 + extract(hour FROM bucket AT TIME ZONE $2)::int AS k,
                sum(events)::real / ($3 / 7.0) AS e
           FROM activity_hourly
          WHERE bucket >= $1::timestamptz - make_interval(days => $3) AND bucket < $1
          GROUP BY 1, 2
       ),
       how AS (
         SELECT hh.household_id, array_agg(COALESCE(x.e, 0)::real ORDER BY k.k) AS a
           FROM (SELECT DISTINCT household_id FROM s) hh
          CROSS JOIN generate_series(0, 167) AS k(k)
           LEFT JOIN how_k x ON x.household_id = hh.household_id AND x.k = k.k
          GROUP BY hh.household_id
       )
       INSERT INTO household_rhythm (household_id, history_days, enough_history, wake_median_min, wake_p99_min, bed_median_min, activity_by_how, computed_at)
       SELECT h.id, COALESCE(days.n, 0), COALESCE(days.n, 0) >= $5,
              (SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY m)) FROM wake w WHERE w.household_id = h.id),
              (SELECT round(percentile_cont(0.99) WITHIN GROUP (ORDER BY m)) FROM wake w WHERE w.household_id = h.id),
              (SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY m)) FROM bed b WHERE b.household_id = h.id),
              COALESCE(how.a, '{}'), $1
         FROM households h
         LEFT JOIN days ON days.household_id = h.id
         LEFT JOIN how ON how.household_id = h.id
       ON CONFLICT (household_id) DO UPDATE SET
         history_days = EXCLUDED.history_days, enough_history = EXCLUDED.enough_history,
         wake_median_min = EXCLUDED.wake_median_min, wake_p99_min = EXCLUDED.wake_p99_min,
         bed_median_min = EXCLUDED.bed_median_min, activity_by_how = EXCLUDED.activity_by_how,
         computed_at = EXCLUDED.computed_at`,
      [p.now, p.tz, BASELINE_DAYS, ACTIVITY_TYPES, p.minHistoryDays]);
    const c = await tx.query<{ n: number; e: number }>(`SELECT count(*)::int AS n, count(*) FILTER (WHERE enough_history)::int AS e FROM household_rhythm`);
    return { households: c.rows[0]!.n, rows: rows.rowCount ?? 0, enough: c.rows[0]!.e };
  });
}

export interface RoomBaseline { room: string; hour: number; samples: number; gapP50S: number; gapP99S: number }
export interface HouseholdRhythm {
  householdId: string; historyDays: number; enoughHistory: boolean;
  wakeMedianMin: number | null; wakeP99Min: number | null; bedMedianMin: number | null;
  activityByHow: number[]; computedAt: Date;
}

/** A home's learned rhythm and baselines (household file, tests); null before the first refresh. */
export async function loadRhythm(db: pg.Pool | pg.PoolClient, householdId: string): Promise<{ rhythm: HouseholdRhythm; baselines: RoomBaseline[] } | null> {
  const r = await db.query<HouseholdRhythm>(
    `SELECT household_id AS "householdId", history_days AS "historyDays", enough_history AS "enoughHistory",
            wake_median_min AS "wakeMedianMin", wake_p99_min AS "wakeP99Min", bed_median_min AS "bedMedianMin",
            activity_by_how AS "activityByHow", computed_at AS "computedAt"
       FROM household_rhythm WHERE household_id = $1`, [householdId]);
  if (!r.rows[0]) return null;
  const b = await db.query<RoomBaseline>(
    `SELECT room, hour, samples, gap_p50_s AS "gapP50S", gap_p99_s AS "gapP99S"
       FROM household_silence_baselines WHERE household_id = $1 ORDER BY room, hour`, [householdId]);
  return { rhythm: r.rows[0], baselines: b.rows };
}
