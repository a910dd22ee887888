import type { Queryable } from './db.js';

/**
 * What providers tell us after the send (issue 16): the message id of each attempt, delivery
 * receipts, SMS replies and key presses, all on the notifications row of the attempt.
 */
export async function recordProviderMessage(db: Queryable, id: number, provider: string, messageId: string | null): Promise<void> {
  await db.query(`UPDATE notifications SET provider = $2, provider_message_id = $3 WHERE id = $1`, [id, provider, messageId]);
}

export type DeliveryStatus = 'delivered' | 'failed' | 'answered' | 'unanswered';

export interface ReceiptTarget { id: number; alertId: string | null; responderId: string | null; channel: string; target: string; deliveryStatus: string | null }

/** A receipt for (provider, message id); returns the rows it updated (none for an unknown id). */
export async function applyReceipt(db: Queryable, r: { provider: string; messageId: string; status: DeliveryStatus; error: string | null; at: Date }): Promise<ReceiptTarget[]> {
  const res = await db.query<ReceiptTarget>(
    `UPDATE notifications SET delivery_status = $3, delivery_error = $4, delivered_at = $5
      WHERE provider = $1 AND provider_message_id = $2
      RETURNING id, alert_id AS "alertId", responder_id AS "responderId", channel, target, delivery_status AS "deliveryStatus"`,
    [r.provider, r.messageId, r.status, r.error, r.at]);
  return res.rows;
}

export async function findByProviderMessage(db: Queryable, provider: string, messageId: string): Promise<ReceiptTarget | null> {
  const r = await db.query<ReceiptTarget>(
    `SELECT id, alert_id AS "alertId", responder_id AS "responderId", channel, target, delivery_status AS "deliveryStatus"
       FROM notifications WHERE provider = $1 AND provider_message_id = $2 ORDER BY id DESC LIMIT 1`, [provider, messageId]);
  return r.rows[0] ?? null;
}

/**
 * The SMS an inbound reply answers: neither provider links a reply to the message it answers
 * (Aliyun's FAQ: only "the content and the time"), so it is the newest SMS of that provider
 * sent to the number since `since`.
 */
export async function latestSmsTo(db: Queryable, channels: readonly string[], phone: string, since: Date): Promise<ReceiptTarget | null> {
  const r = await db.query<ReceiptTarget>(
    `SELECT id, alert_id AS "alertId", responder_id AS "responderId", channel, target, delivery_status AS "deliveryStatus"
       FROM notifications
      WHERE channel = ANY($1::text[]) AND target = $2 AND at >= $3 AND status = 'sent'
      ORDER BY at DESC, id DESC LIMIT 1`, [channels, phone, since]);
  return r.rows[0] ?? null;
}

/** Records a reply or key press once; false when this row already has one (a repeated push). */
export async function recordReply(db: Queryable, id: number, reply: string, at: Date): Promise<boolean> {
  const r = await db.query(`UPDATE notifications SET reply = $2, replied_at = $3 WHERE id = $1 AND replied_at IS NULL`, [id, reply, at]);
  return (r.rowCount ?? 0) > 0;
}

export interface ChannelAttemptStats { channel: string; failedInRow: number; lastError: string | null }

/**
 * Per channel, how many of its newest attempts (up to `window`, since `since`) failed in a row —
 * at the send or by receipt. A channel whose last three attempts all failed is "broken".
 */
export async function recentChannelFailures(db: Queryable, channels: readonly string[], since: Date, window = 3): Promise<ChannelAttemptStats[]> {
  const r = await db.query<{ channel: string; failed: boolean; error: string | null }>(
    `SELECT channel, failed, error FROM (
       SELECT channel, (status = 'failed' OR delivery_status = 'failed') AS failed, coalesce(delivery_error, error) AS error,
              row_number() OVER (PARTITION BY channel ORDER BY at DESC, id DESC) AS n
         FROM notifications WHERE channel = ANY($1::text[]) AND at >= $2 AND status IN ('sent', 'failed')) x
      WHERE n <= $3 ORDER BY channel, n`, [channels, since, window]);
  const out = new Map<string, ChannelAttemptStats & { closed: boolean }>();
  for (const row of r.rows) {
    let s = out.get(row.channel);
    if (!s) { s = { channel: row.channel, failedInRow: 0, lastError: row.error, closed: false }; out.set(row.channel, s); }
    // Newest first: count failures until the first success.
    if (s.closed) continue;
    if (row.failed) s.failedInRow++;
    else s.closed = true;
  }
  return [...out.values()].map(({ closed: _closed, ...s }) => s);
}
