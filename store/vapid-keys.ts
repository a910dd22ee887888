import type pg from 'pg';
import webpush from 'web-push';
import { SETTING_KEYS, ensureSetting, type VapidSetting } from '../../store/settings-repository.js';

/**
 * Web Push application-server keys (DESIGN §5 "VAPID via web-push, keys generated on first
 * start"), stored in settings 'vapid' so every dispatcher signs with the same key and the
 * browsers' subscriptions (made with the public key) stay valid across restarts. The API serves
 * `publicKey` to the phone view (getSetting(pool, 'vapid')).
 */
export const DEFAULT_VAPID_SUBJECT = 'mailto:dispatch@365guardian.invalid';

export async function ensureVapidKeys(pool: pg.Pool, subject = DEFAULT_VAPID_SUBJECT): Promise<VapidSetting> {
  return ensureSetting<VapidSetting>(pool, SETTING_KEYS.vapid, () => ({ ...webpush.generateVAPIDKeys(), subject }));
}
