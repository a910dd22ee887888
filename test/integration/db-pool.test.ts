import { afterAll, beforeAll, expect, test } from 'vitest';
import { createPool } from '../../store/db.js';
import { createTestDb, waitFor, type TestDb } from '../helpers/db.js';

let db: TestDb;
beforeAll(async () => { db = await createTestDb({ migrate: false }); });
afterAll(async () => { await db.drop(); });

test('a fixed pool opens all its connections before the first query', async () => {
  const pool = createPool(db.url, 3, { fixed: true });
  try {
    await waitFor(() => pool.totalCount === 3 && pool.idleCount === 3, { what: '3 open idle connections' });
    const backends = await db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`);
    expect(backends.rows[0]!.n).toBeGreaterThanOrEqual(3);
    expect((await pool.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one).toBe(1);
  } finally {
    await pool.end();
  }
});

test('a default pool opens connections only when asked', async () => {
  const pool = createPool(db.url, 3);
  try {
    await new Promise((r) => setTimeout(r, 200));
    expect(pool.totalCount).toBe(0);
  } finally {
    await pool.end();
  }
});
