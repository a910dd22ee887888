import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import type { Queryable } from './db.js';

/**
 * Console users (humans). Passwords are scrypt hashes (DESIGN §2: humans get a slow KDF,
 * devices a SHA-256 of a random token). Stored as `scrypt$N$r$p$salt$hash` (base64url).
 */
const scryptAsync = promisify(scrypt) as (pw: string, salt: Buffer, len: number, opts: { N: number; r: number; p: number; maxmem: number }) => Promise<Buffer>;
const N = 16384, R = 8, P = 1, KEY_LEN = 32;

/** `street`: the sub-district (街道) office, which reads every community of its streets and changes nothing. */
export const USER_ROLES = ['admin', 'operator', 'supervisor', 'responder', 'street'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export interface UserRow {
  id: number;
  username: string;
  role: UserRole;
  responderId: string | null;
  displayName: string | null;
  disabled: boolean;
  /** operator/supervisor: the communities they work for. */
  communityIds: string[];
  /** street: the streets (sub-districts) whose communities they read. */
  streetIds: string[];
}

const USER_COLUMNS = `id, username, role, responder_id AS "responderId", display_name AS "displayName", disabled,
  community_ids AS "communityIds", street_ids AS "streetIds"`;

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(password, salt, KEY_LEN, { N, r: R, p: P, maxmem: 64 * 1024 * 1024 });
  return ['scrypt', N, R, P, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [algo, n, r, p, salt, hash] = stored.split('$');
  if (algo !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await scryptAsync(password, Buffer.from(salt, 'base64url'), expected.length,
    { N: Number(n), r: Number(r), p: Number(p), maxmem: 64 * 1024 * 1024 });
  return timingSafeEqual(actual, expected);
}

export interface NewUser {
  username: string; password: string; role: UserRole; responderId?: string | null; displayName?: string | null;
  communityIds?: readonly string[]; streetIds?: readonly string[];
}

export class UserExistsError extends Error {
  constructor(readonly username: string) {
    super(`user "${username}" already exists; pick another name or reset the password`);
    this.name = 'UserExistsError';
  }
}

export async function createUser(db: Queryable, u: NewUser): Promise<UserRow> {
  const hash = await hashPassword(u.password);
  const r = await db.query<UserRow>(
    `INSERT INTO users (username, password_hash, role, responder_id, display_name, community_ids, street_ids)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (username) DO NOTHING RETURNING ${USER_COLUMNS}`,
    [u.username, hash, u.role, u.responderId ?? null, u.displayName ?? null, u.communityIds ?? [], u.streetIds ?? []]);
  if (!r.rows[0]) throw new UserExistsError(u.username);
  return r.rows[0];
}

export async function setPassword(db: Queryable, username: string, password: string): Promise<boolean> {
  const r = await db.query(`UPDATE users SET password_hash = $2 WHERE username = $1`, [username, await hashPassword(password)]);
  return (r.rowCount ?? 0) > 0;
}

export async function findUserByName(db: Queryable, username: string): Promise<(UserRow & { passwordHash: string }) | null> {
  const r = await db.query<UserRow & { passwordHash: string }>(
    `SELECT ${USER_COLUMNS}, password_hash AS "passwordHash" FROM users WHERE username = $1`, [username]);
  return r.rows[0] ?? null;
}

export async function findUserById(db: Queryable, id: number): Promise<UserRow | null> {
  const r = await db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [id]);
  return r.rows[0] ?? null;
}

/**
 * The first admin (issue 3): `admin` with GUARDIAN_ADMIN_PASSWORD when given, else a generated
 * password that the caller prints once. Returns the generated password, or null when the
 * admin already existed or the password came from the environment.
 */
export async function ensureAdmin(db: Queryable, presetPassword?: string): Promise<string | null> {
  const existing = await findUserByName(db, 'admin');
  if (existing) return null;
  const password = presetPassword ?? randomBytes(12).toString('base64url');
  try {
    await createUser(db, { username: 'admin', password, role: 'admin', displayName: '系统管理员' });
  } catch (err) {
    if (err instanceof UserExistsError) return null; // another instance won the race
    throw err;
  }
  return presetPassword ? null : password;
}

export interface UserListRow extends UserRow { createdAt: Date; responderName: string | null }

const USER_LIST_SELECT = `SELECT u.id, u.username, u.role, u.responder_id AS "responderId", u.display_name AS "displayName",
    u.disabled, u.community_ids AS "communityIds", u.street_ids AS "streetIds", u.created_at AS "createdAt", r.name AS "responderName"
  FROM users u LEFT JOIN responders r ON r.id = u.responder_id`;

export async function listUsers(db: Queryable, f: { role?: UserRole; q?: string; communityId?: string; limit?: number; offset?: number } = {}): Promise<{ items: UserListRow[]; total: number }> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (f.role) { params.push(f.role); where.push(`u.role = $${params.length}`); }
  if (f.q) { params.push(`%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`); where.push(`(u.username ILIKE $${params.length} OR u.display_name ILIKE $${params.length})`); }
  if (f.communityId) { params.push(f.communityId); where.push(`$${params.length} = ANY(u.community_ids)`); }
  const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const total = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM users u ${w}`, params)).rows[0]!.n;
  const r = await db.query<UserListRow>(`${USER_LIST_SELECT} ${w} ORDER BY u.role, u.username LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
    [...params, f.limit ?? 100, f.offset ?? 0]);
  return { items: r.rows, total };
}

export async function findUserListRow(db: Queryable, id: number): Promise<UserListRow | null> {
  return (await db.query<UserListRow>(`${USER_LIST_SELECT} WHERE u.id = $1`, [id])).rows[0] ?? null;
}

export type UserChanges = Partial<Pick<UserRow, 'role' | 'responderId' | 'displayName' | 'disabled' | 'communityIds' | 'streetIds'>>;

const USER_COLUMN: Record<keyof UserChanges, string> = {
  role: 'role', responderId: 'responder_id', displayName: 'display_name', disabled: 'disabled', communityIds: 'community_ids', streetIds: 'street_ids',
};

/** Applies the changes; null when there is no such user. Sessions read the row on every request, so a role change or a disable takes effect at once. */
export async function updateUser(db: Queryable, id: number, changes: UserChanges): Promise<UserRow | null> {
  const entries = (Object.entries(changes) as Array<[keyof UserChanges, unknown]>).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return findUserById(db, id);
  const sets = entries.map(([k], i) => `${USER_COLUMN[k]} = $${i + 2}`);
  const r = await db.query<UserRow>(`UPDATE users SET ${sets.join(', ')} WHERE id = $1 RETURNING ${USER_COLUMNS}`, [id, ...entries.map(([, v]) => v)]);
  return r.rows[0] ?? null;
}

/** Ends every session of the user (a disable or a password reset signs them out everywhere). */
export async function deleteSessionsOfUser(db: Queryable, userId: number): Promise<number> {
  const r = await db.query(`DELETE FROM sessions WHERE user_id = $1`, [userId]);
  return r.rowCount ?? 0;
}
