import type { Queryable } from './db.js';

export interface ActivityBucket { bucket: Date; events: number }

/**
 * A home's hourly activity since `since` from `activity_hourly` (DESIGN §7): the TimescaleDB
 * continuous aggregate, or on plain PostgreSQL the view of the same name and columns.
 */
export async function hourlyActivity(db: Queryable, householdId: string, since: Date): Promise<ActivityBucket[]> {
  const r = await db.query<ActivityBucket>(
    `SELECT bucket, events::int AS events FROM activity_hourly
      WHERE household_id = $1 AND bucket >= $2 ORDER BY bucket`, [householdId, since]);
  return r.rows;
}
