import type { UserRow } from './users-repository.js';
import type { Queryable } from './db.js';

/**
 * Console sessions. Only SHA-256(token) is stored, so a leaked database or backup cannot be
 * replayed as a login; tokens are 256-bit random, so a plain hash is enough (no KDF needed).
 */
export async function createSession(db: Queryable, tokenHash: Buffer, userId: number, ttlHours: number): Promise<Date> {
  const r = await db.query<{ expiresAt: Date }>(
    `INSERT INTO sessions (token_hash, user_id, expires_at)
     VALUES ($1, $2, now() + make_interval(secs => $3::double precision))
     RETURNING expires_at AS "expiresAt"`,
    [tokenHash, userId, ttlHours * 3600]);
  return r.rows[0]!.expiresAt;
}

/** The user behind a live session; null when unknown, expired, or the user is disabled. */
export async function findSessionUser(db: Queryable, tokenHash: Buffer): Promise<(Omit<UserRow, 'disabled'> & { expiresAt: Date }) | null> {
  const r = await db.query<Omit<UserRow, 'disabled'> & { expiresAt: Date }>(
    `SELECT u.id, u.username, u.role, u.responder_id AS "responderId", u.display_name AS "displayName",
            s.expires_at AS "expiresAt"
       FROM sessions s JOIN users u ON u.id = s.user_id
      WHERE s.token_hash = $1 AND s.expires_at > now() AND NOT u.disabled`, [tokenHash]);
  return r.rows[0] ?? null;
}

export async function deleteSession(db: Queryable, tokenHash: Buffer): Promise<boolean> {
  const r = await db.query(`DELETE FROM sessions WHERE token_hash = $1`, [tokenHash]);
  return (r.rowCount ?? 0) > 0;
}

/** Housekeeping: expired rows are useless; the expiry index makes this cheap. */
export async function deleteExpiredSessions(db: Queryable): Promise<number> {
  const r = await db.query(`DELETE FROM sessions WHERE expires_at <= now()`);
  return r.rowCount ?? 0;
}
