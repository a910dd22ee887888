import type pg from 'pg';
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

export interface LoginResult { token: string; expiresAt: Date; user: AuthUser }

export class AuthService {
  private lastSweep = 0;

  constructor(private readonly pool: pg.Pool, private readonly sessionTtlHours: number) {}

  async login(username: string, password: string): Promise<LoginResult> {
    const user = await findUserByName(this.pool, username);
    const ok = await verifyPassword(password, user?.passwordHash ?? await decoy());
    if (!user || !ok || user.disabled) throw badCredentials();

    // Sessions are 256-bit random tokens; the database keeps only their SHA-256.
    const token = randomToken(32);
    const expiresAt = await createSession(this.pool, hashSecret(token), user.id, this.sessionTtlHours);
    await this.sweepExpired();
    const { id, role, responderId, displayName } = user;
    return { token, expiresAt, user: { id, username: user.username, role, responderId, displayName } };
  }

  /** The user of a live session token, or null. */
  async resolve(token: string): Promise<AuthUser | null> {
    if (token.length === 0 || token.length > 256) return null;
    const row = await findSessionUser(this.pool, hashSecret(token));
    if (!row) return null;
    return { id: row.id, username: row.username, role: row.role, responderId: row.responderId, displayName: row.displayName };
  }

  async logout(token: string): Promise<void> {
    await deleteSession(this.pool, hashSecret(token));
  }

  /** At most once an hour, on login: cheap housekeeping without a timer to stop. */
  private async sweepExpired(): Promise<void> {
    if (Date.now() - this.lastSweep < 3_600_000) return;
    this.lastSweep = Date.now();
    await deleteExpiredSessions(this.pool).catch(() => {});
  }
}
