import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { ensureWebhookSecret, type WebhookSetting } from '../../store/settings-repository.js';
import type { NotificationMessage, Notifier, Recipient, SendResult } from './notifier.js';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, signWebhookBody } from './webhook-signature.js';

export interface WebhookNotifierOptions {
  /** Requests per message before giving up (DESIGN §5 "with retries"). */
  attempts?: number;
  /** First backoff; doubles after each failed attempt. */
  backoffMs?: number;
  timeoutMs?: number;
  /** How long a read of settings 'webhook' is reused, so a page storm does not query it per message. */
  settingTtlMs?: number;
}

/**
 * Webhook channel for SMS/voice gateways (DESIGN §5): an HMAC-SHA256-signed JSON POST to the URL
 * of settings 'webhook' ({url, secret}; a secret is generated when only the URL is configured).
 * Family and community contacts have no account, so this is their only channel: without a
 * webhook their notification is recorded 'skipped' ("no webhook configured") so the dispatch
 * room sees that somebody must phone them by hand. Responders are texted too when a webhook
 * exists (a phone rings where an app may sleep); without one they still have in-app and push.
 *
 * Retries: network errors, 408, 429 and 5xx are retried with exponential backoff; other 4xx are
 * the gateway refusing the message, so retrying would not help.
 */
export class WebhookNotifier implements Notifier {
  readonly channel = 'webhook';
  readonly group = 'webhook' as const;
  private cached: { at: number; value: WebhookSetting | null } | null = null;

  constructor(private readonly deps: { pool: pg.Pool; fetch?: typeof fetch; options?: WebhookNotifierOptions }) {}

  private get opts(): Required<WebhookNotifierOptions> {
    return { attempts: 3, backoffMs: 500, timeoutMs: 5000, settingTtlMs: 2000, ...this.deps.options };
  }

  private async setting(): Promise<WebhookSetting | null> {
    const now = Date.now();
    if (this.cached && now - this.cached.at < this.opts.settingTtlMs) return this.cached.value;
    const value = await ensureWebhookSecret(this.deps.pool, () => randomBytes(32).toString('base64url'));
    this.cached = { at: now, value };
    return value;
  }

  async addresses(recipient: Recipient): Promise<string[]> {
    if (!recipient.phone) return [];
    if (recipient.kind !== 'responder') return [recipient.phone];
    return (await this.setting()) ? [recipient.phone] : [];
  }

  async send(m: NotificationMessage): Promise<SendResult> {
    const setting = await this.setting();
    if (!setting || !setting.secret) return { status: 'skipped', error: 'no webhook configured', attempts: 0 };
    const sentAt = m.at.toISOString();
    const body = JSON.stringify({
      notificationId: m.id, alertId: m.alert.id, kind: m.alert.kind, severity: m.alert.severity,
      purpose: m.purpose, tier: m.tier, round: m.round,
      household: { id: m.alert.householdId, unit: m.household.unit, address: m.household.address, building: m.household.buildingName },
      target: { phone: m.target, name: m.recipient.name, kind: m.recipient.kind },
      title: m.title, text: m.text, sentAt,
    });
    const headers = {
      'content-type': 'application/json',
      [SIGNATURE_HEADER]: signWebhookBody(setting.secret, body),
      [TIMESTAMP_HEADER]: sentAt,
    };
    const doFetch = this.deps.fetch ?? fetch;
    const { attempts, backoffMs, timeoutMs } = this.opts;
    let lastError = '';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        const res = await doFetch(setting.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) });
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) return { status: 'sent', attempts: attempt };
        lastError = `HTTP ${res.status}`;
        if (!(res.status >= 500 || res.status === 408 || res.status === 429)) return { status: 'failed', error: lastError, attempts: attempt };
      } catch (err) {
        lastError = err instanceof Error ? err.message : String(err);
      }
      if (attempt < attempts) await new Promise((r) => setTimeout(r, backoffMs * 2 ** (attempt - 1)));
    }
    return { status: 'failed', error: lastError, attempts };
  }
}
