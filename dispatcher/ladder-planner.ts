import type pg from 'pg';
import { ladderSteps, type LadderRole, type LadderSpec } from '../domain/notification-ladder.js';
import { ladderOverrides } from '../store/channel-settings-repository.js';
import { userOfResponder } from '../store/one-time-links-repository.js';
import type { ChannelConfigSource } from './notifiers/channel-config.js';
import type { ChannelGroup, Recipient } from './notifiers/notifier.js';
import type { Delivery, LadderPlan, LadderScheduler } from './notification-sender.js';
import type { LadderTimers } from './ladder-timers.js';
import { TtlCache } from './ttl-cache.js';
import type { Clock } from '../domain/clock.js';

/**
 * A person's ladder for one page (issue 16): the pure policy (domain/notification-ladder.ts) with
 * the role defaults of settings 'ladder', the person's override (ladder_overrides) and whether
 * they have the app (a linked account). Step 0 goes out now; each later step is a delayed job.
 */
export class LadderPlanner implements LadderScheduler {
  private readonly accounts = new TtlCache<boolean>(5000);
  private readonly overrides = new TtlCache<Partial<LadderSpec> | null>(5000);

  constructor(private readonly deps: { pool: pg.Pool; configs: ChannelConfigSource; timers: LadderTimers; clock: Clock; tz: string }) {}

  async plan(d: Delivery, recipient: Recipient): Promise<LadderPlan> {
    const role: LadderRole = recipient.kind === 'responder' ? recipient.role : recipient.kind === 'family' ? 'family_contact' : 'community_contact';
    const responderId = recipient.kind === 'responder' ? recipient.responderId : null;
    const [hasApp, override, settings] = await Promise.all([
      responderId ? this.accounts.get(responderId, async () => (await userOfResponder(this.deps.pool, responderId)) !== null) : Promise.resolve(false),
      responderId ? this.overrides.get(responderId, async () => ((await ladderOverrides(this.deps.pool, [responderId])).get(responderId) ?? null) as Partial<LadderSpec> | null) : Promise.resolve(null),
      this.deps.configs.get('ladder', d.household.communityId),
    ]);
    const now = this.deps.clock.now();
    const steps = ladderSteps({
      role, hasApp, appListed: recipient.kind === 'responder', severity: d.alert.severity, at: now, tz: this.deps.tz,
      roleDefaults: (settings?.roles as Partial<Record<LadderRole, Partial<LadderSpec>>> | undefined) ?? null, override,
    });
    const groups = new Set<ChannelGroup>(steps.filter((s) => s.afterS === 0).map((s) => s.group));
    const later = steps.filter((s) => s.afterS > 0 && s.group !== 'app');
    const timers = later.map((s) => ({
      dueAt: new Date(now.getTime() + s.afterS * 1000),
      job: { alertId: d.alert.id, round: d.round, tier: d.tier, step: s.step, group: s.group as 'sms' | 'voice', recipient: { ...recipient } },
    }));
    return {
      now: groups,
      later: new Set(later.map((s) => s.group)),
      arm: (armed) => this.deps.timers.arm(timers.filter((t) => armed.has(t.job.group))),
    };
  }

  /** Settings changed: read accounts and overrides afresh. */
  invalidate(): void {
    this.accounts.clear();
    this.overrides.clear();
  }
}
