import type pg from 'pg';
import { wallClock, type Clock } from '../../domain/clock.js';
import type { Config } from '../../domain/config.js';
import { dispatchTiming } from '../../domain/dispatch-timing.js';
import { deletePushSubscription, savePushSubscription } from '../../store/notifications-repository.js';
import { getSetting, SETTING_KEYS, type VapidSetting, type WebhookSetting } from '../../store/settings-repository.js';
import { ensureVapidKeys } from '../../store/vapid-keys.js';
import type { AuthUser } from '../route-access.js';

/**
 * The settings the dispatch room runs on (timeouts, SLA, shifts: environment variables, read
 * here so the admin screen shows what is in force) and the Web Push plumbing of the phone view.
 * Secrets never leave: the webhook's HMAC secret and the VAPID private key stay in the database.
 */
export class SettingsService {
  constructor(private readonly pool: pg.Pool, private readonly config: Config, private readonly clock: Clock = wallClock) {}

  async current() {
    const c = this.config;
    const webhook = await getSetting<WebhookSetting>(this.pool, SETTING_KEYS.webhook);
    const vapid = await getSetting<VapidSetting>(this.pool, SETTING_KEYS.vapid);
    return {
      timezone: c.GUARDIAN_TZ, dayShift: c.DAY_SHIFT, ackTimeoutS: c.ACK_TIMEOUT_S, slaWarnS: c.SLA_WARN_S,
      slaOnsiteS: c.SLA_ONSITE_S, arriveRemindS: c.ARRIVE_REMIND_S, checkinGraceS: c.CHECKIN_GRACE_S, reconcileS: c.RECONCILE_S,
      webhook: { url: webhook?.url ?? null, signed: Boolean(webhook?.secret) },
      webPush: Boolean(vapid?.publicKey),
      // The shift in force now, as the dispatcher decides it (the console shows it, computes nothing).
      shift: dispatchTiming(c, this.clock.now()).shift,
      source: 'environment variables (README: Configuration); the webhook with `npx guardian webhook set <url>`',
    };
  }

  /** The phone may ask before any dispatcher ran (ROLE=api first): then the keys are made here. */
  async vapidPublicKey(): Promise<{ publicKey: string }> {
    return { publicKey: (await ensureVapidKeys(this.pool)).publicKey };
  }

  async subscribe(user: AuthUser, s: { endpoint: string; keys: { p256dh: string; auth: string } }) {
    await savePushSubscription(this.pool, user.id, { endpoint: s.endpoint, p256dh: s.keys.p256dh, auth: s.keys.auth });
    return { subscribed: true };
  }

  async unsubscribe(user: AuthUser, endpoint: string) {
    return { removed: await deletePushSubscription(this.pool, user.id, endpoint) };
  }
}
