import { LIVE_STATES, type AlertKind, type AlertState, type Severity } from '../domain/alert-kinds.js';
import type { Scope } from '../domain/access-scope.js';
import type { Queryable } from './db.js';
import { communityScopeSql, householdScopeSql, involvesResponder } from './scope-sql.js';

/** An alert as the console lists it, with where it is (no personal data here). */
export interface AlertListRow {
  id: string; kind: AlertKind; severity: Severity; state: AlertState; householdId: string; level: number;
  openedAt: Date; firstSignalAt: Date; lastSignalAt: Date; signalCount: number;
  acceptedBy: string | null; acceptedByName: string | null; acceptedAt: Date | null; onSiteAt: Date | null; closedAt: Date | null;
  ackBreached: boolean; slaWarned: boolean; onsiteBreached: boolean; outcome: string | null;
  household: { unit: string; buildingName: string; gridName: string };
}

export interface AlertDetailRow extends AlertListRow {
  deviceId: string | null; updatedAt: Date; routedAt: Date | null; notifiedAt: Date | null;
  resolutionNote: string | null; cancelReason: string | null;
  onSiteBy: string | null; expectedArrivalAt: Date | null; nobodyAvailableAt: Date | null;
}

/**
 * One timeline row. `actorName` is the person behind `actor` (a user's display name or linked
 * responder's name, a responder's name), `byName` the responder an action was recorded for
 * (data.by), so the timeline reads "王芳" and not "org3" (issue 20 item 10). Null for system
 * and device actors, and for users without a name on file.
 */
export interface AlertEventRow {
  id: number; at: Date; actor: string; actorName: string | null; type: string;
  fromState: string | null; toState: string | null; data: unknown; byName: string | null;
}
export interface AlertSignalRow { deviceId: string; eventId: string; type: string; ts: Date; receivedAt: Date }
/** One notification attempt as the alert detail lists it: who, when, how, in which tier, seen. */
export interface NotificationRow {
  id: number; responderId: string | null; responderName: string | null; responderRole: string | null;
  tier: number | null; round: string; purpose: string; channel: string; target: string;
  status: string; error: string | null; attempts: number; at: Date; sentAt: Date | null; seenAt: Date | null; seen: boolean;
}

export interface AlertDetail { alert: AlertDetailRow; timeline: AlertEventRow[]; signals: AlertSignalRow[]; notifications: NotificationRow[] }

export interface AlertFilter {
  states?: readonly AlertState[];
  kind?: AlertKind;
  householdId?: string;
  /** History filters (issue 17 item 4): first signal in [from, to), outcome, who accepted, where. */
  from?: Date; to?: Date; outcome?: string; responderId?: string; communityId?: string; gridId?: string;
  /** 'priority' (default): critical first, then newest; 'newest': newest first (the history). */
  order?: 'priority' | 'newest';
  /** Only alerts of homes this scope reaches at `now` (domain/access-scope.ts). */
  scope?: Scope;
  now?: Date;
  limit?: number;
  offset?: number;
}

const LIST_COLUMNS = `a.id, a.kind, a.severity, a.state, a.household_id AS "householdId", a.level,
  a.opened_at AS "openedAt", a.first_signal_at AS "firstSignalAt", a.last_signal_at AS "lastSignalAt",
  a.signal_count AS "signalCount", a.accepted_by AS "acceptedBy",
  (SELECT r.name FROM responders r WHERE r.id = a.accepted_by) AS "acceptedByName", a.accepted_at AS "acceptedAt",
  a.on_site_at AS "onSiteAt", a.closed_at AS "closedAt", a.ack_breached AS "ackBreached",
  a.sla_warned AS "slaWarned", a.onsite_breached AS "onsiteBreached", a.outcome,
  json_build_object('unit', h.unit, 'buildingName', b.name, 'gridName', g.name) AS household`;

const DETAIL_COLUMNS = `${LIST_COLUMNS}, a.device_id AS "deviceId", a.updated_at AS "updatedAt",
  a.routed_at AS "routedAt", a.notified_at AS "notifiedAt", a.resolution_note AS "resolutionNote",
  a.cancel_reason AS "cancelReason", a.on_site_by AS "onSiteBy", a.expected_arrival_at AS "expectedArrivalAt",
  a.nobody_available_at AS "nobodyAvailableAt"`;

const FROM = `FROM alerts a
  JOIN households h ON h.id = a.household_id
  JOIN buildings b ON b.id = h.building_id
  JOIN grids g ON g.id = b.grid_id`;

/** Critical first, then the newest: what the dispatch room must look at first. */
const ORDER = `ORDER BY CASE a.severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 ELSE 2 END, a.opened_at DESC, a.id`;

/** The alert's home is in scope (nothing added for a scope of everything). */
function scopeClause(where: string[], params: unknown[], scope: Scope | undefined, now: Date): void {
  if (!scope) return;
  const clause = householdScopeSql(scope, 'a.household_id', params, now);
  if (clause) where.push(clause);
}

export async function listAlerts(db: Queryable, f: AlertFilter = {}): Promise<{ items: AlertListRow[]; total: number }> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (f.states?.length) { params.push(f.states); where.push(`a.state = ANY($${params.length}::text[])`); }
  if (f.kind) { params.push(f.kind); where.push(`a.kind = $${params.length}`); }
  if (f.householdId) { params.push(f.householdId); where.push(`a.household_id = $${params.length}`); }
  const add = (v: unknown, clause: (p: string) => string) => { if (v === undefined) return; params.push(v); where.push(clause(`$${params.length}`)); };
  add(f.from, (p) => `a.first_signal_at >= ${p}`);
  add(f.to, (p) => `a.first_signal_at < ${p}`);
  add(f.outcome, (p) => `a.outcome = ${p}`);
  add(f.responderId, (p) => `a.accepted_by = ${p}`);
  add(f.communityId, (p) => `a.household_id IN (SELECT h2.id FROM households h2 JOIN buildings b2 ON b2.id = h2.building_id JOIN grids g2 ON g2.id = b2.grid_id WHERE g2.community_id = ${p})`);
  add(f.gridId, (p) => `a.household_id IN (SELECT h2.id FROM households h2 JOIN buildings b2 ON b2.id = h2.building_id WHERE b2.grid_id = ${p})`);
  scopeClause(where, params, f.scope, f.now ?? new Date());
  const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const total = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM alerts a ${w}`, params)).rows[0]!.n;
  const order = f.order === 'newest' ? 'ORDER BY a.first_signal_at DESC, a.id' : ORDER;
  const r = await db.query<AlertListRow>(
    `SELECT ${LIST_COLUMNS} ${FROM} ${w} ${order} LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
    [...params, f.limit ?? 100, f.offset ?? 0]);
  return { items: r.rows, total };
}

export async function getAlertDetail(db: Queryable, id: string): Promise<AlertDetail | null> {
  const a = await db.query<AlertDetailRow>(`SELECT ${DETAIL_COLUMNS} ${FROM} WHERE a.id = $1`, [id]);
  const alert = a.rows[0];
  if (!alert) return null;
  const [timeline, signals, notifications] = await Promise.all([
    db.query<AlertEventRow>(
      `SELECT e.id, e.at, e.actor, COALESCE(u.display_name, ur.name, ar.name) AS "actorName", e.type,
              e.from_state AS "fromState", e.to_state AS "toState", e.data, br.name AS "byName"
         FROM alert_events e
         LEFT JOIN users u ON u.username = CASE WHEN e.actor LIKE 'user:%' THEN substr(e.actor, 6) END
         LEFT JOIN responders ur ON ur.id = u.responder_id
         LEFT JOIN responders ar ON ar.id = CASE WHEN e.actor LIKE 'responder:%' THEN substr(e.actor, 11) END
         LEFT JOIN responders br ON br.id = e.data->>'by'
        WHERE e.alert_id = $1 ORDER BY e.id`, [id]),
    db.query<AlertSignalRow>(
      `SELECT device_id AS "deviceId", event_id AS "eventId", type, ts, received_at AS "receivedAt"
         FROM alert_signals WHERE alert_id = $1 ORDER BY ts, device_id, event_id`, [id]),
    db.query<NotificationRow>(
      `SELECT n.id, n.responder_id AS "responderId", r.name AS "responderName", r.role AS "responderRole",
              n.tier, n.round, n.purpose, n.channel, n.target, n.status, n.error, n.attempts, n.at,
              n.sent_at AS "sentAt", n.seen_at AS "seenAt", n.seen_at IS NOT NULL AS seen
         FROM notifications n LEFT JOIN responders r ON r.id = n.responder_id
        WHERE n.alert_id = $1 ORDER BY n.at, n.id`, [id]),
  ]);
  return { alert, timeline: timeline.rows, signals: signals.rows, notifications: notifications.rows };
}

export async function alertExists(db: Queryable, id: string): Promise<boolean> {
  return ((await db.query(`SELECT 1 FROM alerts WHERE id = $1`, [id])).rowCount ?? 0) > 0;
}

/** The home of an alert; null when there is no such alert. */
export async function householdOfAlert(db: Queryable, id: string): Promise<string | null> {
  const r = await db.query<{ householdId: string }>(`SELECT household_id AS "householdId" FROM alerts WHERE id = $1`, [id]);
  return r.rows[0]?.householdId ?? null;
}

/** Whether this alert involves the responder: paged for it (any notification naming them) or holding it. */
export async function alertInvolves(db: Queryable, alertId: string, responderId: string): Promise<boolean> {
  const r = await db.query(`SELECT 1 FROM alerts a WHERE a.id = $1 AND ${involvesResponder('a', '$2')}`, [alertId, responderId]);
  return (r.rowCount ?? 0) > 0;
}

/** A live alert of this household that this responder accepted: they are on their way or there. */
export async function hasLiveAcceptedAlert(db: Queryable, householdId: string, responderId: string): Promise<boolean> {
  const r = await db.query(
    `SELECT 1 FROM alerts WHERE household_id = $1 AND accepted_by = $2 AND state = ANY($3::text[]) LIMIT 1`,
    [householdId, responderId, LIVE_STATES]);
  return (r.rowCount ?? 0) > 0;
}

export async function recentAlertsOfHousehold(db: Queryable, householdId: string, limit = 20): Promise<AlertListRow[]> {
  const r = await db.query<AlertListRow>(
    `SELECT ${LIST_COLUMNS} ${FROM} WHERE a.household_id = $1 ORDER BY a.opened_at DESC, a.id LIMIT $2`, [householdId, limit]);
  return r.rows;
}

/**
 * Live alerts by state, for the `alerts by state` gauge read at scrape time. Only live states:
 * they use the alerts_state index and stay small, while closed alerts grow forever.
 */
export async function countLiveAlertsByState(db: Queryable): Promise<Record<string, number>> {
  const r = await db.query<{ state: string; n: number }>(
    `SELECT state, count(*)::int AS n FROM alerts WHERE state = ANY($1::text[]) GROUP BY state`, [LIVE_STATES]);
  return Object.fromEntries(r.rows.map((x) => [x.state, x.n]));
}

/**
 * The responder opened the alert or acted on it: their notifications of it count as seen.
 * Returns how many rows changed (a second look changes nothing: the first time is kept).
 */
export async function markNotificationsSeen(db: Queryable, alertId: string, responderId: string, at: Date = new Date()): Promise<number> {
  const r = await db.query(
    `UPDATE notifications SET seen_at = $3 WHERE alert_id = $1 AND responder_id = $2 AND seen_at IS NULL`, [alertId, responderId, at]);
  return r.rowCount ?? 0;
}

/** Responders sent to this alert as backup (issue 15): they may record the arrival and resolve it too. */
export async function backupsOf(db: Queryable, alertId: string): Promise<string[]> {
  const r = await db.query<{ responderId: string }>(
    `SELECT DISTINCT responder_id AS "responderId" FROM notifications
      WHERE alert_id = $1 AND purpose = 'backup' AND responder_id IS NOT NULL`, [alertId]);
  return r.rows.map((x) => x.responderId);
}

/** Whether this responder was notified about this alert (any purpose, any channel). */
export async function wasNotified(db: Queryable, alertId: string, responderId: string): Promise<boolean> {
  const r = await db.query(`SELECT 1 FROM notifications WHERE alert_id = $1 AND responder_id = $2 LIMIT 1`, [alertId, responderId]);
  return (r.rowCount ?? 0) > 0;
}

/**
 * Who each alert concerns among the responders: everyone notified about it plus whoever holds
 * it (accepted_by). The live feed uses it to send a responder only their own alerts.
 */
export async function alertAudiences(db: Queryable, alertIds: readonly string[]): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  if (alertIds.length === 0) return out;
  const r = await db.query<{ alertId: string; responderId: string }>(
    `SELECT alert_id AS "alertId", responder_id AS "responderId" FROM notifications
      WHERE alert_id = ANY($1::uuid[]) AND responder_id IS NOT NULL
     UNION
     SELECT id, accepted_by FROM alerts WHERE id = ANY($1::uuid[]) AND accepted_by IS NOT NULL`, [alertIds]);
  for (const row of r.rows) {
    const set = out.get(row.alertId) ?? new Set<string>();
    set.add(row.responderId);
    out.set(row.alertId, set);
  }
  return out;
}

export interface LiveAlertRow extends AlertListRow { outcome: string | null }

/**
 * What the dispatch screen starts from (the live feed's snapshot): every live alert plus those
 * closed within `closedWithinMs`, most urgent first; for a responder, only their own.
 */
export async function liveAlertsSnapshot(db: Queryable, opts: { closedWithinMs: number; now: Date; scope?: Scope; limit?: number }): Promise<LiveAlertRow[]> {
  const params: unknown[] = [LIVE_STATES, new Date(opts.now.getTime() - opts.closedWithinMs)];
  const where = ['(a.state = ANY($1::text[]) OR a.closed_at > $2)'];
  scopeClause(where, params, opts.scope, opts.now);
  params.push(opts.limit ?? 1000);
  const r = await db.query<LiveAlertRow>(
    `SELECT ${LIST_COLUMNS}, a.outcome ${FROM} WHERE ${where.join(' AND ')} ${ORDER} LIMIT $${params.length}`, params);
  return r.rows;
}

export interface CommunitySummary {
  households: number; householdsWithLiveAlerts: number;
  devices: number; devicesOnline: number;
  liveAlertsByState: Record<string, number>;
  respondersOnDuty: number;
}

/** Headline counts for the dispatch screen (the snapshot's "status summary"), over the communities of `scope`. */
export async function communitySummary(db: Queryable, scope?: Scope): Promise<CommunitySummary> {
  const params: unknown[] = [LIVE_STATES];
  const inScope = scope ? communityScopeSql(scope, 'g.community_id', params) : null;
  // Homes of the scope's communities; everything for an admin.
  const homes = inScope
    ? `(SELECT h.id FROM households h JOIN buildings b ON b.id = h.building_id JOIN grids g ON g.id = b.grid_id WHERE ${inScope})`
    : null;
  const people = scope && inScope ? inScope.replace('g.community_id', 'community_id') : null;
  const r = await db.query<CommunitySummary & { byState: Record<string, number> | null }>(
    `SELECT (SELECT count(*)::int FROM households ${homes ? `WHERE id IN ${homes}` : ''}) AS households,
            (SELECT count(DISTINCT household_id)::int FROM alerts WHERE state = ANY($1::text[]) ${homes ? `AND household_id IN ${homes}` : ''}) AS "householdsWithLiveAlerts",
            (SELECT count(*)::int FROM devices WHERE revoked_at IS NULL ${homes ? `AND household_id IN ${homes}` : ''}) AS devices,
            (SELECT count(*)::int FROM devices WHERE revoked_at IS NULL AND online ${homes ? `AND household_id IN ${homes}` : ''}) AS "devicesOnline",
            (SELECT count(*)::int FROM responders WHERE active AND on_duty ${people ? `AND ${people}` : ''}) AS "respondersOnDuty",
            (SELECT json_object_agg(state, n) FROM (SELECT state, count(*)::int AS n FROM alerts
               WHERE state = ANY($1::text[]) ${homes ? `AND household_id IN ${homes}` : ''} GROUP BY state) s) AS "byState"`, params);
  const { byState, ...counts } = r.rows[0]!;
  return { ...counts, liveAlertsByState: byState ?? {} };
}
