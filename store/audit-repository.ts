import type { Scope } from '../domain/access-scope.js';
import type { Queryable } from './db.js';
import { householdScopeSql, peopleScopeSql } from './scope-sql.js';

/** One row of the audit log (DESIGN §6: every household-file read and every change). */
export interface AuditEntry {
  username: string | null;
  role: string | null;
  action: string;          // e.g. household.read, device.provision, device.revoke
  target?: string | null;
  ip?: string | null;
  data?: Record<string, unknown>;
}

export interface AuditRow extends Required<Omit<AuditEntry, 'data'>> { id: number; at: Date; data: unknown }

/** `at`: the service clock's now (DESIGN §11); the database's own clock when absent. */
export async function writeAudit(db: Queryable, e: AuditEntry, at?: Date): Promise<void> {
  await db.query(
    `INSERT INTO audit_log (username, role, action, target, ip, data, at) VALUES ($1, $2, $3, $4, $5, $6, COALESCE($7, now()))`,
    [e.username, e.role, e.action, e.target ?? null, e.ip ?? null, e.data ?? {}, at ?? null]);
}

/**
 * `scope`: only rows about objects the scope reaches — homes, their alerts and devices, and the
 * people of its communities (a supervisor reads their communities' trail, not the district's).
 */
export async function listAudit(db: Queryable, opts: { target?: string; action?: string; scope?: Scope; now?: Date; limit?: number; offset?: number } = {}): Promise<{ items: AuditRow[]; total: number }> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (opts.target !== undefined) { params.push(opts.target); where.push(`target = $${params.length}`); }
  if (opts.action !== undefined) { params.push(opts.action); where.push(`action = $${params.length}`); }
  if (opts.scope && !opts.scope.all) {
    const now = opts.now ?? new Date();
    const homes = householdScopeSql(opts.scope, 'x.id', params, now);
    const alerts = householdScopeSql(opts.scope, 'x.household_id', params, now);
    const devices = householdScopeSql(opts.scope, 'x.household_id', params, now);
    const people = peopleScopeSql(opts.scope, 'x.community_id', params);
    where.push(`(target IN (SELECT x.id FROM households x WHERE ${homes})
      OR target IN (SELECT x.id::text FROM alerts x WHERE ${alerts})
      OR target IN (SELECT x.id FROM devices x WHERE ${devices})
      OR target IN (SELECT x.id FROM responders x WHERE ${people}))`);
  }
  const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const total = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log ${w}`, params)).rows[0]!.n;
  const r = await db.query<AuditRow>(
    `SELECT id, at, username, role, action, target, ip, data FROM audit_log ${w}
      ORDER BY at DESC, id DESC LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
    [...params, opts.limit ?? 100, opts.offset ?? 0]);
  return { items: r.rows, total };
}
