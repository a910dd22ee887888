import { cpus } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Goal, Scenario, ScenarioResult } from '../scenario.js';
import type { BrokerTarget } from '../lib/broker-target.js';
import { Fleet } from '../lib/fleet.js';
import { int, ms, ratio, summarize, times, type LatencySummary } from '../lib/latency-summary.js';
import { startMosquitto } from '../lib/mosquitto-process.js';
import { startPrivateInfra } from '../lib/private-infra.js';
import { startRawAedes } from '../lib/raw-aedes-process.js';
import { seedHouseholdDevices } from '../lib/seed-devices.js';
import { startGateway } from '../lib/gateway-process.js';
import { infraPids, startCpuWindow, withChildren, type CpuUse } from '../lib/cpu-accounting.js';

interface TargetRun { name: string; msgPerS: number; latency: LatencySummary; sent: number; acked: number; failed: number; stored?: number; cpu: CpuUse }

/**
 * Issue 6 item 1: the same closed-loop mqtt.js load (clients × QoS 1 telemetry in flight)
 * against our gateway (auth, validation, group-committed durable PostgreSQL writes — each
 * PUBACK after its row's commit), raw aedes accepting everything, and Mosquitto.
 */
const CPU_GROUPS = ['broker', 'postgres', 'redis', 'generators', 'other'] as const;

/** CPU microseconds per acknowledged message of each process group, then the machine's busy share. */
function cpuRow(r: TargetRun): string[] {
  const msgs = r.msgPerS * r.cpu.wallS;
  const per = (s: number) => (msgs > 0 ? ((s / msgs) * 1e6).toFixed(1) : '—');
  const busy = CPU_GROUPS.reduce((a, g) => a + r.cpu[g]!, 0) / (r.cpu.wallS * cpus().length);
  return [...CPU_GROUPS.map((g) => per(r.cpu[g]!)), `${Math.round(busy * 100)} %`];
}

/**
 * What bounds the gateway, from this run's own CPU figures: the core-seconds every message costs
 * the whole machine (broker + PostgreSQL + generators …) cap the rate the 2 cores can carry.
 */
function boundNotes(ours: TargetRun, raw: TargetRun): string[] {
  const perMsg = (r: TargetRun) => CPU_GROUPS.reduce((a, g) => a + r.cpu[g]!, 0) / (r.msgPerS * r.cpu.wallS);
  const cores = cpus().length;
  const ceiling = cores / perMsg(ours);
  const busy = (perMsg(ours) * ours.msgPerS) / cores;
  const us = (s: number) => `${(s * 1e6).toFixed(1)} µs`;
  const pgPerMsg = ours.cpu.postgres! / (ours.msgPerS * ours.cpu.wallS);
  const rawBrokerPerMsg = raw.cpu.broker! / (raw.msgPerS * raw.cpu.wallS);
  const verdict = ceiling < 0.6 * raw.msgPerS
    ? 'the 0.6 × goal is out of reach on this machine while every message is a durable row'
    : 'so the 0.6 × goal is within what the cores can carry';
  return [
    `CPU bound: every message cost the machine ${us(perMsg(ours))} of CPU through the gateway (${us(ours.cpu.broker! / (ours.msgPerS * ours.cpu.wallS))} of it in the gateway, ${us(ours.cpu.postgres! / (ours.msgPerS * ours.cpu.wallS))} in PostgreSQL writing its row, its dedupe key and their four indexes with fsync on) against ${us(perMsg(raw))} through raw aedes, which stores nothing. At that cost the ${cores} cores carry at most ${int(ceiling)} msg/s even 100% busy, ${times(ratio(ceiling, raw.msgPerS))} raw aedes: ${verdict}.${pgPerMsg > rawBrokerPerMsg ? ` PostgreSQL alone spends more per message than raw aedes' whole broker (${us(rawBrokerPerMsg)}).` : ''}`,
    `The rest is latency: the machine was ${Math.round(busy * 100)}% busy during the gateway's run, each group of PUBACKs waiting for its batch's commit round trip (~6 ms for 256 rows) while the generators wait for the PUBACKs. Measured on 2026-12-02 with the same load, none of these moved it past 28k msg/s: 2–6 concurrent writes with batches of 32–2,000 rows, and 64 or 128 clients × 16 in flight (latency grew with the in-flight count instead). Each of the four indexes costs PostgreSQL ~10% of its insert rate (alone, 256-row batches × 2: 70k rows/s with all of them, 97k with none); they serve the household timeline, the device view and the 24 h dedupe purge.`,
  ];
}

const ingest: Scenario = {
  id: 'ingest',
  title: 'Ingest throughput: gateway vs raw aedes vs Mosquitto',
  async run(ctx): Promise<ScenarioResult> {
    const clients = ctx.quick ? 20 : 32;
    const inflight = 16;
    const seconds = ctx.quick ? 1.5 : 12;
    const warmupS = ctx.quick ? 0.5 : 3;
    const generators = 2;
    const notes: string[] = [];
    const infra = await startPrivateInfra({ redis: true, log: ctx.log });
    const fleet = new Fleet(generators);
    const runs: TargetRun[] = [];
    const checks: Record<string, number | boolean> = {};
    try {
      const devices = await seedHouseholdDevices(infra.pool, clients, { prefix: 'ing' });
      const measure = async (target: BrokerTarget): Promise<TargetRun> => {
        const c = await fleet.connect(target.url, devices, { batch: clients });
        if (c.connected !== clients) throw new Error(`${target.name}: ${c.connected}/${clients} clients connected (${c.firstError})`);
        ctx.log(`${target.name}: ${clients} clients × ${inflight} in flight for ${warmupS} + ${seconds} s`);
        const loop = fleet.closedLoop(seconds, warmupS, inflight);
        await sleep(warmupS * 1000); // CPU is counted over the measured seconds only
        const pids = infraPids(infra.dir);
        const stopCpu = startCpuWindow({
          broker: () => [target.pid], postgres: () => (pids.postgres ? withChildren(pids.postgres) : []),
          redis: () => (pids.redis ? [pids.redis] : []), generators: () => fleet.pids,
        });
        const r = await loop;
        const cpu = stopCpu();
        await fleet.teardown();
        const run = { name: target.name, msgPerS: r.measuredAcked / (r.measuredMs / 1000), latency: summarize(r.latencies), sent: r.sent, acked: r.acked, failed: r.failed, cpu };
        ctx.log(`${target.name}: ${int(run.msgPerS)} msg/s, PUBACK p50 ${ms(run.latency.p50)} p99 ${ms(run.latency.p99)}; CPU µs/msg: ${cpuRow(run).join(' · ')}`);
        return run;
      };

      const gateway = await startGateway({ databaseUrl: infra.databaseUrl, redisUrl: infra.redisUrl! });
      try {
        const run = await measure(gateway);
        // Every PUBACKed message must be a row; nothing else was sent.
        const stored = Number((await infra.pool.query<{ n: string }>(`SELECT count(*) AS n FROM signals WHERE type = 'heartbeat'`)).rows[0]!.n);
        run.stored = stored;
        Object.assign(checks, { sent: run.sent, acked: run.acked, stored, lost: Math.max(0, run.acked - stored), unacked: run.sent - run.acked - run.failed, failed: run.failed });
        runs.push(run);
      } finally {
        await gateway.stop();
      }
      const aedes = await startRawAedes();
      try { runs.push(await measure(aedes)); } finally { await aedes.stop(); }
      const mosquitto = await startMosquitto(infra.dir);
      if (mosquitto) {
        try { runs.push(await measure(mosquitto)); } finally { await mosquitto.stop(); }
      } else {
        notes.push('Mosquitto skipped: /usr/sbin/mosquitto is not installed (apt-get install mosquitto).');
      }
    } finally {
      await fleet.stop();
      await infra.stop();
    }

    const [ours, raw, mosq] = [runs[0]!, runs[1]!, runs[2]];
    const vsRaw = ratio(ours.msgPerS, raw.msgPerS);
    const vsMosq = mosq ? ratio(ours.msgPerS, mosq.msgPerS) : null;
    const goals: Goal[] = [
      { name: 'ingest msg/s vs raw aedes', target: '≥ 0.6 ×', measured: `${times(vsRaw)} (${int(ours.msgPerS)} vs ${int(raw.msgPerS)} msg/s)`, met: vsRaw === null ? null : vsRaw >= 0.6 },
      { name: 'ingest msg/s vs Mosquitto', target: '≥ 1.0 ×', measured: mosq ? `${times(vsMosq)} (${int(ours.msgPerS)} vs ${int(mosq.msgPerS)} msg/s)` : 'Mosquitto absent', met: vsMosq === null ? null : vsMosq >= 1 },
      { name: 'every PUBACKed message in PostgreSQL', target: 'stored = acked', measured: `${int(ours.stored ?? 0)} stored of ${int(ours.acked)} acked`, met: ours.stored === ours.acked },
    ];
    notes.push(
      `Load: ${clients} mqtt.js clients (simulators/simulated-device.ts) in ${generators} generator processes, each keeping ${inflight} QoS 1 heartbeat events in flight (closed loop), ${warmupS} s warm-up then ${seconds} s measured; the same generator for every broker.`,
      'The gateway is gateway/broker.ts in its own process, sessions in memory as in the all-in-one service, Redis for route jobs and live events: authenticated devices, ACL, JSON validation, dedupe, group-committed multi-row INSERT into PostgreSQL with fsync on; each PUBACK waits for its row\'s commit (DESIGN §2). Raw aedes and Mosquitto store nothing.',
      'Generators and broker share the 2 cores: a faster broker leaves less CPU to the generator, so the fastest figures are bounded by the generator.',
      ...boundNotes(ours, raw));
    return {
      tables: [{
        title: `QoS 1 telemetry, ${clients} clients × ${inflight} in flight`,
        columns: ['broker', 'msg/s', 'PUBACK p50', 'PUBACK p99', 'vs raw aedes', 'vs Mosquitto', 'stored in PostgreSQL'],
        rows: runs.map((r) => [r.name, int(r.msgPerS), ms(r.latency.p50), ms(r.latency.p99), times(ratio(r.msgPerS, raw.msgPerS)),
          mosq ? times(ratio(r.msgPerS, mosq.msgPerS)) : '—', r.stored === undefined ? '—' : `${int(r.stored)} / ${int(r.acked)} acked`]),
      }, {
        title: 'CPU per message while measured (µs of CPU per PUBACKed message, by process group)',
        columns: ['broker', 'broker process', 'PostgreSQL', 'redis-server', 'load generators', 'rest of the machine', `machine busy (${cpus().length} cores)`],
        rows: runs.map((r) => [r.name, ...cpuRow(r)]),
      }],
      goals, notes, checks,
      raw: { clients, inflight, seconds, warmupS, generators, runs },
    };
  },
};

export default ingest;
