import type { Scenario, ScenarioResult } from '../scenario.js';
import { Fleet } from '../lib/fleet.js';
import { int, ms, summarize } from '../lib/latency-summary.js';
import { loginToken, openLiveFeed } from '../lib/live-feed-client.js';
import { startPrivateInfra } from '../lib/private-infra.js';
import { seedHouseholdDevices } from '../lib/seed-devices.js';
import { startService } from '../lib/service-process.js';

/**
 * Issue 6 item 2: with 10,000 devices connected and heartbeating, SOS at 20/s; the latency
 * from the device's PUBLISH to `alert.created` arriving on a console's live WebSocket
 * (gateway commit → Redis pub/sub → API live hub → WebSocket). The whole service runs in one
 * process (ROLE=all: gateway, dispatcher routing every alert, API), as `npm start` does.
 */
const alertPath: Scenario = {
  id: 'alert-path',
  title: 'Alert path latency: PUBLISH → alert.created on the live WebSocket',
  async run(ctx): Promise<ScenarioResult> {
    const devicesN = ctx.quick ? 200 : 10_000;
    const heartbeatS = 30;
    const rate = 20;
    const sosCount = ctx.quick ? 20 : 400;
    const notes: string[] = [];
    const infra = await startPrivateInfra({ redis: true, log: ctx.log });
    const fleet = new Fleet(2);
    try {
      const devices = await seedHouseholdDevices(infra.pool, devicesN, { prefix: 'ap', heartbeatS });
      const service = await startService({ databaseUrl: infra.databaseUrl, redisUrl: infra.redisUrl!, role: 'all', dir: infra.dir });
      const created = new Map<string, number[]>();
      let feed: Awaited<ReturnType<typeof openLiveFeed>> | undefined;
      let sent;
      let connectMs = 0;
      let connected = 0;
      try {
        const token = await loginToken(service.httpUrl, 'admin', service.adminPassword);
        feed = await openLiveFeed(service.httpUrl, token, (m) => {
          if (m.type !== 'alert.created') return;
          const hh = String(m.data.householdId);
          created.set(hh, [...(created.get(hh) ?? []), m.receivedAt]);
        });
        await feed.snapshot;
        ctx.log(`connecting ${int(devicesN)} devices (heartbeat every ${heartbeatS} s)`);
        // Bounded in time: on a loaded machine the ramp alone could eat the budget.
        const c = await fleet.connect(service.url, devices, { batch: 200, heartbeats: true, log: ctx.log, client: 'lean', stopAfterMs: ctx.quick ? 20_000 : 35_000 });
        connectMs = c.ms;
        connected = c.connected;
        if (c.connected < Math.min(devicesN, sosCount)) throw new Error(`${c.connected}/${devicesN} devices connected (${c.firstError})`);
        if (c.connected < devicesN) notes.push(`The ramp stopped at ${int(c.connected)} of ${int(devicesN)} devices when its share of the budget ran out; the SOS were sent with that many connected.`);
        ctx.log(`connected in ${(c.ms / 1000).toFixed(1)} s; SOS at ${rate}/s × ${sosCount}`);
        sent = await fleet.schedule('sos', rate, sosCount, 10_000);
        const deadline = Date.now() + 5000;
        while (Date.now() < deadline && sent.records.some((r) => !created.has(r.householdId))) await new Promise((r) => setTimeout(r, 20));
      } finally {
        feed?.close();
        await fleet.teardown();
        await service.stop();
      }
      const lat: number[] = [];
      let missing = 0;
      for (const r of sent.records) {
        const at = created.get(r.householdId)?.[0];
        if (at === undefined) missing++; else lat.push(at - r.sentAt);
      }
      const duplicates = [...created.values()].filter((v) => v.length > 1).length;
      const acked = sent.records.filter((r) => r.ackMs !== null);
      const s = summarize(lat);
      const puback = summarize(acked.map((r) => r.ackMs!));
      ctx.log(`alert.created for ${s.n}/${sent.records.length}: p50 ${ms(s.p50)} p99 ${ms(s.p99)}`);
      return {
        tables: [{
          title: `${int(connected)} connected devices heartbeating every ${heartbeatS} s (~${int(devicesN / heartbeatS)} msg/s), SOS at ${rate}/s`,
          columns: ['SOS sent', 'alert.created received', 'PUBLISH → alert.created p50', 'p99', 'max', 'PUBACK p50', 'PUBACK p99'],
          rows: [[sent.records.length, s.n, ms(s.p50), ms(s.p99), ms(s.max), ms(puback.p50), ms(puback.p99)]],
        }],
        goals: [{ name: 'PUBLISH → alert.created p99', target: '< 50 ms', measured: `${ms(s.p99)} (p50 ${ms(s.p50)})`, met: s.p99 === null ? null : s.p99 < 50 }],
        notes: [
          ...notes,
          `The service runs as \`npm start\` does (ROLE=all: gateway, dispatcher routing each new alert to its tier, API with the live WebSocket), against private PostgreSQL and redis-server; the console is one WebSocket client in the bench process, the devices live in 2 generator processes and speak DESIGN §2 on raw sockets (bench/lib/lean-device.ts), heartbeats spread over the period.`,
          'Latency is measured between processes with the system clock (performance.timeOrigin + now), sub-millisecond on one machine.',
        ],
        checks: { connected, sent: sent.records.length, acked: acked.length, received: s.n, missing, duplicates },
        raw: { devicesN, heartbeatS, rate, sosCount, connectMs, latency: s, puback },
      };
    } finally {
      await fleet.stop();
      await infra.stop();
    }
  },
};

export default alertPath;
