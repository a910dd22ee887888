import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { ALERT_SEVERITY, EVENT_OPENS_ALERT, RESIDENT_CANCEL_WINDOW_MS, RESIDENT_CANCELLABLE } from '../domain/alert-kinds.js';
import type { LiveEvent, UnsequencedLiveEvent } from '../domain/live-events.js';
import { findAlert, toLiveData } from './alert-transitions-repository.js';
import { inTransaction, type Queryable } from './db.js';
import { appendLiveEvents } from './live-events-repository.js';
import { insertSignals, insertSignalsSql, signalKey, signalParams, type SignalRow } from './signals-repository.js';

/** `live`: the feed events appended in the same transaction, for the caller to publish after commit. */
export type AlertIngestResult =
  | { outcome: 'duplicate' }
  | { outcome: 'opened'; alertId: string; live: LiveEvent[] }
  | { outcome: 'attached'; alertId: string; live: LiveEvent[] }
  | { outcome: 'cancel'; cancelled: string[]; noted: string[]; live: LiveEvent[] }
  | { outcome: 'stored' };

/**
 * The durable path of one alert-class event (DESIGN §2, §3): dedupe and store the signal and open
 * the household's alert of that kind or attach the repeat to the live one — atomically, as a batch
 * of one — or, for a resident's cancel, apply it in one transaction with its signal. The caller
 * sends the PUBACK only after this resolves.
 */
export async function ingestAlertEvent(pool: pg.Pool, signal: SignalRow): Promise<AlertIngestResult> {
  if (signal.type !== 'cancel') return (await ingestAlertBatch(pool, [signal]))[0]!;
  return inTransaction(pool, async (tx) => {
    const stored = await insertSignals(tx, [signal]);
    if (stored === 0) return { outcome: 'duplicate' };
    return applyResidentCancel(tx, signal);
  });
}

/**
 * Group commit for alert-opening events (sos, fall, smoke, gas, water_leak): the whole batch is
 * ONE statement — dedupe and store the signals, open or repeat each household's alert, link the
 * signal, write the timeline row and append the live event — so it is atomic without BEGIN/COMMIT
 * and a burst of SOS costs one round trip and one fsync, not five round trips per SOS. Same
 * outcome per event as ingestAlertEvent. The caller guarantees at most one signal per household
 * (the upsert may touch an alert only once per statement) and no cancels, and sends each PUBACK
 * only after this resolves.
 */
export async function ingestAlertBatch(db: Queryable, signals: SignalRow[]): Promise<AlertIngestResult[]> {
  const r = await db.query<{ device_id: string; event_id: string; alert_id: string | null; seq: number | null; type: LiveEvent['type'] | null; data: LiveEvent['data'] | null }>({
    name: 'alert-batch', text: ALERT_BATCH_SQL,
    values: [...signalParams(signals),
      signals.map((s) => s.deviceId), signals.map((s) => s.eventId), signals.map(() => randomUUID()), signals.map(kindOf),
      signals.map((s) => ALERT_SEVERITY[kindOf(s)]), signals.map((s) => JSON.stringify(timelineData(s)))],
  });
  const fresh = new Map(r.rows.map((x) => [signalKey(x.device_id, x.event_id), x]));
  return signals.map((s): AlertIngestResult => {
    const row = fresh.get(signalKey(s.deviceId, s.eventId));
    if (!row) return { outcome: 'duplicate' };
    if (!row.alert_id) return { outcome: 'stored' };
    const live = { seq: row.seq!, type: row.type!, data: row.data! } as LiveEvent;
    return { outcome: row.type === 'alert.created' ? 'opened' : 'attached', alertId: row.alert_id, live: [live] };
  });
}

/**
 * toLiveData() in SQL, for the batch statement that appends its live events itself (timestamps as
 * Date.toISOString writes them). A test checks the two give the same data.
 */
const iso = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const liveDataSql = (a: string) => `jsonb_build_object(
  'id', ${a}.id, 'householdId', ${a}.household_id, 'kind', ${a}.kind, 'severity', ${a}.severity, 'state', ${a}.state,
  'level', ${a}.level, 'firstSignalAt', ${iso(`${a}.first_signal_at`)}, 'lastSignalAt', ${iso(`${a}.last_signal_at`)},
  'signalCount', ${a}.signal_count, 'acceptedBy', ${a}.accepted_by,
  'acceptedByName', (SELECT r.name FROM responders r WHERE r.id = ${a}.accepted_by), 'acceptedAt', ${iso(`${a}.accepted_at`)},
  'onSiteAt', ${iso(`${a}.on_site_at`)}, 'closedAt', ${iso(`${a}.closed_at`)}, 'outcome', ${a}.outcome,
  'ackBreached', ${a}.ack_breached, 'slaWarned', ${a}.sla_warned, 'onsiteBreached', ${a}.onsite_breached)`;

/** $1 the signals (json); $2-$7 per signal: device, event id, new alert id, kind, severity, timeline data. */
const ALERT_BATCH_SQL = insertSignalsSql(`,
  extra AS (
    SELECT * FROM unnest($2::text[], $3::text[], $4::uuid[], $5::text[], $6::text[], $7::jsonb[])
           AS t(device_id, event_id, alert_id, kind, severity, timeline)
  ),
  opening AS (
    SELECT i.household_id, i.device_id, i.event_id, i.type, i.ts, i.received_at, x.alert_id, x.kind, x.severity, x.timeline
      FROM input i JOIN fresh f USING (device_id, event_id) JOIN extra x USING (device_id, event_id)
  ),
  -- The partial unique index alerts_one_live makes "one live alert per (household, kind)" atomic:
  -- a concurrent second SOS lands in DO UPDATE and attaches as a repeat. The child rows' foreign
  -- keys are checked at the end of the statement, when the alert rows exist.
  a AS (
    INSERT INTO alerts (id, household_id, kind, severity, device_id, first_signal_at, last_signal_at, opened_at, updated_at)
    SELECT alert_id, household_id, kind, severity, device_id, ts, ts, received_at, received_at FROM opening
    ON CONFLICT (household_id, kind) WHERE state IN ('open', 'notified', 'accepted', 'on_site')
    DO UPDATE SET signal_count = alerts.signal_count + 1,
                  last_signal_at = GREATEST(alerts.last_signal_at, EXCLUDED.last_signal_at),
                  updated_at = EXCLUDED.updated_at
    RETURNING *, (xmax = 0) AS created
  ),
  linked AS (
    INSERT INTO alert_signals (alert_id, device_id, event_id, type, ts, received_at)
    SELECT a.id, o.device_id, o.event_id, o.type, o.ts, o.received_at
      FROM a JOIN opening o ON o.household_id = a.household_id AND o.kind = a.kind
    -- An event id reused past the 24 h dedupe window (a device that restarted its counter) is a
    -- new press; if it repeats into the same still-open alert, the first link stays and the
    -- timeline records the repeat. Without this the whole write failed, and with it every retry.
    ON CONFLICT (alert_id, device_id, event_id) DO NOTHING
  ),
  logged AS (
    INSERT INTO alert_events (alert_id, at, actor, type, from_state, to_state, data)
    SELECT a.id, o.received_at, 'device:' || o.device_id, CASE WHEN a.created THEN 'created' ELSE 'repeat' END, NULL,
           CASE WHEN a.created THEN 'open' END, o.timeline
      FROM a JOIN opening o ON o.household_id = a.household_id AND o.kind = a.kind
  ),
  live AS (
    INSERT INTO live_events (type, data, at)
    SELECT CASE WHEN a.created THEN 'alert.created' ELSE 'alert.updated' END, ${liveDataSql('a')}, a.updated_at FROM a
    RETURNING seq, type, data
  )
  SELECT f.device_id, f.event_id, l.data->>'id' AS alert_id, l.seq, l.type, l.data
    FROM fresh f
    LEFT JOIN opening o USING (device_id, event_id)
    LEFT JOIN live l ON l.data->>'householdId' = o.household_id AND l.data->>'kind' = o.kind`);

const kindOf = (s: SignalRow) => EVENT_OPENS_ALERT[s.type as keyof typeof EVENT_OPENS_ALERT]!;

/** What the alert's timeline keeps about the signal that opened or repeated it. */
const timelineData = (s: SignalRow) => ({ eventId: s.eventId, eventType: s.type, room: s.room, confidence: s.confidence, at: s.ts });

/**
 * A resident's cancel (DESIGN §3): within 60 s of the first signal it cancels a live SOS/fall
 * that nobody accepted; otherwise it is only a note — someone still goes to the door.
 */
async function applyResidentCancel(tx: pg.PoolClient, signal: SignalRow): Promise<AlertIngestResult> {
  const live = await tx.query<{ id: string; state: string; first_signal_at: Date; accepted_at: Date | null }>(
    `SELECT id, state, first_signal_at, accepted_at FROM alerts
      WHERE household_id = $1 AND kind = ANY($2) AND state IN ('open', 'notified', 'accepted', 'on_site')
      FOR UPDATE`, [signal.householdId, RESIDENT_CANCELLABLE]);
  const cancelled: string[] = [];
  const noted: string[] = [];
  for (const a of live.rows) {
    const withinWindow = signal.receivedAt.getTime() - a.first_signal_at.getTime() <= RESIDENT_CANCEL_WINDOW_MS;
    const unaccepted = a.accepted_at === null && (a.state === 'open' || a.state === 'notified');
    const actor = `device:${signal.deviceId}`;
    if (withinWindow && unaccepted) {
      await tx.query(
        `UPDATE alerts SET state = 'cancelled', cancel_reason = 'resident_cancel', closed_at = $2, updated_at = $2 WHERE id = $1`, [a.id, signal.receivedAt]);
      await tx.query(
        `INSERT INTO alert_events (alert_id, at, actor, type, from_state, to_state, data) VALUES ($1, $5, $2, 'state', $3, 'cancelled', $4)`,
        [a.id, actor, a.state, { reason: 'resident_cancel', eventId: signal.eventId }, signal.receivedAt]);
      cancelled.push(a.id);
    } else {
      await tx.query(
        `INSERT INTO alert_events (alert_id, at, actor, type, data) VALUES ($1, $4, $2, 'note', $3)`,
        [a.id, actor, { text: 'resident pressed cancel; too late or already accepted, so the visit goes ahead', eventId: signal.eventId }, signal.receivedAt]);
      noted.push(a.id);
    }
    await tx.query(
      `INSERT INTO alert_signals (alert_id, device_id, event_id, type, ts, received_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (alert_id, device_id, event_id) DO NOTHING`,
      [a.id, signal.deviceId, signal.eventId, signal.type, signal.ts, signal.receivedAt]);
  }
  const updates: UnsequencedLiveEvent[] = [];
  for (const id of [...cancelled, ...noted]) updates.push({ type: 'alert.updated', data: toLiveData((await findAlert(tx, id))!) });
  return { outcome: 'cancel', cancelled, noted, live: await appendLiveEvents(tx, updates, signal.receivedAt) };
}
