import type { DeviceKind } from '../domain/device-kinds.js';
import { LIVE_STATES, PERSON_ALERT_KINDS } from '../domain/alert-kinds.js';
import type { RecentSignal, RhythmSummary, Sensitivity, SilenceBaseline, SilenceExplanation } from '../domain/room-aware-silence.js';
import type { Queryable } from './db.js';
import { silenceKeySql } from './silence-key-sql.js';

/**
 * Queries of the learned passive rules (issue 19): the homes quiet for at least the smallest
 * learned floor, with what the pure rule (domain/room-aware-silence.ts) needs to judge them, and
 * the staged check-ins. Every `now` is the caller's clock.
 */

const LIVE = (a: string) => `${a}.state IN (${LIVE_STATES.map((s) => `'${s}'`).join(', ')})`;
const ACTIVITY_TYPES = ['motion', 'door', 'bed', 'presence', 'water_use', 'button'];

export interface LearnedCandidate {
  householdId: string;
  lastActivityAt: Date;
  /** The static threshold of the shift `now` is in: the fallback where nothing was learned for the room. */
  staticThresholdS: number;
  sensitivity: Sensitivity;
  rhythm: RhythmSummary;
  /** A person alert (sos, fall, inactivity, wandering) of the home live now, or closed in the last 2 h. */
  recentAlertAt: Date | null;
  /** When the home's last person alert closed: someone was there and saw the resident. */
  lastClosedAt: Date | null;
  signals: RecentSignal[];
  baselines: SilenceBaseline[];
}

/**
 * Homes with enough history, quiet for at least `floorS`, watched by a reporting activity
 * sensor, not in away mode, without a live inactivity/wandering alert or a pending check. Only
 * the baselines of the last signal's room come along (all indoor rooms when it was the door).
 */
export async function learnedCandidates(db: Queryable, p: { now: Date; floorS: number; activityKinds: readonly DeviceKind[]; day: boolean }): Promise<LearnedCandidate[]> {
  const r = await db.query<{
    householdId: string; lastActivityAt: Date; staticThresholdS: number; sensitivity: Sensitivity; enoughHistory: boolean; historyDays: number;
    wakeP99Min: number | null; wakeMedianMin: number | null; bedMedianMin: number | null; recentAlertAt: Date | null; lastClosedAt: Date | null;
    signals: Array<{ at: string; room: string | null; type: string; key: string }>; baselines: SilenceBaseline[] | null;
  }>(
    `SELECT h.id AS "householdId", h.last_activity_at AS "lastActivityAt",
            CASE WHEN $5 THEN h.inactivity_day_s ELSE h.inactivity_night_s END AS "staticThresholdS", COALESCE(t.sensitivity, 'normal') AS sensitivity,
            r.enough_history AS "enoughHistory", r.history_days AS "historyDays", r.wake_p99_min AS "wakeP99Min", r.wake_median_min AS "wakeMedianMin",
            r.bed_median_min AS "bedMedianMin",
            -- A person alert that had begun by the last signal and was live then, or closed in the
            -- 2 h before it: a door passage then is the responder's (a visit, a hospital transfer),
            -- however long ago that passage now is.
            (SELECT max(COALESCE(a.closed_at, $1::timestamptz)) FROM alerts a
              WHERE a.household_id = h.id AND a.kind = ANY($6)
                AND a.first_signal_at <= (sig.list->0->>'at')::timestamptz + interval '1 minute'
                AND COALESCE(a.closed_at, $1::timestamptz) > (sig.list->0->>'at')::timestamptz - interval '2 hours') AS "recentAlertAt",
            (SELECT max(a.closed_at) FROM alerts a WHERE a.household_id = h.id AND a.kind = ANY($6)
                AND a.closed_at > $1::timestamptz - interval '2 days') AS "lastClosedAt",
            sig.list AS signals,
            (SELECT json_agg(json_build_object('room', b.room, 'hour', b.hour, 'samples', b.samples, 'gapP99S', b.gap_p99_s))
               FROM household_silence_baselines b
              WHERE b.household_id = h.id AND (b.room = sig.list->0->>'key' OR sig.list->0->>'type' IN ('door', 'button')
                OR (SELECT max(a.closed_at) FROM alerts a WHERE a.household_id = h.id AND a.kind = ANY($6)) > (sig.list->0->>'at')::timestamptz)) AS baselines
       FROM households h
       JOIN household_rhythm r ON r.household_id = h.id AND r.enough_history
       LEFT JOIN household_passive_tuning t ON t.household_id = h.id
      CROSS JOIN LATERAL (
        SELECT COALESCE(json_agg(json_build_object('at', x.ts, 'room', x.room, 'type', x.type, 'key', x.key) ORDER BY x.ts DESC), '[]'::json) AS list
          FROM (SELECT s.ts, s.room, s.type, ${silenceKeySql('s')} AS key FROM signals s
                 WHERE s.household_id = h.id AND s.type = ANY($4) AND s.ts <= $1 AND s.ts > $1::timestamptz - interval '2 days'
                 ORDER BY s.ts DESC LIMIT 6) x
      ) sig
      WHERE h.last_activity_at < $1::timestamptz - make_interval(secs => $2)
        AND (t.away_until IS NULL OR t.away_until <= $1)
        AND EXISTS (SELECT 1 FROM devices d WHERE d.household_id = h.id AND d.revoked_at IS NULL AND d.kind = ANY($3)
                       AND d.last_seen_at IS NOT NULL AND d.last_seen_at >= $1::timestamptz - make_interval(secs => 3 * d.heartbeat_s))
        AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.household_id = h.id AND a.kind IN ('inactivity', 'wandering') AND ${LIVE('a')})
        AND NOT EXISTS (SELECT 1 FROM inactivity_checks c WHERE c.household_id = h.id)
      ORDER BY h.id`,
    [p.now, p.floorS, p.activityKinds, ACTIVITY_TYPES, p.day, PERSON_ALERT_KINDS]);
  return r.rows.map((x) => ({
    householdId: x.householdId, lastActivityAt: x.lastActivityAt, staticThresholdS: x.staticThresholdS, sensitivity: x.sensitivity,
    rhythm: { enoughHistory: x.enoughHistory, historyDays: x.historyDays, wakeP99Min: x.wakeP99Min, wakeMedianMin: x.wakeMedianMin, bedMedianMin: x.bedMedianMin },
    recentAlertAt: x.recentAlertAt, lastClosedAt: x.lastClosedAt,
    signals: x.signals.map((s) => ({ at: Date.parse(s.at), room: s.room, type: s.type, key: s.key })),
    baselines: x.baselines ?? [],
  }));
}

/**
 * Starts a staged check (stage 1 of `graceS.length`) with its reason and explanation, and a
 * visits note, in one statement; null when another dispatcher (or the static rule) got there
 * first. Returns the devices to ring (those with their own MQTT connection).
 */
export async function startLearnedCheck(db: Queryable, p: {
  householdId: string; now: Date; quietSince: Date; reason: string; graceS: readonly number[]; explanation: SilenceExplanation | null; note: string;
}): Promise<string[] | null> {
  const r = await db.query<{ deviceIds: string[] }>(
    `WITH started AS (
       INSERT INTO inactivity_checks (household_id, started_at, deadline_at, quiet_since, reason, stage, stages, next_grace_s, explanation, grace_s)
       VALUES ($1, $2, $2::timestamptz + make_interval(secs => $3), $4, $5, 1, $6, $7, $8, $10::integer[])
       ON CONFLICT (household_id) DO NOTHING
       RETURNING household_id
     ),
     noted AS (INSERT INTO visits (household_id, kind, at, note) SELECT household_id, 'check_in', $2, $9 FROM started)
     SELECT ARRAY(SELECT d.id FROM devices d WHERE d.household_id = s.household_id AND d.revoked_at IS NULL
                    AND d.parent_id IS NULL ORDER BY d.id) AS "deviceIds" FROM started s`,
    [p.householdId, p.now, p.graceS[0], p.quietSince, p.reason, p.graceS.length, p.graceS[1] ?? null, p.explanation, p.note, [...p.graceS]]);
  return r.rows[0]?.deviceIds ?? null;
}

export interface EscalatedCheck { householdId: string; stage: number; deviceIds: string[] }

/**
 * Checks past the deadline of a stage that is not their last, still quiet: next stage, new
 * deadline (that stage's grace), the note of the stage entered (`notes[stage - 1]`; none when
 * null: the call stage notes its own outcome) — one statement, so two dispatchers cannot both ring.
 */
export async function escalateChecks(db: Queryable, now: Date, notes: readonly (string | null)[]): Promise<EscalatedCheck[]> {
  const r = await db.query<EscalatedCheck>(
    `WITH up AS (
       UPDATE inactivity_checks c SET stage = c.stage + 1,
              deadline_at = $1::timestamptz + make_interval(secs => COALESCE(c.grace_s[c.stage + 1], c.next_grace_s, 300))
         FROM households h
        WHERE h.id = c.household_id AND c.deadline_at <= $1 AND c.stage < c.stages
          AND (h.last_activity_at IS NULL OR h.last_activity_at <= COALESCE(c.quiet_since, c.started_at))
       RETURNING c.household_id, c.stage
     ),
     noted AS (INSERT INTO visits (household_id, kind, at, note)
               SELECT household_id, 'check_in', $1, ($2::text[])[stage] FROM up WHERE ($2::text[])[stage] IS NOT NULL)
     SELECT u.household_id AS "householdId", u.stage,
            ARRAY(SELECT d.id FROM devices d WHERE d.household_id = u.household_id AND d.revoked_at IS NULL
                     AND d.parent_id IS NULL ORDER BY d.id) AS "deviceIds" FROM up u`,
    [now, notes]);
  return r.rows;
}

// ---------------------------------------------------------------- tuning

export interface PassiveTuning {
  householdId: string; sensitivity: Sensitivity; awayUntil: Date | null; awayNote: string | null;
  updatedBy: string | null; updatedAt: Date | null;
}

export async function getTuning(db: Queryable, householdId: string): Promise<PassiveTuning> {
  const r = await db.query<PassiveTuning>(
    `SELECT household_id AS "householdId", sensitivity, away_until AS "awayUntil", away_note AS "awayNote",
            updated_by AS "updatedBy", updated_at AS "updatedAt" FROM household_passive_tuning WHERE household_id = $1`, [householdId]);
  return r.rows[0] ?? { householdId, sensitivity: 'normal', awayUntil: null, awayNote: null, updatedBy: null, updatedAt: null };
}

export async function saveTuning(db: Queryable, t: { householdId: string; sensitivity: Sensitivity; awayUntil: Date | null; awayNote: string | null; by: string; at: Date }): Promise<PassiveTuning> {
  await db.query(
    `INSERT INTO household_passive_tuning (household_id, sensitivity, away_until, away_note, updated_by, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (household_id) DO UPDATE SET sensitivity = EXCLUDED.sensitivity, away_until = EXCLUDED.away_until,
       away_note = EXCLUDED.away_note, updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at`,
    [t.householdId, t.sensitivity, t.awayUntil, t.awayNote, t.by, t.at]);
  return getTuning(db, t.householdId);
}

export interface PassiveExplanationRow { alertId: string; kind: string; at: Date; zh: string; en: string }

/** The home's latest passive alerts with the sentence each was opened with (household file). */
export async function recentPassiveExplanations(db: Queryable, householdId: string, limit = 5): Promise<PassiveExplanationRow[]> {
  const r = await db.query<PassiveExplanationRow>(
    `SELECT a.id AS "alertId", a.kind, a.first_signal_at AS at, e.data->'explanation'->>'zh' AS zh, e.data->'explanation'->>'en' AS en
       FROM alerts a JOIN alert_events e ON e.alert_id = a.id AND e.type = 'created'
      WHERE a.household_id = $1 AND a.kind IN ('inactivity', 'wandering') AND e.data->'explanation'->>'zh' IS NOT NULL
      ORDER BY a.first_signal_at DESC LIMIT $2`, [householdId, limit]);
  return r.rows;
}
