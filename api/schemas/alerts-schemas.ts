import { Type, type Static } from '@sinclair/typebox';
import { ALERT_KINDS, ALERT_STATES, OUTCOMES } from '../../domain/alert-kinds.js';
import { DateTime, Nullable, NullableDateTime, PageQuery, StringEnum, TextId, Uuid } from './common-schemas.js';

export const AlertsQuery = Type.Object({
  state: Type.Optional(Type.String({ maxLength: 200, description: `Comma-separated states: ${ALERT_STATES.join(', ')}` })),
  kind: Type.Optional(StringEnum(ALERT_KINDS)),
  householdId: Type.Optional(TextId),
  from: Type.Optional(Type.String({ format: 'date-time', description: 'First signal at or after' })),
  to: Type.Optional(Type.String({ format: 'date-time', description: 'First signal before' })),
  outcome: Type.Optional(StringEnum(OUTCOMES)),
  responderId: Type.Optional(TextId),
  communityId: Type.Optional(TextId),
  gridId: Type.Optional(TextId),
  order: Type.Optional(StringEnum(['priority', 'newest'] as const, { description: 'priority (default): critical first; newest: the history' })),
  ...PageQuery,
});
export type AlertsQuery = Static<typeof AlertsQuery>;

export const AlertParams = Type.Object({ id: Uuid });
export type AlertParams = Static<typeof AlertParams>;

const alertListFields = {
  id: Uuid,
  kind: StringEnum(ALERT_KINDS),
  severity: StringEnum(['critical', 'high', 'maintenance'] as const),
  state: StringEnum(ALERT_STATES),
  householdId: Type.String(),
  level: Type.Integer(),
  openedAt: DateTime,
  firstSignalAt: DateTime,
  lastSignalAt: DateTime,
  signalCount: Type.Integer(),
  acceptedBy: Nullable(Type.String()),
  acceptedByName: Nullable(Type.String({ description: 'Name of the responder holding the alert ("已被 X 接单")' })),
  acceptedAt: NullableDateTime,
  onSiteAt: NullableDateTime,
  closedAt: NullableDateTime,
  ackBreached: Type.Boolean(),
  slaWarned: Type.Boolean(),
  onsiteBreached: Type.Boolean(),
  outcome: Nullable(Type.String()),
  household: Type.Object({ unit: Type.String(), buildingName: Type.String(), gridName: Type.String() }),
};

export const AlertItem = Type.Object(alertListFields);

export const AlertDetailResponse = Type.Object({
  ...alertListFields,
  deviceId: Nullable(Type.String()),
  updatedAt: DateTime,
  routedAt: NullableDateTime,
  notifiedAt: NullableDateTime,
  outcome: Nullable(Type.String()),
  resolutionNote: Nullable(Type.String()),
  cancelReason: Nullable(Type.String()),
  onSiteBy: Nullable(Type.String({ description: 'Who pressed 到达 first: the holder or a backup (issue 15)' })),
  expectedArrivalAt: Type.Optional(NullableDateTime),
  nobodyAvailableAt: Type.Optional(NullableDateTime),
  timeline: Type.Array(Type.Object({
    id: Type.Integer(), at: DateTime, actor: Type.String(),
    actorName: Nullable(Type.String({ description: 'The person behind actor (display name), null for system/device' })),
    type: Type.String(), fromState: Nullable(Type.String()), toState: Nullable(Type.String()), data: Type.Unknown(),
    byName: Nullable(Type.String({ description: 'The responder the action was recorded for (data.by)' })),
  })),
  signals: Type.Array(Type.Object({
    deviceId: Type.String(), eventId: Type.String(), type: Type.String(), ts: DateTime, receivedAt: DateTime,
  })),
  notifications: Type.Array(Type.Object({
    id: Type.Integer(),
    responderId: Nullable(Type.String({ description: 'Who was told; null for family and community contacts (see target)' })),
    responderName: Nullable(Type.String()), responderRole: Nullable(Type.String()),
    tier: Nullable(Type.Integer({ description: 'Escalation level the page belongs to (0 = tier 1)' })),
    round: Type.String({ description: 'The occasion: first tier, an escalation, a re-notify round, an SLA warning…' }),
    purpose: Type.String({ description: 'page | inform | reminder | supervisor | ack | roster_gap' }),
    channel: Type.String(), target: Type.String({ description: 'Phone, URL or account; masked for responders' }),
    status: Type.String({ description: 'pending | sent | failed | skipped' }), error: Nullable(Type.String()),
    attempts: Type.Integer(), at: DateTime, sentAt: NullableDateTime, seenAt: NullableDateTime, seen: Type.Boolean(),
  }), { description: 'Every notification attempt: who, when, on which channel, in which tier, and whether it was seen' }),
  rights: Type.Array(StringEnum(['accept', 'arrive', 'resolve', 'cancel', 'escalate', 'note', 'decline', 'hand_back'] as const), {
    description: 'What the caller may do on this alert by their rights (the holder, a backup, the dispatch room…); '
      + 'whether the state allows it now is the state machine\'s answer. The phone shows only these buttons.',
  }),
});

const ResponderIdField = Type.Optional(Type.String({
  minLength: 1, maxLength: 128,
  description: 'Operators, supervisors and admins: record the action on this responder\'s behalf (e.g. after a phone call). Responders: leave out (or your own id).',
}));

export const ActingBody = Type.Object({ responderId: ResponderIdField }, { additionalProperties: false });
export type ActingBody = Static<typeof ActingBody>;

export const ResolveBody = Type.Object({
  responderId: ResponderIdField,
  outcome: StringEnum(OUTCOMES),
  note: Type.Optional(Type.String({ maxLength: 2000, description: 'Required for "other" and when nobody was on site' })),
}, { additionalProperties: false });
export type ResolveBody = Static<typeof ResolveBody>;

export const CancelBody = Type.Object({
  responderId: ResponderIdField,
  reason: Type.String({ minLength: 1, maxLength: 2000 }),
}, { additionalProperties: false });
export type CancelBody = Static<typeof CancelBody>;

/** Decline a page, or hand back an accepted alert ("can't go"): with a reason (issue 15). */
export const ReasonBody = Type.Object({
  responderId: ResponderIdField,
  reason: Type.String({ minLength: 1, maxLength: 500 }),
}, { additionalProperties: false });

export const DispatchBody = Type.Object({ responderId: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false });
export type DispatchBody = Static<typeof DispatchBody>;

export const CandidatesResponse = Type.Object({
  home: Nullable(Type.Object({ x: Type.Number(), y: Type.Number() })),
  policy: Type.String({ description: 'DISPATCH_POLICY: nearest | page_all' }),
  candidates: Type.Array(Type.Object({
    responderId: Type.String(), name: Type.String(), role: Type.String(), gridIds: Type.Array(Type.String()),
    etaS: Nullable(Type.Integer({ description: 'Estimated travel seconds (1.3 × straight line; walk 1.25 m/s, bike 3.2 m/s); null: position unknown' })),
    state: StringEnum(['free', 'paged', 'en_route', 'on_site', 'busy', 'declined'] as const),
    onDuty: Type.Boolean({ description: 'On duty in tier 1 of this shift for this home' }),
    eligible: Type.Boolean({ description: 'The policy may page them now' }),
  })),
});

export const EmergencyCallBody = Type.Object({ service: StringEnum(['120', '110'] as const) }, { additionalProperties: false });
export type EmergencyCallBody = Static<typeof EmergencyCallBody>;
export const EmergencyCallResponse = Type.Object({
  service: Type.String(), brief: Type.String({ description: 'What to tell the operator: address, conditions, access notes' }),
});

export const EscalateBody = Type.Object({
  responderId: ResponderIdField,
  reason: Type.Optional(Type.String({ maxLength: 2000 })),
}, { additionalProperties: false });
export type EscalateBody = Static<typeof EscalateBody>;

export const NoteBody = Type.Object({
  responderId: ResponderIdField,
  text: Type.String({ minLength: 1, maxLength: 4000 }),
}, { additionalProperties: false });
export type NoteBody = Static<typeof NoteBody>;

export const SeenResponse = Type.Object({ marked: Type.Integer({ description: 'Pages of yours marked read now (0 when already read, or not a responder)' }) });
