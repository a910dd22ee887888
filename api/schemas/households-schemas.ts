import { Type, type Static } from '@sinclair/typebox';
import { DEVICE_KINDS } from '../../domain/device-kinds.js';
import { VISIT_KINDS } from '../../store/visits-repository.js';
import { LIVING_SITUATIONS } from '../../domain/register-values.js';
import { AlertItem } from './alerts-schemas.js';
import { DateTime, Nullable, NullableDateTime, PageQuery, StringEnum, TextId } from './common-schemas.js';

export const HouseholdsQuery = Type.Object({
  gridId: Type.Optional(TextId),
  buildingId: Type.Optional(TextId),
  communityId: Type.Optional(TextId),
  includeRetired: Type.Optional(Type.Boolean({ description: 'Also list retired homes (hidden by default)' })),
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Search the unit, the household code or a resident name' })),
  ...PageQuery,
});
export type HouseholdsQuery = Static<typeof HouseholdsQuery>;

export const HouseholdParams = Type.Object({ id: TextId });
export type HouseholdParams = Static<typeof HouseholdParams>;

export const HouseholdItem = Type.Object({
  id: Type.String(), code: Type.String(), communityId: Type.String(), retiredAt: NullableDateTime, unit: Type.String(),
  address: Type.String({ description: 'Masked (street part hidden) for responders' }),
  buildingId: Type.String(), buildingName: Type.String(), gridId: Type.String(), gridName: Type.String(),
  residents: Type.Array(Type.String(), { description: 'Resident names' }),
  lastActivityAt: NullableDateTime,
  devicesOnline: Type.Integer(), devicesTotal: Type.Integer(), openAlerts: Type.Integer(),
});

export const DeviceItem = Type.Object({
  id: Type.String(), householdId: Type.String(), kind: StringEnum(DEVICE_KINDS), room: Nullable(Type.String()),
  parentId: Nullable(Type.String()), heartbeatS: Type.Integer(), online: Type.Boolean(), lastSeenAt: NullableDateTime,
  battery: Nullable(Type.Integer()), rssi: Nullable(Type.Integer()), revokedAt: NullableDateTime, createdAt: DateTime,
});

export const HouseholdFileResponse = Type.Object({
  household: Type.Object({
    id: Type.String(), code: Type.String(), accessNotes: Nullable(Type.String({ description: 'Keys and door access (钥匙/门禁说明)' })), retiredAt: NullableDateTime,
    unit: Type.String(), address: Type.String(), phone: Nullable(Type.String()),
    livingSituation: Type.String(), inactivityDayS: Type.Integer(), inactivityNightS: Type.Integer(),
    notes: Nullable(Type.String()), lastActivityAt: NullableDateTime, createdAt: DateTime,
    buildingId: Type.String(), buildingName: Type.String(), gridId: Type.String(), gridName: Type.String(),
    communityId: Type.String(), communityName: Type.String(),
  }),
  masked: Type.Boolean({ description: 'True when phone numbers, ID numbers and the street address are masked for your role' }),
  residents: Type.Array(Type.Object({
    id: Type.Integer(), name: Type.String(), gender: Nullable(Type.String()), birthYear: Nullable(Type.Integer()),
    phone: Nullable(Type.String()), idNumber: Nullable(Type.String()), conditions: Type.Array(Type.String()), notes: Nullable(Type.String()),
  })),
  contacts: Type.Array(Type.Object({
    id: Type.Integer(), name: Type.String(), relation: Type.String(), phone: Type.String(), priority: Type.Integer(),
  })),
  devices: Type.Array(DeviceItem),
  alerts: Type.Array(AlertItem),
  visits: Type.Array(Type.Object({
    id: Type.Integer(), kind: Type.String(), at: DateTime, byUser: Nullable(Type.String()), responderId: Nullable(Type.String()),
    note: Type.String(), scheduledFor: NullableDateTime,
  })),
  signals: Type.Array(Type.Object({
    ts: DateTime, receivedAt: DateTime, deviceId: Type.String(), eventId: Type.String(), type: Type.String(),
    value: Type.Unknown(), battery: Nullable(Type.Integer()), room: Nullable(Type.String()),
  })),
  activity: Type.Array(Type.Object({ bucket: DateTime, events: Type.Integer() }), { description: 'Hourly activity signals of the last 7 days (activity_hourly)' }),
});

/** Inactivity thresholds: 10 minutes to 3 days (DESIGN §4 defaults: 6 h by day, 12 h by night). */
const ThresholdS = Type.Integer({ minimum: 600, maximum: 259_200 });

const registerFields = {
  code: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Household code (户号), unique in the community; default: the id' })),
  unit: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'e.g. 2单元301室' })),
  address: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  phone: Type.Optional(Nullable(Type.String({ minLength: 3, maxLength: 32 }))),
  livingSituation: Type.Optional(StringEnum(LIVING_SITUATIONS)),
  accessNotes: Type.Optional(Nullable(Type.String({ maxLength: 1000, description: 'Keys and door access (钥匙/门禁说明)' }))),
  inactivityDayS: Type.Optional(ThresholdS),
  inactivityNightS: Type.Optional(ThresholdS),
  notes: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
};

export const PatchHouseholdBody = Type.Object({
  ...registerFields,
  buildingId: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'Move the home to another building; its history moves with it' })),
}, { additionalProperties: false, minProperties: 1 });
export type PatchHouseholdBody = Static<typeof PatchHouseholdBody>;

export const CreateHouseholdBody = Type.Object({
  id: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' })),
  ...registerFields,
  buildingId: TextId,
  unit: Type.String({ minLength: 1, maxLength: 64 }),
  address: Type.String({ minLength: 1, maxLength: 200 }),
}, { additionalProperties: false });
export type CreateHouseholdBody = Static<typeof CreateHouseholdBody>;

/** The household's register entry as stored (also the answer to a care-settings change). */
export const HouseholdCare = Type.Object({
  id: Type.String(), code: Type.String(), buildingId: Type.String(), unit: Type.String(), address: Type.String(), phone: Nullable(Type.String()),
  livingSituation: Type.String(), accessNotes: Nullable(Type.String()),
  inactivityDayS: Type.Integer(), inactivityNightS: Type.Integer(), notes: Nullable(Type.String()), retiredAt: NullableDateTime,
});

export const VisitItem = Type.Object({
  id: Type.Integer(), kind: StringEnum(VISIT_KINDS), at: DateTime, byUser: Nullable(Type.String()), responderId: Nullable(Type.String()),
  note: Type.String(), scheduledFor: NullableDateTime,
});

export const CreateVisitBody = Type.Object({
  kind: StringEnum(VISIT_KINDS, { description: 'visit (at the door), phone (a call), check_in (the resident answered a check-in)' }),
  note: Type.String({ minLength: 1, maxLength: 1000 }),
  at: Type.Optional(Type.String({ format: 'date-time', description: 'When it happened (default now)' })),
  scheduledFor: Type.Optional(Type.String({ format: 'date-time', description: 'The planned check-in this visit fulfils' })),
}, { additionalProperties: false });
export type CreateVisitBody = Static<typeof CreateVisitBody>;
