import type { PresenceConfirmation, PresenceSignal } from '../domain/presence-confirmation.js';
import type { Queryable } from './db.js';

/**
 * Presence confirmation beside an arrive press (issue 15 item 5): the home's door, button and
 * presence signals in a window, and the `presence` rows of the alert timeline.
 */
export async function presenceSignals(db: Queryable, householdId: string, from: Date, to: Date): Promise<PresenceSignal[]> {
  const r = await db.query<{ device_id: string; kind: string | null; type: string; value: unknown; ts: Date }>(
    `SELECT s.device_id, d.kind, s.type, s.value, s.ts
       FROM signals s LEFT JOIN devices d ON d.id = s.device_id
      WHERE s.household_id = $1 AND s.ts BETWEEN $2 AND $3 AND s.type IN ('door', 'button', 'sos', 'cancel', 'presence')
      ORDER BY s.ts`,
    [householdId, from, to]);
  return r.rows.map((row) => ({ deviceId: row.device_id, deviceKind: row.kind ?? 'unknown', type: row.type, value: row.value, at: row.ts }));
}

export interface PresenceRecord { confirmed: boolean; arriveAt: string; windowS: number }

/** The alert's presence rows, oldest first (one at the arrive press, perhaps one later). */
export async function presenceRecords(db: Queryable, alertId: string): Promise<PresenceRecord[]> {
  const r = await db.query<{ data: PresenceRecord }>(`SELECT data FROM alert_events WHERE alert_id = $1 AND type = 'presence' ORDER BY id`, [alertId]);
  return r.rows.map((row) => row.data);
}

export async function recordPresence(
  db: Queryable, alertId: string, actor: string, at: Date,
  data: { arriveAt: Date; windowS: number; confirmation: PresenceConfirmation | null },
): Promise<void> {
  await db.query(`INSERT INTO alert_events (alert_id, at, actor, type, data) VALUES ($1, $2, $3, 'presence', $4)`, [
    alertId, at, actor,
    { confirmed: data.confirmation !== null, arriveAt: data.arriveAt.toISOString(), windowS: data.windowS, ...(data.confirmation ?? {}) },
  ]);
}
