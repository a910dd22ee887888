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
 * one the running service already started — the CLI shares it). `ownEmbedded`: the service
 * stops the postmaster at shutdown even if it found one running (an orphan of a killed run).
 */
export async function openDatabase(config: Config, log: (m: string) => void = () => {}, poolSize = 20, opts: { ownEmbedded?: boolean; fixedPool?: boolean } = {}): Promise<DatabaseHandle> {
  if (config.DATABASE_URL) {
    const pool = createPool(config.DATABASE_URL, poolSize, { fixed: opts.fixedPool });
    return { pool, url: config.DATABASE_URL, embedded: false, close: () => pool.end() };
  }
  const pg = await startEmbeddedPostgres(config.DATA_DIR, log);
  const pool = createPool(pg.url, poolSize, { fixed: opts.fixedPool });
  return {
    pool, url: pg.url, embedded: true,
    close: async () => {
      await pool.end();
      // The service owns the postmaster even when it adopted one left by a killed run;
      // the CLI only stops one it started itself.
      if (pg.startedHere || opts.ownEmbedded) await pg.stop();
    },
  };
}
