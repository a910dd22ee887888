/**
 * A dispatcher in its own process, so tests can SIGKILL it (issue 4: "SIGKILL the dispatcher
 * process with ≥ 100 live alerts and armed timers"). Configured by environment: DATABASE_URL,
 * REDIS_URL, REDIS_PREFIX (the test file's namespace), QUEUE_PREFIX, CLOCK_AT (ISO instant the clock reads at start), ACK_TIMEOUT_S… as
 * in domain/config.ts. Prints "ready" on stdout once started, and one JSON line per timer run.
 */
import { parseConfig } from '../../domain/config.js';
import { Dispatcher } from '../../dispatcher/dispatcher.js';
import { createPool } from '../../store/db.js';
import { useRedisPrefix } from '../../store/redis-namespace.js';

const config = parseConfig(process.env);
useRedisPrefix(config.REDIS_PREFIX);
const pool = createPool(process.env.DATABASE_URL!, 10);
const offset = process.env.CLOCK_AT ? new Date(process.env.CLOCK_AT).getTime() - Date.now() : 0;
const log = {
  info: () => {},
  warn: (m: string, e?: unknown) => process.stderr.write(`warn ${m} ${e ? String(e) : ''}\n`),
  error: (m: string, e?: unknown) => process.stderr.write(`error ${m} ${e ? String(e) : ''}\n`),
};
const dispatcher = new Dispatcher({
  pool, redisUrl: process.env.REDIS_URL!, config, log, clock: () => new Date(Date.now() + offset),
  ...(process.env.QUEUE_PREFIX ? { queuePrefix: process.env.QUEUE_PREFIX } : {}),
  ...(process.env.RECONCILE_MS ? { reconcileIntervalMs: Number(process.env.RECONCILE_MS) } : {}),
  tuning: { lockDurationMs: 4000, stalledIntervalMs: 2000 },
  onTimer: (job, latenessMs, outcome) => process.stdout.write(`${JSON.stringify({ timer: job, latenessMs, outcome })}\n`),
});
await dispatcher.start();
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  void dispatcher.stop().then(() => pool.end()).then(() => process.exit(0));
});
