import type pg from 'pg';
import { maskAddress, maskIdNumber, maskPhone } from '../../domain/pii-mask.js';
import { hasLiveAcceptedAlert } from '../../store/alerts-repository.js';
import { writeAudit } from '../../store/audit-repository.js';
import { inTransaction } from '../../store/db.js';
import { getHouseholdFile, listHouseholds, type HouseholdFile, type HouseholdFilter } from '../../store/households-repository.js';
import { insertVisit, type VisitKind } from '../../store/visits-repository.js';
import { badRequest, notFound } from '../api-error.js';
import type { AuthUser } from '../route-access.js';
import type { Clock } from '../../domain/clock.js';
import type { AccessService } from './access-service.js';
import type { Actor } from './actor.js';

/**
 * Households and the household file (一户一档). Personal data (DESIGN §6) is masked for roles
 * that do not need it: a responder sees phone numbers, ID numbers and the street address only
 * for a home where they hold a live alert they accepted (they are on their way or at the door).
 * Every read of a file is in the audit log, masked or not.
 */
export class HouseholdsService {
  constructor(private readonly pool: pg.Pool, private readonly access: AccessService, private readonly clock: Clock) {}

  /** The homes of the caller's scope only (domain/access-scope.ts), searched and paged on the server. */
  async list(user: AuthUser, filter: HouseholdFilter) {
    const page = await listHouseholds(this.pool, { ...filter, scope: user.scope, now: this.clock.now() });
    if (!mustMask(user)) return page;
    return { total: page.total, items: page.items.map((h) => ({ ...h, address: maskAddress(h.address) ?? '' })) };
  }

  async file(actor: Actor, id: string) {
    await this.access.household(actor, id);
    const file = await getHouseholdFile(this.pool, id, { now: this.clock.now() });
    if (!file) throw notFound(`no household ${id}`);
    const masked = mustMask(actor) && !(actor.responderId && await hasLiveAcceptedAlert(this.pool, id, actor.responderId));
    await writeAudit(this.pool, {
      username: actor.username, role: actor.role, action: 'household.read', target: id, ip: actor.ip, data: { masked },
    }, this.clock.now());
    return { ...(masked ? maskFile(file) : file), masked };
  }

  /** A visit, call or check-in in the file (DESIGN §4 manual monitoring); a responder's names them. */
  async addVisit(actor: Actor, id: string, v: { kind: VisitKind; note: string; at?: string; scheduledFor?: string }) {
    await this.access.household(actor, id);
    this.access.mayWrite(actor);
    const now = this.clock.now();
    const at = v.at === undefined ? now : new Date(v.at);
    if (at.getTime() > now.getTime() + 5 * 60_000) throw badRequest('body.at: a visit cannot be in the future', 'visit_in_future');
    return inTransaction(this.pool, async (tx) => {
      const visit = await insertVisit(tx, {
        householdId: id, kind: v.kind, note: v.note, byUser: actor.username, responderId: actor.responderId,
        at, scheduledFor: v.scheduledFor ? new Date(v.scheduledFor) : null,
      });
      await writeAudit(tx, { username: actor.username, role: actor.role, action: 'household.visit', target: id, ip: actor.ip, data: { visitId: visit.id, kind: v.kind } });
      return visit;
    });
  }
}

/** Responders (until they hold a live alert of the home) and the read-only street office see personal data masked. */
function mustMask(user: AuthUser): boolean {
  return user.role === 'responder' || user.role === 'street';
}

export function maskFile(f: HouseholdFile): HouseholdFile {
  return {
    ...f,
    household: { ...f.household, address: maskAddress(f.household.address) ?? '', phone: maskPhone(f.household.phone) },
    residents: f.residents.map((r) => ({ ...r, phone: maskPhone(r.phone), idNumber: maskIdNumber(r.idNumber) })),
    contacts: f.contacts.map((c) => ({ ...c, phone: maskPhone(c.phone) ?? '' })),
  };
}
