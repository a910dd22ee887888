import { wallClock, type Clock } from '../domain/clock.js';
import type { Queryable } from './db.js';
import { usesTimescale } from './timescale-state.js';

/**
 * The TimescaleDB continuous aggregate `activity_hourly` (migration 002, retention in 007).
 *
 * Its policy refreshes only the last 7 days, so history that arrives older than that — a
 * restore, an import, a database migrated onto TimescaleDB with signals already in it — is never
 * materialized by the policy; and a refresh that reaches into the hour in progress moves the
 * watermark past now, after which that hour is served from the stale materialization instead of
 * live from `signals` (issue 22). So we materialize everything up to the start of the current
 * hour and leave the hour in progress to real-time aggregation.
 */
const HOUR_MS = 3_600_000;

/**
 * The end of the last complete 1-hour bucket at `nowMs`. time_bucket('1 hour') buckets are whole
 * UTC hours (its origin, 2000-01-03 00:00 UTC, is on an hour), so this is the hour's start.
 */
export function lastCompleteBucketEnd(nowMs: number): Date {
  return new Date(Math.floor(nowMs / HOUR_MS) * HOUR_MS);
}

/** Whether this database has activity_hourly as a continuous aggregate (TimescaleDB). */
export async function activityIsContinuousAggregate(db: Queryable): Promise<boolean> {
  // timescaledb_information exists only where the extension is installed: ask in that order.
  if (!(await usesTimescale(db))) return false;
  const r = await db.query(`SELECT 1 FROM timescaledb_information.continuous_aggregates WHERE view_name = 'activity_hourly'`);
  return (r.rowCount ?? 0) > 0;
}

/**
 * Materializes activity_hourly from the oldest signal up to the last complete hour. Only ranges
 * that changed since they were last materialized are recomputed, so it is cheap when there is
 * nothing to do. Must run outside a transaction (TimescaleDB refuses the call inside one).
 * Returns the window end, or null when the database has no continuous aggregate.
 */
export async function materializeActivity(db: Queryable, clock: Clock = wallClock): Promise<Date | null> {
  if (!(await activityIsContinuousAggregate(db))) return null;
  const end = lastCompleteBucketEnd(clock.nowMs());
  await db.query(`CALL refresh_continuous_aggregate('activity_hourly', NULL, $1::timestamptz)`, [end.toISOString()]);
  return end;
}
