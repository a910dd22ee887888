import { startInfra } from '../lib/infra.js';
import type { ChaosRow } from '../lib/report.js';
import { ServiceProcess } from '../lib/service-process.js';
import { seedCommunity } from '../lib/community.js';
import { SosFleet } from '../lib/sos-fleet.js';
import { checkDispatch, checkStore } from '../lib/verify.js';
import { until } from '../lib/wait.js';

export interface ProcessCrashOptions { devices: number; events: number; ratePerS: number; kills: number; ackTimeoutS: number }

/**
 * Issue 7 item 1: devices send SOS while the whole service (`guardian start`, ROLE=all) is
 * SIGKILLed and restarted `kills` times. Afterwards every PUBACKed (device, event id) is a
 * signal, stored once, attached to one alert per household, and every alert is routed and
 * escalates (nobody accepts) without a level or a page twice.
 */
export async function runProcessCrash(o: ProcessCrashOptions, log: (m: string) => void = () => {}): Promise<ChaosRow & { escalated: number; alerts: number; restarts: number[] }> {
  const started = Date.now();
  const infra = await startInfra('crash');
  const service = new ServiceProcess({
    name: 'crash-all', role: 'all', dir: infra.dir, databaseUrl: infra.databaseUrl, redisUrl: infra.redis.url,
    env: { ACK_TIMEOUT_S: String(o.ackTimeoutS), RECONCILE_S: '2' },
  });
  let fleet: SosFleet | undefined;
  try {
    const { devices } = await seedCommunity(infra.pool, o.devices);
    await service.start();
    fleet = new SosFleet(service.mqttUrl, devices);
    await fleet.connect();
    log(`${devices.length} devices connected to ${service.mqttUrl}`);

    // Kills spread over the sending window; each restart as soon as the old process is gone.
    const windowMs = (o.events / o.ratePerS) * 1000;
    const killAt = Array.from({ length: o.kills }, (_, i) => ((i + 1) * windowMs) / (o.kills + 1));
    const restarts: number[] = [];
    const chaos = (async () => {
      const t0 = Date.now();
      for (const at of killAt) {
        await new Promise((r) => setTimeout(r, Math.max(0, at - (Date.now() - t0))));
        await service.kill('SIGKILL');
        const down = Date.now();
        await service.start();
        restarts.push(Date.now() - down);
        log(`SIGKILL + restart in ${Date.now() - down} ms`);
      }
    })();
    await fleet.send(o.events, o.ratePerS);
    await chaos;
    const f = fleet;
    await until(() => f.ledger.acked.size === f.ledger.sent.size, 120_000, `every event PUBACKed (${f.ledger.acked.size}/${f.ledger.sent.size})`)
      .catch((err: Error) => {
        const why = [...new Set(service.errors.split('\n').map((l) => l.replace(/^\S+\s+\w+\s+/, '').replace(/sosbutton-\w+/g, '<device>').replace(/[0-9a-f-]{36}/g, '<id>')))];
        throw new Error(`${err.message}; distinct service warnings: ${why.slice(-12).join(' | ').slice(0, 3000)}`);
      });

    const deviceIds = devices.map((d) => d.deviceId);
    const households = devices.map((d) => d.householdId);
    const store = await checkStore(infra.pool, deviceIds, fleet.ledger);
    const dispatch = await until(async () => {
      const d = await checkDispatch(infra.pool, households);
      return d.alerts > 0 && d.routed === d.alerts && d.escalated === d.alerts ? d : null;
    }, (o.ackTimeoutS + 60) * 1000, 'every alert routed and escalated', 500).catch(async () => checkDispatch(infra.pool, households));
    return {
      scenario: '1 process crash', faults: `${o.kills}× SIGKILL of the service (ROLE=all) + restart`,
      sent: fleet.ledger.sent.size, pubacked: fleet.ledger.acked.size, stored: store.stored, routed: dispatch.routed,
      duplicates: store.duplicates + dispatch.duplicates, lost: store.lost,
      notes: `${o.devices} devices; ${dispatch.alerts} alerts (one per home), ${dispatch.escalated} escalated; restarts ${restarts.map((ms) => `${(ms / 1000).toFixed(1)} s`).join(', ')}${store.lost ? `; lost e.g. ${store.lostKeys.join(',')}` : ''}`,
      seconds: Math.round((Date.now() - started) / 1000),
      escalated: dispatch.escalated, alerts: dispatch.alerts, restarts,
    };
  } finally {
    await fleet?.stop().catch(() => {});
    await service.stop().catch(() => {});
    await infra.close();
  }
}
