import { ALERT_RECORD_COLUMNS, type AlertRecord } from './alert-transitions-repository.js';
import type { Queryable } from './db.js';

/**
 * What the dispatcher's reconciler reads (DESIGN §4 "The database is the truth"): live alerts
 * not yet routed (the outbox), live alerts whose timers it re-arms, and routed alerts whose
 * current page round has no notification row (a dispatcher died between the escalation commit
 * and the sends). All use the partial indexes alerts_live / alerts_unrouted of migrations 001/003.
 */

const LIVE = `a.state IN ('open', 'notified', 'accepted', 'on_site')`;

export async function unroutedLiveAlerts(db: Queryable, limit = 500): Promise<AlertRecord[]> {
  const r = await db.query<AlertRecord>(
    `SELECT ${ALERT_RECORD_COLUMNS} FROM alerts a WHERE a.routed_at IS NULL AND ${LIVE} ORDER BY a.opened_at LIMIT $1`, [limit]);
  return r.rows;
}

export async function routedLiveAlerts(db: Queryable, limit = 20_000): Promise<AlertRecord[]> {
  const r = await db.query<AlertRecord>(
    `SELECT ${ALERT_RECORD_COLUMNS} FROM alerts a WHERE a.routed_at IS NOT NULL AND ${LIVE} ORDER BY a.opened_at LIMIT $1`, [limit]);
  return r.rows;
}

/**
 * Alerts waiting for an accept whose current level was started before `startedBefore` but has
 * no notification row for its page round. `roundPrefix` || level is the round key the
 * dispatcher writes for pages (dispatcher/notification-rounds.ts).
 */
export async function alertsMissingPageRound(db: Queryable, roundPrefix: string, startedBefore: Date, limit = 500): Promise<AlertRecord[]> {
  const r = await db.query<AlertRecord>(
    `SELECT ${ALERT_RECORD_COLUMNS} FROM alerts a
      WHERE a.state IN ('open', 'notified') AND a.routed_at IS NOT NULL AND a.level_started_at < $2
        AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.alert_id = a.id AND n.round = $1 || a.level::text)
      ORDER BY a.opened_at LIMIT $3`, [roundPrefix, startedBefore, limit]);
  return r.rows;
}


/**
 * Of these alerts, the ids whose current page round has no notification row yet: what a manual
 * escalation leaves for the dispatcher to page (issue 20 item 3).
 */
export async function idsMissingPageRound(db: Queryable, ids: readonly string[], roundPrefix: string): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const r = await db.query<{ id: string }>(
    `SELECT a.id FROM alerts a
      WHERE a.id = ANY($1::uuid[])
        AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.alert_id = a.id AND n.round = $2 || a.level::text)`, [ids, roundPrefix]);
  return new Set(r.rows.map((x) => x.id));
}
