import type pg from 'pg';
import webpush from 'web-push';
import { SETTING_KEYS, ensureSetting, type VapidSetting } from './settings-repository.js';

/**
 * Web Push application-server keys (DESIGN §5 "VAPID via web-push, keys generated on first
 * start"), stored in settings 'vapid' so every dispatcher signs with the same key and the
 * browsers' subscriptions (made with the public key) stay valid across restarts. Whichever of
 * the dispatcher and the API asks first makes them (one row: ensureSetting), the API serves the
 * public key to the phone view.
 */
export const DEFAULT_VAPID_SUBJECT = 'mailto:dispatch@365guardian.invalid';

export async function ensureVapidKeys(pool: pg.Pool, subject = DEFAULT_VAPID_SUBJECT): Promise<VapidSetting> {
  return ensureSetting<VapidSetting>(pool, SETTING_KEYS.vapid, () => ({ ...webpush.generateVAPIDKeys(), subject }));
}
