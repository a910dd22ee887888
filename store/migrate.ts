import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Queryable } from './db.js';

/**
 * Numbered, append-only migrations applied in order under an advisory lock (DESIGN §7), so
 * several instances starting at once migrate exactly once. A file named NNN_x.timescale.sql
 * applies only where TimescaleDB is available, NNN_x.plain.sql only where it is not.
 */
const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'migrations');
const LOCK_KEY = 365_000_001;

export interface Migration { version: number; name: string; file: string; variant: 'all' | 'timescale' | 'plain' }

export async function listMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  return files.map((file) => {
    const m = /^(\d+)_(.+?)(?:\.(timescale|plain))?\.sql$/.exec(file);
    if (!m) throw new Error(`Migration file name ${file} must look like 001_name.sql`);
    return { version: Number(m[1]), name: m[2]!, file: join(dir, file), variant: (m[3] as Migration['variant']) ?? 'all' };
  });
}

export async function hasTimescale(db: Queryable): Promise<boolean> {
  const r = await db.query(`SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'`);
  return (r.rowCount ?? 0) > 0;
}

/** Applies pending migrations; returns the versions applied now. */
export async function migrate(db: Queryable, log: (m: string) => void = () => {}): Promise<number[]> {
  await db.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
  try {
    await db.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, variant text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Set((await db.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
    const timescale = await hasTimescale(db);
    const wanted = (await listMigrations()).filter((m) => m.variant === 'all' || m.variant === (timescale ? 'timescale' : 'plain'));
    const applied: number[] = [];
    for (const m of wanted) {
      if (done.has(m.version)) continue;
      const sql = await readFile(m.file, 'utf8');
      // Timescale's policy functions refuse to run inside a transaction block, so those
      // files run statement by statement; plain ones run atomically.
      if (m.variant === 'timescale') {
        await db.query(sql);
      } else {
        await db.query(`BEGIN; ${sql}; COMMIT;`).catch(async (err) => { await db.query('ROLLBACK').catch(() => {}); throw err; });
      }
      await db.query('INSERT INTO schema_migrations (version, name, variant) VALUES ($1, $2, $3)', [m.version, m.name, m.variant]);
      log(`migration ${String(m.version).padStart(3, '0')}_${m.name} applied${m.variant === 'all' ? '' : ` (${m.variant})`}`);
      applied.push(m.version);
    }
    return applied;
  } finally {
    await db.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]);
  }
}
