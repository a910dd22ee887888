import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { writeAudit } from '../../store/audit-repository.js';
import { inTransaction } from '../../store/db.js';
import { findResponder, soleCommunityId, unknownPlaces, unknownStreets } from '../../store/responders-repository.js';
import {
  createUser, deleteSessionsOfUser, findUserById, findUserListRow, listUsers, setPassword, updateUser, UserExistsError,
  type UserChanges, type UserRole,
} from '../../store/users-repository.js';
import { ApiError, badRequest, notFound } from '../api-error.js';
import type { Actor } from './actor.js';

/**
 * Console users and their roles (admin only). A responder login must be linked to a responder
 * (their phone view shows their alerts). Generated passwords are returned once and never logged;
 * the audit log records who changed whom, not the password.
 */
export class UsersService {
  constructor(private readonly pool: pg.Pool) {}

  list(q: { role?: UserRole; q?: string; communityId?: string; limit: number; offset: number }) {
    return listUsers(this.pool, q);
  }

  async create(actor: Actor, b: { username: string; role: UserRole; password?: string; responderId?: string; displayName?: string; communityIds?: string[]; streetIds?: string[] }) {
    await this.checkResponderLink(b.role, b.responderId ?? null);
    const places = await this.checkPlaces(b.role, b.communityIds, b.streetIds);
    const password = b.password ?? generatedPassword();
    const user = await inTransaction(this.pool, async (tx) => {
      const u = await createUser(tx, {
        username: b.username, password, role: b.role, responderId: b.responderId ?? null, ...places,
        displayName: b.displayName ?? (b.responderId ? (await findResponder(tx, b.responderId))?.name ?? null : null),
      }).catch((err: unknown) => {
        if (err instanceof UserExistsError) throw new ApiError(409, 'user_exists', `body.username: ${err.message}`);
        throw err;
      });
      await writeAudit(tx, { username: actor.username, role: actor.role, action: 'user.create', target: u.username, ip: actor.ip, data: { role: u.role, responderId: u.responderId, communityIds: u.communityIds, streetIds: u.streetIds } });
      return u;
    });
    return { user: await this.item(user.id), password: b.password === undefined ? password : null };
  }

  async update(actor: Actor, id: number, changes: UserChanges) {
    const before = await findUserById(this.pool, id);
    if (!before) throw notFound(`no user ${id}`);
    if (id === actor.id && (changes.disabled === true || (changes.role !== undefined && changes.role !== 'admin'))) {
      throw badRequest('you cannot disable yourself or take away your own admin role; ask another admin', 'self_lockout');
    }
    await this.checkResponderLink(changes.role ?? before.role, changes.responderId !== undefined ? changes.responderId : before.responderId);
    if (changes.role !== undefined || changes.communityIds !== undefined || changes.streetIds !== undefined) {
      Object.assign(changes, await this.checkPlaces(changes.role ?? before.role, changes.communityIds ?? before.communityIds, changes.streetIds ?? before.streetIds));
    }
    await inTransaction(this.pool, async (tx) => {
      await updateUser(tx, id, changes);
      const ended = changes.disabled ? await deleteSessionsOfUser(tx, id) : 0;
      await writeAudit(tx, { username: actor.username, role: actor.role, action: 'user.update', target: before.username, ip: actor.ip, data: { ...changes, sessionsEnded: ended } });
    });
    return this.item(id);
  }

  async resetPassword(actor: Actor, id: number, given?: string) {
    const user = await findUserById(this.pool, id);
    if (!user) throw notFound(`no user ${id}`);
    const password = given ?? generatedPassword();
    const sessionsEnded = await inTransaction(this.pool, async (tx) => {
      await setPassword(tx, user.username, password);
      const n = await deleteSessionsOfUser(tx, id);
      await writeAudit(tx, { username: actor.username, role: actor.role, action: 'user.password', target: user.username, ip: actor.ip, data: { sessionsEnded: n } });
      return n;
    });
    return { password: given === undefined ? password : null, sessionsEnded };
  }

  /**
   * The dispatch room works for communities and the street office for streets; nobody else
   * carries either. An operator or supervisor named for no community gets the only one when
   * there is exactly one (a single-community install needs no extra step), else it is an error:
   * a dispatch-room login that sees nothing would look broken, not safe.
   */
  private async checkPlaces(role: UserRole, communityIds: readonly string[] | undefined, streetIds: readonly string[] | undefined): Promise<{ communityIds: string[]; streetIds: string[] }> {
    if (role === 'operator' || role === 'supervisor') {
      let ids = [...new Set(communityIds ?? [])];
      if (ids.length === 0) {
        const sole = await soleCommunityId(this.pool);
        if (!sole) throw badRequest('body.communityIds: name the communities this user works for (there is not exactly one community)', 'community_required');
        ids = [sole];
      }
      const unknown = await unknownPlaces(this.pool, 'communities', ids);
      if (unknown.length) throw badRequest(`body.communityIds: unknown ${unknown.map((u) => `"${u}"`).join(', ')}`, 'unknown_place');
      return { communityIds: ids, streetIds: [] };
    }
    if (role === 'street') {
      const ids = [...new Set(streetIds ?? [])];
      if (ids.length === 0) throw badRequest('body.streetIds: name the streets (街道) this user reads', 'street_required');
      const unknown = await unknownStreets(this.pool, ids);
      if (unknown.length) throw badRequest(`body.streetIds: unknown ${unknown.map((u) => `"${u}"`).join(', ')}`, 'unknown_place');
      return { communityIds: [], streetIds: ids };
    }
    return { communityIds: [], streetIds: [] };
  }

  private async checkResponderLink(role: UserRole, responderId: string | null) {
    if (role === 'responder' && !responderId) throw badRequest('body.responderId: a responder login must be linked to a responder (their phone view shows their alerts)', 'responder_required');
    if (responderId && !(await findResponder(this.pool, responderId))) throw badRequest(`body.responderId: no responder "${responderId}"`, 'unknown_responder');
  }

  private async item(id: number) {
    const found = await findUserListRow(this.pool, id);
    if (!found) throw notFound(`no user ${id}`);
    return found;
  }
}

function generatedPassword(): string {
  return randomBytes(12).toString('base64url');
}
