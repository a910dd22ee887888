import { describe, expect, it } from 'vitest';
import { ALERT_STATES, OUTCOMES, type AlertState } from '../../domain/alert-kinds.js';
import {
  ALERT_ACTIONS, allowedActions, isLive, isOutcome, transition,
  type AlertAction, type AlertActionType, type AlertSnapshot, type TransitionResult,
} from '../../domain/alert-state-machine.js';

const AT = new Date('2026-03-02T02:00:00Z');

/** An alert in `state`, accepted by "u1" (Wang Fang) once it has been accepted. */
function alertIn(state: AlertState, level = 1): AlertSnapshot {
  const accepted = state === 'accepted' || state === 'on_site' || state === 'resolved';
  return { state, level, acceptedBy: accepted ? 'u1' : null, acceptedByName: accepted ? 'Wang Fang' : null };
}

/** A valid payload for each action, from someone other than the holder. */
const ACTION: Record<AlertActionType, AlertAction> = {
  notify: { type: 'notify' },
  accept: { type: 'accept', by: 'u2' },
  arrive: { type: 'arrive', by: 'u2' },
  resolve: { type: 'resolve', by: 'u2', outcome: 'assisted', note: 'helped her up' },
  cancel: { type: 'cancel', by: 'op', reason: 'test press by installer' },
  escalate: { type: 'escalate' },
  note: { type: 'note', by: 'op', text: 'called the daughter' },
  hand_back: { type: 'hand_back', by: 'u1', reason: 'my own mother fell ill' },
};

/** The spec: '→state' = allowed to that state, '=' = allowed no-op, otherwise the refusal code. */
const EXPECTED: Record<AlertState, Record<AlertActionType, string>> = {
  open: { notify: '→notified', accept: '→accepted', arrive: '→on_site', resolve: 'invalid_transition', cancel: '→cancelled', escalate: '→open', note: '→open', hand_back: 'invalid_transition' },
  notified: { notify: '→notified', accept: '→accepted', arrive: '→on_site', resolve: 'invalid_transition', cancel: '→cancelled', escalate: '→notified', note: '→notified', hand_back: 'invalid_transition' },
  accepted: { notify: 'invalid_transition', accept: 'already_accepted', arrive: '→on_site', resolve: 'arrival_required', cancel: '→cancelled', escalate: '→accepted', note: '→accepted', hand_back: '→notified' },
  on_site: { notify: 'invalid_transition', accept: 'already_accepted', arrive: '=', resolve: '→resolved', cancel: '→cancelled', escalate: 'invalid_transition', note: '→on_site', hand_back: 'invalid_transition' },
  resolved: { notify: 'terminal', accept: 'terminal', arrive: 'terminal', resolve: 'terminal', cancel: 'terminal', escalate: 'terminal', note: '→resolved', hand_back: 'terminal' },
  cancelled: { notify: 'terminal', accept: 'terminal', arrive: 'terminal', resolve: 'terminal', cancel: 'terminal', escalate: 'terminal', note: '→cancelled', hand_back: 'terminal' },
};

const summary = (r: TransitionResult) => (r.ok ? (r.noop ? '=' : `→${r.to}`) : r.code);

describe('every state × action', () => {
  const table = ALERT_STATES.flatMap((state) => ALERT_ACTIONS.map((action) => [state, action] as const));

  it('covers all 6 states × 8 actions', () => {
    expect(table).toHaveLength(48);
    for (const [state, action] of table) expect(EXPECTED[state][action], `${state} × ${action}`).toBeDefined();
  });

  it.each(table)('%s × %s', (state, action) => {
    const result = transition(alertIn(state), ACTION[action], AT);
    expect(summary(result)).toBe(EXPECTED[state][action]);
    if (!result.ok) expect(result.message.length).toBeGreaterThan(10);
    if (result.ok && !result.noop) expect(result.event).toMatchObject({ from: state, to: result.to });
  });

  it('allowedActions agrees with the table for the state rule', () => {
    expect(allowedActions('open')).toEqual(['notify', 'accept', 'arrive', 'cancel', 'escalate', 'note']);
    expect(allowedActions('on_site')).toEqual(['resolve', 'cancel', 'note']);
    expect(allowedActions('resolved')).toEqual(['note']);
  });

  it('a hand-back needs a reason and returns the alert to waiting with nobody holding it', () => {
    expect(transition(alertIn('accepted'), { type: 'hand_back', by: 'u1', reason: ' ' }, AT)).toMatchObject({ ok: false, code: 'reason_required' });
    expect(transition(alertIn('accepted'), ACTION.hand_back, AT)).toMatchObject({
      ok: true, to: 'notified', changes: { state: 'notified', acceptedBy: null, acceptedAt: null }, event: { type: 'handed_back' },
    });
  });

  it('the first to arrive is recorded as on site', () => {
    expect(transition(alertIn('accepted'), { type: 'arrive', by: 'backup-1' }, AT)).toMatchObject({ ok: true, changes: { onSiteBy: 'backup-1' } });
    expect(allowedActions('accepted')).toEqual(['arrive', 'resolve', 'cancel', 'escalate', 'note', 'hand_back']);
  });
});

describe('isLive / isOutcome', () => {
  it.each(ALERT_STATES.map((s) => [s, s !== 'resolved' && s !== 'cancelled'] as const))('isLive(%s) = %s', (s, live) => {
    expect(isLive(s)).toBe(live);
  });
  it('knows the outcomes', () => {
    for (const o of OUTCOMES) expect(isOutcome(o)).toBe(true);
    expect(isOutcome('fixed')).toBe(false);
    expect(isOutcome(undefined)).toBe(false);
  });
});

describe('notify', () => {
  it('first notification records notifiedAt; a re-notification only adds a timeline event', () => {
    expect(transition(alertIn('open', 0), { type: 'notify' }, AT)).toEqual({
      ok: true, from: 'open', to: 'notified', noop: false,
      changes: { state: 'notified', notifiedAt: AT },
      event: { type: 'state', from: 'open', to: 'notified', data: { level: 0 } },
    });
    const again = transition(alertIn('notified', 3), { type: 'notify' }, AT);
    expect(again).toMatchObject({ ok: true, changes: {}, event: { type: 'notified', data: { level: 3 } } });
  });
});

describe('accept: first accept wins', () => {
  it('sets acceptedAt/acceptedBy', () => {
    expect(transition(alertIn('notified'), { type: 'accept', by: 'u2' }, AT)).toMatchObject({
      ok: true, to: 'accepted', changes: { state: 'accepted', acceptedAt: AT, acceptedBy: 'u2' },
    });
  });
  it('a second person is told who has it', () => {
    expect(transition(alertIn('accepted'), { type: 'accept', by: 'u2' }, AT)).toEqual({
      ok: false, code: 'already_accepted', message: 'Already taken by Wang Fang.',
    });
    const noName: AlertSnapshot = { state: 'on_site', level: 0, acceptedBy: 'resp-7' };
    expect(transition(noName, { type: 'accept', by: 'u2' }, AT)).toMatchObject({ message: 'Already taken by resp-7.' });
  });
  it('the holder pressing accept again is a no-op success', () => {
    expect(transition(alertIn('accepted'), { type: 'accept', by: 'u1' }, AT)).toEqual({
      ok: true, from: 'accepted', to: 'accepted', noop: true, changes: {},
    });
  });
});

describe('arrive', () => {
  it('from accepted records onSiteAt and keeps the holder', () => {
    expect(transition(alertIn('accepted'), { type: 'arrive', by: 'u2' }, AT)).toMatchObject({
      ok: true, to: 'on_site', changes: { state: 'on_site', onSiteAt: AT },
    });
    const r = transition(alertIn('accepted'), { type: 'arrive', by: 'u2' }, AT);
    expect(r.ok && r.changes.acceptedBy).toBeUndefined();
  });
  it('from open/notified implicitly accepts for the person at the door', () => {
    expect(transition(alertIn('notified'), { type: 'arrive', by: 'u3' }, AT)).toMatchObject({
      ok: true, to: 'on_site', changes: { state: 'on_site', acceptedAt: AT, acceptedBy: 'u3', onSiteAt: AT },
      event: { data: { implicitAccept: true } },
    });
  });
});

describe('resolve', () => {
  const resolve = (state: AlertState, outcome: unknown, note?: string | null) =>
    transition(alertIn(state), { type: 'resolve', by: 'u1', outcome: outcome as string, note }, AT);

  it.each(OUTCOMES.map((o) => [o]))('on site, outcome %s is accepted', (outcome) => {
    expect(resolve('on_site', outcome, 'x')).toMatchObject({
      ok: true, to: 'resolved', changes: { state: 'resolved', closedAt: AT, outcome, resolutionNote: 'x' },
    });
  });

  it('requires a known outcome', () => {
    expect(resolve('on_site', undefined)).toMatchObject({ ok: false, code: 'outcome_required' });
    expect(resolve('on_site', '')).toMatchObject({ ok: false, code: 'outcome_required' });
    expect(resolve('on_site', 'fixed')).toMatchObject({ ok: false, code: 'invalid_outcome' });
  });

  it('a note is optional on site except for "other"', () => {
    expect(resolve('on_site', 'assisted')).toMatchObject({ ok: true, changes: { resolutionNote: null } });
    expect(resolve('on_site', 'other', '  ')).toMatchObject({ ok: false, code: 'note_required' });
  });

  const withoutVisit: Array<[string, string]> = [
    ['false_alarm', '→resolved'], ['hospital', '→resolved'], ['other', '→resolved'],
    ['assisted', 'arrival_required'], ['no_answer', 'arrival_required'],
  ];
  it.each(withoutVisit)('from accepted (nobody at the door), outcome %s → %s', (outcome, expected) => {
    expect(summary(resolve('accepted', outcome, 'resident answered the phone, pressed by mistake'))).toBe(expected);
  });

  it('closing without a visit needs a note', () => {
    expect(resolve('accepted', 'false_alarm')).toMatchObject({ ok: false, code: 'note_required' });
    expect(resolve('accepted', 'false_alarm', 'she called back')).toMatchObject({ ok: true, event: { data: { visited: false } } });
  });
});

describe('cancel', () => {
  it('needs a reason, trimmed', () => {
    expect(transition(alertIn('open'), { type: 'cancel', by: 'op', reason: ' ' }, AT)).toMatchObject({ ok: false, code: 'reason_required' });
    expect(transition(alertIn('open'), { type: 'cancel', by: 'op', reason: null }, AT)).toMatchObject({ ok: false, code: 'reason_required' });
    expect(transition(alertIn('on_site'), { type: 'cancel', by: 'op', reason: ' duplicate ' }, AT)).toMatchObject({
      ok: true, to: 'cancelled', changes: { state: 'cancelled', closedAt: AT, cancelReason: 'duplicate' },
    });
  });
  it('a terminal alert says so', () => {
    expect(transition(alertIn('resolved'), ACTION.cancel, AT)).toEqual({
      ok: false, code: 'terminal', message: 'This alert is already resolved; only notes can be added.',
    });
  });
});

describe('escalate', () => {
  it('raises the level by one without changing the state', () => {
    expect(transition(alertIn('notified', 1), { type: 'escalate', by: 'system', reason: 'ack_timeout' }, AT)).toEqual({
      ok: true, from: 'notified', to: 'notified', noop: false, changes: { level: 2 },
      event: { type: 'escalated', from: 'notified', to: 'notified', data: { fromLevel: 1, toLevel: 2, by: 'system', reason: 'ack_timeout' } },
    });
  });
  it('a stale timer (the alert already moved to another level) is refused', () => {
    expect(transition(alertIn('notified', 2), { type: 'escalate', expectLevel: 1 }, AT)).toMatchObject({ ok: false, code: 'stale' });
    expect(transition(alertIn('notified', 2), { type: 'escalate', expectLevel: 2 }, AT)).toMatchObject({ ok: true, changes: { level: 3 } });
  });
  it('is refused once someone is on site', () => {
    expect(transition(alertIn('on_site'), ACTION.escalate, AT)).toMatchObject({
      ok: false, code: 'invalid_transition', message: expect.stringContaining('Wang Fang is already on site'),
    });
  });
});

describe('note', () => {
  it('is allowed in every state, terminal ones included, and needs text', () => {
    for (const s of ALERT_STATES) {
      expect(transition(alertIn(s), { type: 'note', by: 'op', text: ' called ' }, AT)).toMatchObject({
        ok: true, to: s, changes: {}, event: { type: 'note', data: { by: 'op', text: 'called' } },
      });
    }
    expect(transition(alertIn('open'), { type: 'note', by: 'op', text: '' }, AT)).toMatchObject({ ok: false, code: 'text_required' });
  });
});
