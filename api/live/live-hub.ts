import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { LiveEvent } from '../../domain/live-events.js';
import { redisNamesInUse } from '../../store/redis-namespace.js';
import type { Clock } from '../../domain/clock.js';
import { latestLiveSeq, liveEventsSince } from '../../store/live-events-repository.js';
import { liveGapFills } from '../api-metrics.js';
import { LiveAudience, LiveDirectory, type LiveViewer } from './live-audience.js';

/** A connected socket as the hub sees it (see live-client.ts): whose it is, and where its events go. */
export interface LiveSink extends LiveViewer {
  push(events: readonly LiveEvent[], audience: LiveAudience): void;
}

export interface LiveHubOptions {
  pool: pg.Pool;
  clock: Clock;
  createSubscriber?: () => Redis;
  pollMs: number;
  gapWaitMs: number;
  log?: { warn(obj: unknown, msg?: string): void };
}

const TABLE_PAGE = 1000;
/** A skipped seq that commits later is still delivered if it shows up within this window. */
const SKIPPED_TTL_MS = 60_000;

/**
 * One per API instance: the ordered stream of live events for every socket of this instance
 * (DESIGN §6, §9).
 *
 * Sources: a Redis subscriber on the live channel (fast; every writer publishes after its commit)
 * and the live_events table (truth). Events leave in seq order. When an event arrives with
 * seq > last + 1 — a publish was lost, or concurrent transactions committed out of seq order —
 * the hub reads the table for the missing ones; a seq still missing after `gapWaitMs` (its
 * transaction not yet committed, or rolled back: identity values are never reused) is skipped,
 * so one slow or failed writer holds the feed for at most that long. A skipped seq that shows
 * up later (via Redis) is still delivered, out of order. Every `pollMs` the table is read for
 * anything newer than the last delivered seq, so with Redis down the feed is only slower.
 */
export class LiveHub {
  private lastSeq = 0;
  private readonly pending = new Map<number, LiveEvent>();
  private readonly skipped = new Map<number, number>();
  private gapSince: number | null = null;
  private readonly sinks = new Set<LiveSink>();
  private started: Promise<void> | null = null;
  private stopped = false;
  private subscriber: Redis | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private chain: Promise<void> = Promise.resolve();
  private queued = false;

  readonly directory: LiveDirectory;

  constructor(private readonly opts: LiveHubOptions) {
    this.directory = new LiveDirectory(opts.pool, opts.clock);
  }

  /** Who may see what of a batch, for these sockets (the same rule as the API's reads). */
  audience(events: readonly LiveEvent[], viewers: Iterable<LiveViewer>): Promise<LiveAudience> {
    return LiveAudience.of(this.opts.pool, this.directory, this.opts.clock, events, viewers);
  }

  /** The last seq delivered to sockets: a new socket's snapshot or replay ends here. */
  get seq(): number {
    return this.lastSeq;
  }

  /** Idempotent; the first socket starts the hub, so an app that serves no feed pays nothing. */
  start(): Promise<void> {
    this.started ??= (async () => {
      this.lastSeq = await latestLiveSeq(this.opts.pool);
      if (this.stopped) return;
      if (this.opts.createSubscriber) {
        const sub = this.opts.createSubscriber();
        const live = redisNamesInUse().live;
        this.subscriber = sub;
        sub.on('error', () => {}); // reconnects by itself; the poll covers the outage
        sub.on('message', (channel: string, message: string) => { if (channel === live) this.onMessage(message); });
        sub.subscribe(live).catch((err: unknown) => this.opts.log?.warn({ err }, 'live feed: Redis subscribe failed; polling the table'));
      }
      this.pollTimer = setInterval(() => this.schedule(true), this.opts.pollMs);
      this.pollTimer.unref();
    })().catch((err) => { this.started = null; throw err; });
    return this.started;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.pollTimer = this.retryTimer = null;
    this.sinks.clear();
    const sub = this.subscriber;
    this.subscriber = null;
    if (sub) sub.disconnect();
    await this.chain.catch(() => {});
  }

  add(sink: LiveSink): void { this.sinks.add(sink); }
  remove(sink: LiveSink): void { this.sinks.delete(sink); }
  get size(): number { return this.sinks.size; }

  /** Publishers send a JSON array of LiveEvents (store/live-publisher.ts). */
  private onMessage(raw: string): void {
    let events: unknown;
    try { events = JSON.parse(raw); } catch { return; }
    if (!Array.isArray(events)) return;
    for (const e of events as LiveEvent[]) {
      if (!e || typeof e.seq !== 'number' || typeof e.type !== 'string') continue;
      if (e.seq > this.lastSeq || this.skipped.has(e.seq)) this.pending.set(e.seq, e);
    }
    this.schedule(false);
  }

  /** Runs `process` one at a time, in order; a request while one runs coalesces into one more. */
  private schedule(readTable: boolean): void {
    if (this.stopped) return;
    if (this.queued && !readTable) return;
    this.queued = true;
    this.chain = this.chain.then(async () => {
      this.queued = false;
      if (this.stopped) return;
      try {
        await this.process(readTable);
      } catch (err) {
        this.opts.log?.warn({ err }, 'live feed: reading live_events failed; retrying on the next poll');
      }
    });
  }

  private async process(readTable: boolean): Promise<void> {
    const out: LiveEvent[] = [];
    const now = Date.now();
    for (const [seq, when] of this.skipped) if (now - when > SKIPPED_TTL_MS) this.skipped.delete(seq);
    // Late arrivals of skipped seqs: deliver now, out of order.
    for (const [seq, e] of this.pending) {
      if (seq > this.lastSeq) continue;
      this.pending.delete(seq);
      if (this.skipped.delete(seq)) out.push(e);
    }
    this.takeInOrder(out);
    if (readTable || this.pending.size > 0) {
      for (;;) {
        const rows = await liveEventsSince(this.opts.pool, this.lastSeq, TABLE_PAGE);
        for (const e of rows) {
          if (!this.pending.has(e.seq)) { this.pending.set(e.seq, e); liveGapFills.inc(); }
        }
        this.takeInOrder(out);
        if (this.pending.size > 0) {
          this.gapSince ??= Date.now();
          if (Date.now() - this.gapSince < this.opts.gapWaitMs) break;
          // Give up on the missing seqs below the lowest we hold: skip them, remembered for a while.
          const lowest = Math.min(...this.pending.keys());
          for (let s = this.lastSeq + 1; s < lowest; s++) this.skipped.set(s, Date.now());
          this.lastSeq = lowest - 1;
          this.gapSince = null;
          this.takeInOrder(out);
        }
        if (rows.length < TABLE_PAGE) break;
      }
    }
    if (this.pending.size === 0) this.gapSince = null;
    else this.retrySoon();
    if (out.length > 0) await this.deliver(out);
  }

  private takeInOrder(out: LiveEvent[]): void {
    for (let next = this.pending.get(this.lastSeq + 1); next; next = this.pending.get(this.lastSeq + 1)) {
      this.pending.delete(next.seq);
      this.lastSeq = next.seq;
      out.push(next);
    }
    if (this.pending.size === 0) this.gapSince = null;
  }

  /** While a gap is open, look again soon rather than at the next poll. */
  private retrySoon(): void {
    if (this.retryTimer || this.stopped) return;
    this.retryTimer = setTimeout(() => { this.retryTimer = null; this.schedule(true); }, Math.min(100, this.opts.gapWaitMs));
    this.retryTimer.unref();
  }

  private async deliver(events: LiveEvent[]): Promise<void> {
    if (this.sinks.size === 0) return;
    const audience = await this.audience(events, this.sinks);
    for (const sink of this.sinks) sink.push(events, audience);
  }
}
