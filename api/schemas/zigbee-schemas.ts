import { Type, type Static } from '@sinclair/typebox';
import { DEVICE_KINDS } from '../../domain/device-kinds.js';
import { Nullable, NullableDateTime, DateTime, PageQuery, StringEnum, TextId } from './common-schemas.js';

/** Kinds a Zigbee child may be registered as (a hub is not a child). */
export const CHILD_KINDS = DEVICE_KINDS.filter((k) => k !== 'z2m_hub');

const Ieee = Type.String({ pattern: '^0x[0-9a-fA-F]{16}$', description: 'IEEE address as zigbee2mqtt writes it, e.g. 0x00158d0001a2b3c4' });
const AckPayloads = Type.Object({
  accepted: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  on_site: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  resolved: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
}, { additionalProperties: false, description: 'JSON published on <base>/<friendly_name>/set per alert state' });

export const HubParams = Type.Object({ hubId: TextId });
export type HubParams = Static<typeof HubParams>;
export const ZigbeeDeviceParams = Type.Object({ hubId: TextId, ieee: Ieee });
export type ZigbeeDeviceParams = Static<typeof ZigbeeDeviceParams>;

export const ZigbeeDevicesQuery = Type.Object({
  hubId: Type.Optional(TextId),
  pending: Type.Optional(Type.Boolean({ description: 'Only devices offered by a hub and not registered yet' })),
  ...PageQuery,
});
export type ZigbeeDevicesQuery = Static<typeof ZigbeeDevicesQuery>;

export const ZigbeeDeviceItem = Type.Object({
  hubId: Type.String(), ieee: Type.String(), friendlyName: Type.String(),
  vendor: Nullable(Type.String()), model: Nullable(Type.String()), description: Nullable(Type.String()),
  powerSource: Nullable(Type.String()), zigbeeType: Nullable(Type.String()), features: Type.Array(Type.String()),
  supported: Type.Boolean(), firstOfferedAt: DateTime, lastOfferedAt: DateTime, goneAt: NullableDateTime,
  hubHouseholdId: Type.String(),
  deviceId: Nullable(Type.String({ description: 'Set once registered' })),
  householdId: Nullable(Type.String()), kind: Nullable(Type.String()), room: Nullable(Type.String()),
  online: Nullable(Type.Boolean()), lastSeenAt: NullableDateTime, battery: Nullable(Type.Number()),
  linkQuality: Nullable(Type.Integer({ description: 'zigbee2mqtt linkquality (0-255 LQI, not RSSI)' })),
  ack: Nullable(AckPayloads),
  suggestedKind: Nullable(Type.String({ description: 'A first guess from what the device exposes' })),
  suggestedAck: Nullable(Type.String({ description: 'light or siren when the device can say "help is coming"' })),
});

export const RegisterBody = Type.Object({
  kind: StringEnum(CHILD_KINDS),
  room: Type.String({ minLength: 1, maxLength: 64 }),
  householdId: Type.Optional(TextId),
  heartbeatS: Type.Optional(Type.Integer({ minimum: 600, maximum: 172_800, description: 'Default by power source: battery 8 h, mains 1 h (offline after 3 missed)' })),
}, { additionalProperties: false });
export type RegisterBody = Static<typeof RegisterBody>;

export const RegisterResponse = Type.Object({ deviceId: Type.String(), householdId: Type.String(), kind: Type.String(), heartbeatS: Type.Integer() });

export const AckBody = Type.Object({
  preset: Type.Optional(StringEnum(['light', 'siren'] as const)),
  payloads: Type.Optional(AckPayloads),
}, { additionalProperties: false });
export type AckBody = Static<typeof AckBody>;

export const AckResponse = Type.Object({ hubId: Type.String(), ieee: Type.String(), ack: Nullable(AckPayloads) });

export const HubBody = Type.Object({
  baseTopic: Type.String({ minLength: 1, maxLength: 64, description: "zigbee2mqtt's mqtt.base_topic for this hub (default zigbee2mqtt)" }),
}, { additionalProperties: false });
export type HubBody = Static<typeof HubBody>;
export const HubResponse = Type.Object({ hubId: Type.String(), baseTopic: Type.String() });
