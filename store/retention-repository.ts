import type { RetainedTable } from '../domain/retention-policy.js';
import type { Queryable } from './db.js';
import { getSetting, putSetting } from './settings-repository.js';

/**
 * The SQL of retention (issue 21): delete the oldest rows of a growing table, one small batch
 * per statement, through an index on its time column (migration 008). Each batch is its own
 * short transaction taking only row locks, so ingest (INSERTs, RowExclusiveLock too) never waits
 * on it; VACUUM (autovacuum) reuses the space for new rows.
 */
/** The retained tables, plus two pruned by a fixed rule: dedupe keys past their window, SMS sign-in links past their expiry. */
export type PrunedTable = RetainedTable | 'signal_dedupe' | 'one_time_links';

interface TableSpec {
  /** The indexed time column rows are judged by. */
  time: string;
  /** Extra condition a row must meet to go (beyond being old). */
  also?: string;
}

/** Table and column names are these constants, never input: the only way they reach SQL. */
const SPECS: Record<PrunedTable, TableSpec> = {
  signals: { time: 'ts' },
  live_events: { time: 'at' },
  // A notification of an alert still live is part of that alert's paging (who was paged in
  // which round, who may see it): it stays however old it is. One a sign-in link still names
  // stays too (the link's foreign key); links go once expired, below.
  notifications: {
    time: 'at',
    also: `(t.alert_id IS NULL OR NOT EXISTS (SELECT 1 FROM alerts a WHERE a.id = t.alert_id
             AND a.state IN ('open', 'notified', 'accepted', 'on_site')))
           AND NOT EXISTS (SELECT 1 FROM one_time_links l WHERE l.notification_id = t.id)`,
  },
  quarantine: { time: 'received_at' },
  audit_log: { time: 'at' },
  signal_dedupe: { time: 'seen_at' },
  one_time_links: { time: 'expires_at' },
};

/**
 * Deletes up to `limit` rows of `table` older than `cutoff`, oldest first; returns how many.
 * By ctid: one index range scan picks the rows, a TID scan deletes them (signals and
 * signal_dedupe have no single-column key). A row updated meanwhile has a new ctid and stays.
 */
export async function deleteOldestBatch(db: Queryable, table: PrunedTable, cutoff: Date, limit: number): Promise<number> {
  const { time, also } = SPECS[table];
  const r = await db.query(
    `DELETE FROM ${table} WHERE ctid = ANY(ARRAY(
       SELECT t.ctid FROM ${table} t WHERE t.${time} < $1 ${also ? `AND ${also}` : ''} ORDER BY t.${time} LIMIT $2))`,
    [cutoff, limit]);
  return r.rowCount ?? 0;
}

/** Whether TimescaleDB manages `signals` (a hypertable whose retention policy drops chunks). */
export async function signalsIsHypertable(db: Queryable): Promise<boolean> {
  if (!(await hasTimescaleExtension(db))) return false;
  const r = await db.query(
    `SELECT 1 FROM timescaledb_information.hypertables WHERE hypertable_name = 'signals' AND hypertable_schema = current_schema()`);
  return r.rows.length > 0;
}

async function hasTimescaleExtension(db: Queryable): Promise<boolean> {
  return (await db.query(`SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'`)).rows.length > 0;
}

export interface TableSize {
  table: string;
  /** Heap, indexes and TOAST; a hypertable's chunks included. */
  bytes: number;
  /** PostgreSQL's estimate (pg_class.reltuples after ANALYZE/VACUUM), never a count(*). */
  rowsEstimate: number;
}

/**
 * Disk use of every table of our schema, largest first. Catalog reads only: cheap at any size.
 * A hypertable's rows live in chunks in another schema, so its size comes from hypertable_size.
 */
export async function tableSizes(db: Queryable): Promise<TableSize[]> {
  const hypertables = new Set<string>();
  if (await hasTimescaleExtension(db)) {
    const r = await db.query<{ name: string }>(
      `SELECT hypertable_name AS name FROM timescaledb_information.hypertables WHERE hypertable_schema = current_schema()`);
    for (const row of r.rows) hypertables.add(row.name);
  }
  const r = await db.query<{ table: string; bytes: string; rows: number }>(
    `SELECT c.relname AS table, pg_total_relation_size(c.oid) AS bytes, greatest(c.reltuples, 0)::float8 AS rows
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')`);
  const sizes: TableSize[] = [];
  for (const row of r.rows) {
    let bytes = Number(row.bytes);
    let rows = Number(row.rows);
    if (hypertables.has(row.table)) {
      const h = await db.query<{ bytes: string; rows: string }>(
        `SELECT hypertable_size(format('%I.%I', current_schema(), $1::text)::regclass) AS bytes,
                approximate_row_count(format('%I.%I', current_schema(), $1::text)::regclass) AS rows`, [row.table]);
      bytes = Number(h.rows[0]?.bytes ?? bytes);
      rows = Number(h.rows[0]?.rows ?? rows);
    }
    sizes.push({ table: row.table, bytes, rowsEstimate: Math.round(rows) });
  }
  return sizes.sort((a, b) => b.bytes - a.bytes || a.table.localeCompare(b.table));
}

/** What a retention pass did, per table (kept as the last run for the admin page). */
export interface RetentionTableOutcome { table: PrunedTable; cutoff: string; deleted: number; done: boolean }
export interface RetentionRun { at: string; ms: number; tables: RetentionTableOutcome[]; skipped: Array<{ table: PrunedTable; why: string }> }

const LAST_RUN_KEY = 'retention.last_run';

export async function saveRetentionRun(db: Queryable, run: RetentionRun): Promise<void> {
  await putSetting(db, LAST_RUN_KEY, run);
}

export async function lastRetentionRun(db: Queryable): Promise<RetentionRun | null> {
  return getSetting<RetentionRun>(db, LAST_RUN_KEY);
}
