import type { Redis } from 'ioredis';
import type pg from 'pg';
import { maskPhone } from '../../domain/pii-mask.js';
import { communityInScope, communityPeopleInScope } from '../../domain/access-scope.js';
import { wallClock, type Clock } from '../../domain/clock.js';
import { onDutyAt, type ResponderRole } from '../../domain/roster.js';
import { gpsToPlan } from '../../domain/gps-to-plan.js';
import { planReferences } from '../../store/buildings-repository.js';
import { setLivePosition } from '../../store/dispatch-repository.js';
import { writeAudit } from '../../store/audit-repository.js';
import { inTransaction } from '../../store/db.js';
import { appendLiveEvents } from '../../store/live-events-repository.js';
import { publishLive } from '../../store/live-publisher.js';
import {
  findResponder, insertResponder, listResponders, soleCommunityId, unknownPlaces, updateResponder,
  type NewResponder, type ResponderChanges, type ResponderFilter, type ResponderRow,
} from '../../store/responders-repository.js';
import { loadRosterRows } from '../../store/routing-context-repository.js';
import { deleteRosterShift, findRosterShift, insertRosterShifts, listRosterShifts, type NewRosterShift } from '../../store/rosters-repository.js';
import { ApiError, badRequest, forbidden, notFound } from '../api-error.js';
import type { AuthUser } from '../route-access.js';
import type { Actor } from './actor.js';

/**
 * People and rosters (DESIGN §4; issue 4 item 5). The dispatch room (operator, supervisor,
 * admin) manages them; a responder reads the team (colleagues' phone numbers masked, their
 * own shown), reads their own roster, and switches their own on-duty flag. Every change is
 * audited; on-duty, role and active changes go out on the live feed as `responder.status`.
 */
export class PeopleService {
  /** `tz`: GUARDIAN_TZ, the zone rosters are written in. */
  constructor(
    private readonly pool: pg.Pool,
    private readonly tz: string,
    private readonly clock: Clock = wallClock,
    private readonly redis?: Redis,
  ) {}

  /** Each with `onDutyNow`: the switch and the roster together, as routing sees them this minute. Only the caller's communities' people. */
  async list(user: AuthUser, f: ResponderFilter) {
    const page = await listResponders(this.pool, { ...f, scope: user.scope });
    const now = onDutyAt(page.items, await loadRosterRows(this.pool), this.clock.now(), this.tz);
    return { total: page.total, items: page.items.map((r) => ({ ...this.view(user, r), onDutyNow: now.has(r.id) })) };
  }

  async get(user: AuthUser, id: string) {
    return this.view(user, await this.reach(user, id));
  }

  /** The responder when the caller's scope reaches their community; 404 otherwise, as if they did not exist. */
  private async reach(user: AuthUser, id: string): Promise<ResponderRow> {
    const r = await findResponder(this.pool, id);
    if (!r || !communityPeopleInScope(user.scope, r.communityId)) throw notFound(`no responder ${id}`);
    return r;
  }

  async create(actor: Actor, input: Omit<NewResponder, 'communityId'> & { communityId?: string }) {
    const communityId = input.communityId ?? (actor.scope.all ? await soleCommunityId(this.pool) : soleOf(actor.scope.communityIds));
    if (!communityId) throw badRequest('body.communityId is required when there is not exactly one community', 'community_required');
    if (!communityInScope(actor.scope, communityId)) throw badRequest(`body.communityId: unknown "${communityId}"`, 'unknown_place');
    await this.checkPlaces(actor, { ...input, communityId });
    const { row, live } = await this.inTx(async (tx) => {
      const row = await insertResponder(tx, { ...input, communityId }).catch((err: { code?: string }) => {
        if (err.code === '23505') throw new ApiError(409, 'responder_exists', `body.id: responder "${input.id}" already exists`);
        throw err;
      });
      await writeAudit(tx, { username: actor.username, role: actor.role, action: 'responder.create', target: row.id, ip: actor.ip, data: { ...input, communityId } });
      const live = await appendLiveEvents(tx, [statusEvent(row)]);
      return { row, live };
    });
    publishLive(this.redis, live);
    return row;
  }

  async update(actor: Actor, id: string, changes: ResponderChanges) {
    await this.reach(actor, id);
    if (Object.keys(changes).length === 0) throw badRequest('body: nothing to change');
    await this.checkPlaces(actor, changes);
    const { row, live } = await this.inTx(async (tx) => {
      const before = await findResponder(tx, id);
      if (!before) throw notFound(`no responder ${id}`);
      const row = (await updateResponder(tx, id, changes))!;
      await writeAudit(tx, { username: actor.username, role: actor.role, action: 'responder.update', target: id, ip: actor.ip, data: { ...changes } });
      const statusChanged = before.onDuty !== row.onDuty || before.active !== row.active || before.role !== row.role;
      const live = statusChanged ? await appendLiveEvents(tx, [statusEvent(row)]) : [];
      return { row, live };
    });
    publishLive(this.redis, live);
    return row;
  }

  /** The on-duty switch: a responder flips their own; the dispatch room flips anyone's. */
  async setDuty(actor: Actor, id: string, onDuty: boolean) {
    await this.reach(actor, id);
    if (actor.role === 'responder' && actor.responderId !== id) throw forbidden('responders switch only their own duty');
    // A live position is kept only while on duty (issue 15): going off duty forgets it.
    if (!onDuty) await setLivePosition(this.pool, id, null, this.clock.now());
    return this.update(actor, id, { onDuty });
  }

  /**
   * The phone shares where its responder is (site-plan metres; issue 15), opt-in and only while
   * on duty; `null` stops sharing. Dispatch ranks by it instead of the base while it is set.
   */
  async setPosition(
    actor: Actor, id: string, given: { x: number; y: number } | { lat: number; lng: number } | null,
  ): Promise<{ sharing: boolean; position?: { x: number; y: number } }> {
    await this.reach(actor, id);
    if (actor.role === 'responder' && actor.responderId !== id) throw forbidden('responders share only their own position');
    const position = given && 'lat' in given ? await this.onPlan(id, given) : given;
    const stored = await setLivePosition(this.pool, id, position, this.clock.now());
    if (position && !stored) throw new ApiError(409, 'off_duty', 'Your position is shared only while you are on duty; switch on duty first.');
    return position ? { sharing: true, position } : { sharing: false };
  }

  /** A phone's GPS fix on the community's site plan (domain/gps-to-plan.ts). */
  private async onPlan(id: string, fix: { lat: number; lng: number }): Promise<{ x: number; y: number }> {
    const who = await findResponder(this.pool, id);
    const refs = who ? await planReferences(this.pool, who.communityId) : [];
    const at = gpsToPlan(refs, fix.lat, fix.lng);
    if (!at) {
      throw new ApiError(409, 'no_plan_reference',
        'No building of your community has both a map position (lat/lng) and a site-plan position (x/y), so the phone cannot be placed on the plan; ask the dispatch room to add them in the register.');
    }
    return at;
  }

  async rosters(user: AuthUser, q: { responderId?: string; limit: number; offset: number }) {
    if (user.role === 'responder') {
      if (!user.responderId) return { items: [], total: 0 };
      if (q.responderId !== undefined && q.responderId !== user.responderId) throw forbidden('responders read only their own roster');
      return listRosterShifts(this.pool, { ...q, responderId: user.responderId });
    }
    return listRosterShifts(this.pool, { ...q, scope: user.scope });
  }

  async addRoster(actor: Actor, shift: NewRosterShift & { fullDay?: boolean }) {
    const { fullDay, ...s } = shift;
    // 09:00-09:00 is a 24-hour shift by the roster rule, and far more often a slip of the hand
    // (issue 20 item 6): said once, on purpose, or refused.
    if (s.starts === s.ends && !fullDay) {
      throw new ApiError(400, 'shift_24h_unconfirmed', `body: a shift from ${s.starts} to ${s.ends} lasts 24 hours; send fullDay: true if that is meant`, { starts: s.starts, ends: s.ends });
    }
    const weekly = s.weekday !== undefined && s.weekday !== null;
    const dated = s.onDate !== undefined && s.onDate !== null;
    if (weekly === dated) throw badRequest('body: give either weekday (a weekly shift) or onDate (a dated override), not both', 'weekday_or_date');
    if (weekly && s.offDuty) throw badRequest('body.offDuty applies to a dated override (onDate) only', 'off_duty_needs_date');
    const who = await findResponder(this.pool, s.responderId);
    if (!who || !communityPeopleInScope(actor.scope, who.communityId)) throw badRequest(`body.responderId: no responder "${s.responderId}"`, 'unknown_responder');
    return this.inTx(async (tx) => {
      const [row] = await insertRosterShifts(tx, [s]);
      await writeAudit(tx, { username: actor.username, role: actor.role, action: 'roster.create', target: s.responderId, ip: actor.ip, data: { id: row!.id, ...s } });
      return row!;
    });
  }

  async removeRoster(actor: Actor, id: number) {
    const shift = await findRosterShift(this.pool, id);
    if (!shift) throw notFound(`no roster shift ${id}`);
    const who = await findResponder(this.pool, shift.responderId);
    if (!who || !communityPeopleInScope(actor.scope, who.communityId)) throw notFound(`no roster shift ${id}`);
    return this.inTx(async (tx) => {
      const gone = await deleteRosterShift(tx, id);
      if (!gone) throw notFound(`no roster shift ${id}`);
      await writeAudit(tx, { username: actor.username, role: actor.role, action: 'roster.delete', target: gone.responderId, ip: actor.ip, data: { ...gone } });
      return gone;
    });
  }

  /** Responders see their own phone number and colleagues' masked; the street office sees all masked. */
  private view(user: AuthUser, r: ResponderRow): ResponderRow {
    if ((user.role !== 'responder' && user.role !== 'street') || user.responderId === r.id) return r;
    return { ...r, phone: maskPhone(r.phone) ?? '' };
  }

  private async checkPlaces(actor: Actor, p: { communityId?: string; gridIds?: readonly string[]; buildingIds?: readonly string[]; householdIds?: readonly string[] }) {
    const checks: Array<[string, 'communities' | 'grids' | 'buildings' | 'households', readonly string[] | undefined]> = [
      ['communityId', 'communities', p.communityId ? [p.communityId] : undefined],
      ['gridIds', 'grids', p.gridIds], ['buildingIds', 'buildings', p.buildingIds], ['householdIds', 'households', p.householdIds],
    ];
    for (const [field, table, ids] of checks) {
      const unknown = ids ? await unknownPlaces(this.pool, table, ids, actor.scope.all ? null : actor.scope.communityIds) : [];
      if (unknown.length) throw badRequest(`body.${field}: unknown ${unknown.map((u) => `"${u}"`).join(', ')}`, 'unknown_place');
    }
  }

  private inTx<T>(fn: (tx: pg.PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, fn);
  }
}

function statusEvent(r: ResponderRow) {
  return { type: 'responder.status' as const, data: { responderId: r.id, role: r.role as ResponderRole, onDuty: r.onDuty && r.active } };
}


function soleOf(ids: readonly string[]): string | null {
  return ids.length === 1 ? ids[0]! : null;
}
