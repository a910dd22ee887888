import type { Queryable } from './db.js';

/**
 * The `settings` table (DESIGN §7): small JSON documents by key, for what the service generates
 * or an admin configures at run time (VAPID keys, the webhook of the SMS/voice gateway).
 */

/** Key 'webhook': where the SMS/voice gateway listens and the HMAC secret it verifies with. */
export interface WebhookSetting { url: string; secret?: string }
/** Key 'vapid': the Web Push application server keys (base64url) and the contact subject. */
export interface VapidSetting { publicKey: string; privateKey: string; subject: string }

export const SETTING_KEYS = { webhook: 'webhook', vapid: 'vapid' } as const;

export async function getSetting<T>(db: Queryable, key: string): Promise<T | null> {
  const r = await db.query<{ value: T }>(`SELECT value FROM settings WHERE key = $1`, [key]);
  return r.rows[0]?.value ?? null;
}

export async function putSetting(db: Queryable, key: string, value: unknown): Promise<void> {
  await db.query(
    `INSERT INTO settings (key, value) VALUES ($1, $2::jsonb)
     ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`, [key, JSON.stringify(value)]);
}

/**
 * Stores `make()` under `key` unless a value exists, and returns whatever is stored. Two
 * processes starting together (two dispatchers, DESIGN §9) agree on one value: the loser of the
 * INSERT reads the winner's.
 */
export async function ensureSetting<T>(db: Queryable, key: string, make: () => T): Promise<T> {
  await db.query(`INSERT INTO settings (key, value) VALUES ($1, $2::jsonb) ON CONFLICT (key) DO NOTHING`, [key, JSON.stringify(make())]);
  return (await getSetting<T>(db, key))!;
}

/**
 * The webhook setting with a secret: an admin may configure only the URL, so the first reader
 * adds a generated secret (kept if another process added one first). Null when no URL is set.
 */
export async function ensureWebhookSecret(db: Queryable, makeSecret: () => string): Promise<WebhookSetting | null> {
  const current = await getSetting<WebhookSetting>(db, SETTING_KEYS.webhook);
  if (!current || typeof current.url !== 'string' || current.url === '') return null;
  if (current.secret) return current;
  await db.query(
    `UPDATE settings SET value = value || jsonb_build_object('secret', $2::text), updated_at = now()
      WHERE key = $1 AND NOT (value ? 'secret')`, [SETTING_KEYS.webhook, makeSecret()]);
  return getSetting<WebhookSetting>(db, SETTING_KEYS.webhook);
}
