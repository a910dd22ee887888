import type pg from 'pg';
import { scopeOf } from '../../domain/access-scope.js';
import type { Clock } from '../../domain/clock.js';
import { hashSecret, randomToken } from '../../domain/secrets.js';
import { createSession, deleteExpiredSessions, deleteSession, findSessionUser } from '../../store/sessions-repository.js';
import { findUserByName, hashPassword, verifyPassword } from '../../store/users-repository.js';
import { ApiError } from '../api-error.js';
import type { AuthUser } from '../route-access.js';

/** One answer for every failed login, so nobody can learn which usernames exist. */
export const badCredentials = () => new ApiError(401, 'bad_credentials', 'wrong username or password');

/**
 * A real scrypt hash of a random password, verified against when the user does not exist, so an
 * unknown name costs as much time as a wrong password (no enumeration by timing).
 */
let decoyHash: Promise<string> | null = null;
const decoy = () => (decoyHash ??= hashPassword(randomToken(16)));

export interface LoginResult { token: string; expiresAt: Date; user: Omit<AuthUser, 'scope'> }

export class AuthService {
  private lastSweep = 0;

  constructor(
    private readonly pool: pg.Pool,
    private readonly sessionTtlHours: number,
    private readonly clock: Clock,
    /** How long a responder keeps the home of an alert they handled after it closed (ALERT_ACCESS_GRACE_S). */
    private readonly alertGraceMs: number,
  ) {}

  async login(username: string, password: string): Promise<LoginResult> {
    const user = await findUserByName(this.pool, username);
    const ok = await verifyPassword(password, user?.passwordHash ?? await decoy());
    if (!user || !ok || user.disabled) throw badCredentials();

    // Sessions are 256-bit random tokens; the database keeps only their SHA-256.
    const token = randomToken(32);
    const expiresAt = await createSession(this.pool, hashSecret(token), user.id, this.sessionTtlHours, this.clock.now());
    await this.sweepExpired();
    const { id, role, responderId, displayName } = user;
    return { token, expiresAt, user: { id, username: user.username, role, responderId, displayName } };
  }

  /** The user of a live session token, or null. */
  async resolve(token: string): Promise<AuthUser | null> {
    if (token.length === 0 || token.length > 256) return null;
    const row = await findSessionUser(this.pool, hashSecret(token), this.clock.now());
    if (!row) return null;
    const scope = scopeOf({ role: row.role, communityIds: row.communityIds, responder: row.responder }, this.alertGraceMs);
    return { id: row.id, username: row.username, role: row.role, responderId: row.responderId, displayName: row.displayName, scope };
  }

  async logout(token: string): Promise<void> {
    await deleteSession(this.pool, hashSecret(token));
  }

  /** At most once an hour, on login: cheap housekeeping without a timer to stop. */
  private async sweepExpired(): Promise<void> {
    const now = this.clock.nowMs();
    if (now - this.lastSweep < 3_600_000) return;
    this.lastSweep = now;
    await deleteExpiredSessions(this.pool, new Date(now)).catch(() => {});
  }
}
