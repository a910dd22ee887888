/**
 * Child process: one Guardian gateway (gateway/broker.ts) with its full pipeline — device auth
 * against PostgreSQL, ACL, validation, group-committed durable telemetry, alert transactions
 * before PUBACK, route jobs and live events to Redis — on an ephemeral loopback port.
 * BENCH_SHARE_SESSIONS=1 keeps MQTT sessions in Redis as ROLE=gateway does (DESIGN §9);
 * otherwise in memory, as the all-in-one service does. Sends {port} over IPC; exits on SIGTERM.
 */
import { Gateway } from '../../gateway/broker.js';
import { createPool } from '../../store/db.js';
import { answerGcRequests } from './child-gc.js';
import { answerTailRequests, startTailProbe } from './tail-probe.js';

const pool = createPool(process.env.BENCH_DATABASE_URL!, 20, { fixed: true }); // as bin/runtime/service.ts
// Before the gateway takes the pool: it times every query of it from here on.
const probe = startTailProbe(pool, { only: (name) => name === 'alert-batch' });
const gateway = new Gateway({
  pool, host: '127.0.0.1', mqttPort: 0, batchMax: 2000, redisUrl: process.env.BENCH_REDIS_URL,
  instanceId: process.env.BENCH_INSTANCE_ID ?? 'bench-gateway',
  shareSessions: process.env.BENCH_SHARE_SESSIONS === '1',
  log: { info: () => {}, warn: (m, e) => process.stderr.write(`gateway: ${m}${e ? `: ${String(e)}` : ''}\n`) },
});
answerGcRequests();
answerTailRequests(probe);
await gateway.start();
process.send?.({ port: gateway.ports.mqtt });
let stopping = false;
// ioredis rejects commands still queued when the shared-session connections close at shutdown;
// that is the end of this process, not a failure of the run.
process.on('unhandledRejection', (err) => {
  if (stopping) return;
  process.stderr.write(`gateway: unhandled rejection: ${String(err)}\n`);
  process.exit(1);
});
// The bench went away without stopping us (killed): do not outlive it.
process.on('disconnect', () => { setTimeout(() => process.exit(1), 3000).unref(); process.kill(process.pid, 'SIGTERM'); });
process.on('SIGTERM', () => {
  if (stopping) return;
  stopping = true;
  setTimeout(() => process.exit(1), 20_000).unref();
  void gateway.stop().then(() => pool.end()).finally(() => process.exit(0));
});
