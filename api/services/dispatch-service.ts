import type { Redis } from 'ioredis';
import type pg from 'pg';
import { isLive } from '../../domain/alert-state-machine.js';
import type { Clock } from '../../domain/clock.js';
import type { Config } from '../../domain/config.js';
import { candidateFacts, rankCandidates } from '../../domain/dispatch-policy.js';
import { resolveTiers } from '../../domain/routing.js';
import { findAlert, markAlert, type AlertRecord } from '../../store/alert-transitions-repository.js';
import { writeAudit } from '../../store/audit-repository.js';
import { insertDispatchRows, loadDispatchFacts, onSiteElsewhere } from '../../store/dispatch-repository.js';
import { publishLive } from '../../store/live-publisher.js';
import { loadResponders, loadRosterRows, loadRoutingContext } from '../../store/routing-context-repository.js';
import { ApiError, notFound } from '../api-error.js';
import type { AuthUser } from '../route-access.js';
import type { AccessService } from './access-service.js';
import type { Actor } from './actor.js';

export type DispatchConfig = Pick<Config, 'GUARDIAN_TZ' | 'DAY_SHIFT' | 'DISPATCH_POLICY' | 'DISPATCH_NIGHT_READY_S'>;

/**
 * The dispatch room's view of who can go (issue 15 item 7): every field responder of the
 * community ranked as the policy ranks them (domain/dispatch-policy.ts), with an estimated
 * arrival and their state (free / paged / en route / on site / busy / declined); a named pick
 * the dispatcher pages at once; and the "call 120/110" record with what to tell them.
 */
export class DispatchService {
  constructor(
    private readonly pool: pg.Pool,
    private readonly access: AccessService,
    private readonly clock: Clock,
    private readonly config: DispatchConfig,
    private readonly redis?: Redis,
  ) {}

  async candidates(user: AuthUser, alertId: string) {
    const alert = await this.alertInScope(user, alertId);
    const context = await loadRoutingContext(this.pool, alert.householdId);
    if (!context) throw notFound(`no alert ${alertId}`);
    const h = context.household;
    const [responders, rosters, facts] = await Promise.all([
      loadResponders(this.pool, h.communityId), loadRosterRows(this.pool, h.communityId), loadDispatchFacts(this.pool, alert.id, alert.householdId),
    ]);
    const plan = resolveTiers({
      household: h, instant: this.clock.now(), tz: this.config.GUARDIAN_TZ, dayShift: this.config.DAY_SHIFT,
      responders, rosters, familyContacts: [], communityEmergencyContact: null,
    });
    const tierOneIds = new Set(plan.tiers[0].targets.flatMap((t) => (t.kind === 'responder' ? [t.responderId] : [])));
    const ranked = rankCandidates(candidateFacts({
      responders, tierOneIds, nightCritical: plan.shift === 'night' && alert.severity === 'critical',
      household: { id: h.id, buildingId: h.buildingId }, busy: facts.busy, rows: facts.rows,
      holder: alert.acceptedBy, onSiteBy: alert.onSiteBy, live: isLive(alert.state),
      night: plan.shift === 'night', nightReadyS: this.config.DISPATCH_NIGHT_READY_S,
    }), facts.home);
    const byId = new Map(responders.map((r) => [r.id, r]));
    return {
      home: facts.home,
      policy: this.config.DISPATCH_POLICY,
      candidates: ranked.map((c) => {
        const r = byId.get(c.responderId)!;
        return {
          responderId: c.responderId, name: r.name, role: c.role, gridIds: [...r.gridIds],
          etaS: c.etaS, state: c.state, onDuty: tierOneIds.has(c.responderId), eligible: c.eligible,
        };
      }),
    };
  }

  /** Sends a named responder: a dispatch row the dispatcher pages at once (a backup when someone already holds the alert). */
  async dispatch(actor: Actor, alertId: string, responderId: string): Promise<void> {
    const alert = await this.alertInScope(actor, alertId);
    this.access.mayWrite(actor);
    if (!isLive(alert.state) || alert.state === 'on_site') {
      throw new ApiError(409, 'not_dispatchable', alert.state === 'on_site'
        ? 'Someone is already on site; add a note or call the holder instead.'
        : `This alert is already ${alert.state}; nobody needs to be sent.`);
    }
    const list = await this.candidates(actor, alertId);
    const c = list.candidates.find((x) => x.responderId === responderId);
    if (!c) throw new ApiError(400, 'unknown_responder', `body.responderId: no active field responder "${responderId}" in this community`, { responderId });
    if (c.responderId === alert.acceptedBy) throw new ApiError(409, 'already_holder', `${c.name} already holds this alert.`, { name: c.name });
    const elsewhere = await onSiteElsewhere(this.pool, responderId, alertId);
    if (elsewhere) {
      throw new ApiError(409, 'on_site_elsewhere', `${c.name} is on site at another home (alert ${elsewhere.id}); pick someone else.`,
        { alertId: elsewhere.id, name: c.name });
    }
    const now = this.clock.now();
    await insertDispatchRows(this.pool, [{ alertId, responderId, kind: 'operator', etaS: c.etaS, actor: `user:${actor.username}`, at: now }]);
    const marked = await markAlert(this.pool, alertId, {}, {
      actor: `user:${actor.username}`, type: 'dispatched', data: { by: responderId, picked: true, responders: [{ id: responderId, name: c.name, role: c.role, etaS: c.etaS }] },
    }, now);
    if (marked) publishLive(this.redis, marked.live);
    await writeAudit(this.pool, { username: actor.username, role: actor.role, action: 'alert.dispatch', target: alertId, ip: actor.ip, data: { responderId, etaS: c.etaS } }, now);
  }

  /**
   * "Call 120/110" (issue 15 item 6): the brief to read out — address, the residents' conditions,
   * key and door notes — and a timeline row saying who called whom, when.
   */
  async emergencyCall(actor: Actor, alertId: string, service: '120' | '110'): Promise<{ service: string; brief: string }> {
    const alert = await this.alertInScope(actor, alertId);
    this.access.mayWrite(actor);
    const r = await this.pool.query<{ address: string; unit: string; building: string; community: string; access: string | null; residents: Array<{ name: string; birthYear: number | null; conditions: string[] }> }>(
      `SELECT h.address, h.unit, b.name AS building, c.name AS community, h.access_notes AS access,
              (SELECT coalesce(json_agg(json_build_object('name', x.name, 'birthYear', x.birth_year, 'conditions', x.conditions) ORDER BY x.id), '[]'::json)
                 FROM residents x WHERE x.household_id = h.id AND x.retired_at IS NULL) AS residents
         FROM households h JOIN buildings b ON b.id = h.building_id JOIN grids g ON g.id = b.grid_id JOIN communities c ON c.id = g.community_id
        WHERE h.id = $1`, [alert.householdId]);
    const h = r.rows[0];
    if (!h) throw notFound(`no alert ${alertId}`);
    const year = new Date(this.clock.nowMs()).getUTCFullYear();
    const people = h.residents.map((p) => `${p.name}${p.birthYear ? `（${year - p.birthYear}岁）` : ''}${p.conditions.length ? `，${p.conditions.join('、')}` : ''}`).join('；');
    const brief = [
      `地址：${h.community} ${h.building} ${h.unit}（${h.address}）`,
      `情况：${KIND_ZH[alert.kind] ?? alert.kind}，首次报警 ${new Date(alert.firstSignalAt).toISOString()}`,
      `住户：${people || '未登记'}`,
      `进门：${h.access?.trim() || '无钥匙/门禁说明'}`,
    ].join('\n');
    const now = this.clock.now();
    const marked = await markAlert(this.pool, alertId, {}, { actor: `user:${actor.username}`, type: 'emergency_call', data: { service, brief } }, now);
    if (marked) publishLive(this.redis, marked.live);
    await writeAudit(this.pool, { username: actor.username, role: actor.role, action: 'alert.emergency_call', target: alertId, ip: actor.ip, data: { service } }, now);
    return { service, brief };
  }

  private async alertInScope(user: AuthUser, alertId: string): Promise<AlertRecord> {
    const alert = await findAlert(this.pool, alertId);
    if (!alert) throw notFound(`no alert ${alertId}`);
    await this.access.household(user, alert.householdId, `no alert ${alertId}`);
    return alert;
  }
}

const KIND_ZH: Record<string, string> = { sos: 'SOS紧急呼叫', fall: '跌倒', smoke: '烟雾报警', gas: '燃气报警', water_leak: '漏水' };
