import type pg from 'pg';
import type { Clock } from '../../domain/clock.js';
import type { Config } from '../../domain/config.js';
import { resolveCommunitySettings, settingsProblem, type CommunitySettingsOverrides } from '../../domain/community-settings.js';
import { checkPhone } from '../../domain/register-values.js';
import { COMMUNITIES, listCommunities, type CommunityRow } from '../../store/communities-repository.js';
import { findRegisterRow, insertRegisterRow, newRegisterId, updateRegisterRow } from '../../store/register-rows.js';
import { badRequest, forbidden, notFound } from '../api-error.js';
import type { AuthUser } from '../route-access.js';
import type { AccessService } from './access-service.js';
import type { Actor } from './actor.js';
import { auditedChange, phoneInvalid, retirePlace, unknownPlace } from './register-audit.js';

export interface CommunityInput extends Partial<CommunitySettingsOverrides> {
  id?: string; name?: string; address?: string | null; streetId?: string | null;
}

/**
 * Communities: admins create, move (to another street) and retire them; the dispatch room of a
 * community edits its name, address, 24-hour number and settings (day shift, SLA targets).
 */
export class CommunitiesService {
  constructor(private readonly pool: pg.Pool, private readonly access: AccessService, private readonly config: Config, private readonly clock: Clock) {}

  list(user: AuthUser, q: { streetId?: string; q?: string; includeRetired?: boolean; limit: number; offset: number }) {
    return listCommunities(this.pool, { ...q, scope: user.scope });
  }

  async get(user: AuthUser, id: string) {
    this.access.community(user, id, `no community ${id}`);
    const row = await findRegisterRow<CommunityRow>(this.pool, COMMUNITIES, id);
    if (!row) throw notFound(`no community ${id}`);
    return { ...row, settings: resolveCommunitySettings(row, this.config) };
  }

  /** The settings in force for a community: its own, or the global config default. */
  async settings(user: AuthUser, id: string) {
    return { communityId: id, ...(await this.get(user, id)).settings };
  }

  async create(actor: Actor, b: CommunityInput & { name: string }) {
    await this.check(b);
    return auditedChange(this.pool, this.clock, actor, 'community.create', (r: CommunityRow) => r.id, async (tx) => {
      const row = await insertRegisterRow<CommunityRow>(tx, COMMUNITIES, { ...b, id: undefined, createdAt: this.clock.now() }, b.id ?? newRegisterId('c'));
      return { result: row, before: null, after: row };
    }, '').then((row) => ({ ...row, settings: resolveCommunitySettings(row, this.config) }));
  }

  async update(actor: Actor, id: string, b: CommunityInput) {
    this.access.community(actor, id, `no community ${id}`);
    if (b.streetId !== undefined && !actor.scope.all) throw forbidden('only an admin moves a community to another street', 'admin_only');
    await this.check(b);
    const row = await auditedChange(this.pool, this.clock, actor, 'community.update', (r: CommunityRow) => r.id, async (tx) => {
      const r = await updateRegisterRow<CommunityRow>(tx, COMMUNITIES, id, b);
      if (r) {
        const problem = settingsProblem(resolveCommunitySettings(r.after, this.config));
        if (problem) throw badRequest(`body: ${problem}`, 'settings_invalid');
      }
      return r && { result: r.after, ...r };
    }, `no community ${id}`);
    return { ...row, settings: resolveCommunitySettings(row, this.config) };
  }

  async retire(actor: Actor, id: string, retire: boolean) {
    return retirePlace<CommunityRow>(this.pool, this.clock, actor, 'community', COMMUNITIES, id, retire);
  }

  private async check(b: CommunityInput) {
    if (b.emergencyPhone && !checkPhone(b.emergencyPhone)) throw phoneInvalid('emergencyPhone');
    if (b.streetId) {
      const s = await this.pool.query(`SELECT 1 FROM streets WHERE id = $1 AND retired_at IS NULL`, [b.streetId]);
      if (!s.rowCount) throw unknownPlace('streetId', b.streetId);
    }
    const problem = settingsProblem(resolveCommunitySettings(b, this.config));
    if (problem && (b.dayShift !== undefined || b.slaWarnS !== undefined || b.slaOnsiteS !== undefined)) throw badRequest(`body: ${problem}`, 'settings_invalid');
  }
}
