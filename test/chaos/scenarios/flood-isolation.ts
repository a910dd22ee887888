import { connect as tcpConnect } from 'node:net';
import { eventTopic } from '../../../domain/topics.js';
import { addDevice, seedCommunity } from '../lib/community.js';
import { startInfra } from '../lib/infra.js';
import { percentile } from '../lib/ledger.js';
import { connectPacket, PacketCounter, publishPacket } from '../lib/mqtt-bytes.js';
import type { ChaosRow } from '../lib/report.js';
import { ServiceProcess } from '../lib/service-process.js';
import { SosFleet } from '../lib/sos-fleet.js';
import { checkStore } from '../lib/verify.js';
import { sleep, until } from '../lib/wait.js';

export interface FloodOptions { sosDevices: number; sosRatePerS: number; phaseS: number; rateMax: number; burst: number }

/**
 * Issue 7 item 6: one device floods its event topic with telemetry as fast as the broker takes
 * it (raw TCP, QoS 1, a window of 500 in flight); the per-device limiter (DEVICE_RATE_MAX)
 * stores only its allowance. The other homes' SOS PUBACK p99 under the flood stays within 2×
 * of the same load without it, and every SOS is stored. On a shared, loaded machine two
 * back-to-back phases measure the machine's mood, so the flood is switched on and off every
 * second and each SOS counts for the slice it was sent in (an A/B interleave).
 */
export async function runFloodIsolation(o: FloodOptions, log: (m: string) => void = () => {}): Promise<ChaosRow & { quietP99: number; floodP99: number; floodSent: number; floodStored: number; floodAllowance: number; limited: number }> {
  const started = Date.now();
  const infra = await startInfra('flood');
  const service = new ServiceProcess({ name: 'flood-all', role: 'all', dir: infra.dir, databaseUrl: infra.databaseUrl, redisUrl: infra.redis.url,
    env: { DEVICE_RATE_MAX: String(o.rateMax), DEVICE_RATE_BURST: String(o.burst) } });
  let fleet: SosFleet | undefined;
  try {
    const { devices } = await seedCommunity(infra.pool, o.sosDevices + 1);
    const flooderHome = devices.pop()!.householdId;
    const flooder = await addDevice(infra.pool, flooderHome, 'pir');
    await service.start();
    fleet = new SosFleet(service.mqttUrl, devices);
    await fleet.connect();
    const phaseEvents = Math.round(o.sosRatePerS * o.phaseS);
    // Warm-up (JIT, pool), not measured.
    await fleet.send(Math.min(100, phaseEvents), o.sosRatePerS);
    const f = fleet;
    await until(() => f.ledger.acked.size === f.ledger.sent.size, 30_000, 'warm-up PUBACKs');

    const quiet: number[] = [];
    const noisy: number[] = [];
    let floodOn = false;

    // The flood: raw socket, pipelined windows of 500 QoS 1 motion events.
    let flooding = true, floodSent = 0, floodAcked = 0;
    const socket = tcpConnect(service.mqttPort, '127.0.0.1');
    const counter = new PacketCounter();
    socket.on('data', (c: Buffer) => counter.feed(c));
    socket.on('error', () => {});
    await new Promise<void>((r) => socket.once('connect', () => r()));
    socket.write(connectPacket(flooder.deviceId, flooder.deviceId, flooder.secret));
    await until(() => counter.connackCode !== undefined, 10_000, 'flooder CONNACK', 5);
    const floodStart = Date.now();
    const flood = (async () => {
      let id = 0;
      while (flooding && !socket.destroyed) {
        if (!floodOn) { await sleep(5); continue; }
        const before = counter.pubacks;
        const chunk: Buffer[] = [];
        for (let i = 0; i < 500; i++) {
          id++;
          chunk.push(publishPacket(eventTopic(flooder.deviceId), Buffer.from(`{"id":"f${id}","type":"motion","ts":${Date.now()},"value":true}`), 1, (id % 65535) + 1));
        }
        socket.write(Buffer.concat(chunk));
        floodSent += 500;
        await until(() => counter.pubacks - before >= 500 || socket.destroyed, 30_000, 'flood PUBACKs', 1).catch(() => {});
        floodAcked = counter.pubacks;
      }
    })();
    const t0 = performance.now();
    for (let sent = 0; sent < phaseEvents * 2;) {
      const elapsed = performance.now() - t0;
      floodOn = Math.floor(elapsed / 1000) % 2 === 1;
      const due = Math.min(phaseEvents * 2, Math.floor((elapsed / 1000) * o.sosRatePerS) + 1);
      for (; sent < due; sent++) {
        const bucket = floodOn ? noisy : quiet;
        f.sendOne(f.devices[sent % f.devices.length]!, 'sos', (ms) => bucket.push(ms));
      }
      await sleep(10);
    }
    await until(() => f.ledger.acked.size === f.ledger.sent.size, 60_000, `SOS PUBACKs (${f.ledger.acked.size}/${f.ledger.sent.size})`);
    flooding = false;
    await flood;
    const totalSeconds = (Date.now() - floodStart) / 1000;
    const floodSeconds = totalSeconds / 2; // on half of the time
    socket.destroy();

    const quietP99 = percentile(quiet, 99), floodP99 = percentile(noisy, 99);
    const floodStored = (await infra.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM signals WHERE device_id = $1`, [flooder.deviceId])).rows[0]!.n;
    const metrics = await (await fetch(`${service.httpUrl}/metrics`)).text();
    const limited = Number(/^guardian_rate_limited_total (\d+)/m.exec(metrics)?.[1] ?? 0);
    const floodAllowance = Math.ceil(o.burst + o.rateMax * totalSeconds); // the bucket refills while the flood pauses too
    const store = await checkStore(infra.pool, devices.map((d) => d.deviceId), fleet.ledger);
    log(`quiet p99 ${quietP99.toFixed(1)} ms, flood p99 ${floodP99.toFixed(1)} ms; flood ${floodSent} sent (${Math.round(floodSent / floodSeconds)}/s), ${floodStored} stored, ${limited} limited`);
    return {
      scenario: '6 flood isolation', faults: `1 device flooding ${Math.round(floodSent / floodSeconds)} msg/s for ${floodSeconds.toFixed(0)} s (limit ${o.rateMax}/s, burst ${o.burst})`,
      sent: fleet.ledger.sent.size, pubacked: fleet.ledger.acked.size, stored: store.stored, routed: 0,
      duplicates: store.duplicates, lost: store.lost,
      notes: `SOS PUBACK p99 quiet ${quietP99.toFixed(1)} ms → flood ${floodP99.toFixed(1)} ms (${(floodP99 / quietP99).toFixed(2)}×); p50 ${percentile(quiet, 50).toFixed(1)} → ${percentile(noisy, 50).toFixed(1)} ms; flooder ${floodSent} sent, ${floodAcked} PUBACKed, ${floodStored} stored (allowance ${floodAllowance}), ${limited} rate-limited`,
      seconds: Math.round((Date.now() - started) / 1000),
      quietP99, floodP99, floodSent, floodStored, floodAllowance, limited,
    };
  } finally {
    await fleet?.stop().catch(() => {});
    await service.stop().catch(() => {});
    await infra.close();
  }
}
