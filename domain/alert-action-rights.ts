/**
 * Who may take which action on an alert they can see (issue 20's hole, issue 15 item 5). The
 * state machine (alert-state-machine.ts) says what an action does to the alert; this says whose
 * hand may press it. Pure; the API loads the facts.
 *
 * - accept: a responder paged for the alert, or whose own place it is (a grid worker in their
 *   grid); the dispatch room for anyone.
 * - arrive: only the person who holds the alert (accepted it), a backup the dispatch room or the
 *   dispatcher sent, or the dispatch room on one of their behalf. While nobody holds it, arriving
 *   accepts implicitly, so whoever may accept may arrive. Before this rule a paged colleague could
 *   mark somebody else's alert on site and stop its SLA clock while nobody was there.
 * - resolve: the holder or a backup (the person at the door closes the case); the dispatch room,
 *   as itself or on the holder's or a backup's behalf.
 * - cancel: the holder; the dispatch room.
 * - escalate, note: anyone involved (paged, own place, holder, backup); the dispatch room.
 * - decline (issue 15): a responder paged for it or sent as backup, with a reason; the dispatch
 *   room on a named responder's behalf.
 * - hand_back ("can't go", issue 15): the holder; the dispatch room (for the holder).
 */
export type ActionType = 'accept' | 'arrive' | 'resolve' | 'cancel' | 'escalate' | 'note' | 'decline' | 'hand_back';

export interface ActionFacts {
  type: ActionType;
  /** A responder acting as themselves, or the dispatch room (operator, supervisor, admin). */
  via: 'self' | 'dispatch';
  /** The responder the action is for: the responder themselves, or the one the dispatch room names (null: none named). */
  forResponder: string | null;
  /** accepted_by of the alert (null: nobody holds it), and the holder's name for messages. */
  holder: string | null;
  holderName?: string | null;
  /** Responders sent as backup to this alert. */
  backups: readonly string[];
  /** The acting responder was paged for this alert (self only). */
  paged: boolean;
  /** The alert's home is in the acting responder's own place scope (self only). */
  ownPlace: boolean;
}

export type RightsRefusal = 'not_holder' | 'not_involved' | 'responder_required';

export type ActionVerdict =
  | { ok: true; /** Whom the action is recorded for; null = the dispatch-room user themselves. */ by: string | null }
  | { ok: false; code: RightsRefusal; message: string };

const refuse = (code: RightsRefusal, message: string): ActionVerdict => ({ ok: false, code, message });

export function actionVerdict(f: ActionFacts): ActionVerdict {
  const who = f.holderName || f.holder || 'Someone else';
  const holdsOrBacks = (r: string | null) => r !== null && (r === f.holder || f.backups.includes(r));
  const involved = f.paged || f.ownPlace || holdsOrBacks(f.forResponder);

  if (f.via === 'self') {
    const me = f.forResponder;
    switch (f.type) {
      case 'accept':
        return f.paged || f.ownPlace || holdsOrBacks(me) ? { ok: true, by: me } : refuse('not_involved', 'This alert was not sent to you.');
      case 'arrive':
        if (f.holder === null) {
          return f.paged || f.ownPlace ? { ok: true, by: me } : refuse('not_involved', 'This alert was not sent to you.');
        }
        return holdsOrBacks(me) ? { ok: true, by: me } : refuse('not_holder', `${who} holds this alert; only they, a backup sent to it, or the dispatch room may record the arrival.`);
      case 'resolve':
        if (holdsOrBacks(me)) return { ok: true, by: me };
        return refuse('not_holder', f.holder === null ? 'Accept the alert before you resolve it.' : `${who} holds this alert; only they, a backup or the dispatch room may resolve it.`);
      case 'cancel':
        if (me !== null && me === f.holder) return { ok: true, by: me };
        return refuse('not_holder', f.holder === null ? 'Accept the alert before you cancel it, or ask the dispatch room.' : `${who} holds this alert; only they or the dispatch room may cancel it.`);
      case 'escalate':
      case 'note':
        return involved ? { ok: true, by: me } : refuse('not_involved', 'This alert was not sent to you.');
      case 'decline':
        if (me !== null && me === f.holder) return refuse('not_holder', 'You hold this alert: hand it back ("can\'t go") instead of declining.');
        return f.paged || holdsOrBacks(me) ? { ok: true, by: me } : refuse('not_involved', 'This alert was not sent to you.');
      case 'hand_back':
        if (me !== null && me === f.holder) return { ok: true, by: me };
        return refuse('not_holder', f.holder === null ? 'Nobody holds this alert; decline it instead.' : `${who} holds this alert; only they or the dispatch room may hand it back.`);
    }
  }

  // The dispatch room.
  const named = f.forResponder;
  switch (f.type) {
    case 'arrive':
      if (named === null) {
        return f.holder !== null ? { ok: true, by: f.holder } : refuse('responder_required', 'Name the responder who arrived (responderId).');
      }
      return f.holder === null || holdsOrBacks(named) ? { ok: true, by: named }
        : refuse('not_holder', `That responder neither holds this alert nor was sent as backup; name the holder (${who}) or a backup.`);
    case 'decline':
      return named === null ? refuse('responder_required', 'Name the responder who declined (responderId).') : { ok: true, by: named };
    case 'hand_back':
      if (f.holder === null) return refuse('not_holder', 'Nobody holds this alert; there is nothing to hand back.');
      return named === null || named === f.holder ? { ok: true, by: f.holder }
        : refuse('not_holder', `Only the holder (${who}) can hand this alert back.`);
    case 'resolve':
      if (named === null) return { ok: true, by: null };
      return holdsOrBacks(named) ? { ok: true, by: named }
        : refuse('not_holder', `That responder neither holds this alert nor was sent as backup; name the holder (${who}) or a backup, or resolve it as yourself.`);
    default:
      return { ok: true, by: named };
  }
}
