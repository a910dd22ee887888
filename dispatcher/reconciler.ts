import { alertsMissingPageRound, routedLiveAlerts, unroutedLiveAlerts } from '../store/dispatch-queries-repository.js';
import { findAlert } from '../store/alert-transitions-repository.js';
import { routeAlert } from './alert-router.js';
import type { DispatchContext } from './dispatch-context.js';
import { reconcileDuration } from './dispatcher-metrics.js';
import { PAGE_ROUND_PREFIX } from './notification-rounds.js';
import { planRoute } from './route-planner.js';
import { dispatchFirstWave } from './nearest-dispatch.js';
import { pageLevel } from './tier-pager.js';
import { timersFor, type PlannedTimer } from './timer-plan.js';

export interface ReconcileReport { routed: number; armed: number; repaged: number }

/**
 * "The database is the truth" (DESIGN §4): at start and every RECONCILE_S,
 * 1. route every live alert with routed_at NULL (the outbox: a failed enqueue, a lost route job);
 * 2. re-arm the timers of every live alert from its columns (timersFor) — fixed job ids make
 *    this a no-op for timers that exist, and recreate them after a FLUSHALL or a lost Redis;
 * 3. page the current level of alerts whose page round has no notification row (a dispatcher
 *    killed between an escalation's commit and its sends, or an escalation made by the API).
 * A killed dispatcher's delayed jobs stay in Redis and fire once in whichever dispatcher runs;
 * its in-flight jobs come back through BullMQ's stalled-job check.
 */
export class Reconciler {
  private timer: ReturnType<DispatchContext['clock']['setInterval']> | null = null;
  private running: Promise<unknown> | null = null;

  constructor(private readonly deps: { ctx: DispatchContext; intervalMs?: number; repageGraceMs?: number }) {}

  async start(): Promise<void> {
    await this.runOnce();
    const every = this.deps.intervalMs ?? this.deps.ctx.config.RECONCILE_S * 1000;
    this.timer = this.deps.ctx.clock.setInterval(() => { void this.runOnce(); }, every);
  }

  async stop(): Promise<void> {
    this.deps.ctx.clock.clearTimer(this.timer);
    this.timer = null;
    await this.running?.catch(() => {});
  }

  /** One pass; passes never overlap (a slow pass makes the next tick a no-op). */
  async runOnce(): Promise<ReconcileReport | null> {
    if (this.running) return null;
    const pass = this.pass().catch((err) => { this.deps.ctx.log.warn('reconciler pass failed; retrying next tick', err); return null; });
    this.running = pass;
    try {
      return await pass;
    } finally {
      this.running = null;
    }
  }

  private async pass(): Promise<ReconcileReport> {
    const { ctx } = this.deps;
    const end = reconcileDuration.startTimer();
    const report: ReconcileReport = { routed: 0, armed: 0, repaged: 0 };

    for (const alert of await unroutedLiveAlerts(ctx.pool)) {
      try {
        if ((await routeAlert(ctx, alert.id, 'reconciler')) === 'routed') report.routed++;
      } catch (err) {
        ctx.log.warn(`reconciler: routing alert ${alert.id} failed`, err);
      }
    }

    const timers: PlannedTimer[] = (await routedLiveAlerts(ctx.pool)).flatMap((a) => timersFor(a, ctx.config));
    for (let i = 0; i < timers.length; i += 500) await ctx.timers.arm(timers.slice(i, i + 500));
    report.armed = timers.length;

    const before = new Date(ctx.clock.now().getTime() - (this.deps.repageGraceMs ?? 5000));
    for (const stale of await alertsMissingPageRound(ctx.pool, PAGE_ROUND_PREFIX, before)) {
      try {
        const alert = await findAlert(ctx.pool, stale.id);
        const route = alert && await planRoute(ctx.pool, ctx.config, alert.householdId, ctx.clock.now(), ctx.rosters);
        if (!alert || !route) continue;
        // A first wave lost in a crash goes out as the policy says (issue 15), not as the whole tier.
        const nearest = ctx.config.DISPATCH_POLICY === 'nearest' && alert.level === 0 && await dispatchFirstWave(ctx, alert, route);
        if (!nearest) await pageLevel(ctx, alert, route, alert.level, { inform: false });
        report.repaged++;
      } catch (err) {
        ctx.log.warn(`reconciler: paging alert ${stale.id} failed`, err);
      }
    }
    end();
    return report;
  }
}
