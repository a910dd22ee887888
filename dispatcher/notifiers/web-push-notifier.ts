import type pg from 'pg';
import webpush from 'web-push';
import type { VapidSetting } from '../../store/settings-repository.js';
import { markPushSubscriptionGone, pushSubscriptionsOfResponder } from '../../store/notifications-repository.js';
import type { NotificationMessage, Notifier, Recipient, SendResult } from './notifier.js';
import { ensureVapidKeys } from '../../store/vapid-keys.js';
import { TtlCache } from '../ttl-cache.js';

/**
 * Web Push channel (DESIGN §5): to every working push subscription of the users linked to the
 * responder (users.responder_id). web-push builds the request (aes128gcm payload encryption and
 * the VAPID `Authorization: vapid t=…, k=…` header); we send it with fetch rather than
 * web-push's own https-only client, so the same code path reaches a plain-http endpoint in tests.
 * 404/410 from the push service mean the subscription is gone: it is marked and not used again.
 */
export class WebPushNotifier implements Notifier {
  readonly channel = 'web_push';
  private vapid: Promise<VapidSetting> | null = null;
  private readonly endpoints: TtlCache<string[]>;

  constructor(private readonly deps: {
    pool: pg.Pool; fetch?: typeof fetch; timeoutMs?: number; ttlS?: number;
    /**
     * How long a responder's endpoint list is reused (default 2 s), so a page storm does not
     * query it per page. A subscription removed meanwhile is still caught: send() re-reads it.
     */
    addressTtlMs?: number;
  }) {
    this.endpoints = new TtlCache(deps.addressTtlMs ?? 2000);
  }

  /** Generates the keys on first start (DESIGN §5); later calls reuse the stored ones. */
  keys(): Promise<VapidSetting> {
    this.vapid ??= ensureVapidKeys(this.deps.pool).catch((err) => { this.vapid = null; throw err; });
    return this.vapid;
  }

  async addresses(recipient: Recipient): Promise<string[]> {
    if (recipient.kind !== 'responder') return [];
    const { responderId } = recipient;
    return this.endpoints.get(responderId, async () => (await pushSubscriptionsOfResponder(this.deps.pool, responderId)).map((s) => s.endpoint));
  }

  async send(m: NotificationMessage): Promise<SendResult> {
    if (m.recipient.kind !== 'responder') return { status: 'skipped', error: 'no account', attempts: 0 };
    const sub = (await pushSubscriptionsOfResponder(this.deps.pool, m.recipient.responderId)).find((s) => s.endpoint === m.target);
    if (!sub) return { status: 'skipped', error: 'subscription removed', attempts: 0 };
    const vapid = await this.keys();
    const payload = JSON.stringify({ title: m.title, body: m.text, alertId: m.alert.id, purpose: m.purpose, notificationId: m.id, url: `/alerts/${m.alert.id}` });
    const details = webpush.generateRequestDetails(
      { endpoint: sub.endpoint, keys: { p256dh: sub.p256dh, auth: sub.auth } }, payload,
      { vapidDetails: vapid, TTL: this.deps.ttlS ?? 900, urgency: m.purpose === 'page' ? 'high' : 'normal' });
    try {
      const res = await (this.deps.fetch ?? fetch)(details.endpoint, {
        method: details.method, headers: details.headers as Record<string, string>, body: new Uint8Array(details.body),
        signal: AbortSignal.timeout(this.deps.timeoutMs ?? 10_000),
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return { status: 'sent' };
      if (res.status === 404 || res.status === 410) {
        await markPushSubscriptionGone(this.deps.pool, sub.endpoint, m.at);
        return { status: 'failed', error: `subscription gone (HTTP ${res.status})` };
      }
      return { status: 'failed', error: `HTTP ${res.status}` };
    } catch (err) {
      return { status: 'failed', error: err instanceof Error ? err.message : String(err) };
    }
  }
}
