import type pg from 'pg';
import type { UnsequencedLiveEvent, LiveEvent } from '../../domain/live-events.js';
import { RESPONDER_NOTIFY, type ResponderNotifyEvent } from '../../domain/notification-events.js';
import { claimAndAppendInAppAll, type InAppClaim } from '../../store/escalation-repository.js';
import { TickBatcher } from '../tick-batcher.js';
import { appendLiveEvents } from '../../store/live-events-repository.js';
import type { NotificationClaimKey, NotificationMessage, Notifier, Recipient, SendResult } from './notifier.js';

/**
 * In-app live channel (DESIGN §5): a `responder.notify` event on the live feed, appended to
 * live_events (so a phone that reconnects with ?since=seq still gets it) and then published on
 * Redis for the API instances' WebSockets. Only responders have an account to show it in.
 */
export class InAppNotifier implements Notifier {
  readonly channel = 'in_app';

  // The pages of one event-loop turn are claimed and sent in one statement.
  private readonly claims: TickBatcher<InAppClaim, { id: number; live: LiveEvent } | null>;

  constructor(private readonly deps: { pool: pg.Pool; publish: (events: LiveEvent[]) => void }) {
    this.claims = new TickBatcher((items) => claimAndAppendInAppAll(deps.pool, items));
  }

  async addresses(recipient: Recipient): Promise<string[]> {
    return recipient.kind === 'responder' ? [`responder:${recipient.responderId}`] : [];
  }

  async send(m: NotificationMessage): Promise<SendResult> {
    if (m.recipient.kind !== 'responder') return { status: 'skipped', error: 'no account', attempts: 0 };
    // Cast: 'responder.notify' is not yet in domain/live-events.ts LIVE_EVENT_TYPES (see notification-events.ts).
    const appended = await appendLiveEvents(this.deps.pool, [eventOf(m, m.id) as unknown as UnsequencedLiveEvent]);
    this.deps.publish(appended);
    return { status: 'sent' };
  }

  /** The row and its live event in one statement (issue 6): one round trip and one commit per page. */
  async claimAndSend(m: Omit<NotificationMessage, 'id'>, claim: NotificationClaimKey): Promise<{ id: number; result: SendResult } | null> {
    if (m.recipient.kind !== 'responder') return null; // addresses() gives none, so never asked
    const { type, data } = eventOf(m, undefined);
    const r = await this.claims.call({
      alertId: m.alert.id, round: m.round, purpose: m.purpose, target: m.target, responderId: claim.responderId, tier: m.tier, at: m.at,
      event: { type, data: data as unknown as Record<string, unknown> },
    });
    if (!r) return null;
    this.deps.publish([r.live]);
    return { id: r.id, result: { status: 'sent' } };
  }
}

/** notificationId undefined: the database fills it in with the row's id. */
function eventOf(m: Omit<NotificationMessage, 'id'>, notificationId: number | undefined): ResponderNotifyEvent {
  const recipient = m.recipient as Extract<Recipient, { kind: 'responder' }>;
  const data = {
    responderId: recipient.responderId, alertId: m.alert.id, notificationId, purpose: m.purpose,
    tier: m.tier, round: m.round, title: m.title, text: m.text,
  };
  if (notificationId === undefined) delete (data as { notificationId?: number }).notificationId;
  return { type: RESPONDER_NOTIFY, data: data as ResponderNotifyEvent['data'] };
}
