import type pg from 'pg';
import type { Config } from '../../domain/config.js';
import { createPool } from '../../store/db.js';
import { startEmbeddedPostgres } from '../../store/embedded-postgres.js';

export interface DatabaseHandle {
  pool: pg.Pool;
  url: string;
  embedded: boolean;
  /** Ends the pool and stops the embedded postmaster if this process started it. */
  close(): Promise<void>;
}

/**
 * DATABASE_URL when set; otherwise the embedded PostgreSQL in DATA_DIR (started here, or the
 * one the running service already started — the CLI shares it).
 */
export async function openDatabase(config: Config, log: (m: string) => void = () => {}, poolSize = 20): Promise<DatabaseHandle> {
  if (config.DATABASE_URL) {
    const pool = createPool(config.DATABASE_URL, poolSize);
    return { pool, url: config.DATABASE_URL, embedded: false, close: () => pool.end() };
  }
  const pg = await startEmbeddedPostgres(config.DATA_DIR, log);
  const pool = createPool(pg.url, poolSize);
  return {
    pool, url: pg.url, embedded: true,
    close: async () => {
      await pool.end();
      if (pg.startedHere) await pg.stop();
    },
  };
}
