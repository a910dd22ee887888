import { Type, type Static } from '@sinclair/typebox';
import { DEVICE_KINDS } from '../../domain/device-kinds.js';
import { AlertItem } from './alerts-schemas.js';
import { DateTime, Nullable, NullableDateTime, PageQuery, StringEnum, TextId } from './common-schemas.js';

export const HouseholdsQuery = Type.Object({
  gridId: Type.Optional(TextId),
  buildingId: Type.Optional(TextId),
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Search the unit or a resident name' })),
  ...PageQuery,
});
export type HouseholdsQuery = Static<typeof HouseholdsQuery>;

export const HouseholdParams = Type.Object({ id: TextId });
export type HouseholdParams = Static<typeof HouseholdParams>;

export const HouseholdItem = Type.Object({
  id: Type.String(), unit: Type.String(),
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
    id: Type.String(), unit: Type.String(), address: Type.String(), phone: Nullable(Type.String()),
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
});
