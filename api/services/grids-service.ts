import type pg from 'pg';
import type { Clock } from '../../domain/clock.js';
import { communityInScope } from '../../domain/access-scope.js';
import { GRIDS, listGrids, type GridRow } from '../../store/grids-repository.js';
import { findRegisterRow, insertRegisterRow, newRegisterId, updateRegisterRow } from '../../store/register-rows.js';
import { notFound } from '../api-error.js';
import type { AuthUser } from '../route-access.js';
import type { Actor } from './actor.js';
import { auditedChange, retirePlace, unknownPlace } from './register-audit.js';

/** Grids (网格) of a community: the dispatch room of the community manages them. */
export class GridsService {
  constructor(private readonly pool: pg.Pool, private readonly clock: Clock) {}

  list(user: AuthUser, q: { communityId?: string; q?: string; includeRetired?: boolean; limit: number; offset: number }) {
    return listGrids(this.pool, { ...q, scope: user.scope });
  }

  async get(user: AuthUser, id: string): Promise<GridRow> {
    const row = await findRegisterRow<GridRow>(this.pool, GRIDS, id);
    if (!row || !communityInScope(user.scope, row.communityId)) throw notFound(`no grid ${id}`);
    return row;
  }

  async create(actor: Actor, b: { id?: string; communityId: string; name: string }) {
    await this.liveCommunity(actor, b.communityId);
    return auditedChange(this.pool, this.clock, actor, 'grid.create', (r: GridRow) => r.id, async (tx) => {
      const row = await insertRegisterRow<GridRow>(tx, GRIDS, { communityId: b.communityId, name: b.name }, b.id ?? newRegisterId('g'));
      return { result: row, before: null, after: row };
    }, '');
  }

  /** Rename, or move to another community of the caller's. */
  async update(actor: Actor, id: string, b: { name?: string; communityId?: string }) {
    await this.get(actor, id);
    if (b.communityId !== undefined) await this.liveCommunity(actor, b.communityId);
    return auditedChange(this.pool, this.clock, actor, 'grid.update', (r: GridRow) => r.id, async (tx) => {
      const r = await updateRegisterRow<GridRow>(tx, GRIDS, id, b);
      return r && { result: r.after, ...r };
    }, `no grid ${id}`);
  }

  async retire(actor: Actor, id: string, retire: boolean) {
    const grid = await this.get(actor, id);
    if (!retire) await this.liveCommunity(actor, grid.communityId);
    return retirePlace<GridRow>(this.pool, this.clock, actor, 'grid', GRIDS, id, retire);
  }

  private async liveCommunity(actor: AuthUser, communityId: string) {
    const r = await this.pool.query(`SELECT 1 FROM communities WHERE id = $1 AND retired_at IS NULL`, [communityId]);
    if (!r.rowCount || !communityInScope(actor.scope, communityId)) throw unknownPlace('communityId', communityId);
  }
}
