import type pg from 'pg';
import { EventLedger } from './ledger.js';

export interface StoreCheck {
  /** Distinct (device, event id) stored as signals. */
  stored: number;
  /** Extra rows: signals stored twice, an event attached twice, a second open alert of a kind per home. */
  duplicates: number;
  /** PUBACKed but not a signal. */
  lost: number;
  lostKeys: string[];
}

/** Compares the devices' ledger with PostgreSQL, for the given devices. */
export async function checkStore(pool: pg.Pool, deviceIds: string[], ledger: EventLedger): Promise<StoreCheck> {
  const rows = (await pool.query<{ device_id: string; event_id: string; n: number }>(
    `SELECT device_id, event_id, count(*)::int AS n FROM signals WHERE device_id = ANY($1) GROUP BY 1, 2`, [deviceIds])).rows;
  const stored = new Set(rows.map((r) => EventLedger.key(r.device_id, r.event_id)));
  let duplicates = rows.reduce((s, r) => s + r.n - 1, 0);
  duplicates += (await pool.query<{ extra: number }>(
    `SELECT coalesce(sum(n - 1), 0)::int AS extra FROM (SELECT count(*) AS n FROM alert_signals WHERE device_id = ANY($1)
       GROUP BY device_id, event_id HAVING count(*) > 1) d`, [deviceIds])).rows[0]!.extra;
  duplicates += (await pool.query<{ extra: number }>(
    `SELECT coalesce(sum(n - 1), 0)::int AS extra FROM (SELECT count(*) AS n FROM alerts
       WHERE household_id IN (SELECT household_id FROM devices WHERE id = ANY($1)) AND state NOT IN ('resolved', 'cancelled')
       GROUP BY household_id, kind HAVING count(*) > 1) d`, [deviceIds])).rows[0]!.extra;
  const lostKeys = [...ledger.acked].filter((k) => !stored.has(k));
  return { stored: stored.size, duplicates, lost: lostKeys.length, lostKeys: lostKeys.slice(0, 10) };
}

export interface DispatchCheck {
  alerts: number;
  routed: number;
  escalated: number;
  /** The same escalation level reached twice, or the same page sent twice. */
  duplicates: number;
}

/** Routing and escalation of the alerts of these households, each counted once. */
export async function checkDispatch(pool: pg.Pool, householdIds: string[], kind = 'sos'): Promise<DispatchCheck> {
  const a = (await pool.query<{ alerts: number; routed: number; escalated: number }>(
    `SELECT count(*)::int AS alerts, count(*) FILTER (WHERE routed_at IS NOT NULL)::int AS routed,
            count(*) FILTER (WHERE level >= 1)::int AS escalated
       FROM alerts WHERE household_id = ANY($1) AND kind = $2`, [householdIds, kind])).rows[0]!;
  const dupEsc = (await pool.query<{ extra: number }>(
    `SELECT coalesce(sum(n - 1), 0)::int AS extra FROM (SELECT count(*) AS n FROM alert_events e JOIN alerts a ON a.id = e.alert_id
       WHERE a.household_id = ANY($1) AND e.type = 'escalated' GROUP BY e.alert_id, e.data->>'toLevel' HAVING count(*) > 1) d`, [householdIds])).rows[0]!.extra;
  const dupRoute = (await pool.query<{ extra: number }>(
    `SELECT coalesce(sum(n - 1), 0)::int AS extra FROM (SELECT count(*) AS n FROM alert_events e JOIN alerts a ON a.id = e.alert_id
       WHERE a.household_id = ANY($1) AND e.type = 'state' AND e.from_state = 'open' AND e.to_state = 'notified'
       GROUP BY e.alert_id HAVING count(*) > 1) d`, [householdIds])).rows[0]!.extra;
  const dupPages = (await pool.query<{ extra: number }>(
    `SELECT coalesce(sum(n - 1), 0)::int AS extra FROM (SELECT count(*) AS n FROM live_events l
       WHERE l.type = 'responder.notify' AND l.data->>'alertId' IN (SELECT id::text FROM alerts WHERE household_id = ANY($1))
       GROUP BY l.data->>'alertId', l.data->>'round', l.data->>'responderId' HAVING count(*) > 1) d`, [householdIds])).rows[0]!.extra;
  return { ...a, duplicates: dupEsc + dupRoute + dupPages };
}
