import type { Queryable } from './db.js';

/** Import jobs (register_imports): the file, its dry-run report and the apply's progress. */
export type ImportState = 'checking' | 'checked' | 'applying' | 'applied' | 'failed';

export interface ImportJobRow {
  id: string; createdBy: string; createdAt: Date; fileName: string; format: 'xlsx' | 'csv';
  state: ImportState; phase: string; done: number; total: number; report: unknown; updatedAt: Date;
}
const COLUMNS = `id, created_by AS "createdBy", created_at AS "createdAt", file_name AS "fileName", format, state, phase, done, total, report, updated_at AS "updatedAt"`;

export async function insertImportJob(db: Queryable, j: { id: string; createdBy: string; fileName: string; format: 'xlsx' | 'csv'; content: Buffer; at: Date }): Promise<ImportJobRow> {
  const r = await db.query<ImportJobRow>(
    `INSERT INTO register_imports (id, created_by, created_at, file_name, format, content, state, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, 'checking', $3) RETURNING ${COLUMNS}`, [j.id, j.createdBy, j.at, j.fileName, j.format, j.content]);
  return r.rows[0]!;
}

export async function findImportJob(db: Queryable, id: string): Promise<(ImportJobRow & { content: Buffer }) | null> {
  return (await db.query<ImportJobRow & { content: Buffer }>(`SELECT ${COLUMNS}, content FROM register_imports WHERE id = $1`, [id])).rows[0] ?? null;
}

export async function updateImportJob(db: Queryable, id: string, p: { state?: ImportState; phase?: string; done?: number; total?: number; report?: unknown; at: Date }): Promise<void> {
  await db.query(
    `UPDATE register_imports SET state = COALESCE($2, state), phase = COALESCE($3, phase), done = COALESCE($4, done),
            total = COALESCE($5, total), report = COALESCE($6, report), updated_at = $7 WHERE id = $1`,
    [id, p.state ?? null, p.phase ?? null, p.done ?? null, p.total ?? null, p.report === undefined ? null : JSON.stringify(p.report), p.at]);
}

/** Moves a checked job to applying; false when it was not in `checked` (applied twice, still checking…). */
export async function claimImportJob(db: Queryable, id: string, at: Date): Promise<boolean> {
  const r = await db.query(`UPDATE register_imports SET state = 'applying', phase = '', done = 0, updated_at = $2 WHERE id = $1 AND state = 'checked'`, [id, at]);
  return (r.rowCount ?? 0) > 0;
}

export async function listImportJobs(db: Queryable, createdBy: string, limit: number, offset: number) {
  const total = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM register_imports WHERE created_by = $1`, [createdBy])).rows[0]!.n;
  const r = await db.query<ImportJobRow>(`SELECT ${COLUMNS} FROM register_imports WHERE created_by = $1 ORDER BY created_at DESC, id LIMIT $2 OFFSET $3`, [createdBy, limit, offset]);
  return { items: r.rows, total };
}
