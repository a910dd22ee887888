import type { Principal } from '../domain/access-scope.js';
import type { UserRow } from './users-repository.js';
import type { Queryable } from './db.js';

/**
 * Console sessions. Only SHA-256(token) is stored, so a leaked database or backup cannot be
 * replayed as a login; tokens are 256-bit random, so a plain hash is enough (no KDF needed).
 */
export async function createSession(db: Queryable, tokenHash: Buffer, userId: number, ttlHours: number, now: Date): Promise<Date> {
  const r = await db.query<{ expiresAt: Date }>(
    `INSERT INTO sessions (token_hash, user_id, created_at, expires_at)
     VALUES ($1, $2, $4, $4::timestamptz + make_interval(secs => $3::double precision))
     RETURNING expires_at AS "expiresAt"`,
    [tokenHash, userId, ttlHours * 3600, now]);
  return r.rows[0]!.expiresAt;
}

/** A session's user with what their access scope is computed from (domain/access-scope.ts). */
export interface SessionUser extends Omit<UserRow, 'disabled'> {
  expiresAt: Date;
  /** operator/supervisor: their communities; street: every community of their streets. */
  communityIds: string[];
  /** The linked responder record, when the user is a responder and the record is active. */
  responder: Principal['responder'];
}

/** The user behind a live session; null when unknown, expired, or the user is disabled. */
export async function findSessionUser(db: Queryable, tokenHash: Buffer, now: Date): Promise<SessionUser | null> {
  const r = await db.query<SessionUser>(
    `SELECT u.id, u.username, u.role, u.responder_id AS "responderId", u.display_name AS "displayName",
            s.expires_at AS "expiresAt",
            CASE WHEN u.role = 'street'
                 THEN COALESCE((SELECT array_agg(c.id ORDER BY c.id) FROM communities c WHERE c.street_id = ANY(u.street_ids)), '{}')
                 ELSE u.community_ids END AS "communityIds",
            CASE WHEN r.id IS NULL THEN NULL ELSE json_build_object(
              'id', r.id, 'role', r.role, 'communityId', r.community_id,
              'gridIds', r.grid_ids, 'buildingIds', r.building_ids, 'householdIds', r.household_ids) END AS responder
       FROM sessions s JOIN users u ON u.id = s.user_id
       LEFT JOIN responders r ON r.id = u.responder_id AND r.active AND u.role = 'responder'
      WHERE s.token_hash = $1 AND s.expires_at > $2 AND NOT u.disabled`, [tokenHash, now]);
  return r.rows[0] ?? null;
}

export async function deleteSession(db: Queryable, tokenHash: Buffer): Promise<boolean> {
  const r = await db.query(`DELETE FROM sessions WHERE token_hash = $1`, [tokenHash]);
  return (r.rowCount ?? 0) > 0;
}

/** Housekeeping: expired rows are useless; the expiry index makes this cheap. */
export async function deleteExpiredSessions(db: Queryable, now: Date): Promise<number> {
  const r = await db.query(`DELETE FROM sessions WHERE expires_at <= $1`, [now]);
  return r.rowCount ?? 0;
}
