import type pg from 'pg';
import { communityInScope } from '../../domain/access-scope.js';
import type { Clock } from '../../domain/clock.js';
import { checkPhone, type LivingSituation } from '../../domain/register-values.js';
import { LIVE_STATES } from '../../domain/alert-kinds.js';
import { placeOfBuilding } from '../../store/buildings-repository.js';
import { lockCommunity } from '../../store/communities-repository.js';
import { HOUSEHOLDS, householdWithCode } from '../../store/households-repository.js';
import { insertRegisterRow, newRegisterId, setRetired, updateRegisterRow } from '../../store/register-rows.js';
import { ApiError } from '../api-error.js';
import type { AuthUser } from '../route-access.js';
import type { AccessService } from './access-service.js';
import type { Actor } from './actor.js';
import { auditedChange, phoneInvalid, unknownPlace } from './register-audit.js';

export interface HouseholdInput {
  id?: string; code?: string; buildingId?: string; unit?: string; address?: string; phone?: string | null;
  livingSituation?: LivingSituation; accessNotes?: string | null; notes?: string | null;
  inactivityDayS?: number; inactivityNightS?: number;
}

export interface HouseholdRecord extends Required<Omit<HouseholdInput, 'id'>> { id: string; retiredAt: Date | null }

/**
 * The household's register entry (issue 17): create, edit, move to another building, retire and
 * restore. A move keeps the household's id, so its alerts, signals and visits follow it. The code
 * (户号) is unique within a community: checked under the community's row lock.
 */
export class HouseholdRegisterService {
  constructor(private readonly pool: pg.Pool, private readonly access: AccessService, private readonly clock: Clock) {}

  async create(actor: Actor, b: HouseholdInput & { buildingId: string; unit: string; address: string }) {
    const communityId = await this.liveBuilding(actor, b.buildingId);
    this.checkPhone(b);
    const id = b.id ?? newRegisterId('h');
    return auditedChange(this.pool, this.clock, actor, 'household.create', (r: HouseholdRecord) => r.id, async (tx) => {
      await lockCommunity(tx, communityId);
      await this.codeFree(tx, communityId, b.code ?? id);
      const row = await insertRegisterRow<HouseholdRecord>(tx, HOUSEHOLDS, { ...b, id: undefined, code: b.code ?? id, createdAt: this.clock.now() }, id);
      return { result: row, before: null, after: row };
    }, '');
  }

  async update(actor: Actor, id: string, b: HouseholdInput) {
    const place = await this.access.household(actor, id);
    this.access.mayWrite(actor);
    this.checkPhone(b);
    const target = b.buildingId !== undefined && b.buildingId !== place.buildingId ? await this.liveBuilding(actor, b.buildingId) : place.communityId;
    return auditedChange(this.pool, this.clock, actor, 'household.update', (r: HouseholdRecord) => r.id, async (tx) => {
      await lockCommunity(tx, target);
      const current = (await tx.query<{ code: string }>(`SELECT code FROM households WHERE id = $1`, [id])).rows[0];
      if (current && (b.code !== undefined || target !== place.communityId)) await this.codeFree(tx, target, b.code ?? current.code, id);
      const r = await updateRegisterRow<HouseholdRecord>(tx, HOUSEHOLDS, id, b);
      return r && { result: r.after, ...r };
    }, `no household ${id}`);
  }

  /**
   * Retire: the home leaves lists and the board; its file, alerts and visits stay readable. Not
   * while an alert is live (someone may be on the way) or a device still connects.
   */
  async retire(actor: Actor, id: string, retire: boolean) {
    const place = await this.access.household(actor, id);
    this.access.mayWrite(actor);
    if (!retire) await this.liveBuilding(actor, place.buildingId);
    return auditedChange(this.pool, this.clock, actor, retire ? 'household.retire' : 'household.restore', (r: HouseholdRecord) => r.id, async (tx) => {
      if (retire) {
        const busy = await tx.query<{ alerts: number; devices: number }>(
          `SELECT (SELECT count(*)::int FROM alerts WHERE household_id = $1 AND state = ANY($2::text[])) AS alerts,
                  (SELECT count(*)::int FROM devices WHERE household_id = $1 AND revoked_at IS NULL) AS devices`, [id, LIVE_STATES]);
        const { alerts, devices } = busy.rows[0]!;
        if (alerts > 0) throw new ApiError(409, 'household_has_alerts', `household ${id} has ${alerts} live alert(s); resolve or cancel them first`);
        if (devices > 0) throw new ApiError(409, 'household_has_devices', `household ${id} has ${devices} device(s) in service; revoke them first`);
      } else {
        const code = (await tx.query<{ code: string }>(`SELECT code FROM households WHERE id = $1`, [id])).rows[0]?.code;
        await lockCommunity(tx, place.communityId);
        if (code) await this.codeFree(tx, place.communityId, code, id);
      }
      const r = await setRetired<HouseholdRecord>(tx, HOUSEHOLDS, id, retire ? this.clock.now() : null);
      return r && { result: r.after, ...r };
    }, `no household ${id}`);
  }

  /** The building's community when the caller may put a home there; 400 unknown_place otherwise. */
  private async liveBuilding(actor: AuthUser, buildingId: string): Promise<string> {
    const p = await placeOfBuilding(this.pool, buildingId);
    if (!p || p.retired || !communityInScope(actor.scope, p.communityId) || !actor.scope.canWrite) throw unknownPlace('buildingId', buildingId);
    return p.communityId;
  }

  private async codeFree(tx: pg.PoolClient, communityId: string, code: string, except?: string) {
    const other = await householdWithCode(tx, communityId, code, except);
    if (other) throw new ApiError(409, 'code_taken', `body.code: household code "${code}" is already used in this community (household ${other})`);
  }

  private checkPhone(b: HouseholdInput) {
    if (b.phone && !checkPhone(b.phone)) throw phoneInvalid('phone');
  }
}

