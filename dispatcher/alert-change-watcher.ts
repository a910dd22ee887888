import type { Redis } from 'ioredis';
import { findAlert, type AlertRecord } from '../store/alert-transitions-repository.js';
import { idsMissingPageRound } from '../store/dispatch-queries-repository.js';
import type { DispatchContext } from './dispatch-context.js';
import { PAGE_ROUND_PREFIX } from './notification-rounds.js';
import { planRoute } from './route-planner.js';
import { pageLevel } from './tier-pager.js';
import { pageOperatorPicks, redispatch } from './nearest-dispatch.js';
import { dispatchRowsOfAlerts } from '../store/dispatch-repository.js';
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
    /** The live channel of this dispatcher's Redis namespace (domain/redis-names.ts). */
    channel: string;
    /** Seqs this dispatcher published itself: it armed their timers already (issue 6: one read per own escalation saved). */
    isOwn?: (seq: number) => boolean;
  }) {}

  async start(): Promise<void> {
    this.deps.subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.deps.channel) this.onMessage(message);
    });
    await this.deps.subscriber.subscribe(this.deps.channel).catch((err) => this.deps.ctx.log.warn('live feed subscription failed; the reconciler covers it', err));
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
    await this.deps.subscriber.unsubscribe(this.deps.channel).catch(() => {});
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
      await this.pageManualEscalations(alerts.filter((a): a is AlertRecord => a !== null));
      await this.redispatch(alerts.filter((a): a is AlertRecord => a !== null));
    } catch (err) {
      ctx.log.warn('watcher: arming timers or paging failed; the reconciler will', err);
    } finally {
      this.busy = false;
    }
  }

  /**
   * Issue 15: the dispatch room's picks (POST /alerts/:id/dispatch) are paged by the dispatcher,
   * and under DISPATCH_POLICY=nearest a decline or a hand-back re-dispatches at once. Both are
   * read from the alert's dispatch rows, so a repeated look pages nobody twice.
   */
  private async redispatch(alerts: AlertRecord[]): Promise<void> {
    const { ctx } = this.deps;
    const live = alerts.filter((a) => a.routedAt && ['open', 'notified', 'accepted'].includes(a.state));
    if (live.length === 0) return;
    // One read of every watched alert's dispatch rows: most updates (a repeat press, a level, a
    // note) have no pick to page and no decline to answer, and then cost nothing more. Per alert
    // this looked up the picks, planned the route and ranked the candidates (four to six
    // statements), which slowed the live feed of a busy service (the console bench, issue 20).
    const rowsOf = await dispatchRowsOfAlerts(ctx.pool, live.map((a) => a.id));
    for (const alert of live) {
      const rows = rowsOf.get(alert.id) ?? [];
      const picks = rows.filter((r) => r.kind === 'operator' && r.pagedAt === null);
      // redispatch (nearest-dispatch.ts) acts only when the last row is a decline or a hand-back.
      const last = rows[rows.length - 1];
      const waiting = alert.state !== 'accepted' && alert.level === 0 && ctx.config.DISPATCH_POLICY === 'nearest'
        && (last?.kind === 'decline' || last?.kind === 'hand_back');
      if (picks.length === 0 && !waiting) continue;
      const route = await planRoute(ctx.pool, ctx.config, alert.householdId, ctx.clock.now(), ctx.rosters);
      if (!route) continue;
      if (picks.length > 0) await pageOperatorPicks(ctx, alert, route, picks);
      if (waiting) {
        const outcome = await redispatch(ctx, alert, route);
        if (outcome !== 'nothing') ctx.log.info(`alert ${alert.id} (${alert.kind}): declined or handed back; re-dispatched (${outcome})`);
      }
    }
  }

  /**
   * An operator's escalation (the API) moves the level but pages nobody: page the new level at
   * once instead of at the reconciler's next pass (issue 20 item 3: nobody was told for 15-30 s).
   * Waiting alerts whose level has no page round yet, and accepted ones escalated past tier 1
   * (an accepted alert at level 0 was accepted before routing: nobody to summon). Sends are
   * idempotent per round, so a race with another dispatcher pages nobody twice.
   */
  private async pageManualEscalations(alerts: AlertRecord[]): Promise<void> {
    const { ctx } = this.deps;
    const candidates = alerts.filter((a) => a.routedAt
      && (a.state === 'open' || a.state === 'notified' || (a.state === 'accepted' && a.level > 0)));
    const missing = await idsMissingPageRound(ctx.pool, candidates.map((a) => a.id), PAGE_ROUND_PREFIX);
    for (const alert of candidates.filter((a) => missing.has(a.id))) {
      const route = await planRoute(ctx.pool, ctx.config, alert.householdId, ctx.clock.now(), ctx.rosters);
      if (!route) continue;
      ctx.log.info(`alert ${alert.id} (${alert.kind}) escalated by hand to level ${alert.level}: paging it now`);
      await pageLevel(ctx, alert, route, alert.level, { inform: false });
    }
  }
}
