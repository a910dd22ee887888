import pg from 'pg';

/**
 * One pg Pool per process (DESIGN §7). Repositories take a `Queryable` so that the same
 * function runs on the pool or inside a transaction's client.
 */
export type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;
export type Db = pg.Pool;

// timestamptz → Date (default), bigint counts → number: our ids and counts stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

/**
 * `fixed`: a long-running service's pool opens all its connections now and keeps them through
 * quiet hours (pg-pool's `min` = `max`; HikariCP recommends the same fixed size for spiky load).
 * A pool gone cold (idle connections close after 30 s) meets the first burst — the 3 a.m. fall
 * after hours of silence, a restart's overdue timers — by opening a connection per waiting query
 * at once, each a TCP and SCRAM handshake: 1,000 timers/s falling due on a cold pool started
 * 100–200 ms late for their first half second (issue 6 bench); with 8 kept warm, 80–110 ms; with
 * all 20, under 45 ms. The cost is `max` idle backends per process on the database.
 */
export function createPool(url: string, max = 20, opts: { fixed?: boolean } = {}): pg.Pool {
  const warm = opts.fixed ? max : 0;
  const pool = new pg.Pool({ connectionString: url, max, min: warm, connectionTimeoutMillis: 5000, idleTimeoutMillis: 30_000 });
  // An idle client losing its connection (e.g. the database restarts) must not crash us.
  pool.on('error', () => {});
  // pg-pool handles that only for idle clients: a checked-out one (inside a transaction, or
  // holding an advisory lock) whose connection dies between queries emits 'error' on itself,
  // and unhandled that killed the service on a PostgreSQL restart (found by `npm run chaos`).
  // Its next query fails instead, and its release drops it from the pool (!_queryable).
  pool.on('connect', (client) => { client.on('error', () => {}); });
  if (warm > 0) warmUp(pool, warm);
  return pool;
}

/** Opens `n` connections and returns them to the pool; a database not up yet is the caller's first query's problem. */
function warmUp(pool: pg.Pool, n: number): void {
  void Promise.allSettled(Array.from({ length: n }, () => pool.connect())).then((results) => {
    for (const r of results) if (r.status === 'fulfilled') r.value.release();
  });
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
