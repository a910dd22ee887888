import type { Queryable } from './db.js';

export interface QuarantineRow { deviceId: string | null; topic: string; reason: string; size: number; sample: string; receivedAt: Date }

/** Bad input is kept for the engineer, never as a signal (DESIGN §2). One statement per batch. */
export async function insertQuarantine(db: Queryable, rows: QuarantineRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db.query(
    `INSERT INTO quarantine (device_id, topic, reason, size, sample, received_at)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::timestamptz[])`,
    [rows.map((r) => r.deviceId), rows.map((r) => r.topic.slice(0, 256)), rows.map((r) => r.reason.slice(0, 200)),
     rows.map((r) => r.size), rows.map((r) => r.sample), rows.map((r) => r.receivedAt)]);
}

export async function countQuarantine(db: Queryable, deviceId?: string): Promise<number> {
  const r = deviceId
    ? await db.query(`SELECT count(*)::int AS n FROM quarantine WHERE device_id = $1`, [deviceId])
    : await db.query(`SELECT count(*)::int AS n FROM quarantine`);
  return r.rows[0].n;
}
