import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { ALERT_SEVERITY, EVENT_OPENS_ALERT, RESIDENT_CANCEL_WINDOW_MS, RESIDENT_CANCELLABLE } from '../domain/alert-kinds.js';
import type { LiveEvent, UnsequencedLiveEvent } from '../domain/live-events.js';
import { ALERT_RECORD_COLUMNS, findAlert, toLiveData, type AlertRecord } from './alert-transitions-repository.js';
import { inTransaction } from './db.js';
import { appendLiveEvents } from './live-events-repository.js';
import { insertSignals, type SignalRow } from './signals-repository.js';

/** `live`: the feed events appended in the same transaction, for the caller to publish after commit. */
export type AlertIngestResult =
  | { outcome: 'duplicate' }
  | { outcome: 'opened'; alertId: string; live: LiveEvent[] }
  | { outcome: 'attached'; alertId: string; live: LiveEvent[] }
  | { outcome: 'cancel'; cancelled: string[]; noted: string[]; live: LiveEvent[] }
  | { outcome: 'stored' };

/**
 * The durable path of an alert-class event (DESIGN §2, §3): in ONE transaction, dedupe and
 * store the signal, then open the household's alert of that kind or attach the repeat to the
 * live one, or apply a resident's cancel. The caller sends the PUBACK only after this resolves.
 */
export async function ingestAlertEvent(pool: pg.Pool, signal: SignalRow): Promise<AlertIngestResult> {
  return inTransaction(pool, async (tx) => {
    const stored = await insertSignals(tx, [signal]);
    if (stored === 0) return { outcome: 'duplicate' };
    if (signal.type === 'cancel') return applyResidentCancel(tx, signal);
    const kind = EVENT_OPENS_ALERT[signal.type as keyof typeof EVENT_OPENS_ALERT];
    if (!kind) return { outcome: 'stored' };

    const id = randomUUID();
    // One round trip for the alert, its signal link and its timeline row (the PUBACK waits for
    // this transaction, so every round trip is on the device's latency). The partial unique index
    // alerts_one_live makes "one live alert per (household, kind)" atomic: a concurrent second
    // SOS lands in DO UPDATE and attaches as a repeat. The child rows' foreign keys are checked
    // at the end of the statement, when the alert row exists.
    const upsert = await tx.query<AlertRecord & { created: boolean }>(
      `WITH a AS (
         INSERT INTO alerts (id, household_id, kind, severity, device_id, first_signal_at, last_signal_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6)
         ON CONFLICT (household_id, kind) WHERE state IN ('open', 'notified', 'accepted', 'on_site')
         DO UPDATE SET signal_count = alerts.signal_count + 1,
                       last_signal_at = GREATEST(alerts.last_signal_at, EXCLUDED.last_signal_at),
                       updated_at = now()
         RETURNING *, (xmax = 0) AS created
       ),
       linked AS (
         INSERT INTO alert_signals (alert_id, device_id, event_id, type, ts, received_at)
         SELECT a.id, $5::text, $7::text, $8::text, $6::timestamptz, $9::timestamptz FROM a
       ),
       logged AS (
         INSERT INTO alert_events (alert_id, actor, type, from_state, to_state, data)
         SELECT a.id, $10::text, CASE WHEN a.created THEN 'created' ELSE 'repeat' END, NULL,
                CASE WHEN a.created THEN 'open' END, $11::jsonb FROM a
       )
       SELECT ${ALERT_RECORD_COLUMNS}, a.created FROM a`,
      [id, signal.householdId, kind, ALERT_SEVERITY[kind], signal.deviceId, signal.ts,
       signal.eventId, signal.type, signal.receivedAt, `device:${signal.deviceId}`,
       JSON.stringify({ eventId: signal.eventId, eventType: signal.type, room: signal.room, confidence: signal.confidence, at: signal.ts })]);
    const { created, ...record } = upsert.rows[0]!;
    const alert = { id: record.id, created };
    const feed = await appendLiveEvents(tx, [{ type: created ? 'alert.created' : 'alert.updated', data: toLiveData(record as AlertRecord) }]);
    return alert.created ? { outcome: 'opened', alertId: alert.id, live: feed } : { outcome: 'attached', alertId: alert.id, live: feed };
  });
}

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
        `UPDATE alerts SET state = 'cancelled', cancel_reason = 'resident_cancel', closed_at = now(), updated_at = now() WHERE id = $1`, [a.id]);
      await tx.query(
        `INSERT INTO alert_events (alert_id, actor, type, from_state, to_state, data) VALUES ($1, $2, 'state', $3, 'cancelled', $4)`,
        [a.id, actor, a.state, { reason: 'resident_cancel', eventId: signal.eventId }]);
      cancelled.push(a.id);
    } else {
      await tx.query(
        `INSERT INTO alert_events (alert_id, actor, type, data) VALUES ($1, $2, 'note', $3)`,
        [a.id, actor, { text: 'resident pressed cancel; too late or already accepted, so the visit goes ahead', eventId: signal.eventId }]);
      noted.push(a.id);
    }
    await tx.query(
      `INSERT INTO alert_signals (alert_id, device_id, event_id, type, ts, received_at) VALUES ($1, $2, $3, $4, $5, $6)`,
      [a.id, signal.deviceId, signal.eventId, signal.type, signal.ts, signal.receivedAt]);
  }
  const updates: UnsequencedLiveEvent[] = [];
  for (const id of [...cancelled, ...noted]) updates.push({ type: 'alert.updated', data: toLiveData((await findAlert(tx, id))!) });
  return { outcome: 'cancel', cancelled, noted, live: await appendLiveEvents(tx, updates) };
}
