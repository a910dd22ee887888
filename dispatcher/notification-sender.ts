import type pg from 'pg';
import type { NotificationPurpose } from '../domain/notification-events.js';
import { claimNotification, finishNotification } from '../store/notifications-repository.js';
import type { DispatcherLog } from './dispatcher-log.js';
import { notificationsTotal } from './dispatcher-metrics.js';
import type { NotificationMessage, Notifier, Recipient } from './notifiers/notifier.js';

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
  constructor(private readonly deps: { pool: pg.Pool; notifiers: readonly Notifier[]; clock: () => Date; log: DispatcherLog }) {}

  async deliver(d: Delivery): Promise<DeliveryReport> {
    const report: DeliveryReport = { claimed: 0, sent: 0 };
    const jobs: Array<Promise<void>> = [];
    for (const recipient of d.recipients) {
      for (const notifier of this.deps.notifiers) {
        jobs.push(this.deliverOn(notifier, recipient, d, report));
      }
    }
    await Promise.all(jobs);
    return report;
  }

  /** Records that nobody could be told on this round (e.g. nobody on duty and no supervisor). */
  async recordUnreachable(d: Omit<Delivery, 'recipients' | 'title' | 'text'>, reason: string): Promise<boolean> {
    const at = this.deps.clock();
    const id = await claimNotification(this.deps.pool, {
      alertId: d.alert.id, round: d.round, purpose: d.purpose, channel: 'none', target: 'nobody', responderId: null, tier: d.tier, at,
    });
    if (id === null) return false;
    await finishNotification(this.deps.pool, id, { status: 'skipped', error: reason, attempts: 0, sentAt: null });
    notificationsTotal.inc({ channel: 'none', purpose: d.purpose, status: 'skipped' });
    return true;
  }

  private async deliverOn(notifier: Notifier, recipient: Recipient, d: Delivery, report: DeliveryReport): Promise<void> {
    let targets: string[];
    try {
      targets = await notifier.addresses(recipient);
    } catch (err) {
      this.deps.log.warn(`notifications: ${notifier.channel} addresses of ${recipient.name} unavailable`, err);
      return;
    }
    await Promise.all(targets.map(async (target) => {
      const at = this.deps.clock();
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
        status: result.status, error: result.error ?? null, attempts, sentAt: result.status === 'sent' ? this.deps.clock() : null,
      });
      notificationsTotal.inc({ channel: notifier.channel, purpose: d.purpose, status: result.status });
      if (result.status === 'sent') report.sent++;
      else if (result.status === 'failed') this.deps.log.warn(`notification ${id} (${notifier.channel} to ${recipient.name}) failed: ${result.error ?? ''}`);
    }));
  }
}
