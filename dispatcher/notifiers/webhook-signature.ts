import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The webhook signature of DESIGN §5: `X-Guardian-Signature: sha256=<hex HMAC-SHA256 of the raw
 * body>` with the shared secret of settings 'webhook'. The body carries `sentAt`, equal to the
 * `X-Guardian-Timestamp` header, so a receiver can refuse replays of old, validly signed bodies.
 */
export const SIGNATURE_HEADER = 'x-guardian-signature';
export const TIMESTAMP_HEADER = 'x-guardian-timestamp';

export function signWebhookBody(secret: string, rawBody: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}

/** For receivers (and tests): constant-time check of a signature header against the raw body. */
export function verifyWebhookSignature(secret: string, rawBody: string | Buffer, header: string | undefined): boolean {
  if (!header) return false;
  const expected = Buffer.from(signWebhookBody(secret, rawBody));
  const given = Buffer.from(header);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
