import type pg from 'pg';
import type { UnsequencedLiveEvent, LiveEvent } from '../../domain/live-events.js';
import { RESPONDER_NOTIFY, type ResponderNotifyEvent } from '../../domain/notification-events.js';
import { appendLiveEvents } from '../../store/live-events-repository.js';
import type { NotificationMessage, Notifier, Recipient, SendResult } from './notifier.js';

/**
 * In-app live channel (DESIGN §5): a `responder.notify` event on the live feed, appended to
 * live_events (so a phone that reconnects with ?since=seq still gets it) and then published on
 * Redis for the API instances' WebSockets. Only responders have an account to show it in.
 */
export class InAppNotifier implements Notifier {
  readonly channel = 'in_app';

  constructor(private readonly deps: { pool: pg.Pool; publish: (events: LiveEvent[]) => void }) {}

  async addresses(recipient: Recipient): Promise<string[]> {
    return recipient.kind === 'responder' ? [`responder:${recipient.responderId}`] : [];
  }

  async send(m: NotificationMessage): Promise<SendResult> {
    if (m.recipient.kind !== 'responder') return { status: 'skipped', error: 'no account', attempts: 0 };
    const event: ResponderNotifyEvent = {
      type: RESPONDER_NOTIFY,
      data: {
        responderId: m.recipient.responderId, alertId: m.alert.id, notificationId: m.id, purpose: m.purpose,
        tier: m.tier, round: m.round, title: m.title, text: m.text,
      },
    };
    // Cast: 'responder.notify' is not yet in domain/live-events.ts LIVE_EVENT_TYPES (see notification-events.ts).
    const appended = await appendLiveEvents(this.deps.pool, [event as unknown as UnsequencedLiveEvent]);
    this.deps.publish(appended);
    return { status: 'sent' };
  }
}
