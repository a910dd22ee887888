import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { AlertKind, Outcome } from '../../domain/alert-kinds.js';
import { placeInScope } from '../../domain/access-scope.js';
import { actionVerdict, type ActionVerdict } from '../../domain/alert-action-rights.js';
import type { AlertAction } from '../../domain/alert-state-machine.js';
import type { Clock } from '../../domain/clock.js';
import type { DeviceKind } from '../../domain/device-kinds.js';
import { timeToAccept as msToAccept, timeToOnSite as msToOnSite, slaApplies } from '../../domain/sla-clock.js';
import type { AlertAckState } from '../../domain/topics.js';
import { backupsOf, markNotificationsSeen, wasNotified } from '../../store/alerts-repository.js';
import { AlertActionRefusedError, applyAlertAction, findAlert, markAlert, type AlertRecord } from '../../store/alert-transitions-repository.js';
import { insertDispatchRows, onSiteElsewhere, travelFacts } from '../../store/dispatch-repository.js';
import { expectedArrival, readySeconds, travelSeconds } from '../../domain/dispatch-policy.js';
import { shiftOf } from '../../domain/shift-clock.js';
import { writeAudit } from '../../store/audit-repository.js';
import { PRESENCE_WINDOW_S, presenceConfirmation, presenceWindow } from '../../domain/presence-confirmation.js';
import { presenceRecords, presenceSignals, recordPresence } from '../../store/presence-repository.js';
import { devicesOfHousehold } from '../../store/devices-repository.js';
import { publishDownlink, publishLive } from '../../store/live-publisher.js';
import { logDeviceDownlink } from '../../store/notifications-repository.js';
import { findResponder } from '../../store/responders-repository.js';
import { timeToAccept, timeToOnSite } from '../api-metrics.js';
import { ApiError, notFound } from '../api-error.js';
import type { AuthUser } from '../route-access.js';
import type { AccessService } from './access-service.js';
import type { Actor } from './actor.js';

export type ResponderActionType = 'accept' | 'arrive' | 'resolve' | 'cancel' | 'escalate' | 'note' | 'decline' | 'hand_back';

export interface ActionBody {
  responderId?: string;
  outcome?: Outcome;
  note?: string;
  reason?: string;
  text?: string;
}

/**
 * Devices that can tell the resident "help is coming" (speaker or LED): the alarm buttons, the
 * fall radar and zigbee hubs (which relay to their children). Sensors without a speaker (PIR,
 * door contact, meters…) are not sent the ack, and zigbee children never hold an MQTT session.
 */
export const ACK_DEVICE_KINDS: ReadonlySet<DeviceKind> = new Set(['sos_button', 'pull_cord', 'fall_radar', 'z2m_hub']);

export const ACK_TEXT: Record<AlertAckState, string> = {
  accepted: '已有人接单，请稍候',
  on_site: '工作人员已到达',
  resolved: '已处理',
};

/**
 * The dispatcher's page round of an escalation level (dispatcher/notification-rounds.ts
 * `pageRound`; the API may not import the dispatcher, test/unit/escalation-page-round.test.ts
 * keeps the two equal).
 */
export const pageRoundOf = (level: number) => `level:${level}`;

const ACTION_TYPES: readonly ResponderActionType[] = ['accept', 'arrive', 'resolve', 'cancel', 'escalate', 'note', 'decline', 'hand_back'];

/** Payload and state refusals of the state machine: the request was wrong (400) or the alert moved on (409). */
const BAD_INPUT = new Set(['outcome_required', 'invalid_outcome', 'note_required', 'reason_required', 'text_required']);

/**
 * Actions on an alert (DESIGN §3, §4): accept, arrive, resolve, cancel, escalate, note. Each goes
 * through applyAlertAction (row lock = the compare-and-set of "first accept wins"); after the
 * commit the live events are published, the household's devices hear the ack, the SLA
 * histograms are observed and the audit log gets a row.
 *
 * Access, in order: the alert's home must be in the caller's scope (else 404, as if it did not
 * exist); then domain/alert-action-rights.ts says whose hand may press which button — only the
 * holder, a backup sent to the alert, or the dispatch room on their behalf may record an arrival.
 * A responder user acts as their linked responder (users.responder_id); the dispatch room acts
 * as itself, or with `responderId` on that responder's behalf (e.g. after a phone call). The
 * alert_events actor is always the signed-in user (`user:<username>`), so the timeline shows who
 * pressed the button; `data.by` shows for whom.
 */
export class AlertActionsService {
  constructor(
    private readonly pool: pg.Pool,
    private readonly access: AccessService,
    private readonly clock: Clock,
    private readonly redis?: Redis,
    /**
     * A manual escalation answers once the dispatcher has paged the new level (its change
     * watcher does so at once), or after this long: the operator sees who was paged in the
     * answer, not 15-30 s later (issue 20 item 3).
     */
    private readonly escalationPageWaitMs = 3000,
    /** The shift clock and the night allowance, for the holder's expected arrival (issue 15). */
    private readonly dispatch: { tz: string; dayShift: string; nightReadyS: number } | null = null,
  ) {}

  async act(actor: Actor, alertId: string, type: ResponderActionType, body: ActionBody): Promise<{ noop: boolean }> {
    const alert = await findAlert(this.pool, alertId);
    if (!alert) throw notFound(`no alert ${alertId}`);
    const place = await this.access.household(actor, alert.householdId, `no alert ${alertId}`);
    this.access.mayWrite(actor);
    const verdict = await this.verdict(actor, alert, type, body.responderId, placeInScope(actor.scope, place));
    if (!verdict.ok) throw new ApiError(403, verdict.code, verdict.message, { holder: alert.acceptedByName ?? alert.acceptedBy });
    const by = verdict.by ?? `user:${actor.username}`;
    const forResponder = verdict.by;
    if (type === 'decline') return this.decline(actor, alert, by, body.reason);
    // Nobody is at two doors at once (issue 15 item 5): on site at one live alert, a responder
    // resolves or hands over that one before accepting or arriving at another.
    // Only people go to doors: the dispatch room acting as itself (`user:<name>`) is not one.
    if ((type === 'accept' || type === 'arrive') && forResponder && !forResponder.startsWith('user:')) {
      const other = await onSiteElsewhere(this.pool, forResponder, alertId);
      if (other) {
        throw new ApiError(409, 'on_site_elsewhere',
          `${forResponder} is on site at another home (alert ${other.id}); resolve or hand over that alert first, or ask the dispatch room to send someone else.`,
          { alertId: other.id, householdId: other.householdId });
      }
    }

    const action = toAction(type, by, body);
    const now = this.clock.now();
    let result;
    try {
      // A manual escalation starts the new level now: its ack timer runs from here, and the
      // dispatcher pages it at once (not an ack timeout that already ran out at the old level).
      // An accept records when the holder should be at the door (the backup timer runs from it).
      const extra = type === 'escalate' ? { levelStartedAt: now }
        : type === 'accept' && forResponder ? { expectedArrivalAt: await this.expectedArrival(forResponder, alert.householdId, now) }
          : {};
      result = await applyAlertAction(this.pool, alertId, action, `user:${actor.username}`, now, extra);
    } catch (err) {
      if (err instanceof AlertActionRefusedError) throw await this.refusal(err, alertId);
      throw err;
    }
    if (type === 'hand_back' && !result.noop) {
      await insertDispatchRows(this.pool, [{ alertId, responderId: by, kind: 'hand_back', reason: body.reason ?? null, actor: `user:${actor.username}`, at: now }]);
    }
    if (actor.role === 'responder' && forResponder) await markNotificationsSeen(this.pool, alertId, forResponder, this.clock.now());
    if (result.noop) return { noop: true };

    // Before the live event, so a screen that reloads the alert on it sees the presence row.
    await this.recordPresence(result.alert, type, `user:${actor.username}`);
    publishLive(this.redis, result.live);
    await this.ackDevices(result.alert, type);
    observeSla(result.alert, type, by);
    await writeAudit(this.pool, {
      username: actor.username, role: actor.role, action: `alert.${type}`, target: alertId, ip: actor.ip,
      data: { by, onBehalf: actor.role !== 'responder' && forResponder !== null, state: result.alert.state, ...auditFields(body) },
    }, this.clock.now());
    if (type === 'escalate') await this.waitForPage(alertId, result.alert.level);
    return { noop: false };
  }

  /**
   * What `user` may do on this alert by their rights (domain/alert-action-rights.ts), for the
   * buttons a screen shows: a responder sees accept only where they may accept, and nothing but
   * "已被 X 接单" on an alert somebody else holds. The caller must already reach the alert.
   */
  async rightsOf(user: AuthUser, alertId: string): Promise<ResponderActionType[]> {
    if (!user.scope.canWrite) return [];
    const alert = await findAlert(this.pool, alertId);
    if (!alert) return [];
    if (user.role !== 'responder') return [...ACTION_TYPES];
    if (!user.responderId) return [];
    const place = await this.access.household(user, alert.householdId, `no alert ${alertId}`);
    const [backups, paged] = await Promise.all([backupsOf(this.pool, alertId), wasNotified(this.pool, alertId, user.responderId)]);
    const facts = {
      via: 'self' as const, forResponder: user.responderId, holder: alert.acceptedBy, holderName: alert.acceptedByName,
      backups, paged, ownPlace: placeInScope(user.scope, place),
    };
    return ACTION_TYPES.filter((type) => actionVerdict({ type, ...facts }).ok);
  }

  /**
   * A paged responder says no, with a reason (issue 15 item 4): a dispatch row and a timeline
   * row; the dispatcher sees the live event and pages the next person at once.
   */
  private async decline(actor: Actor, alert: AlertRecord, by: string, reason: string | undefined): Promise<{ noop: boolean }> {
    const text = reason?.trim();
    if (!text) throw new ApiError(400, 'reason_required', 'Say why you cannot go (one tap on the phone picks a reason), so the dispatch room knows.');
    if (alert.state === 'resolved' || alert.state === 'cancelled') throw new ApiError(409, 'terminal', `This alert is already ${alert.state}; nothing to decline.`);
    const now = this.clock.now();
    await insertDispatchRows(this.pool, [{ alertId: alert.id, responderId: by, kind: 'decline', reason: text, actor: `user:${actor.username}`, at: now }]);
    const marked = await markAlert(this.pool, alert.id, {}, { actor: `user:${actor.username}`, type: 'declined', data: { by, reason: text } }, now);
    if (marked) publishLive(this.redis, marked.live);
    if (actor.role === 'responder') await markNotificationsSeen(this.pool, alert.id, by, now);
    await writeAudit(this.pool, { username: actor.username, role: actor.role, action: 'alert.decline', target: alert.id, ip: actor.ip, data: { by, reason: text } }, now);
    return { noop: false };
  }

  /**
   * Presence beside the arrive press (issue 15 item 5): at the press, the home's door, button or
   * radar signals of the last PRESENCE_WINDOW_S; a press without one is looked at again at the
   * holder's next action (resolve, note, cancel…) for a signal up to PRESENCE_WINDOW_S after it,
   * recorded once as a second `presence` row.
   */
  private async recordPresence(alert: AlertRecord, type: ResponderActionType, actor: string): Promise<void> {
    const arriveAt = alert.onSiteAt;
    if (!arriveAt) return;
    const now = this.clock.now();
    if (type === 'arrive') {
      if (arriveAt.getTime() !== now.getTime()) return; // an earlier arrive stands; this one was a repeat
      const w = presenceWindow(arriveAt);
      const signals = await presenceSignals(this.pool, alert.householdId, w.from, now);
      await recordPresence(this.pool, alert.id, actor, now, { arriveAt, windowS: PRESENCE_WINDOW_S, confirmation: presenceConfirmation(arriveAt, signals) });
      return;
    }
    const records = await presenceRecords(this.pool, alert.id);
    if (records.length !== 1 || records[0]!.confirmed) return;
    const w = presenceWindow(arriveAt);
    const to = new Date(Math.min(w.to.getTime(), now.getTime()));
    const confirmation = presenceConfirmation(arriveAt, await presenceSignals(this.pool, alert.householdId, arriveAt, to));
    if (confirmation) await recordPresence(this.pool, alert.id, 'system', now, { arriveAt, windowS: PRESENCE_WINDOW_S, confirmation });
  }

  /** Accept + travel from the responder's base or live position (null when a position is unknown). */
  private async expectedArrival(responderId: string, householdId: string, at: Date): Promise<Date | null> {
    const t = await travelFacts(this.pool, responderId, householdId);
    if (!t) return null;
    const travel = travelSeconds(t.from, t.home, t.mode);
    const night = this.dispatch ? shiftOf(at, this.dispatch.tz, this.dispatch.dayShift).shift === 'night' : false;
    return expectedArrival(at, travel === null ? null : travel + readySeconds(t.role, night, this.dispatch?.nightReadyS ?? 0));
  }

  /** Until the dispatcher's page round of `level` has rows, or escalationPageWaitMs passed. */
  private async waitForPage(alertId: string, level: number): Promise<void> {
    const until = this.clock.nowMs() + this.escalationPageWaitMs;
    for (;;) {
      const r = await this.pool.query(`SELECT 1 FROM notifications WHERE alert_id = $1 AND round = $2 LIMIT 1`, [alertId, pageRoundOf(level)]);
      if ((r.rowCount ?? 0) > 0 || this.clock.nowMs() >= until) return;
      await this.clock.sleep(100);
    }
  }

  /** Loads the facts domain/alert-action-rights.ts decides on. */
  private async verdict(actor: Actor, alert: AlertRecord, type: ResponderActionType, requested: string | undefined, ownPlace: boolean): Promise<ActionVerdict> {
    const backups = await backupsOf(this.pool, alert.id);
    if (actor.role === 'responder') {
      if (!actor.responderId) throw new ApiError(403, 'not_a_responder', 'your account is not linked to a responder; ask an admin to link it');
      if (requested !== undefined && requested !== actor.responderId) {
        throw new ApiError(403, 'forbidden', 'responders act for themselves only; leave out responderId');
      }
      const paged = await wasNotified(this.pool, alert.id, actor.responderId);
      return actionVerdict({ type, via: 'self', forResponder: actor.responderId, holder: alert.acceptedBy, holderName: alert.acceptedByName, backups, paged, ownPlace });
    }
    if (requested !== undefined) {
      const responder = await findResponder(this.pool, requested);
      if (!responder) throw new ApiError(400, 'unknown_responder', `body.responderId: no responder "${requested}"`, { responderId: requested });
      if (!responder.active) throw new ApiError(400, 'inactive_responder', `body.responderId: ${responder.name} (${requested}) is no longer active`, { name: responder.name });
    }
    return actionVerdict({ type, via: 'dispatch', forResponder: requested ?? null, holder: alert.acceptedBy, holderName: alert.acceptedByName, backups, paged: false, ownPlace: false });
  }

  private async refusal(err: AlertActionRefusedError, alertId: string): Promise<ApiError> {
    if (err.code === 'not_found') return notFound(`no alert ${alertId}`);
    if (err.code === 'already_accepted') {
      const now = await findAlert(this.pool, alertId);
      const name = now?.acceptedByName ?? now?.acceptedBy ?? 'someone else';
      return new ApiError(409, 'already_accepted', `already taken by ${name}`, { holder: name });
    }
    return new ApiError(BAD_INPUT.has(err.code) ? 400 : 409, err.code, err.message);
  }

  /** "Help is coming" on the home's speaker/LED devices, through whichever gateway holds them. */
  private async ackDevices(alert: AlertRecord, type: ResponderActionType): Promise<void> {
    const state: AlertAckState | null = type === 'accept' ? 'accepted' : type === 'arrive' ? 'on_site' : type === 'resolve' ? 'resolved' : null;
    if (!state) return;
    const devices = await devicesOfHousehold(this.pool, alert.householdId);
    const deviceIds = devices.filter((d) => !d.revokedAt && !d.parentId && ACK_DEVICE_KINDS.has(d.kind)).map((d) => d.id);
    const published = await publishDownlink(this.redis, { deviceIds, command: { type: 'alert_ack', alertId: alert.id, state, text: ACK_TEXT[state] } });
    await logDeviceDownlink(this.pool, {
      alertId: alert.id, state, deviceIds, at: this.clock.now(),
      ...(published === 'sent' ? { status: 'sent' } : published === 'failed'
        ? { status: 'failed', error: 'Redis refused the publish: the gateways were not told' }
        : { status: 'skipped', error: 'no Redis: the gateways cannot be reached' }),
    });
  }
}

function toAction(type: ResponderActionType, by: string, body: ActionBody): AlertAction {
  switch (type) {
    case 'accept': return { type, by };
    case 'arrive': return { type, by };
    case 'resolve': return { type, by, outcome: body.outcome, note: body.note ?? null };
    case 'cancel': return { type, by, reason: body.reason };
    case 'escalate': return { type, by, ...(body.reason !== undefined ? { reason: body.reason } : {}) };
    case 'note': return { type, by, text: body.text };
    case 'hand_back': return { type, by, reason: body.reason };
    case 'decline': throw new Error('decline is not a state change');
  }
}

function auditFields(body: ActionBody): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of ['outcome', 'note', 'reason', 'text'] as const) if (body[k] !== undefined) out[k] = body[k];
  return out;
}

/** Observed once, by the action that recorded the instant (a double tap is a no-op and not here). */
function observeSla(alert: AlertRecord, type: ResponderActionType, by: string): void {
  if (!slaApplies(alert.kind as AlertKind)) return;
  const labels = { severity: alert.severity };
  const accept = msToAccept(alert);
  const onSite = msToOnSite(alert);
  if (type === 'accept' && accept !== null) timeToAccept.observe(labels, Math.max(0, accept) / 1000);
  if (type === 'arrive' && onSite !== null) {
    timeToOnSite.observe(labels, Math.max(0, onSite) / 1000);
    // Arriving without accepting first accepts implicitly, at the same instant.
    const implicit = alert.acceptedBy === by && alert.acceptedAt?.getTime() === alert.onSiteAt?.getTime();
    if (implicit && accept !== null) timeToAccept.observe(labels, Math.max(0, accept) / 1000);
  }
}
