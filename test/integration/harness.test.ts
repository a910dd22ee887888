import { afterAll, beforeAll, expect, test } from 'vitest';
import { createTestDb, type TestDb } from '../helpers/db.js';

let db: TestDb;
beforeAll(async () => { db = await createTestDb(); });
afterAll(async () => { await db.drop(); });

test('the private PostgreSQL is not the machine one and has the schema', async () => {
  const port = Number(new URL(db.url).port);
  expect(port).not.toBe(5432);
  const tables = await db.pool.query(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema='public' AND table_name IN ('alerts','signals','devices','households')`);
  expect(tables.rows[0].n).toBe(4);
});
