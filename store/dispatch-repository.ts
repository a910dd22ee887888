import type { ResponderRole } from '../domain/roster.js';
import type { Queryable } from './db.js';

/**
 * What dispatch by distance and availability reads and writes (issue 15, migration 011): where a
 * home is on the site plan, who is busy with another live alert, and the alert's own dispatch
 * rows (pages, backups, the dispatch room's picks, declines, hand-backs).
 */
export type DispatchRowKind = 'page' | 'backup' | 'operator' | 'decline' | 'hand_back';

export interface DispatchRow {
  id: number;
  responderId: string;
  kind: DispatchRowKind;
  wave: number | null;
  etaS: number | null;
  reason: string | null;
  actor: string;
  at: Date;
  pagedAt: Date | null;
}

export interface AlertDispatchFacts {
  /** The home's building on the site plan; null when the register has no position for it. */
  home: { x: number; y: number } | null;
  /** Responders holding, on site at, or sent as backup to another live alert. */
  busy: Set<string>;
  rows: DispatchRow[];
}

const BUSY_SQL = `
  SELECT a.accepted_by AS id FROM alerts a
   WHERE a.state IN ('accepted', 'on_site') AND a.accepted_by IS NOT NULL AND a.id <> $1
  UNION
  SELECT a.on_site_by FROM alerts a WHERE a.state = 'on_site' AND a.on_site_by IS NOT NULL AND a.id <> $1
  UNION
  SELECT d.responder_id FROM alert_dispatches d JOIN alerts a ON a.id = d.alert_id
   WHERE d.kind = 'backup' AND a.state IN ('accepted', 'on_site') AND a.id <> $1
     AND NOT EXISTS (SELECT 1 FROM alert_dispatches x WHERE x.alert_id = d.alert_id AND x.responder_id = d.responder_id
                       AND x.id > d.id AND x.kind IN ('decline', 'hand_back'))`;

export async function loadDispatchFacts(db: Queryable, alertId: string, householdId: string): Promise<AlertDispatchFacts> {
  const [home, busy, rows] = await Promise.all([
    db.query<{ x: number | null; y: number | null }>(
      `SELECT b.x_m AS x, b.y_m AS y FROM households h JOIN buildings b ON b.id = h.building_id WHERE h.id = $1`, [householdId]),
    db.query<{ id: string }>(BUSY_SQL, [alertId]),
    dispatchRows(db, alertId),
  ]);
  const h = home.rows[0];
  return {
    home: h && h.x !== null && h.y !== null ? { x: h.x, y: h.y } : null,
    busy: new Set(busy.rows.map((r) => r.id)),
    rows,
  };
}

export async function dispatchRows(db: Queryable, alertId: string): Promise<DispatchRow[]> {
  const r = await db.query<DispatchRow>(
    `SELECT id::int, responder_id AS "responderId", kind, wave, eta_s AS "etaS", reason, actor, at, paged_at AS "pagedAt"
       FROM alert_dispatches WHERE alert_id = $1 ORDER BY id`, [alertId]);
  return r.rows;
}

export interface NewDispatchRow {
  alertId: string;
  responderId: string;
  kind: DispatchRowKind;
  wave?: number | null;
  etaS?: number | null;
  reason?: string | null;
  actor?: string;
  at: Date;
  pagedAt?: Date | null;
}

export async function insertDispatchRows(db: Queryable, rows: readonly NewDispatchRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db.query(
    `INSERT INTO alert_dispatches (alert_id, responder_id, kind, wave, eta_s, reason, actor, at, paged_at)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int[], $5::int[], $6::text[], $7::text[], $8::timestamptz[], $9::timestamptz[])`,
    [rows.map((r) => r.alertId), rows.map((r) => r.responderId), rows.map((r) => r.kind), rows.map((r) => r.wave ?? null),
      rows.map((r) => r.etaS ?? null), rows.map((r) => r.reason ?? null), rows.map((r) => r.actor ?? 'system'), rows.map((r) => r.at),
      rows.map((r) => r.pagedAt ?? null)]);
}

/** The dispatch rows of several alerts in one statement (the watcher's look at a burst of updates). */
export async function dispatchRowsOfAlerts(db: Queryable, alertIds: readonly string[]): Promise<Map<string, DispatchRow[]>> {
  const out = new Map<string, DispatchRow[]>();
  if (alertIds.length === 0) return out;
  const r = await db.query<DispatchRow & { alertId: string }>(
    `SELECT alert_id AS "alertId", id::int, responder_id AS "responderId", kind, wave, eta_s AS "etaS", reason, actor, at, paged_at AS "pagedAt"
       FROM alert_dispatches WHERE alert_id = ANY($1::uuid[]) ORDER BY alert_id, id`, [alertIds]);
  for (const { alertId, ...row } of r.rows) {
    let list = out.get(alertId);
    if (!list) out.set(alertId, list = []);
    list.push(row);
  }
  return out;
}

/** The dispatch room's picks the dispatcher has not paged yet. */
export async function unpagedOperatorPicks(db: Queryable, alertId: string): Promise<DispatchRow[]> {
  return (await dispatchRows(db, alertId)).filter((r) => r.kind === 'operator' && r.pagedAt === null);
}

export async function markPicksPaged(db: Queryable, ids: readonly number[], at: Date): Promise<void> {
  if (ids.length === 0) return;
  await db.query(`UPDATE alert_dispatches SET paged_at = $2 WHERE id = ANY($1::bigint[]) AND paged_at IS NULL`, [ids, at]);
}

/** Another live alert this responder is on site at (the two-homes rule), or null. */
export async function onSiteElsewhere(db: Queryable, responderId: string, alertId: string): Promise<{ id: string; householdId: string } | null> {
  const r = await db.query<{ id: string; householdId: string }>(
    `SELECT id, household_id AS "householdId" FROM alerts
      WHERE state = 'on_site' AND id <> $2 AND (on_site_by = $1 OR (on_site_by IS NULL AND accepted_by = $1)) ORDER BY on_site_at LIMIT 1`, [responderId, alertId]);
  return r.rows[0] ?? null;
}

/** Where a responder starts from and how they move, and where the home is (issue 15: the holder's expected arrival). */
export async function travelFacts(db: Queryable, responderId: string, householdId: string): Promise<{
  from: { x: number; y: number } | null; mode: 'walk' | 'bike'; home: { x: number; y: number } | null; role: ResponderRole;
} | null> {
  const r = await db.query<{ fx: number | null; fy: number | null; mode: 'walk' | 'bike'; hx: number | null; hy: number | null; role: ResponderRole }>(
    `SELECT CASE WHEN r.live_at IS NOT NULL AND r.on_duty THEN r.live_x_m ELSE coalesce(r.base_x_m, rb.x_m) END AS fx,
            CASE WHEN r.live_at IS NOT NULL AND r.on_duty THEN r.live_y_m ELSE coalesce(r.base_y_m, rb.y_m) END AS fy,
            r.travel_mode AS mode, r.role, hb.x_m AS hx, hb.y_m AS hy
       FROM responders r LEFT JOIN buildings rb ON rb.id = r.base_building_id
       JOIN households h ON h.id = $2 JOIN buildings hb ON hb.id = h.building_id
      WHERE r.id = $1`, [responderId, householdId]);
  const row = r.rows[0];
  if (!row) return null;
  return {
    from: row.fx !== null && row.fy !== null ? { x: row.fx, y: row.fy } : null, mode: row.mode, role: row.role,
    home: row.hx !== null && row.hy !== null ? { x: row.hx, y: row.hy } : null,
  };
}

/** The phone's shared position (site-plan metres), kept only while the responder is on duty; null clears it. */
export async function setLivePosition(db: Queryable, responderId: string, p: { x: number; y: number } | null, at: Date): Promise<boolean> {
  const r = p
    ? await db.query(`UPDATE responders SET live_x_m = $2, live_y_m = $3, live_at = $4 WHERE id = $1 AND on_duty AND active`, [responderId, p.x, p.y, at])
    : await db.query(`UPDATE responders SET live_x_m = NULL, live_y_m = NULL, live_at = NULL WHERE id = $1`, [responderId]);
  return (r.rowCount ?? 0) > 0;
}
