import type pg from 'pg';
import type { NotificationPurpose } from '../domain/notification-events.js';
import { claimNotification, finishNotification } from '../store/notifications-repository.js';
import { recordProviderMessage } from '../store/channel-notifications-repository.js';
import type { DispatcherLog } from './dispatcher-log.js';
import { notificationsTotal } from './dispatcher-metrics.js';
import type { ChannelGroup, DeliveryScope, NotificationMessage, Notifier, Recipient } from './notifiers/notifier.js';
import type { Clock } from '../domain/clock.js';

export interface Delivery {
  alert: NotificationMessage['alert'];
  household: NotificationMessage['household'];
  round: string;
  purpose: NotificationPurpose;
  tier: number | null;
  recipients: Recipient[];
  title: string;
  text: (recipient: Recipient) => string;
}

/**
 * A person's ladder (dispatcher/ladder-planner.ts): for a page, which channel groups go out now,
 * and the later steps (SMS, voice) it arms as delayed jobs itself when asked.
 */
export interface LadderScheduler {
  plan(d: Delivery, recipient: Recipient): Promise<LadderPlan>;
}

export interface LadderPlan {
  /** The groups of the steps due at once. */
  now: ReadonlySet<ChannelGroup>;
  /** The groups of the later steps. */
  later: ReadonlySet<ChannelGroup>;
  /** Arms the later steps of these groups as delayed jobs; resolves once they are in Redis. */
  arm(groups: ReadonlySet<ChannelGroup>): Promise<void>;
}

/** Groups that never wait on a ladder: the generic webhook keeps its old at-once behaviour. */
const ALWAYS_NOW: readonly ChannelGroup[] = ['webhook'];

export interface DeliveryReport {
  /** Rows this sender inserted (and so sent); 0 when another dispatcher already had them all. */
  claimed: number;
  sent: number;
}

/**
 * Sends one occasion (alert, round) to its recipients on every channel that reaches them
 * (DESIGN §5). For each (round, channel, target) it first INSERTs the notifications row with
 * ON CONFLICT DO NOTHING; only the inserter sends, then records status, error, attempts and
 * sent_at. So a retried job, the reconciler and a second dispatcher never send twice.
 * Channels and recipients go out in parallel: one slow SMS gateway must not delay the push.
 */
export class NotificationSender {
  constructor(private readonly deps: { pool: pg.Pool; notifiers: readonly Notifier[]; clock: Clock; log: DispatcherLog; ladder?: LadderScheduler }) {}

  /**
   * `groups`: send on these channel groups only (a ladder step firing later); otherwise a page
   * follows each person's ladder (app now, SMS and voice later) and group robots are told once.
   */
  async deliver(d: Delivery, opts: { groups?: readonly ChannelGroup[] } = {}): Promise<DeliveryReport> {
    const report: DeliveryReport = { claimed: 0, sent: 0 };
    const scope: DeliveryScope = { communityId: d.household.communityId ?? null, purpose: d.purpose, tier: d.tier };
    const jobs: Array<Promise<void>> = [];
    for (const recipient of d.recipients) jobs.push(this.deliverTo(recipient, d, report, scope, opts.groups));
    if (!opts.groups) {
      for (const notifier of this.deps.notifiers) if (notifier.groupAddresses) jobs.push(this.deliverToGroups(notifier, d, report, scope));
    }
    await Promise.all(jobs);
    return report;
  }

  /**
   * One person: the channel groups due now, and under a ladder its later steps armed at the same
   * time (not before: the page need not wait for that Redis round trip; an escalation burst pages
   * a tier per alert). Only the later steps a channel can carry are armed: a step whose group has
   * no address for the person now (no phone, no SMS or voice channel set up for the community)
   * would send nothing when it fired, and each armed step is a delayed job in Redis (issue 16's
   * ladder cost every escalation one, the 2026-12 escalation-lateness regression). Later steps
   * that cannot be armed go out now.
   */
  private async deliverTo(recipient: Recipient, d: Delivery, report: DeliveryReport, scope: DeliveryScope, only?: readonly ChannelGroup[]): Promise<void> {
    const send = (groups: ReadonlySet<ChannelGroup>) => Promise.all(
      this.deps.notifiers.filter((n) => !n.groupAddresses && groups.has(n.group ?? 'app'))
        .map((n) => this.deliverOn(n, recipient, d, report, scope)),
    );
    const plan = await this.planFor(d, recipient, only);
    if (!plan) {
      await send(new Set<ChannelGroup>(this.deps.notifiers.map((n) => n.group ?? 'app')));
      return;
    }
    const arming = async () => {
      const later = await this.reachable(plan.later, recipient, scope);
      await plan.arm(later).catch(async (err) => {
        // A ladder that cannot be armed must not silence a page: its later steps go out now.
        this.deps.log.warn(`notifications: ladder of ${recipient.name} could not be armed; sending its later steps now`, err);
        await send(new Set([...later].filter((g) => !plan.now.has(g))));
      });
    };
    await Promise.all([send(plan.now), arming()]);
  }

  /** The groups with a channel that has an address for the person (as the step will ask when it fires). */
  private async reachable(groups: ReadonlySet<ChannelGroup>, recipient: Recipient, scope: DeliveryScope): Promise<ReadonlySet<ChannelGroup>> {
    if (groups.size === 0) return groups;
    const found = new Set<ChannelGroup>();
    await Promise.all(this.deps.notifiers.filter((n) => !n.groupAddresses && groups.has(n.group ?? 'app')).map(async (n) => {
      // An address that cannot be read now may be there later: arm the step (it re-checks).
      const targets = await n.addresses(recipient, scope).catch(() => ['?']);
      if (targets.length > 0) found.add(n.group ?? 'app');
    }));
    return found;
  }

  /** What goes out now and what waits; null: every channel now (the ladder cannot be read). */
  private async planFor(d: Delivery, recipient: Recipient, only?: readonly ChannelGroup[]): Promise<LadderPlan | null> {
    const atOnce = (groups: Iterable<ChannelGroup>): LadderPlan => ({ now: new Set(groups), later: new Set(), arm: async () => {} });
    if (only) return atOnce(only);
    if (!this.deps.ladder) return atOnce(this.deps.notifiers.map((n) => n.group ?? 'app'));
    // Only pages ring phones; reminders, informs and notices stay in the app (and the webhook).
    if (d.purpose !== 'page') return atOnce(['app', ...ALWAYS_NOW]);
    try {
      const plan = await this.deps.ladder.plan(d, recipient);
      return { ...plan, now: new Set<ChannelGroup>([...plan.now, ...ALWAYS_NOW]) };
    } catch (err) {
      // A ladder that cannot be read must not silence a page: everything goes out now.
      this.deps.log.warn(`notifications: ladder of ${recipient.name} unavailable; sending on every channel now`, err);
      return null;
    }
  }

  /** A group robot: one message to each chat set up for this community and tier. */
  private async deliverToGroups(notifier: Notifier, d: Delivery, report: DeliveryReport, scope: DeliveryScope): Promise<void> {
    let targets: string[];
    try {
      targets = await notifier.groupAddresses!(scope);
    } catch (err) {
      this.deps.log.warn(`notifications: ${notifier.channel} chats unavailable`, err);
      return;
    }
    for (const target of targets) {
      const chat: Recipient = { kind: 'community', name: target, phone: '' };
      await this.sendOne(notifier, chat, target, d, report);
    }
  }

  /** Records that nobody could be told on this round (e.g. nobody on duty and no supervisor). */
  async recordUnreachable(d: Omit<Delivery, 'recipients' | 'title' | 'text'>, reason: string): Promise<boolean> {
    const at = this.deps.clock.now();
    const id = await claimNotification(this.deps.pool, {
      alertId: d.alert.id, round: d.round, purpose: d.purpose, channel: 'none', target: 'nobody', responderId: null, tier: d.tier, at,
    });
    if (id === null) return false;
    await finishNotification(this.deps.pool, id, { status: 'skipped', error: reason, attempts: 0, sentAt: null });
    notificationsTotal.inc({ channel: 'none', purpose: d.purpose, status: 'skipped' });
    return true;
  }

  private async deliverOn(notifier: Notifier, recipient: Recipient, d: Delivery, report: DeliveryReport, scope: DeliveryScope): Promise<void> {
    let targets: string[];
    try {
      targets = await notifier.addresses(recipient, scope);
    } catch (err) {
      this.deps.log.warn(`notifications: ${notifier.channel} addresses of ${recipient.name} unavailable`, err);
      return;
    }
    await Promise.all(targets.map((target) => this.sendOne(notifier, recipient, target, d, report)));
  }

  private async sendOne(notifier: Notifier, recipient: Recipient, target: string, d: Delivery, report: DeliveryReport): Promise<void> {
    const at = this.deps.clock.now();
    const responderId = recipient.kind === 'responder' ? recipient.responderId : null;
    if (notifier.claimAndSend) {
      const done = await notifier.claimAndSend({
        alert: d.alert, household: d.household, recipient, target, purpose: d.purpose, tier: d.tier,
        round: d.round, title: d.title, text: d.text(recipient), at,
      }, { responderId });
      if (!done) return; // another sender has this one
      report.claimed++;
      notificationsTotal.inc({ channel: notifier.channel, purpose: d.purpose, status: done.result.status });
      if (done.result.status === 'sent') report.sent++;
      return;
    }
    const id = await claimNotification(this.deps.pool, {
      alertId: d.alert.id, round: d.round, purpose: d.purpose, channel: notifier.channel, target,
      responderId: recipient.kind === 'responder' ? recipient.responderId : null, tier: d.tier, at,
    });
    if (id === null) return; // another sender has this one
    report.claimed++;
    let result;
    try {
      result = await notifier.send({
        id, alert: d.alert, household: d.household, recipient, target, purpose: d.purpose, tier: d.tier,
        round: d.round, title: d.title, text: d.text(recipient), at,
      });
    } catch (err) {
      result = { status: 'failed' as const, error: err instanceof Error ? err.message : String(err) };
    }
    const attempts = result.attempts ?? (result.status === 'skipped' ? 0 : 1);
    await finishNotification(this.deps.pool, id, {
      status: result.status, error: result.error ?? null, attempts, sentAt: result.status === 'sent' ? this.deps.clock.now() : null,
    });
    if (result.provider) await recordProviderMessage(this.deps.pool, id, result.provider, result.providerMessageId ?? null);
    notificationsTotal.inc({ channel: notifier.channel, purpose: d.purpose, status: result.status });
    if (result.status === 'sent') report.sent++;
    else if (result.status === 'failed') this.deps.log.warn(`notification ${id} (${notifier.channel} to ${recipient.name}) failed: ${result.error ?? ''}`);
  }
}
