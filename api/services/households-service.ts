import type pg from 'pg';
import { maskAddress, maskIdNumber, maskPhone } from '../../domain/pii-mask.js';
import { hasLiveAcceptedAlert } from '../../store/alerts-repository.js';
import { writeAudit } from '../../store/audit-repository.js';
import { getHouseholdFile, listHouseholds, type HouseholdFile, type HouseholdFilter } from '../../store/households-repository.js';
import { notFound } from '../api-error.js';
import type { AuthUser } from '../route-access.js';
import type { Actor } from './actor.js';

/**
 * Households and the household file (一户一档). Personal data (DESIGN §6) is masked for roles
 * that do not need it: a responder sees phone numbers, ID numbers and the street address only
 * for a home where they hold a live alert they accepted (they are on their way or at the door).
 * Every read of a file is in the audit log, masked or not.
 */
export class HouseholdsService {
  constructor(private readonly pool: pg.Pool) {}

  async list(user: AuthUser, filter: HouseholdFilter) {
    const page = await listHouseholds(this.pool, filter);
    if (!mustMask(user)) return page;
    return { total: page.total, items: page.items.map((h) => ({ ...h, address: maskAddress(h.address) ?? '' })) };
  }

  async file(actor: Actor, id: string) {
    const file = await getHouseholdFile(this.pool, id);
    if (!file) throw notFound(`no household ${id}`);
    const masked = mustMask(actor) && !(actor.responderId && await hasLiveAcceptedAlert(this.pool, id, actor.responderId));
    await writeAudit(this.pool, {
      username: actor.username, role: actor.role, action: 'household.read', target: id, ip: actor.ip, data: { masked },
    });
    return { ...(masked ? maskFile(file) : file), masked };
  }
}

function mustMask(user: AuthUser): boolean {
  return user.role === 'responder';
}

export function maskFile(f: HouseholdFile): HouseholdFile {
  return {
    ...f,
    household: { ...f.household, address: maskAddress(f.household.address) ?? '', phone: maskPhone(f.household.phone) },
    residents: f.residents.map((r) => ({ ...r, phone: maskPhone(r.phone), idNumber: maskIdNumber(r.idNumber) })),
    contacts: f.contacts.map((c) => ({ ...c, phone: maskPhone(c.phone) ?? '' })),
  };
}
