import type pg from 'pg';
import type { Clock } from '../../domain/clock.js';
import { checkPhone } from '../../domain/register-values.js';
import { CONTACTS, deleteContact, householdOfContact, type ContactRecord } from '../../store/contacts-repository.js';
import { insertRegisterRow, updateRegisterRow } from '../../store/register-rows.js';
import { notFound } from '../api-error.js';
import type { AccessService } from './access-service.js';
import type { Actor } from './actor.js';
import { auditedChange, phoneInvalid } from './register-audit.js';

export interface ContactInput { name?: string; relation?: string; phone?: string; priority?: number }

/** A household's contacts (family, neighbours) with the order to call them in. */
export class ContactsService {
  constructor(private readonly pool: pg.Pool, private readonly access: AccessService, private readonly clock: Clock) {}

  async create(actor: Actor, householdId: string, b: Required<Omit<ContactInput, 'priority'>> & { priority?: number }) {
    await this.access.household(actor, householdId);
    this.access.mayWrite(actor);
    const phone = checkPhone(b.phone);
    if (!phone) throw phoneInvalid('phone');
    return auditedChange(this.pool, this.clock, actor, 'contact.create', (r: ContactRecord) => r.householdId, async (tx) => {
      const priority = b.priority ?? (await tx.query<{ n: number }>(`SELECT count(*)::int + 1 AS n FROM contacts WHERE household_id = $1`, [householdId])).rows[0]!.n;
      const row = await insertRegisterRow<ContactRecord>(tx, CONTACTS, { ...b, phone, priority, householdId });
      return { result: row, before: null, after: row };
    }, '');
  }

  async update(actor: Actor, id: number, b: ContactInput) {
    await this.reach(actor, id);
    let phone = b.phone;
    if (phone !== undefined) { phone = checkPhone(phone) ?? undefined; if (!phone) throw phoneInvalid('phone'); }
    return auditedChange(this.pool, this.clock, actor, 'contact.update', (r: ContactRecord) => r.householdId, async (tx) => {
      const r = await updateRegisterRow<ContactRecord>(tx, CONTACTS, id, { ...b, phone });
      return r && { result: r.after, ...r };
    }, `no contact ${id}`);
  }

  /** A contact is removed for good (a changed number is an edit); the audit row keeps what it was. */
  async remove(actor: Actor, id: number) {
    await this.reach(actor, id);
    return auditedChange(this.pool, this.clock, actor, 'contact.delete', (r: ContactRecord) => r.householdId, async (tx) => {
      const gone = await deleteContact(tx, id);
      return gone && { result: gone, before: gone, after: null };
    }, `no contact ${id}`);
  }

  private async reach(actor: Actor, id: number) {
    const home = await householdOfContact(this.pool, id);
    if (!home) throw notFound(`no contact ${id}`);
    await this.access.household(actor, home, `no contact ${id}`);
    this.access.mayWrite(actor);
  }
}
