import type { Scope } from '../domain/access-scope.js';
import type { CommunitySettingsOverrides } from '../domain/community-settings.js';
import type { Queryable } from './db.js';
import { likePattern, type RegisterTable } from './register-rows.js';
import { communityScopeSql } from './scope-sql.js';

export interface CommunityRow extends CommunitySettingsOverrides {
  id: string; name: string; address: string | null; streetId: string | null; streetName: string | null;
  retiredAt: Date | null; createdAt: Date; grids: number; households: number;
}

export const COMMUNITIES: RegisterTable = {
  table: 'communities', id: 'id',
  columns: {
    name: 'name', address: 'address', emergencyPhone: 'emergency_phone', streetId: 'street_id',
    createdAt: 'created_at', dayShift: 'day_shift', slaWarnS: 'sla_warn_s', slaOnsiteS: 'sla_onsite_s', ackTimeoutS: 'ack_timeout_s',
  },
  select: `x.id, x.name, x.address, x.emergency_phone AS "emergencyPhone", x.street_id AS "streetId",
    (SELECT s.name FROM streets s WHERE s.id = x.street_id) AS "streetName",
    x.day_shift AS "dayShift", x.sla_warn_s AS "slaWarnS", x.sla_onsite_s AS "slaOnsiteS", x.ack_timeout_s AS "ackTimeoutS",
    x.retired_at AS "retiredAt", x.created_at AS "createdAt",
    (SELECT count(*)::int FROM grids g WHERE g.community_id = x.id AND g.retired_at IS NULL) AS grids,
    (SELECT count(*)::int FROM households h JOIN buildings b ON b.id = h.building_id JOIN grids g ON g.id = b.grid_id
      WHERE g.community_id = x.id AND h.retired_at IS NULL) AS households`,
};

export async function listCommunities(db: Queryable, f: { scope: Scope; streetId?: string; q?: string; includeRetired?: boolean; limit: number; offset: number }) {
  const where: string[] = [];
  const params: unknown[] = [];
  const s = communityScopeSql(f.scope, 'x.id', params);
  if (s) where.push(s);
  if (!f.includeRetired) where.push('x.retired_at IS NULL');
  if (f.streetId) { params.push(f.streetId); where.push(`x.street_id = $${params.length}`); }
  if (f.q) { params.push(likePattern(f.q)); where.push(`(x.name ILIKE $${params.length} OR x.id ILIKE $${params.length})`); }
  const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const total = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM communities x ${w}`, params)).rows[0]!.n;
  const r = await db.query<CommunityRow>(`SELECT ${COMMUNITIES.select} FROM communities x ${w} ORDER BY x.name, x.id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
    [...params, f.limit, f.offset]);
  return { items: r.rows, total };
}

/** Serialises changes to one community's register (household codes are unique within it). */
export async function lockCommunity(db: Queryable, id: string): Promise<boolean> {
  return ((await db.query(`SELECT 1 FROM communities WHERE id = $1 FOR UPDATE`, [id])).rowCount ?? 0) > 0;
}

/** Live (not retired) grids, households and devices under a place, to refuse retiring a place still in use. */
export async function liveChildren(db: Queryable, level: 'street' | 'community' | 'grid' | 'building', id: string): Promise<{ places: number; households: number }> {
  const homes: Record<typeof level, string> = {
    street: `JOIN communities c ON c.id = g.community_id WHERE c.street_id = $1`,
    community: `WHERE g.community_id = $1`,
    grid: `WHERE g.id = $1`,
    building: `WHERE b.id = $1`,
  };
  const places: Record<typeof level, string> = {
    street: `SELECT count(*)::int AS n FROM communities WHERE street_id = $1 AND retired_at IS NULL`,
    community: `SELECT count(*)::int AS n FROM grids WHERE community_id = $1 AND retired_at IS NULL`,
    grid: `SELECT count(*)::int AS n FROM buildings WHERE grid_id = $1 AND retired_at IS NULL`,
    building: `SELECT 0 AS n`,
  };
  const p = (await db.query<{ n: number }>(places[level], level === 'building' ? [] : [id])).rows[0]!.n;
  const h = (await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM households h JOIN buildings b ON b.id = h.building_id JOIN grids g ON g.id = b.grid_id ${homes[level]} AND h.retired_at IS NULL`, [id])).rows[0]!.n;
  return { places: p, households: h };
}

/** Display names of communities by id (for messages that name them). */
export async function communityNames(db: Queryable, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const r = await db.query<{ id: string; name: string }>(`SELECT id, name FROM communities WHERE id = ANY($1::text[])`, [ids]);
  return new Map(r.rows.map((x) => [x.id, x.name]));
}
