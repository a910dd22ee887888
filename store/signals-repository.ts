import type { Queryable } from './db.js';

/** One device event ready to store (already validated and attributed to its household). */
export interface SignalRow {
  deviceId: string;
  householdId: string;
  eventId: string;
  type: string;
  ts: Date;
  deviceTs: Date;
  receivedAt: Date;
  value: unknown;
  battery: number | null;
  rssi: number | null;
  confidence: number | null;
  room: string | null;
  /** True for motion/door/bed/… : bumps the household's last_activity_at. */
  activity: boolean;
}

const clampSmallint = (n: number | null) => (n === null ? null : Math.max(-32768, Math.min(32767, Math.round(n))));

/**
 * Stores a batch of signals with one round trip: dedupe against the last 24 h (DESIGN §2),
 * insert the fresh ones, and bump households.last_activity_at. Returns how many were new.
 * Duplicates inside the batch are folded by DISTINCT ON before they reach ON CONFLICT.
 */
export async function insertSignals(db: Queryable, rows: SignalRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const r = await db.query<{ n: number }>({ name: 'insert-signals-count', text: insertSignalsSql('SELECT count(*)::int AS n FROM stored'), values: signalParams(rows) });
  return r.rows[0]?.n ?? 0;
}

/** The dedupe key of a signal (DESIGN §2: event ids are unique per device). */
export const signalKey = (deviceId: string, eventId: string) => `${deviceId}\u0000${eventId}`;

/**
 * The signal-storing CTEs (input, fresh, stored, activity) with $1-$13 = signalParams(rows), then
 * `rest`: more CTEs (starting with a comma) and the final SELECT. Statements that build on it are
 * named (prepared), so they are parsed once per connection, not on every batch.
 */
export function insertSignalsSql(rest: string): string {
  return `WITH input AS (
       SELECT DISTINCT ON (device_id, event_id) *
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[],
                     $7::timestamptz[], $8::jsonb[], $9::smallint[], $10::smallint[], $11::real[], $12::text[], $13::boolean[])
              AS t(device_id, household_id, event_id, type, ts, device_ts, received_at, value, battery, rssi, confidence, room, activity)
     ),
     fresh AS (
       INSERT INTO signal_dedupe (device_id, event_id, seen_at)
       SELECT device_id, event_id, received_at FROM input
       ON CONFLICT (device_id, event_id) DO UPDATE SET seen_at = EXCLUDED.seen_at
         WHERE signal_dedupe.seen_at < EXCLUDED.seen_at - interval '24 hours'
       RETURNING device_id, event_id
     ),
     stored AS (
       INSERT INTO signals (ts, received_at, device_ts, device_id, household_id, event_id, type, value, battery, rssi, confidence, room)
       SELECT i.ts, i.received_at, i.device_ts, i.device_id, i.household_id, i.event_id, i.type, i.value, i.battery, i.rssi, i.confidence, i.room
         FROM input i JOIN fresh f USING (device_id, event_id)
       RETURNING device_id, event_id
     ),
     activity AS (
       UPDATE households h SET last_activity_at = GREATEST(h.last_activity_at, a.at)
         FROM (SELECT i.household_id, max(i.ts) AS at FROM input i JOIN fresh f USING (device_id, event_id)
                WHERE i.activity GROUP BY i.household_id) a
        WHERE h.id = a.household_id
     )
     ${rest}`;
}

export function signalParams(rows: SignalRow[]): unknown[] {
  return [rows.map((r) => r.deviceId), rows.map((r) => r.householdId), rows.map((r) => r.eventId), rows.map((r) => r.type),
    rows.map((r) => r.ts), rows.map((r) => r.deviceTs), rows.map((r) => r.receivedAt),
    rows.map((r) => (r.value === undefined ? null : JSON.stringify(r.value))),
    rows.map((r) => clampSmallint(r.battery)), rows.map((r) => clampSmallint(r.rssi)),
    rows.map((r) => r.confidence), rows.map((r) => r.room), rows.map((r) => r.activity)];
}

/** Forgets dedupe keys older than 24 h (run periodically; the table stays small). */
export async function pruneDedupe(db: Queryable): Promise<number> {
  const r = await db.query(`DELETE FROM signal_dedupe WHERE seen_at < now() - interval '25 hours'`);
  return r.rowCount ?? 0;
}

export async function recentSignals(db: Queryable, householdId: string, limit = 100) {
  const r = await db.query(
    `SELECT ts, received_at AS "receivedAt", device_id AS "deviceId", event_id AS "eventId", type, value, battery, room
       FROM signals WHERE household_id = $1 ORDER BY ts DESC LIMIT $2`, [householdId, limit]);
  return r.rows;
}
