import type pg from 'pg';
import { wallClock, type Clock } from '../../domain/clock.js';
import { hashSecret, randomToken } from '../../domain/secrets.js';
import { writeAudit } from '../../store/audit-repository.js';
import { consumeOneTimeLink } from '../../store/one-time-links-repository.js';
import { createSession } from '../../store/sessions-repository.js';

/**
 * The link in an SMS (issue 16): `GET /l/<token>` signs its responder in and opens the alert.
 * The token is used up by the first request (compare-and-set in the database), expires after
 * its TTL, and only its SHA-256 is stored; every use and every refusal is audited.
 */
export class OneTimeLinkService {
  constructor(private readonly pool: pg.Pool, private readonly sessionTtlHours: number, private readonly clock: Clock = wallClock) {}

  async use(token: string, ip: string): Promise<{ sessionToken: string; expiresAt: Date; alertId: string } | null> {
    const link = token.length >= 16 && token.length <= 64 ? await consumeOneTimeLink(this.pool, hashSecret(token), this.clock.now()) : null;
    if (!link) {
      await writeAudit(this.pool, { username: null, role: null, action: 'link.refused', target: null, ip, data: { reason: 'unknown, used or expired' } });
      return null;
    }
    const sessionToken = randomToken(32);
    const expiresAt = await createSession(this.pool, hashSecret(sessionToken), link.userId, this.sessionTtlHours, this.clock.now());
    await writeAudit(this.pool, { username: link.username, role: link.role, action: 'link.sign_in', target: link.alertId, ip, data: {} });
    return { sessionToken, expiresAt, alertId: link.alertId };
  }
}
