import type { Redis } from 'ioredis';
import type pg from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';
import { QUEUES } from '../../domain/queues.js';
import { latestLiveSeq } from '../../store/live-events-repository.js';
import type { Dispatcher } from '../../dispatcher/dispatcher.js';
import type { Gateway } from '../../gateway/broker.js';
import type { InFlight } from '../../simulators/day/in-flight.js';
import type { SimulatedPhones } from '../../simulators/day/phones.js';
import type { LiveMonitor } from './live-monitor.js';

export interface SettleDeps {
  pool: pg.Pool;
  redis: Redis;
  queuePrefix: string;
  gateway: Gateway;
  dispatcher: Dispatcher;
  inFlight: InFlight;
  monitor: LiveMonitor;
  phones: SimulatedPhones;
  log: (line: string) => void;
}

/**
 * Waits until the service has nothing left to do at the current virtual instant, so the clock
 * may jump to the next event (discrete-event simulation, DESIGN §11): no publish awaiting its
 * PUBACK and no HTTP call in flight, nothing waiting to be written by the gateway, no change
 * waiting in the dispatcher's watcher, no query running, no job waiting or running in any queue,
 * every live event of the table delivered to the monitor and every page read by the phones. Two
 * idle looks in a row, a millisecond apart, so a hand-over between parts (a commit → a publish →
 * a subscriber) is not mistaken for rest.
 */
export class Settler {
  /** Looks taken, and the longest a settle took (real ms): the tool prints both. */
  looks = 0;
  slowestMs = 0;
  /** Why looks found the service busy, counted (for tuning the simulation). */
  readonly reasons = new Map<string, number>();

  constructor(private readonly d: SettleDeps) {}

  async settle(): Promise<void> {
    const started = Date.now();
    let idleLooks = 0;
    let warned = false;
    while (idleLooks < 2) {
      this.looks++;
      await sleep(idleLooks === 0 ? 0 : 1);
      const busy = await this.busyWith();
      if (busy) {
        this.reasons.set(busy.replace(/\d+/g, 'N'), (this.reasons.get(busy.replace(/\d+/g, 'N')) ?? 0) + 1);
        idleLooks = 0;
        if (!warned && Date.now() - started > 30_000) {
          warned = true;
          this.d.log(`simulate day: the service has been busy for 30 s (${busy}); still waiting`);
        }
        continue;
      }
      idleLooks++;
    }
    this.slowestMs = Math.max(this.slowestMs, Date.now() - started);
  }

  /** What is still going on, or null when nothing is. */
  private async busyWith(): Promise<string | null> {
    const d = this.d;
    if (d.inFlight.count > 0) return `${d.inFlight.count} simulated calls in flight`;
    if (!d.gateway.idle) {
      // Presence and quarantine write every 250 ms / 1 s of real time: ask now rather than wait.
      await d.gateway.flushPending();
      return 'the gateway is writing';
    }
    if (!d.dispatcher.idle) return 'the dispatcher is looking at changes';
    if (d.pool.totalCount - d.pool.idleCount > 0 || d.pool.waitingCount > 0) return 'queries are running';
    const queued = await this.queued();
    if (queued > 0) return `${queued} jobs queued or running`;
    const latest = await latestLiveSeq(d.pool);
    if (d.monitor.lastSeq < latest) return 'live events on their way';
    if (d.monitor.phonesBehind) {
      d.monitor.phonesBehind = false;
      await d.phones.barrier();
      return 'phones catching up';
    }
    return null;
  }

  private async queued(): Promise<number> {
    const p = this.d.redis.pipeline();
    for (const q of Object.values(QUEUES)) {
      const key = `${this.d.queuePrefix}:${q}`;
      p.llen(`${key}:wait`).llen(`${key}:active`).zcard(`${key}:prioritized`);
    }
    const results = (await p.exec()) ?? [];
    return results.reduce((n, [, v]) => n + Number(v ?? 0), 0);
  }
}
