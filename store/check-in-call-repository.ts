import type { Queryable } from './db.js';

/**
 * The staged check-in's phone call to the resident (issue 19 item 4, migration 013): whom to
 * call, the notifications row of the call (no alert yet: alert_id NULL, purpose 'check_in'),
 * and what an answer or a skipped call does to the check.
 */

export interface ResidentToCall {
  householdId: string; phone: string | null; name: string;
  unit: string; address: string; buildingName: string; communityId: string;
}

/** The home's phone, else the first resident's (by id); null phone when neither is on file. */
export async function residentToCall(db: Queryable, householdId: string): Promise<ResidentToCall | null> {
  const r = await db.query<ResidentToCall>(
    `SELECT h.id AS "householdId", h.unit, h.address, b.name AS "buildingName", g.community_id AS "communityId",
            COALESCE(NULLIF(btrim(h.phone), ''),
                     (SELECT NULLIF(btrim(r.phone), '') FROM residents r WHERE r.household_id = h.id AND NULLIF(btrim(r.phone), '') IS NOT NULL ORDER BY r.id LIMIT 1)) AS phone,
            COALESCE((SELECT r.name FROM residents r WHERE r.household_id = h.id ORDER BY r.id LIMIT 1), '') AS name
       FROM households h JOIN buildings b ON b.id = h.building_id JOIN grids g ON g.id = b.grid_id
      WHERE h.id = $1`, [householdId]);
  return r.rows[0] ?? null;
}

/** The call's row, 'pending', tied to the household's open check so its callbacks find the check. */
export async function claimCheckInCall(db: Queryable, c: { householdId: string; channel: string; target: string; at: Date }): Promise<number | null> {
  const r = await db.query<{ id: number }>(
    `WITH n AS (
       INSERT INTO notifications (alert_id, round, purpose, channel, target, status, at)
       SELECT NULL, 'check_in:' || $1, 'check_in', $2, $3, 'pending', $4
        WHERE EXISTS (SELECT 1 FROM inactivity_checks WHERE household_id = $1)
       RETURNING id
     ),
     tied AS (UPDATE inactivity_checks SET call_notification_id = (SELECT id FROM n) WHERE household_id = $1 AND EXISTS (SELECT 1 FROM n))
     SELECT id FROM n`,
    [c.householdId, c.channel, c.target, c.at]);
  return r.rows[0]?.id ?? null;
}

/**
 * The resident answered the check-in call (picked up, or pressed a key): the check stands down
 * with a visits note, and the home counts as active now — someone answered at home's number.
 * Null when the row is no check-in call or its check is already gone (alert open, or stood down).
 */
export async function answerCheckInCall(db: Queryable, notificationId: number, at: Date, note: string): Promise<string | null> {
  const r = await db.query<{ householdId: string }>(
    `WITH gone AS (
       DELETE FROM inactivity_checks WHERE call_notification_id = $1 RETURNING household_id
     ),
     noted AS (INSERT INTO visits (household_id, kind, at, note) SELECT household_id, 'check_in', $2, $3 FROM gone),
     active AS (
       UPDATE households h SET last_activity_at = GREATEST(COALESCE(h.last_activity_at, $2), $2)
         FROM gone WHERE h.id = gone.household_id
     )
     SELECT household_id AS "householdId" FROM gone`,
    [notificationId, at, note]);
  return r.rows[0]?.householdId ?? null;
}

/** The call stage cannot run (no phone, no voice channel, the call failed): note why, and let the alert come now. */
export async function skipCallStage(db: Queryable, householdId: string, now: Date, note: string): Promise<void> {
  await db.query(
    `WITH up AS (UPDATE inactivity_checks SET deadline_at = $2 WHERE household_id = $1 RETURNING household_id)
     INSERT INTO visits (household_id, kind, at, note) SELECT household_id, 'check_in', $2, $3 FROM up`,
    [householdId, now, note]);
}

/** The check-in notes since the check began: the stages, for the alert's created event. */
export async function checkInNotesSince(db: Queryable, householdId: string, since: Date): Promise<{ at: string; note: string }[]> {
  const r = await db.query<{ at: Date; note: string }>(
    `SELECT at, note FROM visits WHERE household_id = $1 AND kind = 'check_in' AND at >= $2 ORDER BY at, id`, [householdId, since]);
  return r.rows.map((x) => ({ at: x.at.toISOString(), note: x.note }));
}

export function recordCallSent(db: Queryable, id: number, r: { status: 'sent' | 'failed' | 'skipped'; error: string | null; attempts: number; at: Date; provider: string | null; messageId: string | null }): Promise<unknown> {
  return db.query(
    `UPDATE notifications SET status = $2, error = $3, attempts = $4, sent_at = $5, provider = $6, provider_message_id = $7 WHERE id = $1`,
    [id, r.status, r.error, r.attempts, r.status === 'sent' ? r.at : null, r.provider, r.messageId]);
}

export async function addCheckInNote(db: Queryable, householdId: string, at: Date, note: string): Promise<void> {
  await db.query(`INSERT INTO visits (household_id, kind, at, note) VALUES ($1, 'check_in', $2, $3)`, [householdId, at, note]);
}
