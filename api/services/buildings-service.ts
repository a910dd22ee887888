import type pg from 'pg';
import type { Clock } from '../../domain/clock.js';
import { communityInScope } from '../../domain/access-scope.js';
import { BUILDINGS, listBuildings, type BuildingRow } from '../../store/buildings-repository.js';
import { findRegisterRow, insertRegisterRow, newRegisterId, updateRegisterRow } from '../../store/register-rows.js';
import { notFound } from '../api-error.js';
import type { AuthUser } from '../route-access.js';
import type { Actor } from './actor.js';
import { auditedChange, retirePlace, unknownPlace } from './register-audit.js';

export interface BuildingInput { id?: string; gridId?: string; name?: string; address?: string | null; x?: number | null; y?: number | null; lat?: number | null; lng?: number | null }

/** Buildings (楼栋) with their place on the site plan (metres) and optionally on the map. */
export class BuildingsService {
  constructor(private readonly pool: pg.Pool, private readonly clock: Clock) {}

  list(user: AuthUser, q: { gridId?: string; communityId?: string; q?: string; includeRetired?: boolean; limit: number; offset: number }) {
    return listBuildings(this.pool, { ...q, scope: user.scope });
  }

  async get(user: AuthUser, id: string): Promise<BuildingRow> {
    const row = await findRegisterRow<BuildingRow>(this.pool, BUILDINGS, id);
    if (!row || !communityInScope(user.scope, row.communityId)) throw notFound(`no building ${id}`);
    return row;
  }

  async create(actor: Actor, b: BuildingInput & { gridId: string; name: string }) {
    await this.liveGrid(actor, b.gridId);
    return auditedChange(this.pool, this.clock, actor, 'building.create', (r: BuildingRow) => r.id, async (tx) => {
      const row = await insertRegisterRow<BuildingRow>(tx, BUILDINGS, { ...b, id: undefined }, b.id ?? newRegisterId('b'));
      return { result: row, before: null, after: row };
    }, '');
  }

  /** Edit, re-place on the plan, or move to another grid of the caller's communities. */
  async update(actor: Actor, id: string, b: BuildingInput) {
    await this.get(actor, id);
    if (b.gridId !== undefined) await this.liveGrid(actor, b.gridId);
    return auditedChange(this.pool, this.clock, actor, 'building.update', (r: BuildingRow) => r.id, async (tx) => {
      const r = await updateRegisterRow<BuildingRow>(tx, BUILDINGS, id, b);
      return r && { result: r.after, ...r };
    }, `no building ${id}`);
  }

  async retire(actor: Actor, id: string, retire: boolean) {
    const building = await this.get(actor, id);
    if (!retire) await this.liveGrid(actor, building.gridId);
    return retirePlace<BuildingRow>(this.pool, this.clock, actor, 'building', BUILDINGS, id, retire);
  }

  private async liveGrid(actor: AuthUser, gridId: string) {
    const r = await this.pool.query<{ communityId: string }>(
      `SELECT g.community_id AS "communityId" FROM grids g JOIN communities c ON c.id = g.community_id
        WHERE g.id = $1 AND g.retired_at IS NULL AND c.retired_at IS NULL`, [gridId]);
    const c = r.rows[0]?.communityId;
    if (!c || !communityInScope(actor.scope, c)) throw unknownPlace('gridId', gridId);
  }
}
