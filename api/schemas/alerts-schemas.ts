import { Type, type Static } from '@sinclair/typebox';
import { ALERT_KINDS, ALERT_STATES } from '../../domain/alert-kinds.js';
import { DateTime, Nullable, NullableDateTime, PageQuery, StringEnum, TextId, Uuid } from './common-schemas.js';

export const AlertsQuery = Type.Object({
  state: Type.Optional(Type.String({ maxLength: 200, description: `Comma-separated states: ${ALERT_STATES.join(', ')}` })),
  kind: Type.Optional(StringEnum(ALERT_KINDS)),
  householdId: Type.Optional(TextId),
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
  acceptedAt: NullableDateTime,
  onSiteAt: NullableDateTime,
  closedAt: NullableDateTime,
  ackBreached: Type.Boolean(),
  slaWarned: Type.Boolean(),
  onsiteBreached: Type.Boolean(),
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
  timeline: Type.Array(Type.Object({
    id: Type.Integer(), at: DateTime, actor: Type.String(), type: Type.String(),
    fromState: Nullable(Type.String()), toState: Nullable(Type.String()), data: Type.Unknown(),
  })),
  signals: Type.Array(Type.Object({
    deviceId: Type.String(), eventId: Type.String(), type: Type.String(), ts: DateTime, receivedAt: DateTime,
  })),
  notifications: Type.Array(Type.Object({
    id: Type.Integer(), responderId: Nullable(Type.String()), tier: Nullable(Type.Integer()), channel: Type.String(),
    target: Type.String(), status: Type.String(), error: Nullable(Type.String()), at: DateTime, seenAt: NullableDateTime,
  })),
});
