import { describe, expect, test } from 'vitest';
import { actionVerdict, type ActionFacts, type ActionType } from '../../domain/alert-action-rights.js';

/**
 * Whose hand may press which button (issue 20's hole): a row per situation. `by` is whom the
 * action is recorded for (null: the dispatch-room user themselves); a refusal names its code.
 */
const base: ActionFacts = { type: 'accept', via: 'self', forResponder: 'me', holder: null, backups: [], paged: false, ownPlace: false };
const fact = (type: ActionType, f: Partial<ActionFacts>): ActionFacts => ({ ...base, type, ...f });

const CASES: Array<[string, ActionFacts, string | null]> = [
  // accept
  ['paged responder accepts', fact('accept', { paged: true }), 'me'],
  ['grid worker accepts an alert of their grid unpaged', fact('accept', { ownPlace: true }), 'me'],
  ['stranger accepts', fact('accept', {}), 'not_involved'],
  // decline and hand back (issue 15)
  ['paged responder declines', fact('decline', { paged: true }), 'me'],
  ['backup declines', fact('decline', { holder: 'wang', backups: ['me'] }), 'me'],
  ['holder declines (must hand back instead)', fact('decline', { holder: 'me', paged: true }), 'not_holder'],
  ['stranger declines', fact('decline', {}), 'not_involved'],
  ['dispatch declines for nobody named', fact('decline', { via: 'dispatch', forResponder: null }), 'responder_required'],
  ['holder hands back', fact('hand_back', { holder: 'me' }), 'me'],
  ['paged colleague hands back', fact('hand_back', { holder: 'wang', paged: true }), 'not_holder'],
  ['dispatch hands back for the holder', fact('hand_back', { via: 'dispatch', forResponder: null, holder: 'wang' }), 'wang'],
  ['dispatch hands back an unheld alert', fact('hand_back', { via: 'dispatch', forResponder: null }), 'not_holder'],
  // arrive: the hole
  ['holder arrives', fact('arrive', { holder: 'me', paged: true }), 'me'],
  ['paged colleague arrives at an alert someone holds', fact('arrive', { holder: 'wang', holderName: '王芳', paged: true }), 'not_holder'],
  ['grid worker of the place arrives at an alert someone holds', fact('arrive', { holder: 'wang', ownPlace: true }), 'not_holder'],
  ['backup arrives', fact('arrive', { holder: 'wang', backups: ['me'] }), 'me'],
  ['paged responder arrives before anyone accepted (implicit accept)', fact('arrive', { paged: true }), 'me'],
  ['stranger arrives at an unheld alert', fact('arrive', {}), 'not_involved'],
  ['dispatch records arrival for the holder by default', fact('arrive', { via: 'dispatch', forResponder: null, holder: 'wang' }), 'wang'],
  ['dispatch records arrival for a backup', fact('arrive', { via: 'dispatch', forResponder: 'zhao', holder: 'wang', backups: ['zhao'] }), 'zhao'],
  ['dispatch records arrival for a bystander', fact('arrive', { via: 'dispatch', forResponder: 'li', holder: 'wang' }), 'not_holder'],
  ['dispatch records arrival for someone when nobody holds it', fact('arrive', { via: 'dispatch', forResponder: 'li' }), 'li'],
  ['dispatch records arrival naming nobody when nobody holds it', fact('arrive', { via: 'dispatch', forResponder: null }), 'responder_required'],
  // resolve
  ['holder resolves', fact('resolve', { holder: 'me' }), 'me'],
  ['backup resolves', fact('resolve', { holder: 'wang', backups: ['me'] }), 'me'],
  ['paged colleague resolves', fact('resolve', { holder: 'wang', paged: true }), 'not_holder'],
  ['paged responder resolves before accepting', fact('resolve', { paged: true }), 'not_holder'],
  ['dispatch resolves as itself', fact('resolve', { via: 'dispatch', forResponder: null, holder: 'wang' }), null],
  ['dispatch resolves for a bystander', fact('resolve', { via: 'dispatch', forResponder: 'li', holder: 'wang' }), 'not_holder'],
  // cancel
  ['holder cancels', fact('cancel', { holder: 'me' }), 'me'],
  ['backup cancels', fact('cancel', { holder: 'wang', backups: ['me'] }), 'not_holder'],
  ['dispatch cancels', fact('cancel', { via: 'dispatch', forResponder: null, holder: 'wang' }), null],
  // escalate, note
  ['paged responder escalates', fact('escalate', { paged: true }), 'me'],
  ['backup adds a note', fact('note', { holder: 'wang', backups: ['me'] }), 'me'],
  ['stranger adds a note', fact('note', {}), 'not_involved'],
];

describe('actionVerdict', () => {
  test.each(CASES)('%s → %s', (_name, facts, expected) => {
    const v = actionVerdict(facts);
    if (v.ok) expect(v.by).toBe(expected);
    else expect(v.code).toBe(expected);
  });

  test('a refusal names who holds the alert', () => {
    const v = actionVerdict(fact('arrive', { holder: 'wang', holderName: '王芳', paged: true }));
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.message).toContain('王芳');
  });
});
