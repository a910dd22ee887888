import type { Queryable } from './db.js';

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

export async function writeAudit(db: Queryable, e: AuditEntry): Promise<void> {
  await db.query(
    `INSERT INTO audit_log (username, role, action, target, ip, data) VALUES ($1, $2, $3, $4, $5, $6)`,
    [e.username, e.role, e.action, e.target ?? null, e.ip ?? null, e.data ?? {}]);
}

export async function listAudit(db: Queryable, opts: { target?: string; action?: string; limit?: number; offset?: number } = {}): Promise<{ items: AuditRow[]; total: number }> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (opts.target !== undefined) { params.push(opts.target); where.push(`target = $${params.length}`); }
  if (opts.action !== undefined) { params.push(opts.action); where.push(`action = $${params.length}`); }
  const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const total = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log ${w}`, params)).rows[0]!.n;
  const r = await db.query<AuditRow>(
    `SELECT id, at, username, role, action, target, ip, data FROM audit_log ${w}
      ORDER BY at DESC, id DESC LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
    [...params, opts.limit ?? 100, opts.offset ?? 0]);
  return { items: r.rows, total };
}
