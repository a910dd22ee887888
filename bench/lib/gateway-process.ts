import type { BrokerTarget } from './broker-target.js';
import { askChild, collectGarbage } from './child-gc.js';
import type { TailSecond } from './tail-probe.js';
import { forkTs, stopChild } from './child-node.js';

/** Starts gateway-main.ts in a child process against the bench's private PostgreSQL / Redis. */
export async function startGateway(opts: { databaseUrl: string; redisUrl: string; shareSessions?: boolean; name?: string }): Promise<BrokerTarget & { tail(): Promise<TailSecond[] | null> }> {
  const child = forkTs('./gateway-main.ts', [], opts.name ?? 'gateway', {
    ...process.env, BENCH_DATABASE_URL: opts.databaseUrl, BENCH_REDIS_URL: opts.redisUrl,
    BENCH_SHARE_SESSIONS: opts.shareSessions ? '1' : '0', BENCH_INSTANCE_ID: opts.name ?? 'bench-gateway',
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the gateway did not start within 60 s')), 60_000);
    child.once('message', (m: { port: number }) => { clearTimeout(timer); resolve(m.port); });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`the gateway exited (${code}) during start`)); });
  }).catch(async (e: unknown) => { await stopChild(child); throw e; });
  return {
    name: opts.shareSessions ? 'guardian gateway (sessions in Redis)' : 'guardian gateway',
    url: `mqtt://127.0.0.1:${port}`, pid: child.pid!, stop: () => stopChild(child, 30_000), collectGarbage: () => collectGarbage(child),
    /** Per second: GC, event-loop lateness, query times and pool waits inside the gateway (bench/lib/tail-probe.ts). */
    tail: () => askChild<{ report?: TailSecond[] }, TailSecond[]>(child, 'tail', 'tail-report', (m) => m.report ?? null),
  };
}
