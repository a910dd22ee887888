import type pg from 'pg';
import { hashSecret, randomToken } from '../../domain/secrets.js';
import { createOneTimeLink, userOfResponder } from '../../store/one-time-links-repository.js';
import type { ChannelConfigSource } from './channel-config.js';
import { num, str } from './channel-config.js';
import type { NotificationMessage } from './notifier.js';

/** How long a link in an SMS signs its holder in (default 30 min: the alert's whole SLA and then some). */
export const DEFAULT_LINK_TTL_S = 1800;

/**
 * The one-time link for an SMS (issue 16): `<publicUrl>/l/<token>` opens the phone view on the
 * alert, signed in. Only for a responder with an account, and only when an admin configured the
 * public URL (settings 'links'); otherwise ''. 128-bit token, SHA-256 at rest, single use.
 */
export async function oneTimeLink(pool: pg.Pool, configs: ChannelConfigSource, m: NotificationMessage): Promise<string> {
  if (m.recipient.kind !== 'responder') return '';
  const links = await configs.get('links', m.household.communityId);
  const base = str(links?.publicUrl).replace(/\/+$/, '');
  if (!base) return '';
  const user = await userOfResponder(pool, m.recipient.responderId);
  if (!user) return '';
  const token = randomToken(16);
  await createOneTimeLink(pool, {
    tokenHash: hashSecret(token), userId: user.id, alertId: m.alert.id, notificationId: m.id, at: m.at,
    ttlS: num(links?.ttlS, DEFAULT_LINK_TTL_S),
  });
  return `${base}/l/${token}`;
}
