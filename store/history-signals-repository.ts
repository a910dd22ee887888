import type { Queryable } from './db.js';

/**
 * Bulk-writes past activity signals (a simulated history before `simulate day`, issue 19) and
 * sets each home's last activity from them — 20,000 rows per statement, no MQTT.
 */
export interface PastSignal { ts: Date; deviceId: string; householdId: string; eventId: string; type: string; value: unknown; room: string | null }

const CHUNK = 20_000;

export async function insertPastSignals(db: Queryable, rows: readonly PastSignal[]): Promise<number> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    const part = rows.slice(i, i + CHUNK);
    await db.query(
      `INSERT INTO signals (ts, received_at, device_ts, device_id, household_id, event_id, type, value, room)
       SELECT t.ts, t.ts, t.ts, t.device_id, t.household_id, t.event_id, t.type, t.value, t.room
         FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], $6::jsonb[], $7::text[])
              AS t(ts, device_id, household_id, event_id, type, value, room)`,
      [part.map((r) => r.ts), part.map((r) => r.deviceId), part.map((r) => r.householdId), part.map((r) => r.eventId),
        part.map((r) => r.type), part.map((r) => JSON.stringify(r.value)), part.map((r) => r.room)]);
  }
  await db.query(
    `UPDATE households h SET last_activity_at = s.last
       FROM (SELECT household_id, max(ts) AS last FROM signals WHERE household_id = ANY($1::text[]) GROUP BY household_id) s
      WHERE h.id = s.household_id AND (h.last_activity_at IS NULL OR h.last_activity_at < s.last)`,
    [[...new Set(rows.map((r) => r.householdId))]]);
  return rows.length;
}
