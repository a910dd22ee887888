import type { Queryable } from './db.js';

/**
 * One-time sign-in links (issue 16: "a link in the SMS opens the phone view on that alert,
 * signed in by a one-time token"): short-lived, single use, and only SHA-256(token) is kept,
 * like sessions, so a database leak cannot be replayed as a login.
 */
export async function createOneTimeLink(db: Queryable, l: { tokenHash: Buffer; userId: number; alertId: string; notificationId: number | null; at: Date; ttlS: number }): Promise<void> {
  await db.query(
    `INSERT INTO one_time_links (token_hash, user_id, alert_id, notification_id, created_at, expires_at)
     VALUES ($1, $2, $3, $4, $5::timestamptz, $5::timestamptz + make_interval(secs => $6::double precision))`,
    [l.tokenHash, l.userId, l.alertId, l.notificationId, l.at, l.ttlS]);
}

export interface ConsumedLink { userId: number; alertId: string; username: string; role: string }

/**
 * Uses a link: at most once (the UPDATE's WHERE is the compare-and-set), only before it expires,
 * only for an enabled user. Null for unknown, used, expired or disabled.
 */
export async function consumeOneTimeLink(db: Queryable, tokenHash: Buffer, at: Date): Promise<ConsumedLink | null> {
  const r = await db.query<ConsumedLink>(
    `UPDATE one_time_links l SET used_at = $2
       FROM users u
      WHERE l.token_hash = $1 AND l.used_at IS NULL AND l.expires_at > $2 AND u.id = l.user_id AND NOT u.disabled
      RETURNING l.user_id AS "userId", l.alert_id AS "alertId", u.username, u.role`, [tokenHash, at]);
  return r.rows[0] ?? null;
}

/** Housekeeping: links past their expiry (used or not) are useless. */
export async function deleteExpiredLinks(db: Queryable, before: Date): Promise<number> {
  const r = await db.query(`DELETE FROM one_time_links WHERE expires_at <= $1`, [before]);
  return r.rowCount ?? 0;
}

/** The enabled account linked to a responder (users.responder_id), if any. */
export async function userOfResponder(db: Queryable, responderId: string): Promise<{ id: number } | null> {
  const r = await db.query<{ id: number }>(
    `SELECT id FROM users WHERE responder_id = $1 AND NOT disabled ORDER BY id LIMIT 1`, [responderId]);
  return r.rows[0] ?? null;
}
