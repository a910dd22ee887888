import type { EventType } from '../domain/device-kinds.js';
import { connectInBatches } from './connection-ramp.js';
import type { DeviceCredential } from './credentials.js';
import { SimulatedDevice } from './simulated-device.js';
import { percentile } from './stats.js';

export interface LoadOptions {
  url: string;
  devices: readonly DeviceCredential[];
  /** Aggregate publish rate, messages per second across all devices. */
  rate: number;
  seconds: number;
  rampBatch?: number;
  /** After the last publish, wait this long for outstanding PUBACKs (default 10 s). */
  drainTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface LoadReport {
  devices: number;
  connected: number;
  connectFailed: number;
  rate: number;
  seconds: number;
  sent: number;
  acked: number;
  failed: number;
  /** Sent but neither acked nor failed when the drain timeout ended. */
  unacked: number;
  /** Acked messages per second over the publishing period. */
  achievedRate: number;
  p50Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
}

/** The scheduler wakes this often; each wake sends what the rate allows since the last one. */
const TICK_MS = 10;
/** Telemetry only: alert-class events would open thousands of alerts in the dispatch room. */
const LOAD_EVENT: EventType = 'heartbeat';

/**
 * N devices publishing QoS 1 telemetry at an aggregate rate, measuring publish → PUBACK latency
 * (which includes the gateway's group commit, since the PUBACK waits for it).
 */
export async function runLoad(opts: LoadOptions): Promise<LoadReport> {
  if (!(opts.rate > 0)) throw new RangeError('rate must be positive');
  if (!(opts.seconds > 0)) throw new RangeError('seconds must be positive');
  const log = opts.log ?? (() => {});
  const devices = opts.devices.map((credential) => new SimulatedDevice({ url: opts.url, credential, heartbeats: false, battery: 80 }));
  const latencies: number[] = [];
  let sent = 0;
  let acked = 0;
  let failed = 0;
  try {
    const ramp = await connectInBatches(devices, { batchSize: opts.rampBatch ?? 50, onBatch: (n, total) => log(`load: ${n}/${total} connected`) });
    const live = devices.filter((d) => d.up);
    if (live.length === 0) throw new Error(`no device could connect: ${ramp.failed[0]?.error ?? 'unknown error'}`);

    const started = performance.now();
    const endAt = started + opts.seconds * 1000;
    let budget = 0;
    let last = started;
    let next = 0;
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const now = performance.now();
        const until = Math.min(now, endAt);
        budget += ((until - last) / 1000) * opts.rate;
        last = until;
        while (budget >= 1) {
          budget -= 1;
          const d = live[next++ % live.length]!;
          if (!d.up) continue;
          sent++;
          d.publishEvent(LOAD_EVENT, { value: sent, battery: 80 }, (err, ms) => {
            if (err) failed++;
            else { acked++; latencies.push(ms); }
          });
        }
        if (now >= endAt) { clearInterval(timer); resolve(); }
      }, TICK_MS);
    });
    const publishSeconds = (performance.now() - started) / 1000;
    const drainUntil = Date.now() + (opts.drainTimeoutMs ?? 10_000);
    while (acked + failed < sent && Date.now() < drainUntil) await new Promise((r) => setTimeout(r, 20));

    const sorted = Float64Array.from(latencies).sort();
    const round = (n: number) => (Number.isNaN(n) ? null : Math.round(n * 100) / 100);
    return {
      devices: devices.length, connected: ramp.connected, connectFailed: ramp.failed.length,
      rate: opts.rate, seconds: opts.seconds, sent, acked, failed, unacked: sent - acked - failed,
      achievedRate: Math.round((acked / publishSeconds) * 10) / 10,
      p50Ms: round(percentile(sorted, 50)), p99Ms: round(percentile(sorted, 99)),
      maxMs: sorted.length ? round(sorted[sorted.length - 1]!) : null,
    };
  } finally {
    for (let i = 0; i < devices.length; i += 200) await Promise.all(devices.slice(i, i + 200).map((d) => d.stop()));
  }
}
