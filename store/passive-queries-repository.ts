import type pg from 'pg';
import { LIVE_STATES } from '../domain/alert-kinds.js';
import type { DeviceKind } from '../domain/device-kinds.js';
import type { LiveEvent } from '../domain/live-events.js';
import type { ResponderRole } from '../domain/roster.js';
import type { SilenceExplanation } from '../domain/room-aware-silence.js';
import type { Shift } from '../domain/shift-clock.js';
import { inTransaction, type Queryable } from './db.js';
import { appendLiveEvents } from './live-events-repository.js';

/**
 * The passive rules' queries (DESIGN §4: "Swept by a BullMQ job scheduler, indexed queries, not
 * a timer per home"). Every query takes `now` from the caller's clock, never the database's
 * now(), so the rules are testable with an injected clock. Each one first narrows with an
 * indexed range ("quiet/silent since before now - the smallest threshold of anyone", migration
 * 004) and only then applies the per-household or per-device threshold.
 */

const LIVE = (alias: string) => `${alias}.state IN (${LIVE_STATES.map((s) => `'${s}'`).join(', ')})`;

/** A device reports when it sent anything within 3 × its heartbeat (DESIGN §4 "offline"). */
const REPORTING = (d: string, now: string) =>
  `(${d}.last_seen_at IS NOT NULL AND ${d}.last_seen_at >= ${now} - make_interval(secs => 3 * ${d}.heartbeat_s))`;
/** Silent for 3 × heartbeat; a device that never reported counts from when it was registered. */
const SILENT = (d: string, now: string) =>
  `(COALESCE(${d}.last_seen_at, ${d}.created_at) < ${now} - make_interval(secs => 3 * ${d}.heartbeat_s))`;

export const CHECK_IN_SENT_NOTE = 'automatic check-in sent (自动问候已发送)';
export const CHECK_IN_STOOD_DOWN_NOTE = 'resident responded to automatic check-in (老人已回应自动问候)';

// ---------------------------------------------------------------- inactivity (+ pre-alarm)

export interface InactivityCheckStarted { householdId: string; quietSince: Date; thresholdS: number; deviceIds: string[] }

/**
 * Starts the pre-alarm (issue 4 item 11c) for every home quiet for longer than its threshold of
 * the current shift that still has a reporting activity sensor, no live inactivity alert and no
 * pending check: one inactivity_checks row (deadline = now + grace) and a visits note, in one
 * statement. "Quiet since" is the last activity, or — with none yet — when the home's first
 * activity sensor was registered; an inactivity alert closed later than that restarts the count
 * (a resolved alert must not re-page five minutes later because the sensors still see nobody).
 * Returns the homes and the devices to send {"type":"check_in"} to (those with their own MQTT
 * connection: zigbee children are reached through their hub).
 */
export async function startInactivityChecks(db: Queryable, p: {
  now: Date; shift: Shift; graceS: number; activityKinds: readonly DeviceKind[];
  /** PASSIVE_POLICY=learned: homes with enough history are the learned rule's (it keeps these thresholds as its own fallback). */
  skipLearned?: boolean;
}): Promise<InactivityCheckStarted[]> {
  const r = await db.query<InactivityCheckStarted>(
    `WITH candidates AS (
       SELECT h.id AS household_id, q.quiet_since, q.threshold_s
         FROM households h
        CROSS JOIN LATERAL (
          SELECT CASE WHEN $2 THEN h.inactivity_day_s ELSE h.inactivity_night_s END AS threshold_s,
                 GREATEST(
                   COALESCE(h.last_activity_at,
                     GREATEST(h.created_at, (SELECT min(d.created_at) FROM devices d
                                              WHERE d.household_id = h.id AND d.revoked_at IS NULL AND d.kind = ANY($4)))),
                   (SELECT max(a.closed_at) FROM alerts a WHERE a.household_id = h.id AND a.kind = 'inactivity')
                 ) AS quiet_since
        ) q
        WHERE (h.last_activity_at IS NULL OR h.last_activity_at < $1::timestamptz - make_interval(secs =>
                 CASE WHEN $2 THEN (SELECT min(inactivity_day_s) FROM households)
                      ELSE (SELECT min(inactivity_night_s) FROM households) END))
          AND q.quiet_since <= $1::timestamptz - make_interval(secs => q.threshold_s)
          AND EXISTS (SELECT 1 FROM devices d WHERE d.household_id = h.id AND d.revoked_at IS NULL
                         AND d.kind = ANY($4) AND ${REPORTING('d', '$1::timestamptz')})
          AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.household_id = h.id AND a.kind = 'inactivity' AND ${LIVE('a')})
          AND NOT EXISTS (SELECT 1 FROM inactivity_checks c WHERE c.household_id = h.id)
          AND NOT EXISTS (SELECT 1 FROM household_passive_tuning t WHERE t.household_id = h.id AND t.away_until > $1)
          AND NOT ($6 AND EXISTS (SELECT 1 FROM household_rhythm r WHERE r.household_id = h.id AND r.enough_history))
     ),
     started AS (
       INSERT INTO inactivity_checks (household_id, started_at, deadline_at, quiet_since)
       SELECT household_id, $1, $1::timestamptz + make_interval(secs => $3), quiet_since FROM candidates
       ON CONFLICT (household_id) DO NOTHING
       RETURNING household_id, quiet_since
     ),
     noted AS (
       INSERT INTO visits (household_id, kind, at, note)
       SELECT household_id, 'check_in', $1, $5 FROM started
     )
     SELECT s.household_id AS "householdId", s.quiet_since AS "quietSince", c.threshold_s AS "thresholdS",
            ARRAY(SELECT d.id FROM devices d WHERE d.household_id = s.household_id AND d.revoked_at IS NULL
                     AND d.parent_id IS NULL ORDER BY d.id) AS "deviceIds"
       FROM started s JOIN candidates c USING (household_id)`,
    [p.now, p.shift === 'day', p.graceS, p.activityKinds, CHECK_IN_SENT_NOTE, p.skipLearned ?? false]);
  return r.rows;
}

export interface InactivityStandDown { householdId: string; startedAt: Date; lastActivityAt: Date }

/**
 * Any activity after the quiet period the check started from stands it down: the check row
 * goes, a visits note keeps the story (issue 4 item 11c "timeline kept").
 */
export async function standDownInactivityChecks(db: Queryable, now: Date): Promise<InactivityStandDown[]> {
  const r = await db.query<InactivityStandDown>(
    `WITH gone AS (
       DELETE FROM inactivity_checks c USING households h
        WHERE h.id = c.household_id AND h.last_activity_at > COALESCE(c.quiet_since, c.started_at)
       RETURNING c.household_id, c.started_at, h.last_activity_at
     ),
     noted AS (
       INSERT INTO visits (household_id, kind, at, note) SELECT household_id, 'check_in', $1, $2 FROM gone
     )
     SELECT household_id AS "householdId", started_at AS "startedAt", last_activity_at AS "lastActivityAt" FROM gone`,
    [now, CHECK_IN_STOOD_DOWN_NOTE]);
  return r.rows;
}

/** Checks past the deadline of their last stage (earlier stages escalate: passive-learned-repository). */
export async function expiredInactivityChecks(db: Queryable, now: Date): Promise<string[]> {
  const r = await db.query<{ id: string }>(
    `SELECT household_id AS id FROM inactivity_checks WHERE deadline_at <= $1 AND stage >= stages ORDER BY deadline_at`, [now]);
  return r.rows.map((x) => x.id);
}

export interface ClaimedCheck {
  householdId: string; startedAt: Date; deadlineAt: Date; quietSince: Date | null;
  lastActivityAt: Date | null; thresholdS: number;
  /** Which rule started it (static, room_silence, not_up, night_bathroom), its last stage and why (learned rules). */
  reason: string; stage: number; explanation: SilenceExplanation | null; historyDays: number | null;
}

/**
 * Deletes one expired, still-quiet check inside the caller's transaction and returns it; null
 * when another dispatcher took it or the resident moved meanwhile (then the stand-down rule
 * handles it). The caller opens the inactivity alert in the same transaction.
 */
export async function claimExpiredInactivityCheck(tx: pg.PoolClient, householdId: string, now: Date, shift: Shift): Promise<ClaimedCheck | null> {
  const r = await tx.query<ClaimedCheck>(
    `DELETE FROM inactivity_checks c USING households h
      WHERE c.household_id = $1 AND h.id = c.household_id AND c.deadline_at <= $2 AND c.stage >= c.stages
        AND (h.last_activity_at IS NULL OR h.last_activity_at <= COALESCE(c.quiet_since, c.started_at))
     RETURNING c.household_id AS "householdId", c.started_at AS "startedAt", c.deadline_at AS "deadlineAt",
               c.quiet_since AS "quietSince", h.last_activity_at AS "lastActivityAt",
               CASE WHEN $3 THEN h.inactivity_day_s ELSE h.inactivity_night_s END AS "thresholdS",
               c.reason, c.stage, c.explanation,
               (SELECT r.history_days FROM household_rhythm r WHERE r.household_id = c.household_id) AS "historyDays"`,
    [householdId, now, shift === 'day']);
  return r.rows[0] ?? null;
}

export interface ResumedActivity { alertId: string; householdId: string; lastActivityAt: Date }

/**
 * Live inactivity alerts whose home shows activity after the quiet period that opened them
 * and that have no 'activity_resumed' note yet (DESIGN issue 4 item 3: a note, not an
 * auto-close — someone still checks on the resident).
 */
export async function resumedInactivityAlerts(db: Queryable): Promise<ResumedActivity[]> {
  const r = await db.query<ResumedActivity>(
    `SELECT a.id AS "alertId", a.household_id AS "householdId", h.last_activity_at AS "lastActivityAt"
       FROM alerts a JOIN households h ON h.id = a.household_id
      WHERE a.kind = 'inactivity' AND ${LIVE('a')}
        AND h.last_activity_at > COALESCE(
              (SELECT (e.data->>'quietSince')::timestamptz FROM alert_events e
                WHERE e.alert_id = a.id AND e.type = 'created' ORDER BY e.id LIMIT 1),
              a.first_signal_at)
        AND NOT EXISTS (SELECT 1 FROM alert_events e WHERE e.alert_id = a.id AND e.type = 'note'
                          AND e.data->>'reason' = 'activity_resumed')`);
  return r.rows;
}

// ---------------------------------------------------------------- device_offline, household_unmonitored

export interface SilentDevice {
  id: string; householdId: string; kind: DeviceKind; room: string | null; parentId: string | null;
  lastSeenAt: Date | null; heartbeatS: number;
}

/** Non-revoked devices silent for 3 × their heartbeat (zigbee children too: they have one). */
export async function silentDevices(db: Queryable, now: Date): Promise<SilentDevice[]> {
  const r = await db.query<SilentDevice>(
    `SELECT d.id, d.household_id AS "householdId", d.kind, d.room, d.parent_id AS "parentId",
            d.last_seen_at AS "lastSeenAt", d.heartbeat_s AS "heartbeatS"
       FROM devices d
      WHERE d.revoked_at IS NULL
        AND (d.last_seen_at IS NULL OR d.last_seen_at < $1::timestamptz - make_interval(secs =>
               3 * (SELECT min(heartbeat_s) FROM devices WHERE revoked_at IS NULL)))
        AND ${SILENT('d', '$1::timestamptz')}
      ORDER BY d.household_id, d.id`, [now]);
  return r.rows;
}

/** Per household: how many non-revoked sensors it has (a z2m hub is a relay, not a sensor). */
export async function sensorCounts(db: Queryable, householdIds: readonly string[]): Promise<Map<string, number>> {
  if (householdIds.length === 0) return new Map();
  const r = await db.query<{ id: string; n: number }>(
    `SELECT household_id AS id, count(*)::int AS n FROM devices
      WHERE household_id = ANY($1) AND revoked_at IS NULL AND kind <> 'z2m_hub' GROUP BY household_id`, [householdIds]);
  return new Map(r.rows.map((x) => [x.id, x.n]));
}

/** (household, kind) pairs that already have a live alert, so a sweep skips them without a transaction. */
export async function liveAlertKeys(db: Queryable, householdIds: readonly string[], kinds: readonly string[]): Promise<Set<string>> {
  if (householdIds.length === 0) return new Set();
  const r = await db.query<{ h: string; k: string }>(
    `SELECT a.household_id AS h, a.kind AS k FROM alerts a
      WHERE a.household_id = ANY($1) AND a.kind = ANY($2) AND ${LIVE('a')}`, [householdIds, kinds]);
  return new Set(r.rows.map((x) => `${x.h}|${x.k}`));
}

/**
 * Marks silent devices offline (the gateway's presence only knows about disconnects it saw) and
 * appends a device.status event for each one that changes, in one transaction.
 */
export async function markDevicesOffline(pool: pg.Pool, deviceIds: readonly string[]): Promise<LiveEvent[]> {
  if (deviceIds.length === 0) return [];
  return inTransaction(pool, async (tx) => {
    const r = await tx.query<{ id: string; householdId: string; battery: number | null; lastSeenAt: Date | null }>(
      `UPDATE devices SET online = false WHERE id = ANY($1) AND online AND revoked_at IS NULL
       RETURNING id, household_id AS "householdId", battery, last_seen_at AS "lastSeenAt"`, [deviceIds]);
    return appendLiveEvents(tx, r.rows.map((d) => ({
      type: 'device.status' as const,
      data: { deviceId: d.id, householdId: d.householdId, online: false, battery: d.battery, lastSeenAt: d.lastSeenAt?.toISOString() ?? null },
    })));
  });
}

// ---------------------------------------------------------------- battery_low

export interface LowBatteryDevice { id: string; householdId: string; kind: DeviceKind; room: string | null; battery: number }

/** Devices below 20 % (DESIGN §4) in homes without a live battery_low alert (partial index devices_battery_low). */
/**
 * Devices below 20 % in homes without a live battery_low alert, and without one closed in the
 * last `quietMs`: a battery is a level, not an event, and the device keeps reporting the old
 * value until the new battery's first message — without the quiet period a resolved alert
 * ("battery ordered") would reopen on the next sweep, every 30 s.
 */
export async function lowBatteryDevices(db: Queryable, now: Date, quietMs: number): Promise<LowBatteryDevice[]> {
  const r = await db.query<LowBatteryDevice>(
    `SELECT d.id, d.household_id AS "householdId", d.kind, d.room, d.battery
       FROM devices d
      WHERE d.revoked_at IS NULL AND d.battery < 20
        AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.household_id = d.household_id AND a.kind = 'battery_low'
                          AND (${LIVE('a')} OR a.closed_at > $1::timestamptz - make_interval(secs => $2)))
      ORDER BY d.household_id, d.id`, [now, quietMs / 1000]);
  return r.rows;
}

// ---------------------------------------------------------------- roster gaps

export interface CommunityGrids { communityId: string; grids: Array<{ id: string; buildingIds: string[] }> }

/** Every grid with its buildings, per community (roster gaps are checked per community). */
export async function gridsByCommunity(db: Queryable): Promise<CommunityGrids[]> {
  const r = await db.query<{ communityId: string; id: string; buildingIds: string[] }>(
    `SELECT g.community_id AS "communityId", g.id,
            COALESCE(array_agg(b.id ORDER BY b.id) FILTER (WHERE b.id IS NOT NULL), '{}') AS "buildingIds"
       FROM grids g LEFT JOIN buildings b ON b.grid_id = g.id
      GROUP BY g.community_id, g.id ORDER BY g.community_id, g.id`);
  const out = new Map<string, CommunityGrids>();
  for (const row of r.rows) {
    let c = out.get(row.communityId);
    if (!c) out.set(row.communityId, (c = { communityId: row.communityId, grids: [] }));
    c.grids.push({ id: row.id, buildingIds: row.buildingIds });
  }
  return [...out.values()];
}

export interface RosterGapRow { gridId: string; role: ResponderRole; shift: Shift; shiftDate: string }

/**
 * Records gaps once per (shift, grid, role): only the gaps this call inserted come back, with a
 * 'roster.gap' live event each and an in-app notification row per on-duty supervisor (purpose
 * 'roster_gap', no alert; target 'responder:<id>' as the dispatcher's in-app notifier writes it;
 * round = '<shiftDate>:<shift>:<grid>:<role>'), all in one transaction. The roster.gap live
 * event is the in-app delivery itself: the console shows it.
 */
export async function recordRosterGaps(pool: pg.Pool, gaps: readonly RosterGapRow[], supervisorIds: readonly string[], now: Date): Promise<{ fresh: RosterGapRow[]; live: LiveEvent[] }> {
  if (gaps.length === 0) return { fresh: [], live: [] };
  return inTransaction(pool, async (tx) => {
    const r = await tx.query<RosterGapRow>(
      `INSERT INTO roster_gap_reports (shift_date, shift, grid_id, role, reported_at)
       SELECT * , $5::timestamptz FROM unnest($1::date[], $2::text[], $3::text[], $4::text[])
       ON CONFLICT DO NOTHING
       RETURNING to_char(shift_date, 'YYYY-MM-DD') AS "shiftDate", shift, grid_id AS "gridId", role`,
      [gaps.map((g) => g.shiftDate), gaps.map((g) => g.shift), gaps.map((g) => g.gridId), gaps.map((g) => g.role), now]);
    const fresh = r.rows;
    if (fresh.length === 0) return { fresh, live: [] };
    const rounds = fresh.map((g) => `${g.shiftDate}:${g.shift}:${g.gridId}:${g.role}`);
    if (supervisorIds.length > 0) {
      await tx.query(
        `INSERT INTO notifications (alert_id, responder_id, tier, channel, target, status, at, sent_at, round, purpose, attempts)
         SELECT NULL, s, NULL, 'in_app', 'responder:' || s, 'sent', $3, $3, rnd, 'roster_gap', 1
           FROM unnest($1::text[]) AS s CROSS JOIN unnest($2::text[]) AS rnd`,
        [supervisorIds, rounds, now]);
    }
    const live = await appendLiveEvents(tx, fresh.map((g) => ({
      type: 'roster.gap' as const,
      data: { gridId: g.gridId, role: g.role, shift: g.shift, shiftDate: g.shiftDate },
    })), now);
    return { fresh, live };
  });
}
