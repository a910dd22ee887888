import type { Queryable } from './db.js';

/**
 * What the channel health check needs to know about people (issue 16): per responder whether
 * they have an enabled account (in-app) and a working push subscription; per community its
 * emergency number and how many family contacts its homes have.
 */
export async function responderReach(db: Queryable): Promise<Map<string, { hasAccount: boolean; hasPush: boolean }>> {
  const r = await db.query<{ id: string; hasAccount: boolean; hasPush: boolean }>(
    `SELECT r.id,
            EXISTS (SELECT 1 FROM users u WHERE u.responder_id = r.id AND NOT u.disabled) AS "hasAccount",
            EXISTS (SELECT 1 FROM users u JOIN push_subscriptions p ON p.user_id = u.id
                     WHERE u.responder_id = r.id AND NOT u.disabled AND p.failed_at IS NULL) AS "hasPush"
       FROM responders r WHERE r.active`);
  return new Map(r.rows.map((x) => [x.id, { hasAccount: x.hasAccount, hasPush: x.hasPush }]));
}

export interface CommunityContacts { communityId: string; emergencyPhone: string | null; familyWithPhone: number }

export async function communityContacts(db: Queryable): Promise<CommunityContacts[]> {
  const r = await db.query<CommunityContacts>(
    `SELECT c.id AS "communityId", nullif(trim(c.emergency_phone), '') AS "emergencyPhone",
            (SELECT count(*)::int FROM contacts k JOIN households h ON h.id = k.household_id
               JOIN buildings b ON b.id = h.building_id JOIN grids g ON g.id = b.grid_id
              WHERE g.community_id = c.id AND trim(k.phone) <> '') AS "familyWithPhone"
       FROM communities c ORDER BY c.id`);
  return r.rows;
}
