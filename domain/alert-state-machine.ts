import { ALERT_STATES, OUTCOMES, TERMINAL_STATES, type AlertState, type Outcome } from './alert-kinds.js';

/**
 * The alert lifecycle of DESIGN §3: open → notified → accepted → on_site → resolved(outcome,
 * note); any non-terminal → cancelled(reason). Pure: the caller passes the alert as read in the
 * transaction and the time; it gets back the column changes and the alert_events row to append,
 * or a refusal an operator can read. The caller still applies the change with a compare-and-set
 * on the state it read (DESIGN §4 "First accept wins (atomic compare-and-set)").
 *
 * Decisions where the design is silent:
 * - notify: open → notified; notified → notified again is a re-notification (escalation or the
 *   "re-notify everyone" rounds), recorded but no state change. Once someone accepted there is
 *   nobody left to summon: refused.
 * - accept: from open or notified. The first accept wins; a later one is refused with
 *   'already_accepted' naming who has it. The same person pressing accept again (a double tap on
 *   a phone) is a no-op success.
 * - arrive: from accepted, and also from open/notified — a responder who walked in without
 *   pressing accept (or an operator recording a phone call from the door) must not be blocked;
 *   that arrival implicitly accepts for them. Arriving again once on site is a no-op success.
 *   Anyone may record arrival (a colleague may get there first); acceptedBy is kept.
 * - resolve: from on_site with any outcome. From accepted (nobody at the door) only outcomes
 *   that do not claim or skip a visit: false_alarm (confirmed with the resident), hospital (taken
 *   by family or ambulance) and other, each with a note, because the 15-minute promise is
 *   "someone at the door" (DESIGN §0): 'assisted' and 'no_answer' need an arrival first.
 *   From open/notified resolve is refused: nobody took it; cancel it with a reason instead.
 *   'other' always needs a note.
 * - cancel: any non-terminal state, with a non-empty reason.
 * - escalate: open, notified or accepted (an operator may call in the next tier when the accepted
 *   responder is not moving); never on_site (someone is there) or terminal. Level + 1. A timer
 *   passes `expectLevel` so a stale ack timer is refused with 'stale' instead of escalating twice.
 * - note: every state, terminal ones included (the file stays annotatable).
 */

export type AlertActionType = 'notify' | 'accept' | 'arrive' | 'resolve' | 'cancel' | 'escalate' | 'note' | 'hand_back';
export const ALERT_ACTIONS: readonly AlertActionType[] = ['notify', 'accept', 'arrive', 'resolve', 'cancel', 'escalate', 'note', 'hand_back'];

export type AlertAction =
  | { type: 'notify'; by?: string }
  | { type: 'accept'; by: string; byName?: string }
  | { type: 'arrive'; by: string; byName?: string }
  | { type: 'resolve'; by: string; outcome: Outcome | string | null | undefined; note?: string | null }
  | { type: 'cancel'; by: string; reason: string | null | undefined }
  | { type: 'escalate'; by?: string; reason?: string; expectLevel?: number }
  | { type: 'note'; by: string; text: string | null | undefined }
  /** The holder cannot go after all ("can't go", issue 15): back to waiting, re-dispatched at once. */
  | { type: 'hand_back'; by: string; reason: string | null | undefined };

/** What the state machine needs to know about an alert. */
export interface AlertSnapshot {
  state: AlertState;
  level: number;
  acceptedBy?: string | null;
  /** Display name of acceptedBy, for "taken by Wang Fang"; falls back to the id. */
  acceptedByName?: string | null;
}

/** Column changes (camelCase of the alerts columns); only what changes is present. */
export interface AlertChanges {
  state?: AlertState;
  level?: number;
  notifiedAt?: Date;
  acceptedAt?: Date | null;
  acceptedBy?: string | null;
  onSiteAt?: Date;
  /** Who pressed 到达 first: the holder or a backup (issue 15: "the first to arrive sets on_site"). */
  onSiteBy?: string;
  /** Cleared on a hand-back (the next holder gets their own). */
  expectedArrivalAt?: Date | null;
  closedAt?: Date;
  outcome?: Outcome;
  resolutionNote?: string | null;
  cancelReason?: string;
}

/** The alert_events row to append (who and when are the caller's actor and `at`). */
export interface TimelineEvent {
  type: 'state' | 'notified' | 'escalated' | 'note' | 'handed_back';
  from: AlertState;
  to: AlertState;
  data: Record<string, unknown>;
}

export type TransitionErrorCode =
  | 'terminal'
  | 'invalid_transition'
  | 'already_accepted'
  | 'arrival_required'
  | 'outcome_required'
  | 'invalid_outcome'
  | 'note_required'
  | 'reason_required'
  | 'text_required'
  | 'stale';

export type TransitionResult =
  | {
    ok: true;
    from: AlertState;
    to: AlertState;
    /** Nothing to write: the same person repeated an action that already took effect. */
    noop: boolean;
    changes: AlertChanges;
    /** Absent for a no-op. */
    event?: TimelineEvent;
  }
  | { ok: false; code: TransitionErrorCode; message: string };

/** Which states each action is allowed from (payload checks aside). */
export const ALLOWED_FROM: Record<AlertActionType, ReadonlySet<AlertState>> = {
  notify: new Set(['open', 'notified']),
  accept: new Set(['open', 'notified']),
  arrive: new Set(['open', 'notified', 'accepted']),
  resolve: new Set(['accepted', 'on_site']),
  cancel: new Set(['open', 'notified', 'accepted', 'on_site']),
  escalate: new Set(['open', 'notified', 'accepted']),
  note: new Set(ALERT_STATES),
  hand_back: new Set(['accepted']),
};

/** Outcomes that may close an alert nobody reached (see "resolve" above). */
export const OUTCOMES_WITHOUT_VISIT: ReadonlySet<Outcome> = new Set(['false_alarm', 'hospital', 'other']);

const OUTCOME_SET: ReadonlySet<string> = new Set(OUTCOMES);

export function isLive(state: AlertState): boolean {
  return !TERMINAL_STATES.has(state);
}

export function isOutcome(value: unknown): value is Outcome {
  return typeof value === 'string' && OUTCOME_SET.has(value);
}

/** The actions whose state rule allows them now (for buttons; payload checks still apply). */
export function allowedActions(state: AlertState): AlertActionType[] {
  return ALERT_ACTIONS.filter((a) => ALLOWED_FROM[a].has(state));
}

const STATE_LABEL: Record<AlertState, string> = {
  open: 'open', notified: 'waiting for someone to accept', accepted: 'accepted',
  on_site: 'someone on site', resolved: 'resolved', cancelled: 'cancelled',
};

const refuse = (code: TransitionErrorCode, message: string): TransitionResult => ({ ok: false, code, message });

function holder(alert: AlertSnapshot): string {
  return alert.acceptedByName || alert.acceptedBy || 'someone else';
}

function blank(text: string | null | undefined): boolean {
  return typeof text !== 'string' || text.trim() === '';
}

function invalid(alert: AlertSnapshot, action: AlertActionType): TransitionResult {
  const why: Partial<Record<AlertActionType, string>> = {
    notify: `Already ${alert.state === 'on_site' ? 'on site' : 'accepted'} by ${holder(alert)}; nobody more needs to be summoned.`,
    resolve: 'Nobody has accepted this alert yet; accept it first, or cancel it with a reason.',
    escalate: `${holder(alert)} is already on site; escalation is not needed. Add a note or call the supervisor.`,
  };
  return refuse('invalid_transition', why[action] ?? `Cannot ${action} an alert that is ${STATE_LABEL[alert.state]}.`);
}

/**
 * Applies `action` to `alert` at time `at`. Checks, in order: terminal state, the state rule,
 * then the payload; so the message names the most basic reason first.
 */
export function transition(alert: AlertSnapshot, action: AlertAction, at: Date): TransitionResult {
  const from = alert.state;
  if (action.type !== 'note' && TERMINAL_STATES.has(from)) {
    return refuse('terminal', `This alert is already ${from}; only notes can be added.`);
  }
  const ok = (to: AlertState, changes: AlertChanges, event: Omit<TimelineEvent, 'from' | 'to'>): TransitionResult =>
    ({ ok: true, from, to, noop: false, changes, event: { ...event, from, to } });
  const noop = (): TransitionResult => ({ ok: true, from, to: from, noop: true, changes: {} });

  switch (action.type) {
    case 'notify': {
      if (!ALLOWED_FROM.notify.has(from)) return invalid(alert, 'notify');
      if (from === 'open') return ok('notified', { state: 'notified', notifiedAt: at }, { type: 'state', data: { level: alert.level } });
      return ok('notified', {}, { type: 'notified', data: { level: alert.level } });
    }

    case 'accept': {
      if (from === 'accepted' || from === 'on_site') {
        if (alert.acceptedBy && alert.acceptedBy === action.by) return noop();
        return refuse('already_accepted', `Already taken by ${holder(alert)}.`);
      }
      return ok('accepted', { state: 'accepted', acceptedAt: at, acceptedBy: action.by },
        { type: 'state', data: { by: action.by, level: alert.level } });
    }

    case 'arrive': {
      if (from === 'on_site') return noop();
      if (from === 'accepted') {
        return ok('on_site', { state: 'on_site', onSiteAt: at, onSiteBy: action.by }, { type: 'state', data: { by: action.by } });
      }
      // open / notified: arriving implicitly accepts for the person at the door.
      return ok('on_site', { state: 'on_site', acceptedAt: at, acceptedBy: action.by, onSiteAt: at, onSiteBy: action.by },
        { type: 'state', data: { by: action.by, implicitAccept: true, level: alert.level } });
    }

    case 'resolve': {
      if (!ALLOWED_FROM.resolve.has(from)) return invalid(alert, 'resolve');
      if (action.outcome === null || action.outcome === undefined || action.outcome === '') {
        return refuse('outcome_required', `Choose an outcome: ${OUTCOMES.join(', ')}.`);
      }
      if (!isOutcome(action.outcome)) {
        return refuse('invalid_outcome', `Unknown outcome "${String(action.outcome)}"; choose one of ${OUTCOMES.join(', ')}.`);
      }
      const note = blank(action.note) ? null : action.note!.trim();
      const outcome = action.outcome;
      if (from === 'accepted' && !OUTCOMES_WITHOUT_VISIT.has(outcome)) {
        return refuse('arrival_required', `Outcome "${outcome}" needs someone at the door: record the arrival first.`);
      }
      if (note === null && (outcome === 'other' || from === 'accepted')) {
        return refuse('note_required', from === 'accepted'
          ? 'Closing an alert nobody visited needs a note saying how it was settled.'
          : 'Outcome "other" needs a note saying what happened.');
      }
      return ok('resolved', { state: 'resolved', closedAt: at, outcome, resolutionNote: note },
        { type: 'state', data: { by: action.by, outcome, note, visited: from === 'on_site' } });
    }

    case 'cancel': {
      if (blank(action.reason)) return refuse('reason_required', 'Say why the alert is cancelled.');
      const reason = action.reason!.trim();
      return ok('cancelled', { state: 'cancelled', closedAt: at, cancelReason: reason },
        { type: 'state', data: { by: action.by, reason } });
    }

    case 'escalate': {
      if (!ALLOWED_FROM.escalate.has(from)) return invalid(alert, 'escalate');
      if (action.expectLevel !== undefined && action.expectLevel !== alert.level) {
        return refuse('stale', `The alert is already at level ${alert.level}, not ${action.expectLevel}; nothing to do.`);
      }
      const data: Record<string, unknown> = { fromLevel: alert.level, toLevel: alert.level + 1 };
      if (action.by !== undefined) data.by = action.by;
      if (action.reason !== undefined) data.reason = action.reason;
      return ok(from, { level: alert.level + 1 }, { type: 'escalated', data });
    }

    case 'hand_back': {
      if (!ALLOWED_FROM.hand_back.has(from)) return invalid(alert, 'hand_back');
      if (blank(action.reason)) return refuse('reason_required', 'Say why you cannot go, so the dispatch room knows.');
      const reason = action.reason!.trim();
      return ok('notified', { state: 'notified', acceptedAt: null, acceptedBy: null, expectedArrivalAt: null },
        { type: 'handed_back', data: { by: action.by, reason, level: alert.level } });
    }

    case 'note': {
      if (blank(action.text)) return refuse('text_required', 'A note needs some text.');
      return ok(from, {}, { type: 'note', data: { by: action.by, text: action.text!.trim() } });
    }
  }
}
