import type { Scope } from '../domain/access-scope.js';
import type { Queryable } from './db.js';
import { likePattern, type RegisterTable } from './register-rows.js';
import { communityScopeSql } from './scope-sql.js';

export interface BuildingRow {
  id: string; gridId: string; gridName: string; communityId: string; name: string; address: string | null;
  x: number | null; y: number | null; lat: number | null; lng: number | null; retiredAt: Date | null; households: number;
}

export const BUILDINGS: RegisterTable = {
  table: 'buildings', id: 'id',
  columns: { name: 'name', gridId: 'grid_id', address: 'address', x: 'x_m', y: 'y_m', lat: 'lat', lng: 'lng' },
  select: `x.id, x.grid_id AS "gridId", (SELECT g.name FROM grids g WHERE g.id = x.grid_id) AS "gridName",
    (SELECT g.community_id FROM grids g WHERE g.id = x.grid_id) AS "communityId",
    x.name, x.address, x.x_m AS x, x.y_m AS y, x.lat, x.lng, x.retired_at AS "retiredAt",
    (SELECT count(*)::int FROM households h WHERE h.building_id = x.id AND h.retired_at IS NULL) AS households`,
};

export async function listBuildings(db: Queryable, f: { scope: Scope; gridId?: string; communityId?: string; q?: string; includeRetired?: boolean; limit: number; offset: number }) {
  const where: string[] = [];
  const params: unknown[] = [];
  const s = communityScopeSql(f.scope, 'g.community_id', params);
  if (s) where.push(s);
  if (!f.includeRetired) where.push('x.retired_at IS NULL');
  if (f.gridId) { params.push(f.gridId); where.push(`x.grid_id = $${params.length}`); }
  if (f.communityId) { params.push(f.communityId); where.push(`g.community_id = $${params.length}`); }
  if (f.q) { params.push(likePattern(f.q)); where.push(`(x.name ILIKE $${params.length} OR x.address ILIKE $${params.length})`); }
  const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const from = `FROM buildings x JOIN grids g ON g.id = x.grid_id`;
  const total = (await db.query<{ n: number }>(`SELECT count(*)::int AS n ${from} ${w}`, params)).rows[0]!.n;
  const r = await db.query<BuildingRow>(`SELECT ${BUILDINGS.select} ${from} ${w} ORDER BY g.name, x.name, x.id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
    [...params, f.limit, f.offset]);
  return { items: r.rows, total };
}

/** The community and grid of a building (null when there is none), with whether either is retired. */
export async function placeOfBuilding(db: Queryable, id: string): Promise<{ gridId: string; communityId: string; retired: boolean } | null> {
  const r = await db.query<{ gridId: string; communityId: string; retired: boolean }>(
    `SELECT b.grid_id AS "gridId", g.community_id AS "communityId",
            (b.retired_at IS NOT NULL OR g.retired_at IS NOT NULL) AS retired
       FROM buildings b JOIN grids g ON g.id = b.grid_id WHERE b.id = $1`, [id]);
  return r.rows[0] ?? null;
}

/** The community's standing buildings with both a map and a site-plan position (issue 15: phone GPS → plan). */
export async function planReferences(db: Queryable, communityId: string): Promise<Array<{ lat: number; lng: number; x: number; y: number }>> {
  const r = await db.query<{ lat: number; lng: number; x: number; y: number }>(
    `SELECT b.lat, b.lng, b.x_m AS x, b.y_m AS y FROM buildings b JOIN grids g ON g.id = b.grid_id
      WHERE g.community_id = $1 AND b.retired_at IS NULL
        AND b.lat IS NOT NULL AND b.lng IS NOT NULL AND b.x_m IS NOT NULL AND b.y_m IS NOT NULL
      ORDER BY b.id`, [communityId]);
  return r.rows;
}
