import type { Scope } from '../domain/access-scope.js';
import type { Queryable } from './db.js';
import { likePattern, type RegisterTable } from './register-rows.js';
import { communityScopeSql } from './scope-sql.js';

export interface GridRow { id: string; communityId: string; communityName: string; name: string; retiredAt: Date | null; buildings: number; households: number }

export const GRIDS: RegisterTable = {
  table: 'grids', id: 'id', columns: { name: 'name', communityId: 'community_id' },
  select: `x.id, x.community_id AS "communityId", (SELECT c.name FROM communities c WHERE c.id = x.community_id) AS "communityName",
    x.name, x.retired_at AS "retiredAt",
    (SELECT count(*)::int FROM buildings b WHERE b.grid_id = x.id AND b.retired_at IS NULL) AS buildings,
    (SELECT count(*)::int FROM households h JOIN buildings b ON b.id = h.building_id WHERE b.grid_id = x.id AND h.retired_at IS NULL) AS households`,
};

export async function listGrids(db: Queryable, f: { scope: Scope; communityId?: string; q?: string; includeRetired?: boolean; limit: number; offset: number }) {
  const where: string[] = [];
  const params: unknown[] = [];
  const s = communityScopeSql(f.scope, 'x.community_id', params);
  if (s) where.push(s);
  if (!f.includeRetired) where.push('x.retired_at IS NULL');
  if (f.communityId) { params.push(f.communityId); where.push(`x.community_id = $${params.length}`); }
  if (f.q) { params.push(likePattern(f.q)); where.push(`x.name ILIKE $${params.length}`); }
  const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const total = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM grids x ${w}`, params)).rows[0]!.n;
  const r = await db.query<GridRow>(`SELECT ${GRIDS.select} FROM grids x ${w} ORDER BY x.name, x.id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
    [...params, f.limit, f.offset]);
  return { items: r.rows, total };
}
