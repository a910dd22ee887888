import type pg from 'pg';
import type { Clock } from '../../domain/clock.js';
import { findRegisterRow, insertRegisterRow, newRegisterId, updateRegisterRow } from '../../store/register-rows.js';
import { listStreets, STREETS, streetScopeSql, type StreetRow } from '../../store/streets-repository.js';
import { notFound } from '../api-error.js';
import type { AuthUser } from '../route-access.js';
import type { Actor } from './actor.js';
import { auditedChange, retirePlace } from './register-audit.js';

/** Streets (街道): admins create, rename and retire them; everyone with a community of one reads it. */
export class StreetsService {
  constructor(private readonly pool: pg.Pool, private readonly clock: Clock) {}

  list(user: AuthUser, q: { q?: string; includeRetired?: boolean; limit: number; offset: number }) {
    return listStreets(this.pool, { ...q, scope: user.scope });
  }

  async get(user: AuthUser, id: string): Promise<StreetRow> {
    const params: unknown[] = [id];
    const s = streetScopeSql(user.scope, 'id', params);
    const r = await this.pool.query(`SELECT 1 FROM streets WHERE id = $1 ${s ? `AND ${s}` : ''}`, params);
    const row = r.rowCount ? await findRegisterRow<StreetRow>(this.pool, STREETS, id) : null;
    if (!row) throw notFound(`no street ${id}`);
    return row;
  }

  create(actor: Actor, b: { id?: string; name: string }) {
    return auditedChange(this.pool, this.clock, actor, 'street.create', (r: StreetRow) => r.id, async (tx) => {
      const row = await insertRegisterRow<StreetRow>(tx, STREETS, { name: b.name, createdAt: this.clock.now() }, b.id ?? newRegisterId('s'));
      return { result: row, before: null, after: row };
    }, '');
  }

  async update(actor: Actor, id: string, b: { name?: string }) {
    return auditedChange(this.pool, this.clock, actor, 'street.update', (r: StreetRow) => r.id, async (tx) => {
      const r = await updateRegisterRow<StreetRow>(tx, STREETS, id, b);
      return r && { result: r.after, ...r };
    }, `no street ${id}`);
  }

  async retire(actor: Actor, id: string, retire: boolean) {
    return retirePlace<StreetRow>(this.pool, this.clock, actor, 'street', STREETS, id, retire);
  }
}
