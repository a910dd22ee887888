import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { wallClock, type Clock } from '../domain/clock.js';
import { materializeActivity } from './activity-aggregate-repository.js';
import type { Queryable } from './db.js';
import { timescaleAvailable, timescalePreloaded, usesTimescale } from './timescale-state.js';
import { TimescaleNotPreloadedError } from './timescale-not-preloaded-error.js';

/**
 * Numbered, append-only migrations applied in order under an advisory lock (DESIGN §7), so
 * several instances starting at once migrate exactly once. A file named NNN_x.timescale.sql
 * applies only to a TimescaleDB database, NNN_x.plain.sql only to a plain one.
 *
 * Which of the two a database is gets decided once, by its first variant migration, and then
 * stays: a database migrated plain keeps the plain variants even if TimescaleDB is installed on
 * the server later (its activity_hourly is a view; a Timescale variant would not apply to it).
 * A new database becomes a TimescaleDB one when the server offers the extension — and then the
 * server must preload it, or we stop before migrating anything (issue 22).
 */
const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'migrations');
const LOCK_KEY = 365_000_001;

export type Variant = 'timescale' | 'plain';
export interface Migration { version: number; name: string; file: string; variant: 'all' | Variant }

export interface MigrateOptions {
  log?: (m: string) => void;
  clock?: Clock;
  /**
   * Check that a server offering TimescaleDB preloads it (default true). Off only for the
   * WASM PostgreSQL of the tests, which loads TimescaleDB without PostgreSQL's preload step.
   */
  preloadCheck?: boolean;
}

export async function listMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  return files.map((file) => {
    const m = /^(\d+)_([A-Za-z0-9_-]+?)(?:\.(timescale|plain))?\.sql$/.exec(file);
    if (!m) throw new Error(`Migration file name ${file} must look like 001_name.sql (letters, digits, _ and -)`);
    return { version: Number(m[1]), name: m[2]!, file: join(dir, file), variant: (m[3] as Migration['variant']) ?? 'all' };
  });
}

/**
 * The variant this database takes: the one its applied migrations already took, else TimescaleDB
 * when the server offers it (preloaded, or TimescaleNotPreloadedError), else plain.
 */
export async function chooseVariant(db: Queryable, opts: { preloadCheck?: boolean } = {}): Promise<Variant> {
  const check = opts.preloadCheck !== false;
  const hasTable = (await db.query<{ t: string | null }>(`SELECT to_regclass('schema_migrations')::text AS t`)).rows[0]?.t;
  const taken = hasTable
    ? (await db.query<{ variant: Variant }>(`SELECT variant FROM schema_migrations WHERE variant <> 'all' ORDER BY version LIMIT 1`)).rows[0]?.variant
    : undefined;
  if (taken === 'plain') return 'plain';
  if (taken === 'timescale') {
    if (check && !(await timescalePreloaded(db))) throw new TimescaleNotPreloadedError(true);
    return 'timescale';
  }
  // A database whose extension was installed by hand (or by a restore) is one too.
  const installed = await usesTimescale(db);
  if (!installed && !(await timescaleAvailable(db))) return 'plain';
  if (check && !(await timescalePreloaded(db))) throw new TimescaleNotPreloadedError(installed);
  return 'timescale';
}

/**
 * Applies pending migrations; returns the versions applied now. `log` may be given directly
 * (older callers) or in the options.
 */
export async function migrate(db: Queryable | pg.Pool, logOrOpts: ((m: string) => void) | MigrateOptions = {}): Promise<number[]> {
  const opts: MigrateOptions = typeof logOrOpts === 'function' ? { log: logOrOpts } : logOrOpts;
  const log = opts.log ?? (() => {});
  // A session-level advisory lock belongs to one connection: take a client of a pool for the
  // whole run, so the lock, the migrations and the unlock share it.
  const pool = 'connect' in db && typeof db.connect === 'function' ? db as pg.Pool : null;
  const client = pool ? await pool.connect() : null;
  const session: Queryable = client ?? db;
  try {
    await session.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
    try {
      return await migrateLocked(session, opts, log);
    } finally {
      await session.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]);
    }
  } finally {
    client?.release();
  }
}

async function migrateLocked(db: Queryable, opts: MigrateOptions, log: (m: string) => void): Promise<number[]> {
  // Decided before anything is created: a server that cannot take our migrations gets none.
  const variant = await chooseVariant(db, opts);
  await db.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY, name text NOT NULL, variant text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now())`);
  const done = new Set((await db.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
  const wanted = (await listMigrations()).filter((m) => m.variant === 'all' || m.variant === variant);
  const applied: number[] = [];
  let timescaleApplied = false;
  for (const m of wanted) {
    if (done.has(m.version)) continue;
    // The row that records the migration commits with it: a crash in between cannot leave a
    // migration applied but unrecorded (it would fail on its CREATEs at the next start). The
    // values come from our own file names, checked by listMigrations, so they are inlined.
    const record = `INSERT INTO schema_migrations (version, name, variant) VALUES (${m.version}, '${m.name}', '${m.variant}')`;
    const sql = `${await readFile(m.file, 'utf8')}\n;\n${record};`;
    // Every file, Timescale ones included, in one transaction: create_hypertable, the policies
    // and a continuous aggregate WITH NO DATA all run inside one (checked on TimescaleDB 2.28
    // and the WASM 2.23 of the tests); only refresh_continuous_aggregate refuses, and that runs
    // after the loop.
    await db.query(`BEGIN; ${sql} COMMIT;`).catch(async (err) => { await db.query('ROLLBACK').catch(() => {}); throw err; });
    if (m.variant === 'timescale') timescaleApplied = true;
    log(`migration ${String(m.version).padStart(3, '0')}_${m.name} applied${m.variant === 'all' ? '' : ` (${m.variant})`}`);
    applied.push(m.version);
  }
  // The aggregate's policy only looks back 7 days: history older than that (signals that were
  // here before the aggregate, or before a migration changed it) is materialized now, once.
  if (timescaleApplied) {
    const end = await materializeActivity(db, opts.clock ?? wallClock);
    if (end) log(`activity_hourly materialized up to ${end.toISOString()}`);
  }
  return applied;
}
