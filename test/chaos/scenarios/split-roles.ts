import { seedCommunity } from '../lib/community.js';
import { FailoverDevice } from '../lib/failover-device.js';
import { startInfra } from '../lib/infra.js';
import { EventLedger } from '../lib/ledger.js';
import type { ChaosRow } from '../lib/report.js';
import { ADMIN_PASSWORD, ServiceProcess } from '../lib/service-process.js';
import { checkDispatch, checkStore } from '../lib/verify.js';
import { sleep, until } from '../lib/wait.js';

export interface SplitRolesOptions { devices: number; events: number; ratePerS: number; ackTimeoutS: number }

/**
 * Issue 7 item 4 (DESIGN §9): 2 gateways, 2 dispatchers and 1 API as separate processes
 * (ROLE=…) on one Redis and one PostgreSQL. A gateway is SIGKILLed: its devices reconnect to
 * the other one and find their QoS 1 session there; a dispatcher is SIGKILLed: the other
 * carries on. Every SOS stored once, every alert routed and escalated once, the API sees them.
 */
export async function runSplitRoles(o: SplitRolesOptions, log: (m: string) => void = () => {}): Promise<ChaosRow & { moved: number; movedWithSession: number; alerts: number; escalated: number; apiTotal: number }> {
  const started = Date.now();
  const infra = await startInfra('roles');
  const common = { dir: infra.dir, databaseUrl: infra.databaseUrl, redisUrl: infra.redis.url, env: { ACK_TIMEOUT_S: String(o.ackTimeoutS), RECONCILE_S: '2' } };
  const gwA = new ServiceProcess({ ...common, name: 'gw-a', role: 'gateway' });
  const gwB = new ServiceProcess({ ...common, name: 'gw-b', role: 'gateway' });
  const d1 = new ServiceProcess({ ...common, name: 'dispatcher-1', role: 'dispatcher' });
  const d2 = new ServiceProcess({ ...common, name: 'dispatcher-2', role: 'dispatcher' });
  const api = new ServiceProcess({ ...common, name: 'api', role: 'api' });
  const all = [gwA, gwB, d1, d2, api];
  const ledger = new EventLedger();
  const devices: FailoverDevice[] = [];
  try {
    const { devices: creds } = await seedCommunity(infra.pool, o.devices);
    await api.start(); // first: it creates the admin
    await Promise.all([gwA.start(), gwB.start(), d1.start(), d2.start()]);
    log('2 gateways, 2 dispatchers, 1 API started');
    creds.forEach((c, i) => devices.push(new FailoverDevice(c, i % 2 === 0 ? [gwA.mqttPort, gwB.mqttPort] : [gwB.mqttPort, gwA.mqttPort], ledger)));
    for (let i = 0; i < devices.length; i += 50) await Promise.all(devices.slice(i, i + 50).map((d) => d.connect()));
    const onA = devices.filter((d) => d.port === gwA.mqttPort);

    const windowMs = (o.events / o.ratePerS) * 1000;
    const chaos = (async () => {
      await sleep(windowMs * 0.3);
      await gwA.kill('SIGKILL');
      log(`gateway A SIGKILLed (${onA.length} devices on it)`);
      await sleep(windowMs * 0.3);
      await d1.kill('SIGKILL');
      log('dispatcher 1 SIGKILLed');
    })();
    const t0 = performance.now();
    for (let sent = 0; sent < o.events;) {
      const due = Math.min(o.events, Math.floor(((performance.now() - t0) / 1000) * o.ratePerS) + 1);
      for (; sent < due; sent++) devices[sent % devices.length]!.sos();
      await sleep(10);
    }
    await chaos;
    await until(() => ledger.acked.size === ledger.sent.size, 120_000, `every SOS PUBACKed (${ledger.acked.size}/${ledger.sent.size})`)
      .catch((err: Error) => { throw new Error(`${err.message}; gateway B stderr: ${gwB.errors.slice(-2000)}`); });

    const moved = onA.filter((d) => d.connacks.some((c) => c.port === gwB.mqttPort));
    const movedWithSession = moved.filter((d) => d.connacks.find((c) => c.port === gwB.mqttPort)!.sessionPresent);
    const store = await checkStore(infra.pool, creds.map((c) => c.deviceId), ledger);
    const households = creds.map((c) => c.householdId);
    const dispatch = await until(async () => {
      const d = await checkDispatch(infra.pool, households);
      return d.alerts > 0 && d.routed === d.alerts && d.escalated === d.alerts ? d : null;
    }, (o.ackTimeoutS + 60) * 1000, 'every alert routed and escalated', 500).catch(() => checkDispatch(infra.pool, households));

    const login = await fetch(`${api.httpUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }) });
    const { token } = await login.json() as { token: string };
    const list = await fetch(`${api.httpUrl}/api/v1/alerts?limit=1`, { headers: { authorization: `Bearer ${token}` } });
    const apiTotal = list.ok ? ((await list.json()) as { total: number }).total : -1;
    return {
      scenario: '4 split roles', faults: 'SIGKILL gateway A, then dispatcher 1 (of 2 gateways, 2 dispatchers, 1 API)',
      sent: ledger.sent.size, pubacked: ledger.acked.size, stored: store.stored, routed: dispatch.routed,
      duplicates: store.duplicates + dispatch.duplicates, lost: store.lost,
      notes: `${onA.length} devices on A: ${moved.length} reconnected to B, ${movedWithSession.length} with session present; ${dispatch.alerts} alerts, ${dispatch.escalated} escalated, API lists ${apiTotal}`,
      seconds: Math.round((Date.now() - started) / 1000),
      moved: moved.length, movedWithSession: movedWithSession.length, alerts: dispatch.alerts, escalated: dispatch.escalated, apiTotal,
    };
  } finally {
    for (let i = 0; i < devices.length; i += 100) await Promise.all(devices.slice(i, i + 100).map((d) => d.stop()));
    for (const p of all) await p.stop().catch(() => {});
    await infra.close();
  }
}
