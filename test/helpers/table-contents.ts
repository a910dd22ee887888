import type { Queryable } from '../../store/db.js';
import { schemaTables } from '../../store/backup.js';

/** Every row of every table of ours, in a canonical text form, sorted: what a restore must reproduce. */
export async function tableContents(db: Queryable): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const t of await schemaTables(db)) {
    const r = await db.query<{ row: string }>(`SELECT to_jsonb(x)::text AS row FROM "${t.name}" x`);
    out[t.name] = r.rows.map((x) => x.row).sort();
  }
  return out;
}
