import type pg from 'pg';
import { ALERT_STATES, type AlertKind, type AlertState } from '../../domain/alert-kinds.js';
import type { Clock } from '../../domain/clock.js';
import { maskPhone } from '../../domain/pii-mask.js';
import { getAlertDetail, householdOfAlert, listAlerts, markNotificationsSeen, type AlertDetail } from '../../store/alerts-repository.js';
import { badRequest, notFound } from '../api-error.js';
import type { AuthUser } from '../route-access.js';
import type { AccessService } from './access-service.js';

export interface AlertListQuery {
  state?: string; kind?: AlertKind; householdId?: string; limit: number; offset: number;
  from?: string; to?: string; outcome?: string; responderId?: string; communityId?: string; gridId?: string; order?: 'priority' | 'newest';
}

/** `open,notified` → ['open', 'notified']; an unknown state is a 400 that lists the allowed ones. */
export function parseStates(state: string | undefined): AlertState[] | undefined {
  if (state === undefined || state.trim() === '') return undefined;
  const states = state.split(',').map((s) => s.trim()).filter(Boolean);
  for (const s of states) {
    if (!(ALERT_STATES as readonly string[]).includes(s)) {
      throw badRequest(`querystring.state: unknown state "${s.slice(0, 40)}"; allowed: ${ALERT_STATES.join(', ')}`);
    }
  }
  return states as AlertState[];
}

/**
 * Who sees which alerts: the alerts of the homes in the caller's scope (domain/access-scope.ts)
 * — the dispatch room's communities, a grid worker's grids, and for every responder the homes
 * of alerts they are paged for or hold. Out of scope is 404, as if the alert did not exist.
 */
export class AlertsService {
  constructor(private readonly pool: pg.Pool, private readonly access: AccessService, private readonly clock: Clock) {}

  async list(user: AuthUser, q: AlertListQuery) {
    const states = parseStates(q.state);
    return listAlerts(this.pool, {
      states, kind: q.kind, householdId: q.householdId, scope: user.scope, now: this.clock.now(), limit: q.limit, offset: q.offset,
      from: q.from ? new Date(q.from) : undefined, to: q.to ? new Date(q.to) : undefined, outcome: q.outcome, responderId: q.responderId,
      communityId: q.communityId, gridId: q.gridId, order: q.order,
    });
  }

  /** 404 unless the alert exists and its home is in the caller's scope; answers the home. */
  async reach(user: AuthUser, id: string): Promise<string> {
    const householdId = await householdOfAlert(this.pool, id);
    if (!householdId) throw notFound(`no alert ${id}`);
    await this.access.household(user, householdId, `no alert ${id}`);
    return householdId;
  }

  /**
   * One alert with its timeline, signals and notification attempts. Opening it does not mark a
   * responder's pages seen: the phone says so when the alert is on screen (POST …/seen).
   */
  async detail(user: AuthUser, id: string) {
    await this.reach(user, id);
    const d = await getAlertDetail(this.pool, id);
    if (!d) throw notFound(`no alert ${id}`);
    if (user.role !== 'responder' && user.role !== 'street') return flatten(d);
    // Notification targets are other people's phone numbers and addresses: masked for responders and the street office.
    return flatten({ ...d, notifications: d.notifications.map((n) => ({ ...n, target: maskPhone(n.target) ?? '' })) });
  }

  /** The responder has the alert on screen: their pages of it count as read ("已读"). */
  async markSeen(user: AuthUser, id: string): Promise<{ marked: number }> {
    await this.reach(user, id);
    if (!user.responderId) return { marked: 0 };
    return { marked: await markNotificationsSeen(this.pool, id, user.responderId, this.clock.now()) };
  }
}

function flatten(d: AlertDetail) {
  return { ...d.alert, timeline: d.timeline, signals: d.signals, notifications: d.notifications };
}
