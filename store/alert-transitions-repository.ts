import type pg from 'pg';
import type { AlertKind, AlertState, Outcome, Severity } from '../domain/alert-kinds.js';
import { transition, type AlertAction, type TransitionErrorCode } from '../domain/alert-state-machine.js';
import type { AlertLiveData, LiveEvent } from '../domain/live-events.js';
import { inTransaction, type Queryable } from './db.js';
import { appendLiveEvents } from './live-events-repository.js';

/** An alert as the dispatcher and the responder actions see it. */
export interface AlertRecord {
  id: string;
  householdId: string;
  kind: AlertKind;
  severity: Severity;
  state: AlertState;
  level: number;
  deviceId: string | null;
  firstSignalAt: Date;
  lastSignalAt: Date;
  signalCount: number;
  openedAt: Date;
  routedAt: Date | null;
  notifiedAt: Date | null;
  levelStartedAt: Date | null;
  acceptedAt: Date | null;
  acceptedBy: string | null;
  acceptedByName: string | null;
  onSiteAt: Date | null;
  closedAt: Date | null;
  outcome: Outcome | null;
  ackBreached: boolean;
  slaWarned: boolean;
  onsiteBreached: boolean;
  shift: 'day' | 'night' | null;
  gridId: string | null;
  onSiteBy: string | null;
  expectedArrivalAt: Date | null;
  nobodyAvailableAt: Date | null;
}

export const ALERT_RECORD_COLUMNS = `a.id, a.household_id AS "householdId", a.kind, a.severity, a.state, a.level,
  a.device_id AS "deviceId", a.first_signal_at AS "firstSignalAt", a.last_signal_at AS "lastSignalAt",
  a.signal_count AS "signalCount", a.opened_at AS "openedAt", a.routed_at AS "routedAt",
  a.notified_at AS "notifiedAt", a.level_started_at AS "levelStartedAt", a.accepted_at AS "acceptedAt",
  a.accepted_by AS "acceptedBy", (SELECT r.name FROM responders r WHERE r.id = a.accepted_by) AS "acceptedByName",
  a.on_site_at AS "onSiteAt", a.closed_at AS "closedAt", a.outcome, a.ack_breached AS "ackBreached",
  a.sla_warned AS "slaWarned", a.onsite_breached AS "onsiteBreached", a.shift, a.grid_id AS "gridId",
  a.on_site_by AS "onSiteBy", a.expected_arrival_at AS "expectedArrivalAt", a.nobody_available_at AS "nobodyAvailableAt"`;

export async function findAlert(db: Queryable, id: string, forUpdate = false): Promise<AlertRecord | null> {
  const r = await db.query<AlertRecord>(
    `SELECT ${ALERT_RECORD_COLUMNS} FROM alerts a WHERE a.id = $1 ${forUpdate ? 'FOR UPDATE OF a' : ''}`, [id]);
  return r.rows[0] ?? null;
}

export function toLiveData(a: AlertRecord): AlertLiveData {
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  return {
    id: a.id, householdId: a.householdId, kind: a.kind, severity: a.severity, state: a.state, level: a.level,
    firstSignalAt: a.firstSignalAt.toISOString(), lastSignalAt: a.lastSignalAt.toISOString(), signalCount: a.signalCount,
    acceptedBy: a.acceptedBy, acceptedByName: a.acceptedByName, acceptedAt: iso(a.acceptedAt), onSiteAt: iso(a.onSiteAt), closedAt: iso(a.closedAt),
    outcome: a.outcome, ackBreached: a.ackBreached, slaWarned: a.slaWarned, onsiteBreached: a.onsiteBreached,
  };
}

/** Refusal of an action, with the state machine's operator-readable message (→ HTTP 409/400). */
export class AlertActionRefusedError extends Error {
  constructor(readonly code: TransitionErrorCode | 'not_found', message: string) {
    super(message);
    this.name = 'AlertActionRefusedError';
  }
}

export interface ActionResult { alert: AlertRecord; noop: boolean; live: LiveEvent[] }

/** Extra column changes the caller makes in the same statement (flags, routing facts). */
export interface ExtraChanges {
  levelStartedAt?: Date;
  routedAt?: Date;
  shift?: 'day' | 'night';
  shiftDate?: string;
  gridId?: string;
  ackBreached?: boolean;
  expectedArrivalAt?: Date | null;
  nobodyAvailableAt?: Date | null;
}

const COLUMN: Record<string, string> = {
  state: 'state', level: 'level', notifiedAt: 'notified_at', acceptedAt: 'accepted_at', acceptedBy: 'accepted_by',
  onSiteAt: 'on_site_at', closedAt: 'closed_at', outcome: 'outcome', resolutionNote: 'resolution_note',
  cancelReason: 'cancel_reason', levelStartedAt: 'level_started_at', routedAt: 'routed_at', shift: 'shift',
  shiftDate: 'shift_date', gridId: 'grid_id', ackBreached: 'ack_breached', slaWarned: 'sla_warned', onsiteBreached: 'onsite_breached',
  onSiteBy: 'on_site_by', expectedArrivalAt: 'expected_arrival_at', nobodyAvailableAt: 'nobody_available_at',
};

/**
 * Applies one action to an alert atomically: lock the row, ask the pure state machine, write the
 * column changes, append the timeline row (the evidence trail) and the live event — all in one
 * transaction. The row lock is the compare-and-set of "first accept wins": ten concurrent
 * accepts serialise here and nine see 'already_accepted' naming the winner.
 */
export async function applyAlertAction(
  pool: pg.Pool, alertId: string, action: AlertAction, actor: string, at: Date = new Date(), extra: ExtraChanges = {},
): Promise<ActionResult> {
  return inTransaction(pool, async (tx) => {
    const before = await findAlert(tx, alertId, true);
    if (!before) throw new AlertActionRefusedError('not_found', `alert ${alertId} does not exist`);
    const result = transition(before, action, at);
    if (!result.ok) throw new AlertActionRefusedError(result.code, result.message);
    const changes: Record<string, unknown> = { ...result.changes, ...extra };
    if (result.noop && Object.keys(extra).length === 0) return { alert: before, noop: true, live: [] };
    await updateAlert(tx, alertId, changes, at);
    if (result.event) {
      await tx.query(
        `INSERT INTO alert_events (alert_id, at, actor, type, from_state, to_state, data) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [alertId, at, actor, result.event.type, result.event.from, result.event.to, result.event.data]);
    }
    const after = (await findAlert(tx, alertId))!;
    const live = await appendLiveEvents(tx, [{ type: 'alert.updated', data: toLiveData(after) }], at);
    return { alert: after, noop: result.noop, live };
  });
}

/**
 * Sets flags or routing facts that are not state changes (sla_warned, onsite_breached,
 * routed_at…) with a timeline row, only while the alert is still live. Returns null when the
 * alert moved on (closed) — timers use this to do nothing.
 */
export async function markAlert(
  pool: pg.Pool, alertId: string, changes: ExtraChanges & { slaWarned?: boolean; onsiteBreached?: boolean },
  timeline: { actor: string; type: string; data?: Record<string, unknown> } | null, at: Date = new Date(),
): Promise<{ alert: AlertRecord; live: LiveEvent[] } | null> {
  return inTransaction(pool, async (tx) => {
    const before = await findAlert(tx, alertId, true);
    if (!before || before.state === 'resolved' || before.state === 'cancelled') return null;
    await updateAlert(tx, alertId, { ...changes }, at);
    if (timeline) {
      await tx.query(`INSERT INTO alert_events (alert_id, at, actor, type, data) VALUES ($1, $2, $3, $4, $5)`,
        [alertId, at, timeline.actor, timeline.type, timeline.data ?? {}]);
    }
    const after = (await findAlert(tx, alertId))!;
    const live = await appendLiveEvents(tx, [{ type: 'alert.updated', data: toLiveData(after) }], at);
    return { alert: after, live };
  });
}

async function updateAlert(tx: Queryable, alertId: string, changes: Record<string, unknown>, at: Date): Promise<void> {
  const entries = Object.entries(changes).filter(([, v]) => v !== undefined);
  const sets = entries.map(([k], i) => {
    const column = COLUMN[k];
    if (!column) throw new Error(`unknown alert column ${k}`);
    return `${column} = $${i + 2}`;
  });
  await tx.query(`UPDATE alerts SET ${[...sets, `updated_at = $${entries.length + 2}`].join(', ')} WHERE id = $1`, [alertId, ...entries.map(([, v]) => v), at]);
}
