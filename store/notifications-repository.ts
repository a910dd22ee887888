import type { NotificationPurpose } from '../domain/notification-events.js';
import type { Queryable } from './db.js';

/**
 * Notification attempts (DESIGN §5 "every attempt logged"). Each row is one (alert, round,
 * channel, target); migration 003's unique index `notifications_once` makes the INSERT the
 * claim: the dispatcher whose INSERT returns a row sends, any other skips — so with several
 * dispatchers (DESIGN §9) a notification goes out once.
 */

export type NotificationStatus = 'pending' | 'sent' | 'failed' | 'skipped';
export type { NotificationPurpose };

export interface NotificationClaim {
  alertId: string;
  round: string;
  purpose: NotificationPurpose;
  channel: string;
  target: string;
  responderId: string | null;
  tier: number | null;
  at: Date;
}

/** Inserts the row as 'pending'; returns its id, or null when another sender already has it. */
export async function claimNotification(db: Queryable, n: NotificationClaim): Promise<number | null> {
  const r = await db.query<{ id: number }>(
    `INSERT INTO notifications (alert_id, round, purpose, channel, target, responder_id, tier, status, at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8)
     ON CONFLICT (alert_id, round, channel, target) WHERE alert_id IS NOT NULL DO NOTHING
     RETURNING id`,
    [n.alertId, n.round, n.purpose, n.channel, n.target, n.responderId, n.tier, n.at]);
  return r.rows[0]?.id ?? null;
}

export async function finishNotification(
  db: Queryable, id: number, r: { status: Exclude<NotificationStatus, 'pending'>; error?: string | null; attempts: number; sentAt: Date | null },
): Promise<void> {
  await db.query(`UPDATE notifications SET status = $2, error = $3, attempts = $4, sent_at = $5 WHERE id = $1`,
    [id, r.status, r.error ?? null, r.attempts, r.sentAt]);
}

/**
 * The device downlink channel (DESIGN §5): one row per device told "help is coming"
 * (`alert_ack` on its cmd topic), under the round `ack:<state>`. Published through Redis to
 * whichever gateway holds the device, so 'sent' means handed to the gateways, 'failed' that
 * Redis refused it; with no Redis it is 'skipped' with the reason. A repeated action logs nothing new (the unique index).
 */
export async function logDeviceDownlink(
  db: Queryable, n: { alertId: string; state: string; deviceIds: readonly string[]; status: 'sent' | 'failed' | 'skipped'; error?: string; at: Date },
): Promise<void> {
  if (n.deviceIds.length === 0) return;
  await db.query(
    `INSERT INTO notifications (alert_id, round, purpose, channel, target, status, error, attempts, at, sent_at)
     SELECT $1, $2, 'ack', 'device', t, $4, $5, $6, $7, $8 FROM unnest($3::text[]) AS t
     ON CONFLICT (alert_id, round, channel, target) WHERE alert_id IS NOT NULL DO NOTHING`,
    [n.alertId, `ack:${n.state}`, n.deviceIds, n.status, n.error ?? null, n.status === 'sent' ? 1 : 0, n.at, n.status === 'sent' ? n.at : null]);
}

export interface PushSubscriptionRow { id: number; userId: number; endpoint: string; p256dh: string; auth: string }

/** Stores a browser's Web Push subscription for a user; the same endpoint again refreshes its keys and owner. */
export async function savePushSubscription(db: Queryable, userId: number, s: { endpoint: string; p256dh: string; auth: string }): Promise<void> {
  await db.query(
    `INSERT INTO push_subscriptions (user_id, endpoint, p256dh, auth) VALUES ($1, $2, $3, $4)
     ON CONFLICT (endpoint) DO UPDATE SET user_id = EXCLUDED.user_id, p256dh = EXCLUDED.p256dh, auth = EXCLUDED.auth, failed_at = NULL`,
    [userId, s.endpoint, s.p256dh, s.auth]);
}

/** A user removes one of their own subscriptions (logged out, notifications turned off). */
export async function deletePushSubscription(db: Queryable, userId: number, endpoint: string): Promise<boolean> {
  const r = await db.query(`DELETE FROM push_subscriptions WHERE user_id = $1 AND endpoint = $2`, [userId, endpoint]);
  return (r.rowCount ?? 0) > 0;
}

/** Working Web Push subscriptions of the (enabled) users linked to a responder. */
export async function pushSubscriptionsOfResponder(db: Queryable, responderId: string): Promise<PushSubscriptionRow[]> {
  const r = await db.query<PushSubscriptionRow>(
    `SELECT p.id, p.user_id AS "userId", p.endpoint, p.p256dh, p.auth
       FROM push_subscriptions p JOIN users u ON u.id = p.user_id
      WHERE u.responder_id = $1 AND NOT u.disabled AND p.failed_at IS NULL
      ORDER BY p.id`, [responderId]);
  return r.rows;
}

/** The push service said the subscription is gone (404/410): stop using it, keep the row as evidence. */
export async function markPushSubscriptionGone(db: Queryable, endpoint: string, at: Date): Promise<void> {
  await db.query(`UPDATE push_subscriptions SET failed_at = $2 WHERE endpoint = $1 AND failed_at IS NULL`, [endpoint, at]);
}

export interface NotificationRecord {
  id: number; alertId: string | null; round: string; purpose: string; channel: string; target: string;
  responderId: string | null; tier: number | null; status: string; error: string | null; attempts: number;
  at: Date; sentAt: Date | null;
}

export async function notificationsOfAlert(db: Queryable, alertId: string): Promise<NotificationRecord[]> {
  const r = await db.query<NotificationRecord>(
    `SELECT id, alert_id AS "alertId", round, purpose, channel, target, responder_id AS "responderId", tier, status,
            error, attempts, at, sent_at AS "sentAt"
       FROM notifications WHERE alert_id = $1 ORDER BY id`, [alertId]);
  return r.rows;
}
