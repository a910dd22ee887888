import type { Queryable } from './db.js';

/**
 * What TimescaleDB is to a database (DESIGN §7): offered by the server, preloaded, and used by
 * this database. Read-only checks that any user may run.
 */

/** The server offers the extension (pg_available_extensions). */
export async function timescaleAvailable(db: Queryable): Promise<boolean> {
  const r = await db.query(`SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'`);
  return (r.rowCount ?? 0) > 0;
}

/** This database has the extension installed (CREATE EXTENSION ran here). */
export async function usesTimescale(db: Queryable): Promise<boolean> {
  const r = await db.query(`SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'`);
  return (r.rowCount ?? 0) > 0;
}

/**
 * The server preloads TimescaleDB's loader (`shared_preload_libraries`). Reading that setting
 * needs superuser or pg_read_all_settings, so we look for what the loader leaves instead: it
 * defines the `timescaledb.disable_load` setting when the postmaster loads it (src/loader/loader.c),
 * and without it CREATE EXTENSION ends the session with FATAL "extension must be preloaded".
 * `disable_load = on` keeps the extension from loading: not usable either.
 */
export async function timescalePreloaded(db: Queryable): Promise<boolean> {
  const r = await db.query<{ v: string | null }>(`SELECT current_setting('timescaledb.disable_load', true) AS v`);
  return r.rows[0]?.v === 'off';
}
