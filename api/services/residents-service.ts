import type pg from 'pg';
import type { Clock } from '../../domain/clock.js';
import { checkPhone, type Gender } from '../../domain/register-values.js';
import { insertRegisterRow, setRetired, updateRegisterRow } from '../../store/register-rows.js';
import { householdOfResident, RESIDENTS, type ResidentRecord } from '../../store/residents-repository.js';
import { notFound } from '../api-error.js';
import type { AccessService } from './access-service.js';
import type { Actor } from './actor.js';
import { auditedChange, phoneInvalid } from './register-audit.js';

export interface ResidentInput {
  name?: string; gender?: Gender | null; birthYear?: number | null; phone?: string | null; idNumber?: string | null;
  conditions?: string[]; notes?: string | null;
}

/** Residents of a household (the seniors); retiring one (moved out, passed away) keeps the record. */
export class ResidentsService {
  constructor(private readonly pool: pg.Pool, private readonly access: AccessService, private readonly clock: Clock) {}

  async create(actor: Actor, householdId: string, b: ResidentInput & { name: string }) {
    await this.access.household(actor, householdId);
    this.access.mayWrite(actor);
    if (b.phone && !checkPhone(b.phone)) throw phoneInvalid('phone');
    return auditedChange(this.pool, this.clock, actor, 'resident.create', (r: ResidentRecord) => r.householdId, async (tx) => {
      const row = await insertRegisterRow<ResidentRecord>(tx, RESIDENTS, { ...b, householdId });
      return { result: row, before: null, after: row };
    }, '');
  }

  async update(actor: Actor, id: number, b: ResidentInput) {
    await this.reach(actor, id);
    if (b.phone && !checkPhone(b.phone)) throw phoneInvalid('phone');
    return auditedChange(this.pool, this.clock, actor, 'resident.update', (r: ResidentRecord) => r.householdId, async (tx) => {
      const r = await updateRegisterRow<ResidentRecord>(tx, RESIDENTS, id, b);
      return r && { result: r.after, ...r };
    }, `no resident ${id}`);
  }

  async retire(actor: Actor, id: number, retire: boolean) {
    await this.reach(actor, id);
    return auditedChange(this.pool, this.clock, actor, retire ? 'resident.retire' : 'resident.restore', (r: ResidentRecord) => r.householdId, async (tx) => {
      const r = await setRetired<ResidentRecord>(tx, RESIDENTS, id, retire ? this.clock.now() : null);
      return r && { result: r.after, ...r };
    }, `no resident ${id}`);
  }

  private async reach(actor: Actor, id: number) {
    const home = await householdOfResident(this.pool, id);
    if (!home) throw notFound(`no resident ${id}`);
    await this.access.household(actor, home, `no resident ${id}`);
    this.access.mayWrite(actor);
  }
}
