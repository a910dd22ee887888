import type pg from 'pg';
import { wallClock, type Clock } from '../domain/clock.js';
import { BackupError } from './backup-error.js';
import { connect, databaseOf, runTool, toolEnv, withDatabaseName, type Progress } from './pg-tools.js';

/**
 * pg_restore of a pg_dump archive where TimescaleDB is involved (issue 22). pg_restore --clean
 * cannot replace a TimescaleDB database: it stops at "cannot drop continuous aggregate using
 * DROP VIEW", and the extension's catalog (hypertables, chunks, jobs) only restores into a
 * fresh extension. TimescaleDB's documented procedure
 * (https://www.tigerdata.com/docs/deploy/self-hosted/backup-and-restore/logical-backup) is:
 *
 *   CREATE EXTENSION timescaledb; SELECT timescaledb_pre_restore();
 *   pg_restore (no --clean) into an empty database;
 *   SELECT timescaledb_post_restore();
 *
 * which is what `restoreIntoEmpty` runs — with `--single-transaction`, so a failed restore
 * leaves the database as empty as it was. A database that holds our schema but no rows (a
 * freshly migrated one) is emptied first: nothing is lost.
 *
 * Over a database that holds data (`--force`) we never empty it first: `restoreBySwap`
 * restores into a new database beside it and only then swaps the names, keeping the replaced
 * database under a `_before_restore_<time>` name. A failure at any step leaves the live
 * database as it was. It needs CREATEDB and the ownership of the database (docker compose's
 * user has both); without them it refuses in one line.
 */
export interface ArchiveRestore { url: string; file: string; timescale: boolean; progress: Progress }

/** Client sessions on `database` other than ours (TimescaleDB's own background workers do not count). */
async function otherSessions(c: pg.Client, database: string): Promise<number> {
  const r = await c.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() AND backend_type = 'client backend'`, [database]);
  return r.rows[0]!.n;
}

async function assertAlone(c: pg.Client, database: string): Promise<void> {
  const n = await otherSessions(c, database);
  if (n > 0) throw new BackupError(`${n} other session(s) are connected to database "${database}" (is the service still running?); stop them, then restore again`);
}

/** Whether the database holds anything of ours: our migrations table or the extension. */
async function holdsOurSchema(c: pg.Client): Promise<boolean> {
  const r = await c.query(`SELECT 1 WHERE to_regclass('public.schema_migrations') IS NOT NULL OR EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb')`);
  return (r.rowCount ?? 0) > 0;
}

/**
 * Empties a database that holds our schema and no rows: the public schema as PostgreSQL 15+
 * creates it, no TimescaleDB. Dropping public drops the extension installed in it (and with it
 * TimescaleDB's internal schemas and chunks).
 */
async function emptyDatabase(c: pg.Client, database: string): Promise<void> {
  await c.query('BEGIN');
  try {
    await c.query('DROP SCHEMA public CASCADE');
    await c.query('DROP EXTENSION IF EXISTS timescaledb CASCADE');
    await c.query('CREATE SCHEMA public AUTHORIZATION pg_database_owner');
    await c.query('GRANT USAGE ON SCHEMA public TO PUBLIC');
    await c.query(`COMMENT ON SCHEMA public IS 'standard public schema'`);
    await c.query('COMMIT');
  } catch (err) {
    await c.query('ROLLBACK').catch(() => {});
    throw new BackupError(`cannot empty database "${database}" for the restore (${(err as Error).message}); restore into a new, empty database instead (CREATE DATABASE …)`);
  }
}

/** TimescaleDB's restore procedure into a database that holds no rows. */
export async function restoreIntoEmpty(a: ArchiveRestore): Promise<void> {
  const database = databaseOf(a.url);
  const c = await connect(a.url);
  try {
    await assertAlone(c, database);
    if (await holdsOurSchema(c)) {
      a.progress(`restore: emptying database "${database}" (it holds our schema but no rows)`);
      await emptyDatabase(c, database);
    }
    if (a.timescale) {
      await c.query('CREATE EXTENSION IF NOT EXISTS timescaledb');
      // Sets timescaledb.restoring for the database (new sessions: pg_restore's) and stops its jobs.
      await c.query('SELECT timescaledb_pre_restore()');
    }
  } finally {
    await c.end();
  }
  const { args, env } = toolEnv(a.url);
  try {
    a.progress(`restore: pg_restore --single-transaction${a.timescale ? ' (TimescaleDB: between timescaledb_pre_restore and timescaledb_post_restore)' : ''}`);
    await runTool('pg_restore', [...args, '--no-owner', '--no-privileges', '--exit-on-error', '--single-transaction', a.file], env, a.progress);
  } finally {
    if (a.timescale) {
      // Also after a failure: the database must not stay in restoring mode with its jobs stopped.
      const after = await connect(a.url);
      try {
        await after.query('SELECT timescaledb_post_restore()');
        await after.query('ANALYZE');
      } finally {
        await after.end();
      }
    }
  }
}

/** A database name of at most 63 bytes: `base` cut so that `suffix` fits. */
function derivedName(base: string, suffix: string): string {
  let cut = base;
  while (Buffer.byteLength(cut + suffix) > 63) cut = cut.slice(0, -1);
  return cut + suffix;
}

/** 20261206T074217Z */
function stamp(at: Date): string {
  return at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

async function maintenanceConnection(url: string): Promise<pg.Client> {
  let last: unknown;
  for (const db of ['postgres', 'template1']) {
    try { return await connect(withDatabaseName(url, db)); } catch (err) { last = err; }
  }
  throw new BackupError(`cannot connect to the server's "postgres" or "template1" database to create the restore database (${(last as Error).message})`);
}

/**
 * Restores into a new database beside the live one and swaps the names. Returns the name the
 * replaced database is kept under.
 */
export async function restoreBySwap(a: ArchiveRestore, clock: Clock = wallClock): Promise<string> {
  const live = databaseOf(a.url);
  const at = stamp(clock.now());
  const fresh = derivedName(live, `_restore_${at}`);
  const kept = derivedName(live, `_before_restore_${at}`);
  const admin = await maintenanceConnection(a.url);
  try {
    // Renaming needs ownership (membership of the owner role); the new database gets that owner.
    const info = await admin.query<{ may_create: boolean; owns: boolean; owner: string; encoding: string; collate: string; ctype: string }>(
      `SELECT r.rolsuper OR r.rolcreatedb AS may_create, pg_has_role(current_user, d.datdba, 'MEMBER') AS owns,
              pg_get_userbyid(d.datdba) AS owner,
              pg_encoding_to_char(d.encoding) AS encoding, d.datcollate AS collate, d.datctype AS ctype
       FROM pg_roles r, pg_database d WHERE r.rolname = current_user AND d.datname = $1`, [live]);
    const me = info.rows[0];
    if (!me) throw new BackupError(`database "${live}" does not exist`);
    if (!me.may_create || !me.owns) {
      throw new BackupError(`--force over a database with data restores into a new database and swaps it in, which needs CREATEDB and ownership of "${live}" (the user in DATABASE_URL lacks ${!me.may_create ? 'CREATEDB' : 'the ownership'}); or restore into a new, empty database`);
    }
    await assertAlone(admin, live);
    const id = (s: string) => admin.escapeIdentifier(s);
    const lit = (s: string) => admin.escapeLiteral(s);
    a.progress(`restore: into a new database "${fresh}" beside "${live}", swapped in when complete`);
    await admin.query(`CREATE DATABASE ${id(fresh)} TEMPLATE template0 ENCODING ${lit(me.encoding)} LC_COLLATE ${lit(me.collate)} LC_CTYPE ${lit(me.ctype)} OWNER ${id(me.owner)}`);
    try {
      await restoreIntoEmpty({ ...a, url: withDatabaseName(a.url, fresh) });
      await assertAlone(admin, live);
    } catch (err) {
      await admin.query(`DROP DATABASE IF EXISTS ${id(fresh)}`).catch(() => {});
      throw err;
    }
    // TimescaleDB's loader stops a database's background workers when it is renamed and
    // asks for them to be restarted by hand (src/loader/loader.c): done below, for the new one.
    await admin.query(`ALTER DATABASE ${id(live)} RENAME TO ${id(kept)}`);
    try {
      await admin.query(`ALTER DATABASE ${id(fresh)} RENAME TO ${id(live)}`);
    } catch (err) {
      await admin.query(`ALTER DATABASE ${id(kept)} RENAME TO ${id(live)}`);
      await admin.query(`DROP DATABASE IF EXISTS ${id(fresh)}`).catch(() => {});
      throw err;
    }
  } finally {
    await admin.end();
  }
  if (a.timescale) {
    const c = await connect(a.url);
    try { await c.query('SELECT _timescaledb_functions.start_background_workers()'); } finally { await c.end(); }
  }
  a.progress(`restore: the replaced database is kept as "${kept}"; drop it once you have checked the restore: DROP DATABASE "${kept}";`);
  return kept;
}
