import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, open, rename, rm, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { createGunzip, createGzip } from 'node:zlib';
import type pg from 'pg';
import { wallClock, type Clock } from '../domain/clock.js';
import { activityIsContinuousAggregate, materializeActivity } from './activity-aggregate-repository.js';
import { BackupError } from './backup-error.js';
import type { Queryable } from './db.js';
import { migrate } from './migrate.js';
import { archiveHasTimescale, connect, runTool, toolEnv, toolMajor, type Progress } from './pg-tools.js';
import { timescaleAvailable, timescalePreloaded, usesTimescale } from './timescale-state.js';
import { restoreBySwap, restoreIntoEmpty } from './timescale-restore.js';

export { BackupError } from './backup-error.js';
export { toolMajor } from './pg-tools.js';

/**
 * Backup and restore (issue 7, item 8). Two formats:
 *
 * - `pg_dump`: a pg_dump custom-format archive, when a pg_dump on PATH is at least the server's
 *   major version (pg_dump refuses a newer server: Debian 12's pg_dump 15 cannot dump the
 *   embedded PostgreSQL 18, which ships none). Restored with pg_restore.
 * - `snapshot`: our own consistent export, needing nothing but the driver. One REPEATABLE READ
 *   READ ONLY transaction sees every table at the same instant; tables are written in foreign-key
 *   order as gzipped JSON lines:
 *     {"format":"guardian-snapshot","formatVersion":1,"schemaVersion":4,"migrations":[…],…}
 *     {"table":"communities","columns":[{"name":"id","type":"text"},…]}
 *     ["c-1","芦山社区",null,…]          ← one row: every column in PostgreSQL's text form
 *     …
 *     {"sequences":[{"name":"residents_id_seq","lastValue":"12","isCalled":true}]}
 *     {"end":true,"rows":{"communities":1,…}}
 *   Values travel as PostgreSQL's own text representation (timestamps in UTC, bytea as hex) and
 *   are cast back with the column's type, so every value round-trips exactly. The trailer's row
 *   counts catch a truncated file.
 *
 * A restore goes into a database without data (a snapshot: of the same schema version), refuses
 * one that holds data unless forced, and runs in one transaction: it lands whole or not at all.
 * A pg_dump archive on TimescaleDB goes by TimescaleDB's procedure (store/timescale-restore.ts).
 */
export const SNAPSHOT_FORMAT = 'guardian-snapshot';
export const SNAPSHOT_FORMAT_VERSION = 1;
const FETCH_ROWS = 2000;
const INSERT_ROWS = 1000;
const PROGRESS_EVERY = 20_000;

export type BackupFormat = 'snapshot' | 'pg_dump';
export type { Progress } from './pg-tools.js';

export interface MigrationRow { version: number; name: string; variant: string }
export interface SnapshotHeader {
  format: typeof SNAPSHOT_FORMAT;
  formatVersion: number;
  createdAt: string;
  schemaVersion: number;
  migrations: MigrationRow[];
  timescale: boolean;
  serverVersion: string;
  tables: string[];
}
export interface ColumnInfo { name: string; type: string; identityAlways: boolean }
export interface TableInfo { name: string; columns: ColumnInfo[]; selfReferences: string[] }

export interface BackupResult { file: string; format: BackupFormat; bytes: number; rows: Record<string, number>; reason?: string }
export interface RestoreResult { format: BackupFormat; rows: Record<string, number> }

/** The tables of our schema (public), parents before children, each with its columns. */
export async function schemaTables(db: Queryable): Promise<TableInfo[]> {
  const tables = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relname <> 'schema_migrations'
     ORDER BY c.relname`);
  const cols = await db.query<{ table: string; name: string; type: string; identity: string }>(
    `SELECT c.relname AS table, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attidentity AS identity
     FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
     ORDER BY c.relname, a.attnum`);
  const fks = await db.query<{ child: string; parent: string; column: string }>(
    `SELECT c.relname AS child, p.relname AS parent, a.attname AS column
     FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class p ON p.oid = k.confrelid
     JOIN pg_namespace n ON n.oid = c.relnamespace
     JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
     WHERE k.contype = 'f' AND n.nspname = 'public'`);
  const byName = new Map<string, TableInfo>(tables.rows.map((t) => [t.name, { name: t.name, columns: [], selfReferences: [] }]));
  for (const c of cols.rows) byName.get(c.table)?.columns.push({ name: c.name, type: c.type, identityAlways: c.identity === 'a' });
  const parents = new Map<string, Set<string>>([...byName.keys()].map((t) => [t, new Set<string>()]));
  for (const fk of fks.rows) {
    if (!byName.has(fk.child) || !byName.has(fk.parent)) continue;
    if (fk.child === fk.parent) byName.get(fk.child)!.selfReferences.push(fk.column);
    else parents.get(fk.child)!.add(fk.parent);
  }
  // Kahn's algorithm, alphabetical among equals so the order is stable.
  const ordered: TableInfo[] = [];
  const done = new Set<string>();
  while (ordered.length < byName.size) {
    const next = [...byName.keys()].find((t) => !done.has(t) && [...parents.get(t)!].every((p) => done.has(p)));
    if (!next) throw new BackupError(`foreign keys form a cycle among ${[...byName.keys()].filter((t) => !done.has(t)).join(', ')}`);
    done.add(next);
    ordered.push(byName.get(next)!);
  }
  return ordered;
}

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

async function appliedMigrations(db: Queryable): Promise<MigrationRow[]> {
  const r = await db.query<MigrationRow>(`SELECT version, name, variant FROM schema_migrations ORDER BY version`);
  return r.rows;
}

/** Session settings under which every value's text form is unambiguous and exact. */
const TEXT_SETTINGS = `SET LOCAL TimeZone = 'UTC'; SET LOCAL DateStyle = 'ISO, YMD'; SET LOCAL IntervalStyle = 'iso_8601'; SET LOCAL bytea_output = 'hex'`;

// ---------------------------------------------------------------------------------------------
// Choosing the format

export interface PgDumpChoice { format: BackupFormat; reason: string }

const majorOf = (versionText: string) => Number(/(\d+)(?:\.\d+)?/.exec(versionText)?.[1] ?? NaN);

/** pg_dump when on PATH and not older than the server (it refuses newer servers); else our snapshot. */
export async function chooseFormat(db: Queryable, pgDumpMajor = toolMajor('pg_dump')): Promise<PgDumpChoice> {
  const server = Math.floor(Number((await db.query<{ v: string }>(`SELECT current_setting('server_version_num') AS v`)).rows[0]!.v) / 10_000);
  if (pgDumpMajor === null) return { format: 'snapshot', reason: 'no pg_dump on PATH' };
  if (pgDumpMajor < server) return { format: 'snapshot', reason: `pg_dump ${pgDumpMajor} cannot dump a PostgreSQL ${server} server` };
  return { format: 'pg_dump', reason: `pg_dump ${pgDumpMajor} for PostgreSQL ${server}` };
}

// ---------------------------------------------------------------------------------------------
// Backup

/**
 * Writes a backup to `file` (through `file.partial`, renamed at the end, so a failed backup
 * never leaves a file that looks whole). The file is 0600: it holds personal data.
 */
export async function backupDatabase(pool: pg.Pool, url: string, file: string, opts: { format?: BackupFormat | 'auto'; progress?: Progress } = {}): Promise<BackupResult> {
  const progress = opts.progress ?? (() => {});
  let format: BackupFormat;
  let reason: string | undefined;
  if (!opts.format || opts.format === 'auto') ({ format, reason } = await chooseFormat(pool));
  else format = opts.format;
  if (format === 'pg_dump' && toolMajor('pg_dump') === null) throw new BackupError('--format pg_dump: no pg_dump on PATH');
  const partial = `${file}.partial`;
  try {
    const rows = format === 'pg_dump' ? await pgDump(url, partial, progress) : await writeSnapshot(pool, partial, progress);
    await rename(partial, file);
    return { file, format, bytes: (await stat(file)).size, rows, ...(reason ? { reason } : {}) };
  } catch (err) {
    await rm(partial, { force: true });
    throw err;
  }
}

async function writeSnapshot(pool: pg.Pool, file: string, progress: Progress): Promise<Record<string, number>> {
  const handle = await open(file, 'w', 0o600).catch((err: NodeJS.ErrnoException) => {
    throw new BackupError(`cannot write ${file}: ${err.code === 'ENOENT' ? 'no such directory' : err.message}`);
  });
  const client = await pool.connect().catch(async (err) => { await handle.close(); throw err; });
  const gzip = createGzip();
  const out = createWriteStream('', { fd: handle.fd, autoClose: true });
  const finished = new Promise<void>((resolve, reject) => { out.once('finish', resolve); out.once('error', reject); gzip.once('error', reject); });
  gzip.pipe(out);
  const write = async (value: unknown) => {
    if (!gzip.write(JSON.stringify(value) + '\n')) await once(gzip, 'drain');
  };
  const rows: Record<string, number> = {};
  try {
    // One snapshot for every table: what the backup holds existed together at one instant.
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await client.query(TEXT_SETTINGS);
    const tables = await schemaTables(client);
    const migrations = await appliedMigrations(client);
    const header: SnapshotHeader = {
      format: SNAPSHOT_FORMAT, formatVersion: SNAPSHOT_FORMAT_VERSION, createdAt: new Date().toISOString(),
      schemaVersion: Math.max(0, ...migrations.map((m) => m.version)), migrations, timescale: await usesTimescale(client),
      serverVersion: (await client.query<{ v: string }>('SHOW server_version')).rows[0]!.v, tables: tables.map((t) => t.name),
    };
    await write(header);
    for (const t of tables) {
      await write({ table: t.name, columns: t.columns.map(({ name, type }) => ({ name, type })) });
      const select = t.columns.map((c) => `${ident(c.name)}::text`).join(', ');
      // Rows without a parent of their own table first (a zigbee hub before its children).
      const order = t.selfReferences.length ? ` ORDER BY ${t.selfReferences.map((c) => `${ident(c)} IS NOT NULL`).join(', ')}` : '';
      await client.query(`DECLARE backup_rows NO SCROLL CURSOR FOR SELECT ${select} FROM ${ident(t.name)}${order}`);
      let n = 0;
      let report = PROGRESS_EVERY;
      for (;;) {
        const batch = await client.query<unknown[]>({ text: `FETCH ${FETCH_ROWS} FROM backup_rows`, rowMode: 'array' });
        for (const row of batch.rows) await write(row);
        n += batch.rows.length;
        if (n >= report) { progress(`  ${t.name}: ${n} rows…`); report += PROGRESS_EVERY; }
        if (batch.rows.length < FETCH_ROWS) break;
      }
      await client.query('CLOSE backup_rows');
      rows[t.name] = n;
      progress(`backup: ${t.name} ${n} row(s)`);
    }
    // Sequences are not transactional: this reads their current value, at or past the snapshot's
    // rows, so a restored sequence never hands out an id the backup already holds.
    const seqs = await client.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'S' ORDER BY 1`);
    const sequences = [];
    for (const s of seqs.rows) {
      const v = await client.query<{ last_value: string; is_called: boolean }>(`SELECT last_value::text, is_called FROM ${ident(s.name)}`);
      sequences.push({ name: s.name, lastValue: v.rows[0]!.last_value, isCalled: v.rows[0]!.is_called });
    }
    await write({ sequences });
    await write({ end: true, rows });
    await client.query('COMMIT');
    gzip.end();
    await finished;
    return rows;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    gzip.destroy();
    out.destroy();
    throw err;
  } finally {
    client.release();
  }
}

/**
 * pg_dump warns about circular foreign keys among TimescaleDB's catalog tables (hypertable,
 * chunk, continuous_agg…) on every dump of a Timescale database; they concern data-only dumps,
 * not our full ones, which restore through TimescaleDB's procedure. Dropped, with one note.
 */
function withoutTimescaleCatalogWarnings(lines: string[]): string[] {
  const out: string[] = [];
  let dropped = false;
  for (let i = 0; i < lines.length; i++) {
    const detail = lines[i + 1] ?? '';
    if (/warning: there are circular foreign-key constraints/.test(lines[i]!) && /detail: (hypertable|chunk|continuous_agg|dimension)\b/.test(detail)) {
      i += 1;
      while (/^pg_dump: hint:/.test(lines[i + 1] ?? '')) i += 1;
      dropped = true;
      continue;
    }
    out.push(lines[i]!);
  }
  if (dropped) out.push('backup: (pg_dump\'s warnings about circular foreign keys in TimescaleDB\'s catalog are expected and harmless for a full dump)');
  return out;
}

async function pgDump(url: string, file: string, progress: Progress): Promise<Record<string, number>> {
  const { args, env } = toolEnv(url);
  // Created 0600 before pg_dump writes into it: never readable by others, not even mid-dump.
  await (await open(file, 'w', 0o600).catch((err: NodeJS.ErrnoException) => {
    throw new BackupError(`cannot write ${file}: ${err.code === 'ENOENT' ? 'no such directory' : err.message}`);
  })).close();
  progress('backup: pg_dump --format=custom');
  await runTool('pg_dump', [...args, '--format=custom', '--no-owner', '--no-privileges', '--file', file], env, progress, withoutTimescaleCatalogWarnings);
  await chmod(file, 0o600);
  return {};
}

// ---------------------------------------------------------------------------------------------
// Restore

/** What kind of backup a file is, by its first bytes. */
export async function detectFormat(file: string): Promise<BackupFormat> {
  const handle = await open(file, 'r').catch((err: NodeJS.ErrnoException) => {
    throw new BackupError(err.code === 'ENOENT' ? `no such file: ${file}` : `cannot read ${file}: ${err.message}`);
  });
  try {
    const head = Buffer.alloc(5);
    const { bytesRead } = await handle.read(head, 0, 5, 0);
    if (bytesRead >= 5 && head.toString('latin1') === 'PGDMP') return 'pg_dump';
    if (bytesRead >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'snapshot';
    throw new BackupError(`${file} is neither a guardian snapshot (gzip) nor a pg_dump archive`);
  } finally {
    await handle.close();
  }
}

/** Tables of ours that hold rows (schema_migrations does not count). */
export async function nonEmptyTables(db: Queryable): Promise<string[]> {
  const out: string[] = [];
  for (const t of await schemaTables(db)) {
    if ((await db.query(`SELECT 1 FROM ${ident(t.name)} LIMIT 1`)).rowCount) out.push(t.name);
  }
  return out;
}

export interface RestoreOptions {
  /** Replace whatever the database holds. */
  force?: boolean;
  progress?: Progress;
  clock?: Clock;
}

const notEmpty = (busy: string[]) => new BackupError(`the database is not empty (${busy.slice(0, 5).join(', ')}${busy.length > 5 ? ', …' : ''} hold rows); restore into a freshly migrated database, or pass --force to replace everything in it`);

/**
 * Restores a backup into the database of `pool`/`url`, which must hold no rows unless `force`.
 * A snapshot goes into the migrated schema (migrated here first) in one transaction; a pg_dump
 * archive brings its own schema, and the database is migrated after it, to this release. Then
 * the activity aggregate is materialized up to the last complete hour (TimescaleDB).
 */
export async function restoreDatabase(pool: pg.Pool, url: string, file: string, opts: RestoreOptions = {}): Promise<RestoreResult & { keptAs?: string }> {
  const progress = opts.progress ?? (() => {});
  const clock = opts.clock ?? wallClock;
  const format = await detectFormat(file);
  let result: RestoreResult & { keptAs?: string };
  if (format === 'pg_dump') {
    const keptAs = await restorePgDump(url, file, opts.force === true, progress, clock);
    await migrate(pool, { log: progress, clock });
    result = { format, rows: {}, ...(keptAs ? { keptAs } : {}) };
  } else {
    await migrate(pool, { log: progress, clock });
    const busy = await nonEmptyTables(pool);
    if (busy.length > 0 && !opts.force) throw notEmpty(busy);
    result = { format, rows: await readSnapshot(pool, file, opts.force === true, progress) };
  }
  // History older than the aggregate's 7-day policy window, up to the last complete hour; the
  // hour in progress stays live from signals (a refresh to "now" would freeze it: issue 22).
  const end = await materializeActivity(pool, clock).catch((err: Error) => {
    progress(`restore: activity_hourly not materialized (${err.message}); run CALL refresh_continuous_aggregate('activity_hourly', NULL, date_trunc('hour', now()))`);
    return null;
  });
  if (end) progress(`restore: activity_hourly materialized up to ${end.toISOString()}`);
  return result;
}

/**
 * pg_restore. Plain PostgreSQL on both sides: --clean in one transaction, as ever. Where
 * TimescaleDB is in the archive or in the database: its own procedure (store/timescale-restore.ts),
 * into the database when it holds no rows, else (--force) into a new one swapped in. Returns the
 * name the replaced database is kept under, if it was swapped.
 */
async function restorePgDump(url: string, file: string, force: boolean, progress: Progress, clock: Clock): Promise<string | undefined> {
  if (toolMajor('pg_restore') === null) throw new BackupError(`${file} is a pg_dump archive, and there is no pg_restore on PATH`);
  const timescale = await archiveHasTimescale(file);
  const c = await connect(url);
  let busy: string[];
  let installed: boolean;
  try {
    installed = await usesTimescale(c);
    if (timescale && !(await timescaleAvailable(c))) {
      throw new BackupError(`${file} was made of a TimescaleDB database, and this PostgreSQL server has no TimescaleDB: restore it on a server with the same TimescaleDB version, preloaded, or restore a snapshot backup (npx guardian backup --format snapshot), which restores on plain PostgreSQL too`);
    }
    if (timescale && !(await timescalePreloaded(c))) {
      throw new BackupError(`${file} was made of a TimescaleDB database, and this server does not preload TimescaleDB: set shared_preload_libraries = 'timescaledb' in postgresql.conf and restart PostgreSQL`);
    }
    busy = await nonEmptyTables(c);
  } finally {
    await c.end();
  }
  if (busy.length > 0 && !force) throw notEmpty(busy);
  if (!timescale && !installed) {
    const { args, env } = toolEnv(url);
    progress('restore: pg_restore --clean --single-transaction');
    await runTool('pg_restore', [...args, '--clean', '--if-exists', '--no-owner', '--no-privileges', '--single-transaction', '--exit-on-error', file], env, progress);
    return undefined;
  }
  const archive = { url, file, timescale, progress };
  if (busy.length === 0) {
    await restoreIntoEmpty(archive);
    return undefined;
  }
  return restoreBySwap(archive, clock);
}

async function readSnapshot(pool: pg.Pool, file: string, force: boolean, progress: Progress): Promise<Record<string, number>> {
  const input = createReadStream(file).pipe(createGunzip());
  const lines = createInterface({ input, crlfDelay: Infinity })[Symbol.asyncIterator]();
  const next = async (): Promise<unknown> => {
    let r;
    try { r = await lines.next(); } catch (err) { throw new BackupError(`${file} is damaged: ${(err as Error).message}`); }
    if (r.done) return undefined;
    try { return JSON.parse(r.value); } catch { throw new BackupError(`${file} is damaged: a line is not JSON`); }
  };
  const header = await next() as SnapshotHeader | undefined;
  if (!header || header.format !== SNAPSHOT_FORMAT) throw new BackupError(`${file} is not a guardian snapshot`);
  if (header.formatVersion > SNAPSHOT_FORMAT_VERSION) throw new BackupError(`${file} has snapshot format ${header.formatVersion}; this version reads up to ${SNAPSHOT_FORMAT_VERSION}`);

  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(TEXT_SETTINGS);
    const here = await appliedMigrations(client);
    const hereVersion = Math.max(0, ...here.map((m) => m.version));
    if (header.schemaVersion !== hereVersion || header.migrations.map((m) => m.version).join() !== here.map((m) => m.version).join()) {
      throw new BackupError(`the backup has schema version ${header.schemaVersion} (migrations ${header.migrations.map((m) => m.version).join(', ')}), this database ${hereVersion} (${here.map((m) => m.version).join(', ')}); restore with the release that made the backup, then upgrade`);
    }
    const tables = new Map((await schemaTables(client)).map((t) => [t.name, t]));
    // Nobody writes while we load (a service left running on this database waits, or fails).
    await client.query(`LOCK TABLE ${[...tables.keys()].map(ident).join(', ')} IN ACCESS EXCLUSIVE MODE`);
    const busyNow = force ? [] : await nonEmptyTables(client);
    if (busyNow.length > 0) throw new BackupError(`the database is not empty (${busyNow.slice(0, 5).join(', ')} hold rows); pass --force to replace everything in it`);
    if (force) {
      await client.query(`TRUNCATE ${[...tables.keys()].map(ident).join(', ')} RESTART IDENTITY CASCADE`);
      // The continuous aggregate's materialization (with its watermark) goes too: the buckets it
      // held came from the signals just removed, and one of the hour in progress would hide
      // that hour's new activity until the next hour.
      if (await activityIsContinuousAggregate(client)) await client.query('TRUNCATE activity_hourly');
    }

    const rows: Record<string, number> = {};
    let current: { table: TableInfo; insert: string; count: number; report: number } | null = null;
    let batch: unknown[][] = [];
    const flush = async () => {
      if (!current || batch.length === 0) return;
      await client.query(current.insert, [JSON.stringify(batch)]);
      current.count += batch.length;
      if (current.count >= current.report) { progress(`  ${current.table.name}: ${current.count} rows…`); current.report += PROGRESS_EVERY; }
      batch = [];
    };
    const closeTable = async () => {
      await flush();
      if (current) { rows[current.table.name] = current.count; progress(`restore: ${current.table.name} ${current.count} row(s)`); }
      current = null;
    };
    let trailer: { end: true; rows: Record<string, number> } | null = null;
    for (;;) {
      const line = await next();
      if (line === undefined) break;
      if (Array.isArray(line)) {
        if (!current) throw new BackupError(`${file} is damaged: a row before any table`);
        if (line.length !== current.table.columns.length) throw new BackupError(`${file} is damaged: a row of ${current.table.name} has ${line.length} values for ${current.table.columns.length} columns`);
        batch.push(line);
        if (batch.length >= INSERT_ROWS) await flush();
        continue;
      }
      const meta = line as { table?: string; columns?: Array<{ name: string; type: string }>; sequences?: Array<{ name: string; lastValue: string; isCalled: boolean }>; end?: boolean; rows?: Record<string, number> };
      if (meta.table !== undefined) {
        await closeTable();
        const table = tables.get(meta.table);
        if (!table) throw new BackupError(`the backup has a table "${meta.table}" this database does not`);
        const theirs = (meta.columns ?? []).map((c) => `${c.name} ${c.type}`).join(', ');
        const ours = table.columns.map((c) => `${c.name} ${c.type}`).join(', ');
        if (theirs !== ours) throw new BackupError(`table ${meta.table}: the backup's columns (${theirs}) differ from this database's (${ours})`);
        const overriding = table.columns.some((c) => c.identityAlways) ? ' OVERRIDING SYSTEM VALUE' : '';
        const casts = table.columns.map((c, i) => `(r->>${i})::${c.type}`).join(', ');
        current = {
          table, count: 0, report: PROGRESS_EVERY,
          insert: `INSERT INTO ${ident(table.name)} (${table.columns.map((c) => ident(c.name)).join(', ')})${overriding} SELECT ${casts} FROM json_array_elements($1::json) AS r`,
        };
      } else if (meta.sequences) {
        await closeTable();
        for (const s of meta.sequences) {
          await client.query(`SELECT setval($1::regclass, $2::bigint, $3)`, [ident(s.name), s.lastValue, s.isCalled]);
        }
      } else if (meta.end) {
        await closeTable();
        trailer = meta as { end: true; rows: Record<string, number> };
      }
    }
    if (!trailer) throw new BackupError(`${file} is truncated: it has no end marker (was the backup interrupted?)`);
    for (const [table, n] of Object.entries(trailer.rows)) {
      if ((rows[table] ?? 0) !== n) throw new BackupError(`${file} is damaged: ${table} should have ${n} rows, it has ${rows[table] ?? 0}`);
    }
    await client.query('COMMIT');
    return rows;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
    input.destroy();
  }
}
