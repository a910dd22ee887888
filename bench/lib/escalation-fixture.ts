import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { seedDispatchCommunity, type Community } from '../../test/helpers/dispatcher-fixtures.js';
import type { TestDb } from '../../test/helpers/db.js';

/**
 * A community with responders on every tier (test/helpers/dispatcher-fixtures.ts) and `count`
 * households in it, each with a notified SOS alert at level 0 whose ack timeout is due at
 * `dueAt(i)` — as the route worker leaves an alert after paging tier 1.
 */
export async function seedAlertsWithAckTimers(pool: pg.Pool, count: number, ackTimeoutS: number, dueAt: (i: number) => Date): Promise<{ community: Community; alerts: Array<{ id: string; dueAt: Date }> }> {
  const community = await seedDispatchCommunity({ pool } as unknown as TestDb);
  const building = `bA-${community.suffix}`;
  const alerts = Array.from({ length: count }, (_, i) => ({ id: randomUUID(), householdId: `h-${community.suffix}-b${i}`, dueAt: dueAt(i) }));
  for (let i = 0; i < count; i += 5000) {
    const chunk = alerts.slice(i, i + 5000);
    await pool.query(`INSERT INTO households (id, building_id, unit, address) SELECT h, $2, h, 'bench road' FROM unnest($1::text[]) AS h`,
      [chunk.map((a) => a.householdId), building]);
    await pool.query(
      `INSERT INTO alerts (id, household_id, kind, severity, state, level, first_signal_at, last_signal_at, opened_at, routed_at, notified_at, level_started_at)
       SELECT a.id, a.h, 'sos', 'critical', 'notified', 0, now(), now(), now(), now(), now(), a.due - make_interval(secs => $4)
         FROM unnest($1::uuid[], $2::text[], $3::timestamptz[]) AS a(id, h, due)`,
      [chunk.map((a) => a.id), chunk.map((a) => a.householdId), chunk.map((a) => a.dueAt), ackTimeoutS]);
  }
  return { community, alerts: alerts.map(({ id, dueAt: d }) => ({ id, dueAt: d })) };
}
