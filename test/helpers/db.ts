import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { createPool } from '../../store/db.js';
import { migrate } from '../../store/migrate.js';

export interface TestDb { pool: pg.Pool; url: string; name: string; drop(): Promise<void> }

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = '/' + name;
  return u.toString();
}

/** A fresh, migrated database of its own for one test file. */
export async function createTestDb(opts: { migrate?: boolean } = {}): Promise<TestDb> {
  const adminUrl = inject('pgAdminUrl');
  const name = 'gt_' + randomBytes(6).toString('hex');
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = withDatabase(adminUrl, name);
  const pool = createPool(url, 10);
  if (opts.migrate !== false) await migrate(pool);
  return {
    pool, url, name,
    async drop() {
      await pool.end().catch(() => {});
      const a = new pg.Client({ connectionString: adminUrl });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

export { waitFor } from './wait-for.js';
