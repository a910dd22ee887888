import type { Redis } from 'ioredis';
import { LIVE_CHANNEL } from '../domain/queues.js';
import { findAlert } from '../store/alert-transitions-repository.js';
import type { DispatchContext } from './dispatch-context.js';
import { timersFor } from './timer-plan.js';

/**
 * Arms timers for changes the dispatcher did not make: the API's accept (arrival reminder,
 * issue 4 item 11a) or manual escalation (next ack timer). The API may not import the
 * dispatcher (DESIGN §8), so we listen to the live feed it publishes on Redis. A missed message
 * costs at most RECONCILE_S: the reconciler arms the same timers from the database.
 * Updates are coalesced per alert for `coalesceMs`, so a burst costs one read per alert.
 */
export class AlertChangeWatcher {
  private busy = false;
  private readonly pending = new Set<string>();
  private flushTimer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private stopped = false;

  constructor(private readonly deps: {
    ctx: DispatchContext; subscriber: Redis; coalesceMs?: number;
    /** Seqs this dispatcher published itself: it armed their timers already (issue 6: one read per own escalation saved). */
    isOwn?: (seq: number) => boolean;
  }) {}

  async start(): Promise<void> {
    this.deps.subscriber.on('message', (channel: string, message: string) => {
      if (channel === LIVE_CHANNEL) this.onMessage(message);
    });
    await this.deps.subscriber.subscribe(LIVE_CHANNEL).catch((err) => this.deps.ctx.log.warn('live feed subscription failed; the reconciler covers it', err));
  }

  /** No change waits to be looked at (the simulated day advances its clock only then). */
  get idle(): boolean {
    return this.pending.size === 0 && this.flushTimer === null && !this.busy;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    await this.flushing;
    await this.deps.subscriber.unsubscribe(LIVE_CHANNEL).catch(() => {});
  }

  private onMessage(message: string): void {
    let events: Array<{ seq?: number; type?: string; data?: { id?: string; state?: string } }>;
    try {
      events = JSON.parse(message) as typeof events;
    } catch {
      return;
    }
    if (!Array.isArray(events)) return;
    for (const e of events) {
      // Rosters are cached for seconds; an on-duty switch or a role change must count at once.
      if (e.type === 'responder.status') this.deps.ctx.rosters?.invalidate();
      if (typeof e.seq === 'number' && this.deps.isOwn?.(e.seq)) continue;
      // Accepted alerts get the reminder; waiting ones may have been escalated by hand.
      if (e.type === 'alert.updated' && e.data?.id && (e.data.state === 'accepted' || e.data.state === 'notified')) this.pending.add(e.data.id);
    }
    if (this.pending.size > 0 && !this.flushTimer && !this.stopped) {
      this.flushTimer = setTimeout(() => { this.flushTimer = null; this.flushing = this.flush(); }, this.deps.coalesceMs ?? 200);
    }
  }

  private async flush(): Promise<void> {
    const ids = [...this.pending];
    this.pending.clear();
    const { ctx } = this.deps;
    this.busy = true;
    try {
      const alerts = await Promise.all(ids.map((id) => findAlert(ctx.pool, id)));
      await ctx.timers.arm(alerts.flatMap((a) => (a && a.routedAt ? timersFor(a, ctx.config) : [])));
    } catch (err) {
      ctx.log.warn('watcher: arming timers failed; the reconciler will', err);
    } finally {
      this.busy = false;
    }
  }
}
