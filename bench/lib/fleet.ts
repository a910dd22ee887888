import type { ChildProcess } from 'node:child_process';
import type { DeviceCredential } from '../../domain/device-credentials.js';
import type { EventType } from '../../domain/device-kinds.js';
import { forkTs, stopChild } from './child-node.js';
import type {
  ClosedLoopReply, ConnectReply, FleetClient, FleetAnswer, FleetEnvelope, FleetReply, FleetRequest, ScheduleReply, StormReply,
} from './fleet-protocol.js';

/** One fleet child process, seen from the bench. */
class FleetProcess {
  private seq = 0;
  private readonly waiting = new Map<number, { resolve: (r: FleetReply) => void; reject: (e: Error) => void }>();
  /** Devices connected so far in the current ramp (progress messages). */
  progress = 0;

  constructor(readonly child: ChildProcess, readonly localAddress: string | undefined) {
    child.on('message', (a: FleetAnswer | { progress: number }) => {
      if ('progress' in a) { this.progress = a.progress; return; }
      const w = this.waiting.get(a.id);
      if (!w) return;
      this.waiting.delete(a.id);
      if (a.ok) w.resolve(a.reply!); else w.reject(new Error(a.error));
    });
    child.once('exit', (code) => {
      for (const w of this.waiting.values()) w.reject(new Error(`fleet process exited (${code})`));
      this.waiting.clear();
    });
  }

  ask<T extends FleetReply>(request: FleetRequest): Promise<T> {
    const id = ++this.seq;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (r: FleetReply) => void, reject });
      // A child that exited has closed its channel: the request fails instead of throwing ERR_IPC_CHANNEL_CLOSED.
      this.child.send({ id, request } satisfies FleetEnvelope, (err) => {
        if (err && this.waiting.delete(id)) reject(err);
      });
    });
  }
}

/**
 * Simulated devices spread over `processes` child processes, each with its own 127.0.0.x
 * source address when `spreadSources` (so 19,000 connections don't exhaust one address's
 * ephemeral ports, and no process exceeds its open-file limit).
 */
export class Fleet {
  private readonly procs: FleetProcess[];
  private shares: DeviceCredential[][] = [];

  /** `sourceBase`: the first process binds 127.0.0.<sourceBase>, the next one +1, … */
  constructor(processes: number, opts: { spreadSources?: boolean; sourceBase?: number } = {}) {
    const base = opts.sourceBase ?? 2;
    this.procs = Array.from({ length: processes }, (_, i) =>
      new FleetProcess(forkTs('./fleet-child.ts', [], `fleet-${base + i}`), opts.spreadSources ? `127.0.0.${base + i}` : undefined));
  }

  get size(): number { return this.procs.length; }

  /** The generator processes' pids (CPU accounting). */
  get pids(): number[] { return this.procs.map((p) => p.child.pid!).filter(Boolean); }

  /** Deals the devices round-robin over the processes and connects them (`batch` CONNECTs at a time per process). */
  async connect(url: string, devices: readonly DeviceCredential[], opts: { batch?: number; heartbeats?: boolean; timeoutMs?: number; log?: (m: string) => void; client?: FleetClient; stopAfterMs?: number } = {}) {
    this.shares = this.procs.map(() => []);
    for (const p of this.procs) p.progress = 0;
    const progress = opts.log ? setInterval(() => {
      opts.log!(`  … ${this.procs.reduce((n, p) => n + p.progress, 0).toLocaleString('en-US')}/${devices.length.toLocaleString('en-US')} connected`);
    }, 5000) : undefined;
    devices.forEach((d, i) => this.shares[i % this.procs.length]!.push(d));
    const started = performance.now();
    const replies = await Promise.all(this.procs.map((p, i) => p.ask<ConnectReply>({
      op: 'connect', url, devices: this.shares[i]!, batch: opts.batch ?? 50, heartbeats: opts.heartbeats ?? false,
      timeoutMs: opts.timeoutMs ?? 30_000, client: opts.client ?? 'mqtt.js', ...(opts.stopAfterMs ? { stopAfterMs: opts.stopAfterMs } : {}), ...(p.localAddress ? { localAddress: p.localAddress } : {}),
    }))).finally(() => clearInterval(progress));
    return {
      connected: replies.reduce((n, r) => n + r.connected, 0),
      failed: replies.reduce((n, r) => n + r.failed, 0),
      firstError: replies.find((r) => r.firstError)?.firstError ?? null,
      ms: performance.now() - started,
    };
  }

  async closedLoop(seconds: number, warmupS: number, inflight: number) {
    const replies = await Promise.all(this.procs.map((p) => p.ask<ClosedLoopReply>({ op: 'closed-loop', seconds, warmupS, inflight })));
    return {
      sent: replies.reduce((n, r) => n + r.sent, 0),
      acked: replies.reduce((n, r) => n + r.acked, 0),
      failed: replies.reduce((n, r) => n + r.failed, 0),
      measuredAcked: replies.reduce((n, r) => n + r.measuredAcked, 0),
      measuredMs: Math.max(...replies.map((r) => r.measuredMs)),
      latencies: replies.flatMap((r) => r.latencies),
    };
  }

  /** `count` events in total at `rate`/s, split evenly over the processes (each from a distinct device, or round-robin with `cycle`). */
  async schedule(type: EventType, rate: number, count: number, ackTimeoutMs = 10_000, opts: { cycle?: boolean } = {}) {
    const n = this.procs.length;
    const replies = await Promise.all(this.procs.map((p, i) => p.ask<ScheduleReply>({
      op: 'schedule', type, rate: rate / n, count: Math.floor(count / n) + (i < count % n ? 1 : 0), ackTimeoutMs, ...(opts.cycle ? { cycle: true } : {}),
    })));
    return { records: replies.flatMap((r) => r.records), seconds: Math.max(...replies.map((r) => r.seconds)) };
  }

  async storm(timeoutMs: number) {
    const replies = await Promise.all(this.procs.map((p) => p.ask<StormReply>({ op: 'storm', timeoutMs })));
    return {
      devices: replies.reduce((n, r) => n + r.devices, 0),
      reconnected: replies.reduce((n, r) => n + r.reconnected, 0),
      ms: Math.max(...replies.map((r) => r.ms)),
    };
  }

  async teardown(): Promise<void> {
    await Promise.all(this.procs.map((p) => p.ask({ op: 'teardown' }).catch(() => {})));
  }

  async stop(): Promise<void> {
    await Promise.all(this.procs.map((p) => stopChild(p.child, 5000)));
  }
}
