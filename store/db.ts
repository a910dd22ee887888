import pg from 'pg';

/**
 * One pg Pool per process (DESIGN §7). Repositories take a `Queryable` so that the same
 * function runs on the pool or inside a transaction's client.
 */
export type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;
export type Db = pg.Pool;

// timestamptz → Date (default), bigint counts → number: our ids and counts stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export function createPool(url: string, max = 20): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: 5000, idleTimeoutMillis: 30_000 });
  // An idle client losing its connection (e.g. the database restarts) must not crash us.
  pool.on('error', () => {});
  // pg-pool handles that only for idle clients: a checked-out one (inside a transaction, or
  // holding an advisory lock) whose connection dies between queries emits 'error' on itself,
  // and unhandled that killed the service on a PostgreSQL restart (found by `npm run chaos`).
  // Its next query fails instead, and its release drops it from the pool (!_queryable).
  pool.on('connect', (client) => { client.on('error', () => {}); });
  return pool;
}

/** Runs fn inside BEGIN/COMMIT on one client; rolls back and rethrows on error. */
export async function inTransaction<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}
