import type { Queryable } from './db.js';

/**
 * Shared plumbing of the register's repositories (streets … contacts): a table's editable
 * columns by field name, an update that returns the row before and after (for the audit log),
 * and the soft retire. Table and column names come from the constants below, never from input;
 * values are always parameters.
 */
export interface RegisterTable {
  table: string;
  /** The primary key column; text ids, or bigint for residents and contacts. */
  id: string;
  /** field name → column, for the fields a caller may change. */
  columns: Record<string, string>;
  /** What a row reads as (SELECT list, with "field" aliases). */
  select: string;
}

/** Changes the given fields; null when there is no such row. The row is locked while read. */
export async function updateRegisterRow<T>(
  db: Queryable, t: RegisterTable, id: string | number, changes: object,
): Promise<{ before: T; after: T } | null> {
  const before = (await db.query(`SELECT ${t.select} FROM ${t.table} x WHERE x.${t.id} = $1 FOR UPDATE`, [id])).rows[0] as T | undefined;
  if (!before) return null;
  const sets: string[] = [];
  const params: unknown[] = [id];
  for (const [field, value] of Object.entries(changes as Record<string, unknown>)) {
    const column = t.columns[field];
    if (!column || value === undefined) continue;
    params.push(value);
    sets.push(`${column} = $${params.length}`);
  }
  if (sets.length === 0) return { before, after: before };
  const after = (await db.query(`UPDATE ${t.table} x SET ${sets.join(', ')} WHERE x.${t.id} = $1 RETURNING ${t.select}`, params)).rows[0] as T;
  return { before, after };
}

/** Inserts the given fields (and the id when the table's ids are ours); returns the row. */
export async function insertRegisterRow<T>(db: Queryable, t: RegisterTable, fields: object, id?: string): Promise<T> {
  const cols: string[] = [];
  const params: unknown[] = [];
  if (id !== undefined) { cols.push(t.id); params.push(id); }
  for (const [field, value] of Object.entries(fields as Record<string, unknown>)) {
    const column = t.columns[field];
    if (!column || value === undefined) continue;
    cols.push(column);
    params.push(value);
  }
  const r = await db.query(
    `INSERT INTO ${t.table} AS x (${cols.join(', ')}) VALUES (${params.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING ${t.select}`, params);
  return r.rows[0] as T;
}

/** Sets retired_at (or clears it with `at` null); the row with its state before and after. */
export async function setRetired<T>(db: Queryable, t: RegisterTable, id: string | number, at: Date | null) {
  return updateRegisterRow<T>(db, { ...t, columns: { ...t.columns, retiredAt: 'retired_at' } }, id, { retiredAt: at });
}

export async function findRegisterRow<T>(db: Queryable, t: RegisterTable, id: string | number): Promise<T | null> {
  return ((await db.query(`SELECT ${t.select} FROM ${t.table} x WHERE x.${t.id} = $1`, [id])).rows[0] as T | undefined) ?? null;
}

/** LIKE patterns from user text: %, _ and \ are literal characters here, not wildcards. */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** A readable random id: prefix + 10 base32 characters (no 0/o/1/l/i). */
export function newRegisterId(prefix: string): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  const bytes = crypto.getRandomValues(new Uint8Array(10));
  let s = '';
  for (const b of bytes) s += alphabet[b % alphabet.length];
  return `${prefix}-${s}`;
}
