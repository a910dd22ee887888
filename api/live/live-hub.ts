import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { LiveEvent } from '../../domain/live-events.js';
import { LIVE_CHANNEL } from '../../domain/queues.js';
import { alertAudiences } from '../../store/alerts-repository.js';
import { latestLiveSeq, liveEventsSince } from '../../store/live-events-repository.js';
import { liveGapFills } from '../api-metrics.js';

/** A connected socket as the hub sees it (see live-client.ts). */
export interface LiveSink {
  /** Null: sees every event (dispatch room). Else the responder whose events these are. */
  readonly responderId: string | null;
  push(events: readonly LiveEvent[], audiences: Audiences): void;
}

/** alert id → responders it concerns (notified or holding it). */
export type Audiences = ReadonlyMap<string, ReadonlySet<string>>;

export interface LiveHubOptions {
  pool: pg.Pool;
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
 * Sources: a Redis subscriber on LIVE_CHANNEL (fast; every writer publishes after its commit)
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

  constructor(private readonly opts: LiveHubOptions) {}

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
        this.subscriber = sub;
        sub.on('error', () => {}); // reconnects by itself; the poll covers the outage
        sub.on('message', (channel: string, message: string) => { if (channel === LIVE_CHANNEL) this.onMessage(message); });
        sub.subscribe(LIVE_CHANNEL).catch((err: unknown) => this.opts.log?.warn({ err }, 'live feed: Redis subscribe failed; polling the table'));
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
    const audiences = [...this.sinks].some((s) => s.responderId !== null)
      ? await audiencesOf(this.opts.pool, events)
      : new Map<string, Set<string>>();
    for (const sink of this.sinks) sink.push(events, audiences);
  }
}

/** One query for every alert a batch mentions, only when a responder is connected. */
export async function audiencesOf(pool: pg.Pool, events: readonly LiveEvent[]): Promise<Audiences> {
  const ids = new Set<string>();
  for (const e of events) if (e.type === 'alert.created' || e.type === 'alert.updated') ids.add(e.data.id);
  return alertAudiences(pool, [...ids]);
}

/**
 * What a responder's socket receives (decision): events of alerts they were notified about or
 * hold, their own in-app notifications (`responder.notify`) and their own status. Household,
 * device and roster events are for the dispatch room.
 */
export function visibleTo(e: LiveEvent, responderId: string | null, audiences: Audiences): boolean {
  if (responderId === null) return true;
  const data = e.data as unknown as Record<string, unknown>;
  switch (e.type as string) {
    case 'alert.created':
    case 'alert.updated':
      return data.acceptedBy === responderId || (audiences.get(String(data.id))?.has(responderId) ?? false);
    case 'responder.notify':
    case 'responder.status':
      return data.responderId === responderId;
    default:
      return false;
  }
}
