import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { ALERT_SEVERITY, LIVE_STATES, type AlertKind } from '../domain/alert-kinds.js';
import type { LiveEvent } from '../domain/live-events.js';
import { findAlert, toLiveData } from './alert-transitions-repository.js';
import { inTransaction } from './db.js';
import { appendLiveEvents } from './live-events-repository.js';

/**
 * Alerts the system opens by itself (DESIGN §4 passive rules: inactivity, device_offline,
 * household_unmonitored, battery_low). Like the gateway's device alerts (alert-ingest-repository)
 * they rely on the partial unique index alerts_one_live for "one live alert per (household,
 * kind)", but a repeat does nothing at all: a sweep finds the same quiet home or dead battery
 * every 30 s, and that must not add a 'repeat' to the timeline each time.
 */
export interface SystemAlertInput {
  householdId: string;
  kind: AlertKind;
  deviceId?: string | null;
  /** The SLA clock starts here (DESIGN §4): the instant the rule fired. */
  firstSignalAt: Date;
  /** Why: goes to the 'created' alert_event (e.g. {lastActivityAt, thresholdS} or the devices). */
  data: Record<string, unknown>;
}

/** `live` is the alert.created event appended in the transaction, for the caller to publish after commit. */
export interface SystemAlertResult { alertId: string | null; created: boolean; live: LiveEvent[] }

const LIVE = `state IN (${LIVE_STATES.map((s) => `'${s}'`).join(', ')})`;

/**
 * Opens the alert inside the caller's transaction, so a rule can make it atomic with its own
 * bookkeeping (e.g. deleting the inactivity check that led to it). When a live alert of that
 * kind already exists: `created: false` and its id, nothing written. routed_at stays NULL: the
 * dispatcher's route job (or its reconciler, the outbox) routes it.
 */
export async function openSystemAlertTx(tx: pg.PoolClient, input: SystemAlertInput): Promise<SystemAlertResult> {
  const id = randomUUID();
  const ins = await tx.query<{ id: string }>(
    `INSERT INTO alerts (id, household_id, kind, severity, device_id, first_signal_at, last_signal_at, opened_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $6, $6, $6)
     ON CONFLICT (household_id, kind) WHERE ${LIVE} DO NOTHING
     RETURNING id`,
    [id, input.householdId, input.kind, ALERT_SEVERITY[input.kind], input.deviceId ?? null, input.firstSignalAt]);
  if (ins.rowCount === 0) {
    const existing = await tx.query<{ id: string }>(
      `SELECT id FROM alerts WHERE household_id = $1 AND kind = $2 AND ${LIVE}`, [input.householdId, input.kind]);
    return { alertId: existing.rows[0]?.id ?? null, created: false, live: [] };
  }
  await tx.query(
    `INSERT INTO alert_events (alert_id, at, actor, type, from_state, to_state, data) VALUES ($1, $2, 'system', 'created', NULL, 'open', $3)`,
    [id, input.firstSignalAt, { rule: input.kind, ...input.data }]);
  const live = await appendLiveEvents(tx, [{ type: 'alert.created', data: toLiveData((await findAlert(tx, id))!) }], input.firstSignalAt);
  return { alertId: id, created: true, live };
}

/** The same, in a transaction of its own. */
export async function openSystemAlert(pool: pg.Pool, input: SystemAlertInput): Promise<SystemAlertResult> {
  return inTransaction(pool, (tx) => openSystemAlertTx(tx, input));
}

/**
 * Appends a system note to a live alert at most once per `reason` (e.g. 'activity_resumed'):
 * the row lock on the alert serialises concurrent sweeps of several dispatchers. Returns the
 * alert.updated event to publish, or null when the note exists or the alert is no longer live.
 */
export async function addSystemNoteOnce(
  pool: pg.Pool, alertId: string, reason: string, text: string, data: Record<string, unknown>, at: Date,
): Promise<LiveEvent[] | null> {
  return inTransaction(pool, async (tx) => {
    const alert = await findAlert(tx, alertId, true);
    if (!alert || !LIVE_STATES.includes(alert.state)) return null;
    const seen = await tx.query(
      `SELECT 1 FROM alert_events WHERE alert_id = $1 AND type = 'note' AND data->>'reason' = $2 LIMIT 1`, [alertId, reason]);
    if ((seen.rowCount ?? 0) > 0) return null;
    await tx.query(
      `INSERT INTO alert_events (alert_id, at, actor, type, data) VALUES ($1, $2, 'system', 'note', $3)`,
      [alertId, at, { reason, text, ...data }]);
    await tx.query(`UPDATE alerts SET updated_at = $2 WHERE id = $1`, [alertId, at]);
    return appendLiveEvents(tx, [{ type: 'alert.updated', data: toLiveData(alert) }], at);
  });
}
