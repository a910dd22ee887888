import type pg from 'pg';
import { ALERT_STATES, type AlertKind, type AlertState } from '../../domain/alert-kinds.js';
import { maskPhone } from '../../domain/pii-mask.js';
import { alertExists, alertVisibleToResponder, getAlertDetail, listAlerts, markNotificationsSeen, type AlertDetail } from '../../store/alerts-repository.js';
import { badRequest, forbidden, notFound } from '../api-error.js';
import type { AuthUser } from '../route-access.js';

export interface AlertListQuery { state?: string; kind?: AlertKind; householdId?: string; limit: number; offset: number }

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
 * Who sees which alerts (DESIGN §6): the dispatch room (operator, supervisor, admin) sees the
 * whole community; a responder sees the alerts they accepted or were notified about.
 */
export class AlertsService {
  constructor(private readonly pool: pg.Pool) {}

  async list(user: AuthUser, q: AlertListQuery) {
    const states = parseStates(q.state);
    if (user.role === 'responder') {
      // A responder account not linked to a responder record has no alerts of its own.
      if (!user.responderId) return { items: [], total: 0 };
      return listAlerts(this.pool, { states, kind: q.kind, householdId: q.householdId, responderId: user.responderId, limit: q.limit, offset: q.offset });
    }
    return listAlerts(this.pool, { states, kind: q.kind, householdId: q.householdId, limit: q.limit, offset: q.offset });
  }

  /**
   * One alert with its timeline, signals and notification attempts. A responder opening it
   * marks their notifications of it as seen (the dispatch room sees who has looked).
   */
  async detail(user: AuthUser, id: string) {
    if (user.role === 'responder') {
      if (!(await alertExists(this.pool, id))) throw notFound(`no alert ${id}`);
      if (!user.responderId || !(await alertVisibleToResponder(this.pool, id, user.responderId))) {
        throw forbidden('this alert is not assigned to you');
      }
      await markNotificationsSeen(this.pool, id, user.responderId);
    }
    const d = await getAlertDetail(this.pool, id);
    if (!d) throw notFound(`no alert ${id}`);
    if (user.role !== 'responder') return flatten(d);
    // Notification targets are other people's phone numbers and addresses: masked for responders.
    return flatten({ ...d, notifications: d.notifications.map((n) => ({ ...n, target: maskPhone(n.target) ?? '' })) });
  }
}

function flatten(d: AlertDetail) {
  return { ...d.alert, timeline: d.timeline, signals: d.signals, notifications: d.notifications };
}
