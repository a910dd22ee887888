import type { AlertAction } from '../domain/alert-state-machine.js';
import { transition } from '../domain/alert-state-machine.js';
import type { LiveEvent } from '../domain/live-events.js';
import { ALERT_RECORD_COLUMNS, toLiveData, type ActionResult, type AlertRecord, type ExtraChanges } from './alert-transitions-repository.js';
import type { Queryable } from './db.js';
import { ROUTING_CONTEXT_COLUMNS, toRoutingContext, type RoutingContext, type RoutingContextRow } from './routing-context-repository.js';

/**
 * The escalation timers' hot path in as few round trips as the guarantees allow (issue 6): a
 * timer reads its alert, the row version and the household's routing context in one statement,
 * then writes the escalation as one auto-committed statement that is a compare-and-set on the
 * row version (xmin: every UPDATE of the row, by any writer, makes a new one). The alert
 * change, its timeline row and its live event commit together or not at all (DESIGN §3, §6).
 * A version that moved means someone changed the alert since the read: the caller falls back
 * to applyAlertAction, which locks the row and asks the state machine again.
 */

export interface VersionedAlert { alert: AlertRecord; version: string; context: RoutingContext | null }

export async function findAlertForTimer(db: Queryable, id: string): Promise<VersionedAlert | null> {
  const r = await db.query<AlertRecord & RoutingContextRow & { rowVersion: string }>({
    name: 'timer-find-alert',
    text: `SELECT ${ALERT_RECORD_COLUMNS}, a.xmin::text AS "rowVersion", ${ROUTING_CONTEXT_COLUMNS}
             FROM alerts a LEFT JOIN households h ON h.id = a.household_id LEFT JOIN buildings b ON b.id = h.building_id
             LEFT JOIN grids g ON g.id = b.grid_id LEFT JOIN communities c ON c.id = g.community_id
            WHERE a.id = $1`,
    values: [id],
  });
  const row = r.rows[0];
  if (!row) return null;
  const { rowVersion, hId, hGridId, hBuildingId, hCommunityId, hUnit, hAddress, hBuildingName, hCommunityName, hEmergencyPhone, hContacts, ...alert } = row;
  const context = toRoutingContext({ hId, hGridId, hBuildingId, hCommunityId, hUnit, hAddress, hBuildingName, hCommunityName, hEmergencyPhone, hContacts });
  return { alert, version: rowVersion, context };
}

/** Columns this path may write; anything else (accept: the acceptor's name is a join) takes the locking path. */
const COLUMN = {
  state: 'state', level: 'level', notifiedAt: 'notified_at', levelStartedAt: 'level_started_at', ackBreached: 'ack_breached',
} as const satisfies Partial<Record<keyof AlertRecord, string>>;

/**
 * Applies `action` to the alert as read at `version`, in one statement. Null when it cannot here:
 * the row changed since (not an error: re-check under the lock), the state machine refuses on
 * this snapshot, or a change this path does not write. The result is what applyAlertAction
 * returns; `version` is the new row version for a following step.
 */
export async function applyAlertActionIfUnchanged(
  db: Queryable, before: AlertRecord, version: string, action: AlertAction, actor: string, at: Date, extra: ExtraChanges = {},
): Promise<(ActionResult & { version: string }) | null> {
  const result = transition(before, action, at);
  if (!result.ok || result.noop || !result.event) return null;
  const changes: Record<string, unknown> = Object.fromEntries(
    Object.entries({ ...result.changes, ...extra }).filter(([, v]) => v !== undefined));
  if (!Object.keys(changes).every((k) => k in COLUMN)) return null;
  const after = { ...before, ...changes } as AlertRecord;
  const keys = Object.keys(changes) as Array<keyof typeof COLUMN>;
  const sets = keys.map((k, i) => `${COLUMN[k]} = $${i + 9}`);
  const r = await db.query<{ version: string; seq: number }>({
    // Named per column set: the same few shapes recur, so PostgreSQL plans each once per connection.
    name: `timer-cas:${keys.join(',')}`,
    text: `WITH upd AS (
             UPDATE alerts SET ${[...sets, 'updated_at = now()'].join(', ')} WHERE id = $1 AND xmin = $2::xid RETURNING id, xmin::text AS version),
           ev AS (
             INSERT INTO alert_events (alert_id, at, actor, type, from_state, to_state, data)
             SELECT upd.id, $3, $4, $5, $6, $7, $8 FROM upd),
           live AS (
             INSERT INTO live_events (type, data) SELECT 'alert.updated', $${keys.length + 9}::jsonb FROM upd RETURNING seq)
           SELECT upd.version, live.seq FROM upd, live`,
    values: [before.id, version, at, actor, result.event.type, result.event.from, result.event.to, result.event.data,
      ...keys.map((k) => changes[k]), JSON.stringify(toLiveData(after))],
  });
  const row = r.rows[0];
  if (!row) return null;
  const live = [{ seq: row.seq, type: 'alert.updated', data: toLiveData(after) }] as LiveEvent[];
  return { alert: after, noop: false, live, version: row.version };
}

/**
 * The in-app channel's notification (DESIGN §5) claimed and sent in one statement: the
 * notifications row (ON CONFLICT DO NOTHING — only the inserter sends) is written 'sent' with its
 * `responder.notify` live event, so the row and the message commit together. Null when another
 * sender already has the row.
 */
export async function claimAndAppendInApp(db: Queryable, n: {
  alertId: string; round: string; purpose: string; target: string; responderId: string | null; tier: number | null; at: Date;
  event: { type: string; data: Record<string, unknown> };
}): Promise<{ id: number; live: LiveEvent } | null> {
  const r = await db.query<{ id: number; seq: number; data: Record<string, unknown> }>({
    name: 'in-app-claim-send',
    text: `WITH claim AS (
             INSERT INTO notifications (alert_id, round, purpose, channel, target, responder_id, tier, status, attempts, at, sent_at)
             VALUES ($1, $2, $3, 'in_app', $4, $5, $6, 'sent', 1, $7, $7)
             ON CONFLICT (alert_id, round, channel, target) WHERE alert_id IS NOT NULL DO NOTHING
             RETURNING id),
           live AS (
             INSERT INTO live_events (type, data)
             SELECT $8, $9::jsonb || jsonb_build_object('notificationId', claim.id) FROM claim RETURNING seq, data)
           SELECT claim.id, live.seq, live.data FROM claim, live`,
    values: [n.alertId, n.round, n.purpose, n.target, n.responderId, n.tier, n.at, n.event.type, JSON.stringify(n.event.data)],
  });
  const row = r.rows[0];
  if (!row) return null;
  return { id: row.id, live: { seq: row.seq, type: n.event.type, data: row.data } as unknown as LiveEvent };
}
