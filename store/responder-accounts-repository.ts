import type { Queryable } from './db.js';

/** The enabled console account linked to a responder, as the API's actor needs it (issue 16 callbacks). */
export async function accountOfResponder(db: Queryable, responderId: string): Promise<{ id: number; username: string; displayName: string | null } | null> {
  const r = await db.query<{ id: number; username: string; displayName: string | null }>(
    `SELECT id, username, display_name AS "displayName" FROM users WHERE responder_id = $1 AND NOT disabled ORDER BY id LIMIT 1`, [responderId]);
  return r.rows[0] ?? null;
}
