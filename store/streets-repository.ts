import type { Scope } from '../domain/access-scope.js';
import type { Queryable } from './db.js';
import { likePattern, type RegisterTable } from './register-rows.js';

/** Streets (街道, sub-districts): the street office watches all their communities. */
export interface StreetRow { id: string; name: string; retiredAt: Date | null; createdAt: Date; communities: number }

export const STREETS: RegisterTable = {
  table: 'streets', id: 'id', columns: { name: 'name', createdAt: 'created_at' },
  select: `x.id, x.name, x.retired_at AS "retiredAt", x.created_at AS "createdAt",
    (SELECT count(*)::int FROM communities c WHERE c.street_id = x.id AND c.retired_at IS NULL) AS communities`,
};

/** Streets the scope reaches: all for an admin, else those with one of its communities. */
export function streetScopeSql(scope: Scope, column: string, params: unknown[]): string | null {
  if (scope.all) return null;
  if (scope.communityIds.length === 0) return 'false';
  params.push(scope.communityIds);
  return `${column} IN (SELECT street_id FROM communities WHERE id = ANY($${params.length}::text[]) AND street_id IS NOT NULL)`;
}

export async function listStreets(db: Queryable, f: { scope: Scope; q?: string; includeRetired?: boolean; limit: number; offset: number }) {
  const where: string[] = [];
  const params: unknown[] = [];
  const s = streetScopeSql(f.scope, 'x.id', params);
  if (s) where.push(s);
  if (!f.includeRetired) where.push('x.retired_at IS NULL');
  if (f.q) { params.push(likePattern(f.q)); where.push(`(x.name ILIKE $${params.length} OR x.id ILIKE $${params.length})`); }
  const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const total = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM streets x ${w}`, params)).rows[0]!.n;
  const r = await db.query<StreetRow>(`SELECT ${STREETS.select} FROM streets x ${w} ORDER BY x.name, x.id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
    [...params, f.limit, f.offset]);
  return { items: r.rows, total };
}
