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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Many timers' reads in one statement (dispatcher/tick-batcher.ts); results in the order of `ids`, null when missing. */
export async function findAlertsForTimers(db: Queryable, ids: readonly string[]): Promise<Array<VersionedAlert | null>> {
  // A malformed id in a job must not fail the other timers' read (uuid cast).
  const valid = [...new Set(ids.filter((id) => UUID.test(id)))];
  if (valid.length === 0) return ids.map(() => null);
  const r = await db.query<AlertRecord & RoutingContextRow & { rowVersion: string }>({
    name: 'timer-find-alerts',
    text: `SELECT ${ALERT_RECORD_COLUMNS}, a.xmin::text AS "rowVersion", ${ROUTING_CONTEXT_COLUMNS}
             FROM alerts a LEFT JOIN households h ON h.id = a.household_id LEFT JOIN buildings b ON b.id = h.building_id
             LEFT JOIN grids g ON g.id = b.grid_id LEFT JOIN communities c ON c.id = g.community_id
            WHERE a.id = ANY($1::uuid[])`,
    values: [valid],
  });
  const byId = new Map<string, VersionedAlert>();
  for (const row of r.rows) {
    const { rowVersion, hId, hGridId, hBuildingId, hCommunityId, hUnit, hAddress, hBuildingName, hCommunityName, hEmergencyPhone, hContacts, ...alert } = row;
    const context = toRoutingContext({ hId, hGridId, hBuildingId, hCommunityId, hUnit, hAddress, hBuildingName, hCommunityName, hEmergencyPhone, hContacts });
    byId.set(alert.id.toLowerCase(), { alert, version: rowVersion, context });
  }
  return ids.map((id) => byId.get(id.toLowerCase()) ?? null);
}

export interface EscalationStep { before: AlertRecord; version: string; action: AlertAction; actor: string; at: Date; extra: ExtraChanges }

/**
 * Many alerts' ack-timeout escalations as one statement, each its own compare-and-set on its row
 * version (xmin, as above; they commit together). Only the ack timer's shape —
 * level, level_started_at, ack_breached — is batched; anything else, and a second step for the
 * same alert in one batch, gets null: the caller takes the one-by-one path.
 */
export async function escalateAllIfUnchanged(db: Queryable, steps: readonly EscalationStep[]): Promise<Array<(ActionResult & { version: string }) | null>> {
  const rows: Array<{ i: number; after: AlertRecord; event: { type: string; from: string; to: string; data: Record<string, unknown> } }> = [];
  const seen = new Set<string>();
  const out: Array<(ActionResult & { version: string }) | null> = steps.map(() => null);
  steps.forEach((s, i) => {
    const result = transition(s.before, s.action, s.at);
    if (!result.ok || result.noop || !result.event || seen.has(s.before.id)) return;
    const changes = Object.fromEntries(Object.entries({ ...result.changes, ...s.extra }).filter(([, v]) => v !== undefined));
    const keys = Object.keys(changes).sort().join(',');
    if (keys !== 'ackBreached,level,levelStartedAt' || changes.ackBreached !== true) return;
    seen.add(s.before.id);
    rows.push({ i, after: { ...s.before, ...changes } as AlertRecord, event: result.event });
  });
  if (rows.length === 0) return out;
  const st = (k: number) => steps[rows[k]!.i]!;
  const r = await db.query<{ id: string; version: string; seq: number }>({
    name: 'timer-escalate-all',
    text: `WITH input AS (
             SELECT * FROM unnest($1::uuid[], $2::text[], $3::int[], $4::timestamptz[], $5::text[], $6::text[], $7::text[], $8::text[], $9::jsonb[], $10::jsonb[], $11::timestamptz[])
               AS i(id, version, level, started, actor, type, from_state, to_state, data, live, at)),
           upd AS (
             UPDATE alerts a SET level = i.level, level_started_at = i.started, ack_breached = true, updated_at = i.at
               FROM input i WHERE a.id = i.id AND a.xmin = i.version::xid
             RETURNING a.id, a.xmin::text AS version),
           ev AS (
             INSERT INTO alert_events (alert_id, at, actor, type, from_state, to_state, data)
             SELECT i.id, i.at, i.actor, i.type, i.from_state, i.to_state, i.data FROM upd JOIN input i ON i.id = upd.id),
           live AS (
             INSERT INTO live_events (type, data, at) SELECT 'alert.updated', i.live, i.at FROM upd JOIN input i ON i.id = upd.id
             RETURNING seq, (data->>'id')::uuid AS id)
           SELECT upd.id, upd.version, live.seq FROM upd JOIN live ON live.id = upd.id`,
    values: [
      rows.map((x) => x.after.id), rows.map((_, k) => st(k).version), rows.map((x) => x.after.level), rows.map((x) => x.after.levelStartedAt),
      rows.map((_, k) => st(k).actor), rows.map((x) => x.event.type), rows.map((x) => x.event.from), rows.map((x) => x.event.to),
      rows.map((x) => JSON.stringify(x.event.data)), rows.map((x) => JSON.stringify(toLiveData(x.after))), rows.map((_, k) => st(k).at),
    ],
  });
  const done = new Map(r.rows.map((x) => [x.id.toLowerCase(), x]));
  for (const x of rows) {
    const hit = done.get(x.after.id.toLowerCase());
    if (hit) out[x.i] = { alert: x.after, noop: false, live: [{ seq: hit.seq, type: 'alert.updated', data: toLiveData(x.after) }] as LiveEvent[], version: hit.version };
  }
  return out;
}

/**
 * The in-app channel's notification (DESIGN §5) claimed and sent in one statement: the
 * notifications row (ON CONFLICT DO NOTHING — only the inserter sends) is written 'sent' with its
 * `responder.notify` live event, so the row and the message commit together. Null when another
 * sender already has the row.
 */
export interface InAppClaim {
  alertId: string; round: string; purpose: string; target: string; responderId: string | null; tier: number | null; at: Date;
  event: { type: string; data: Record<string, unknown> };
}

/** Many in-app claims in one statement (dispatcher/tick-batcher.ts); a repeat of a key in one batch gets null. */
export async function claimAndAppendInAppAll(db: Queryable, claims: readonly InAppClaim[]): Promise<Array<{ id: number; live: LiveEvent } | null>> {
  const key = (alertId: string, round: string, target: string) => JSON.stringify([alertId.toLowerCase(), round, target]);
  const seen = new Set<string>();
  const rows = claims.map((c, i) => ({ c, i })).filter(({ c }) => {
    const k = key(c.alertId, c.round, c.target);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  const r = await db.query<{ id: number; alert_id: string; round: string; target: string; seq: number; data: Record<string, unknown> }>({
    name: 'in-app-claim-send-all',
    text: `WITH input AS (
             SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::timestamptz[], $8::text[], $9::jsonb[])
               AS i(alert_id, round, purpose, target, responder_id, tier, at, type, data)),
           claim AS (
             INSERT INTO notifications (alert_id, round, purpose, channel, target, responder_id, tier, status, attempts, at, sent_at)
             SELECT alert_id, round, purpose, 'in_app', target, responder_id, tier, 'sent', 1, at, at FROM input
             ON CONFLICT (alert_id, round, channel, target) WHERE alert_id IS NOT NULL DO NOTHING
             RETURNING id, alert_id, round, target),
           live AS (
             INSERT INTO live_events (type, data, at)
             SELECT i.type, i.data || jsonb_build_object('notificationId', claim.id), i.at
               FROM claim JOIN input i ON i.alert_id = claim.alert_id AND i.round = claim.round AND i.target = claim.target
             RETURNING seq, data)
           SELECT claim.id, claim.alert_id, claim.round, claim.target, live.seq, live.data
             FROM claim JOIN live ON (live.data->>'notificationId')::bigint = claim.id`,
    values: [
      rows.map(({ c }) => c.alertId), rows.map(({ c }) => c.round), rows.map(({ c }) => c.purpose), rows.map(({ c }) => c.target),
      rows.map(({ c }) => c.responderId), rows.map(({ c }) => c.tier), rows.map(({ c }) => c.at), rows.map(({ c }) => c.event.type),
      rows.map(({ c }) => JSON.stringify(c.event.data)),
    ],
  });
  const byKey = new Map(r.rows.map((x) => [key(x.alert_id, x.round, x.target), x]));
  const out: Array<{ id: number; live: LiveEvent } | null> = claims.map(() => null);
  for (const { c, i } of rows) {
    const hit = byKey.get(key(c.alertId, c.round, c.target));
    if (hit) out[i] = { id: hit.id, live: { seq: hit.seq, type: c.event.type, data: hit.data } as unknown as LiveEvent };
  }
  return out;
}
