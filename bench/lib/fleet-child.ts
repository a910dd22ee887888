/**
 * Child process: a fleet of simulated devices (simulators/simulated-device.ts over mqtt.js),
 * driven by the bench over IPC (fleet-protocol.ts). Load generation lives in processes of its
 * own so the broker under test has its own event loop, and so 19,000 connections can be spread
 * over several processes (one process may hold ~20,000 open files here).
 */
import type { EventType } from '../../domain/device-kinds.js';
import { SimulatedDevice } from '../../simulators/simulated-device.js';
import { LeanDevice } from './lean-device.js';
import type { ClosedLoopReply, ConnectReply, FleetAnswer, FleetEnvelope, FleetReply, FleetRequest, ScheduleReply, SentRecord, StormReply } from './fleet-protocol.js';
import { wallMs } from './wall-clock.js';

/** What the fleet needs of a device; both clients have it. */
interface FleetDevice {
  readonly deviceId: string;
  readonly credential: { householdId: string };
  readonly up: boolean;
  connect(timeoutMs?: number): Promise<void>;
  publishEvent(type: EventType, extra: Record<string, unknown>, done?: (err: Error | undefined, latencyMs: number) => void): string;
  crash(): void;
  recover(): unknown;
}

let devices: FleetDevice[] = [];

async function connect(r: Extract<FleetRequest, { op: 'connect' }>): Promise<ConnectReply> {
  teardown();
  const local = r.localAddress ? { localAddress: r.localAddress } : {};
  devices = r.devices.map((credential): FleetDevice => (r.client === 'lean'
    ? new LeanDevice(credential, { url: r.url, heartbeats: r.heartbeats, ...local })
    : new SimulatedDevice({ url: r.url, credential, heartbeats: r.heartbeats, battery: 80, ...local })));
  const started = performance.now();
  // A sliding window of `batch` CONNECTs in flight (not lockstep batches: one SYN retransmit
  // would stall a whole batch for a second).
  let lastReport = 0;
  const ramp = { connected: 0, failed: [] as { deviceId: string; error: string }[] };
  let next = 0;
  const worker = async () => {
    // Budget-bounded ramps stop starting CONNECTs after stopAfterMs (the ones in flight finish).
    while (next < devices.length && performance.now() - started < (r.stopAfterMs ?? Infinity)) {
      const d = devices[next++]!;
      try { await d.connect(r.timeoutMs); ramp.connected++; } catch (err) { ramp.failed.push({ deviceId: d.deviceId, error: (err as Error).message }); }
      if (performance.now() - lastReport >= 2000) { lastReport = performance.now(); process.send!({ progress: ramp.connected }); }
    }
  };
  await Promise.all(Array.from({ length: Math.min(r.batch, devices.length) }, worker));
  return { connected: ramp.connected, failed: ramp.failed.length, firstError: ramp.failed[0]?.error ?? null, ms: performance.now() - started };
}

function closedLoop(r: Extract<FleetRequest, { op: 'closed-loop' }>): Promise<ClosedLoopReply> {
  const live = devices.filter((d) => d.up);
  const t0 = performance.now();
  const measureFrom = t0 + r.warmupS * 1000;
  const endAt = measureFrom + r.seconds * 1000;
  const latencies: number[] = [];
  let sent = 0, acked = 0, failed = 0, measuredAcked = 0, open = 0;
  return new Promise((resolve) => {
    const finish = () => resolve({ sent, acked, failed, measuredAcked, measuredMs: endAt - measureFrom, latencies });
    const chain = (d: FleetDevice) => {
      if (performance.now() >= endAt || !d.up) { if (--open === 0) finish(); return; }
      const startedAt = performance.now();
      sent++;
      d.publishEvent('heartbeat', { battery: 80 }, (err, latency) => {
        if (err) { failed++; if (--open === 0) finish(); return; }
        acked++;
        const now = performance.now();
        if (startedAt >= measureFrom && now <= endAt) { measuredAcked++; latencies.push(latency); }
        chain(d);
      });
    };
    for (const d of live) for (let k = 0; k < r.inflight; k++) { open++; chain(d); }
    if (open === 0) finish();
  });
}

async function schedule(r: Extract<FleetRequest, { op: 'schedule' }>): Promise<ScheduleReply> {
  const up = devices.filter((d) => d.up);
  const targets = r.cycle && up.length > 0 ? Array.from({ length: r.count }, (_, i) => up[i % up.length]!) : up.slice(0, r.count);
  const records: SentRecord[] = [];
  let pending = 0;
  const started = performance.now();
  await new Promise<void>((resolve) => {
    let next = 0;
    const tick = () => {
      const due = Math.min(targets.length, Math.floor(((performance.now() - started) / 1000) * r.rate) + 1);
      while (next < due) {
        const d = targets[next++]!;
        const rec: SentRecord = { deviceId: d.deviceId, householdId: d.credential.householdId, eventId: '', sentAt: wallMs(), ackMs: null, error: null };
        records.push(rec);
        pending++;
        let settled = false;
        const timer = setTimeout(() => { if (!settled) { settled = true; rec.error = `no PUBACK within ${r.ackTimeoutMs} ms`; pending--; } }, r.ackTimeoutMs);
        try {
          rec.eventId = d.publishEvent(r.type, { confidence: 1 }, (err, latency) => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            if (err) rec.error = err.message; else rec.ackMs = latency;
            pending--;
          });
        } catch (err) {
          settled = true; clearTimeout(timer); rec.error = (err as Error).message; pending--;
        }
      }
      if (next >= targets.length) { clearInterval(interval); resolve(); }
    };
    const interval = setInterval(tick, 2);
    tick();
  });
  const seconds = (performance.now() - started) / 1000;
  const deadline = Date.now() + r.ackTimeoutMs + 1000;
  while (pending > 0 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 10));
  return { records, seconds };
}

async function storm(r: Extract<FleetRequest, { op: 'storm' }>): Promise<StormReply> {
  const live = devices.filter((d) => d.up);
  for (const d of live) d.crash();
  // Let the sockets die before everyone knocks again.
  await new Promise((res) => setTimeout(res, 200));
  const started = performance.now();
  for (const d of live) Promise.resolve(d.recover()).catch(() => {});
  const deadline = started + r.timeoutMs;
  let up = 0;
  while (performance.now() < deadline) {
    up = live.reduce((n, d) => n + (d.up ? 1 : 0), 0);
    if (up === live.length) break;
    await new Promise((res) => setTimeout(res, 20));
  }
  return { devices: live.length, reconnected: up, ms: performance.now() - started };
}

function teardown(): Record<string, never> {
  for (const d of devices) d.crash();
  devices = [];
  return {};
}

async function handle(request: FleetRequest): Promise<FleetReply> {
  switch (request.op) {
    case 'connect': return connect(request);
    case 'closed-loop': return closedLoop(request);
    case 'schedule': return schedule(request);
    case 'storm': return storm(request);
    case 'teardown': return teardown();
  }
}

process.on('message', (m: FleetEnvelope) => {
  handle(m.request).then(
    (reply) => process.send!({ id: m.id, ok: true, reply } satisfies FleetAnswer),
    (err: unknown) => process.send!({ id: m.id, ok: false, error: err instanceof Error ? err.message : String(err) } satisfies FleetAnswer));
});
process.on('disconnect', () => { teardown(); process.exit(0); });
process.on('SIGTERM', () => { teardown(); process.exit(0); });
