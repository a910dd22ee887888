import type pg from 'pg';

export type ReadinessCheck = () => Promise<boolean> | boolean;

/** A check that hangs is a failed check: readiness must answer fast for the load balancer. */
const CHECK_TIMEOUT_MS = 2000;

async function run(check: ReadinessCheck): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      Promise.resolve().then(check).then((v) => v === true),
      new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), CHECK_TIMEOUT_MS); }),
    ]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** DB (`SELECT 1`) plus every check the composer passed in (redis, broker, …), in parallel. */
export async function checkReadiness(pool: pg.Pool, extra: Record<string, ReadinessCheck> = {}): Promise<{ ready: boolean; checks: Record<string, boolean> }> {
  const all: Record<string, ReadinessCheck> = { db: async () => (await pool.query('SELECT 1')).rowCount === 1, ...extra };
  const names = Object.keys(all);
  const results = await Promise.all(names.map((n) => run(all[n]!)));
  const checks = Object.fromEntries(names.map((n, i) => [n, results[i]!]));
  return { ready: results.every(Boolean), checks };
}
