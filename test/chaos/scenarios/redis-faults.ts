import { Redis } from 'ioredis';
import { Gateway } from '../../../gateway/broker.js';
import type { TestDb } from '../../helpers/db.js';
import { insertAlert } from '../../helpers/dispatcher-fixtures.js';
import { startDispatcherProcess, type DispatcherProcess } from '../../helpers/dispatcher-process.js';
import { seedCommunity } from '../lib/community.js';
import { startInfra } from '../lib/infra.js';
import type { ChaosRow } from '../lib/report.js';
import { SosFleet } from '../lib/sos-fleet.js';
import { checkDispatch, checkStore } from '../lib/verify.js';
import { sleep, until } from '../lib/wait.js';

export interface RedisFaultsOptions { timers: number; ackTimeoutS: number; sosDevices: number; sosRatePerS: number }

/**
 * Issue 7 item 2: `timers` live alerts with armed ack timers in a dispatcher process; redis-server
 * is SIGKILLed and restarted from its AOF (each alert must reach level 1 exactly once), then
 * wiped with FLUSHALL (the reconciler re-arms: each reaches level 2 exactly once). Meanwhile a
 * gateway on the same Redis keeps taking SOS: PUBACKed, stored, routed once Redis is back.
 */
export async function runRedisFaults(o: RedisFaultsOptions, log: (m: string) => void = () => {}): Promise<ChaosRow & { level1Once: number; level2Once: number; alerts: number }> {
  const started = Date.now();
  const infra = await startInfra('redis');
  let dispatcher: DispatcherProcess | undefined;
  let gateway: Gateway | undefined;
  let fleet: SosFleet | undefined;
  try {
    const { community, devices } = await seedCommunity(infra.pool, o.timers + o.sosDevices);
    const timerHomes = devices.slice(0, o.timers).map((d) => d.householdId);
    const sosCreds = devices.slice(o.timers);
    const db = { pool: infra.pool } as TestDb;
    const alertIds: string[] = [];
    for (const h of timerHomes) alertIds.push(await insertAlert(db, h, 'sos', new Date()));
    void community;

    dispatcher = await startDispatcherProcess({
      DATABASE_URL: infra.databaseUrl, REDIS_URL: infra.redis.url, RECONCILE_MS: '2000',
      GUARDIAN_TZ: 'Asia/Shanghai', DAY_SHIFT: '08:00-20:00', ACK_TIMEOUT_S: String(o.ackTimeoutS),
    }, 60_000);
    gateway = new Gateway({ pool: infra.pool, host: '127.0.0.1', mqttPort: 0, batchMax: 2000, redisUrl: infra.redis.url, log: { info: () => {}, warn: () => {} } });
    await gateway.start();
    fleet = new SosFleet(`mqtt://127.0.0.1:${gateway.ports.mqtt}`, sosCreds);
    await fleet.connect();

    const routedCount = async () => (await infra.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM alerts WHERE id = ANY($1::uuid[]) AND routed_at IS NOT NULL`, [alertIds])).rows[0]!.n;
    await until(async () => (await routedCount()) === alertIds.length, 120_000, 'the timer alerts routed (ack timers armed)', 500);
    const firstLevelAt = Date.now();
    log(`${alertIds.length} alerts routed, ack timers armed; SOS traffic on`);
    const sending = fleet.send(Math.round(o.sosRatePerS * (o.ackTimeoutS * 2 + 10)), o.sosRatePerS);

    // Fault 1: SIGKILL redis-server, bring it back from the AOF before the timers are due.
    await infra.redis.kill();
    log('redis-server SIGKILLed');
    await sleep(2000);
    await infra.redis.start();
    log('redis-server restarted (AOF)');
    const levelCount = async (level: number) => (await infra.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM alerts WHERE id = ANY($1::uuid[]) AND level >= $2`, [alertIds, level])).rows[0]!.n;
    await until(async () => (await levelCount(1)) === alertIds.length, (o.ackTimeoutS + 60) * 1000, 'every alert at level 1', 500);
    log(`level 1 everywhere ${((Date.now() - firstLevelAt) / 1000).toFixed(1)} s after routing`);

    // Fault 2: wipe Redis while the level-1 timers are armed; the reconciler re-arms from the database.
    const admin = new Redis(infra.redis.url, { maxRetriesPerRequest: 3 });
    await admin.flushall();
    admin.disconnect();
    log('FLUSHALL');
    await until(async () => (await levelCount(2)) === alertIds.length, (o.ackTimeoutS + 60) * 1000, 'every alert at level 2', 500);
    await sending;
    const f = fleet;
    await until(() => f.ledger.acked.size === f.ledger.sent.size, 60_000, `every SOS PUBACKed (${f.ledger.acked.size}/${f.ledger.sent.size})`);

    const once = async (level: number) => (await infra.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM (SELECT alert_id FROM alert_events WHERE alert_id = ANY($1::uuid[]) AND type = 'escalated' AND (data->>'toLevel')::int = $2
         GROUP BY alert_id HAVING count(*) = 1) x`, [alertIds, level])).rows[0]!.n;
    const level1Once = await once(1);
    const level2Once = await once(2);
    const store = await checkStore(infra.pool, sosCreds.map((d) => d.deviceId), fleet.ledger);
    const sosHomes = sosCreds.map((d) => d.householdId);
    const sosDispatch = await until(async () => {
      const d = await checkDispatch(infra.pool, sosHomes);
      return d.alerts > 0 && d.routed === d.alerts ? d : null;
    }, 60_000, 'the gateway SOS alerts routed', 500).catch(() => checkDispatch(infra.pool, sosHomes));
    const timerDispatch = await checkDispatch(infra.pool, timerHomes);
    const runs = dispatcher.timers.length;
    return {
      scenario: '2 Redis SIGKILL + FLUSHALL', faults: `SIGKILL redis-server + AOF restart, then FLUSHALL, ${alertIds.length} armed ack timers`,
      sent: fleet.ledger.sent.size, pubacked: fleet.ledger.acked.size, stored: store.stored, routed: sosDispatch.routed + timerDispatch.routed,
      duplicates: store.duplicates + sosDispatch.duplicates + timerDispatch.duplicates, lost: store.lost + (alertIds.length - level1Once) + (alertIds.length - level2Once),
      notes: `level 1 reached exactly once by ${level1Once}/${alertIds.length} after the SIGKILL, level 2 by ${level2Once}/${alertIds.length} after FLUSHALL; ${runs} timer runs; gateway SOS from ${o.sosDevices} devices meanwhile, ${sosDispatch.alerts} alerts routed ${sosDispatch.routed}`,
      seconds: Math.round((Date.now() - started) / 1000),
      level1Once, level2Once, alerts: alertIds.length,
    };
  } finally {
    await fleet?.stop().catch(() => {});
    await gateway?.stop().catch(() => {});
    await dispatcher?.kill('SIGTERM').catch(() => {});
    await infra.close();
  }
}
