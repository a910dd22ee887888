import { Type, type Static } from '@sinclair/typebox';
import { RESPONDER_ROLES } from '../../domain/roster.js';
import { DateTime, Nullable, PageQuery, StringEnum, TextId } from './common-schemas.js';

const IdList = Type.Array(TextId, { maxItems: 500 });
const Phone = Type.String({ minLength: 3, maxLength: 32, pattern: '^[+0-9][0-9 -]*$', description: 'Digits, spaces, dashes, an optional leading +' });
const Name = Type.String({ minLength: 1, maxLength: 64 });
/** 'HH:MM' local time in GUARDIAN_TZ; '24:00' ends a shift at midnight. */
const TimeOfDay = Type.String({ pattern: '^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$', description: 'HH:MM, local time in GUARDIAN_TZ' });

export const ResponderItem = Type.Object({
  id: Type.String(), name: Type.String(), role: StringEnum(RESPONDER_ROLES),
  phone: Type.String({ description: 'Masked for responders, except their own' }),
  communityId: Type.String(), gridIds: Type.Array(Type.String()), buildingIds: Type.Array(Type.String()),
  householdIds: Type.Array(Type.String()), onDuty: Type.Boolean(), active: Type.Boolean(), createdAt: DateTime,
  onDutyNow: Type.Optional(Type.Boolean({ description: 'On duty this minute: the switch, the roster and active together (lists only)' })),
  username: Nullable(Type.String({ description: 'The console account linked to this responder' })),
});

export const RespondersQuery = Type.Object({
  role: Type.Optional(StringEnum(RESPONDER_ROLES)),
  gridId: Type.Optional(TextId),
  communityId: Type.Optional(TextId),
  active: Type.Optional(Type.Boolean()),
  onDuty: Type.Optional(Type.Boolean()),
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Search the name or id' })),
  ...PageQuery,
});
export type RespondersQuery = Static<typeof RespondersQuery>;

export const ResponderParams = Type.Object({ id: TextId });
export type ResponderParams = Static<typeof ResponderParams>;

export const CreateResponderBody = Type.Object({
  id: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$', description: 'Default: r- and 8 random hex digits' })),
  name: Name, role: StringEnum(RESPONDER_ROLES), phone: Phone,
  communityId: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'Default: the only community' })),
  gridIds: Type.Optional(IdList), buildingIds: Type.Optional(IdList), householdIds: Type.Optional(IdList),
  onDuty: Type.Optional(Type.Boolean({ default: true })), active: Type.Optional(Type.Boolean({ default: true })),
}, { additionalProperties: false });
export type CreateResponderBody = Static<typeof CreateResponderBody>;

export const PatchResponderBody = Type.Object({
  name: Type.Optional(Name), role: Type.Optional(StringEnum(RESPONDER_ROLES)), phone: Type.Optional(Phone),
  gridIds: Type.Optional(IdList), buildingIds: Type.Optional(IdList), householdIds: Type.Optional(IdList),
  onDuty: Type.Optional(Type.Boolean()), active: Type.Optional(Type.Boolean()),
}, { additionalProperties: false, minProperties: 1 });
export type PatchResponderBody = Static<typeof PatchResponderBody>;

export const DutyBody = Type.Object({ onDuty: Type.Boolean() }, { additionalProperties: false });
export type DutyBody = Static<typeof DutyBody>;

/**
 * The phone's position on the site plan in metres, or its GPS fix (put on the plan by the
 * community's buildings with both positions), or null to stop sharing (issue 15).
 */
export const PositionBody = Type.Object({
  position: Type.Union([
    Type.Object({ x: Type.Number(), y: Type.Number() }, { additionalProperties: false }),
    Type.Object({ lat: Type.Number({ minimum: -90, maximum: 90 }), lng: Type.Number({ minimum: -180, maximum: 180 }) }, { additionalProperties: false }),
    Type.Null(),
  ]),
}, { additionalProperties: false });
export type PositionBody = Static<typeof PositionBody>;
export const PositionResponse = Type.Object({
  sharing: Type.Boolean(),
  /** Where the position was stored on the site plan (a GPS fix converted). */
  position: Type.Optional(Type.Object({ x: Type.Number(), y: Type.Number() })),
});

export const RosterItem = Type.Object({
  id: Type.Integer(), responderId: Type.String(), responderName: Type.String(), responderRole: Type.String(),
  weekday: Nullable(Type.Integer({ description: '0 = Sunday … 6 = Saturday; null for a dated override' })),
  onDate: Nullable(Type.String({ description: 'YYYY-MM-DD; null for a weekly shift' })),
  starts: Type.String(), ends: Type.String({ description: 'ends <= starts: the shift crosses midnight' }),
  offDuty: Type.Boolean({ description: 'A dated override that takes the responder off duty for its window' }),
});

export const RostersQuery = Type.Object({ responderId: Type.Optional(TextId), ...PageQuery });
export type RostersQuery = Static<typeof RostersQuery>;

export const CreateRosterBody = Type.Object({
  responderId: TextId,
  weekday: Type.Optional(Type.Integer({ minimum: 0, maximum: 6, description: 'A weekly shift: 0 = Sunday … 6 = Saturday' })),
  onDate: Type.Optional(Type.String({ format: 'date', description: 'A dated override (YYYY-MM-DD); replaces that date\'s weekly shifts' })),
  starts: TimeOfDay, ends: TimeOfDay,
  offDuty: Type.Optional(Type.Boolean({ description: 'With onDate: off duty in this window' })),
  fullDay: Type.Optional(Type.Boolean({ description: 'Confirms that starts = ends means a 24-hour shift (refused with 400 shift_24h_unconfirmed otherwise)' })),
}, { additionalProperties: false });
export type CreateRosterBody = Static<typeof CreateRosterBody>;

export const RosterParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 9_007_199_254_740_991 }) });
export type RosterParams = Static<typeof RosterParams>;
