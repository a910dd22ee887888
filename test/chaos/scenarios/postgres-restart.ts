import { startInfra } from '../lib/infra.js';
import type { ChaosRow } from '../lib/report.js';
import { ServiceProcess } from '../lib/service-process.js';
import { seedCommunity } from '../lib/community.js';
import { SosFleet } from '../lib/sos-fleet.js';
import { checkDispatch, checkStore } from '../lib/verify.js';
import { sleep, until } from '../lib/wait.js';

export interface PostgresRestartOptions { devices: number; events: number; ratePerS: number; downMs: number }

/**
 * Issue 7 item 3: PostgreSQL is stopped (pg_ctl -m fast: sessions cut mid-transaction) and
 * started again while devices send SOS and telemetry to the running service. No PUBACK without
 * a commit (every PUBACKed event is stored), the devices' retries fill the gap, the same
 * service process recovers on its own, and /readyz says 503 exactly while the database is away.
 */
export async function runPostgresRestart(o: PostgresRestartOptions, log: (m: string) => void = () => {}): Promise<ChaosRow & { readyzLies: number; readyz503: number; readyAfter: boolean; samePid: boolean; alerts: number }> {
  const started = Date.now();
  const infra = await startInfra('pg');
  const service = new ServiceProcess({ name: 'pg-all', role: 'all', dir: infra.dir, databaseUrl: infra.databaseUrl, redisUrl: infra.redis.url, env: { RECONCILE_S: '2' } });
  let fleet: SosFleet | undefined;
  try {
    const { devices } = await seedCommunity(infra.pool, o.devices);
    await service.start();
    const pid = service.pid;
    fleet = new SosFleet(service.mqttUrl, devices);
    await fleet.connect();

    // /readyz sampled all along; `down` is the window in which PostgreSQL surely is not running.
    const samples: Array<{ at: number; status: number }> = [];
    let sampling = true;
    const sampler = (async () => { while (sampling) { samples.push({ at: Date.now(), status: await service.readyz(2000) }); await sleep(200); } })();
    const down = { from: 0, to: 0 };
    const ackedBeforeStop = { n: 0 };
    const chaos = (async () => {
      await sleep((o.events / o.ratePerS) * 1000 * 0.3);
      await infra.stopPostgres();
      down.from = Date.now();
      ackedBeforeStop.n = fleet!.ledger.acked.size;
      log(`PostgreSQL stopped (${ackedBeforeStop.n} PUBACKed so far)`);
      await sleep(o.downMs);
      down.to = Date.now();
      await infra.startPostgres();
      log(`PostgreSQL back after ${Date.now() - down.from} ms`);
    })();
    // Half SOS (committed with their alert), half telemetry (group-committed): both must hold.
    await fleet.send(o.events, o.ratePerS, (i) => (i % 2 === 0 ? 'sos' : 'button'));
    await chaos;
    const f = fleet;
    await until(() => f.ledger.acked.size === f.ledger.sent.size, 120_000, `every event PUBACKed (${f.ledger.acked.size}/${f.ledger.sent.size})`)
      .catch(async (err: Error) => {
        const waiting = [...f.ledger.sent].filter((k) => !f.ledger.acked.has(k));
        const stuck = f.devices.filter((d) => waiting.some((k) => k.startsWith(d.deviceId + '\u0000')));
        const keys = waiting.slice(0, 400).map((k) => k.split('\u0000'));
        const stored = (await infra.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM signals s JOIN unnest($1::text[], $2::text[]) AS w(d, e) ON s.device_id = w.d AND s.event_id = w.e`,
          [keys.map((k) => k[0]), keys.map((k) => k[1])])).rows[0]!.n;
        for (const d of stuck.slice(0, 3)) {
          const c = (d as unknown as { client: Record<string, unknown> & { outgoingStore: { _inflights: Map<unknown, unknown> } } }).client;
          log(`DEBUG ${d.deviceId} connected=${String(c.connected)} outgoing=${Object.keys(c.outgoing as object).length} store=${c.outgoingStore?._inflights?.size} queue=${(c.queue as unknown[]).length} storeProcessing=${String(c._storeProcessing)} spq=${(c._storeProcessingQueue as unknown[] | undefined)?.length} reconnecting=${String(c.reconnecting)} disconnecting=${String(c.disconnecting)}`);
        }
        throw new Error(`${err.message}; ${stuck.length} devices waiting (${stuck.map((d) => `${d.kind}:${d.state}`).slice(0, 5).join(',')}), ${waiting.length} events of which ${stored}/${keys.length} are stored; service stderr: ${service.errors.slice(-1500)}`);
      });
    const readyAfter = await until(async () => (await service.readyz()) === 200, 30_000, '/readyz 200 again').then(() => true, () => false);
    sampling = false;
    await sampler;

    const inDown = samples.filter((s) => s.at > down.from + 500 && s.at + 2000 < down.to);
    const readyzLies = inDown.filter((s) => s.status === 200).length;
    const readyz503 = samples.filter((s) => s.status === 503).length;
    const store = await checkStore(infra.pool, devices.map((d) => d.deviceId), fleet.ledger);
    const households = devices.map((d) => d.householdId);
    const dispatch = await until(async () => {
      const d = await checkDispatch(infra.pool, households);
      return d.alerts > 0 && d.routed === d.alerts ? d : null;
    }, 60_000, 'every alert routed', 500).catch(async () => checkDispatch(infra.pool, households));
    const samePid = service.pid === pid && service.alive;
    return {
      scenario: '3 PostgreSQL restart', faults: `PostgreSQL stopped (fast) for ${(o.downMs / 1000).toFixed(0)} s during ingest`,
      sent: fleet.ledger.sent.size, pubacked: fleet.ledger.acked.size, stored: store.stored, routed: dispatch.routed,
      duplicates: store.duplicates + dispatch.duplicates, lost: store.lost,
      notes: `${o.devices} devices, SOS + telemetry; same process recovered: ${samePid ? 'yes' : 'NO'}; /readyz 503 ×${readyz503}, 200 while down ×${readyzLies}, 200 after: ${readyAfter ? 'yes' : 'NO'}${store.lost ? `; lost e.g. ${store.lostKeys.join(',')}` : ''}`,
      seconds: Math.round((Date.now() - started) / 1000),
      readyzLies, readyz503, readyAfter, samePid, alerts: dispatch.alerts,
    };
  } finally {
    await fleet?.stop().catch(() => {});
    await service.stop().catch(() => {});
    await infra.close();
  }
}
