import { Type, type Static } from '@sinclair/typebox';
import { DEVICE_KINDS } from '../../domain/device-kinds.js';
import { PageQuery, StringEnum, TextId } from './common-schemas.js';

export const ProvisionBody = Type.Object({
  householdId: TextId,
  kind: StringEnum(DEVICE_KINDS),
  room: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  heartbeatS: Type.Optional(Type.Integer({ minimum: 10, maximum: 86_400, description: 'Expected heartbeat interval; offline after 3 missed' })),
}, { additionalProperties: false });
export type ProvisionBody = Static<typeof ProvisionBody>;

export const ProvisionResponse = Type.Object({
  deviceId: Type.String(),
  secret: Type.String({ description: 'The MQTT password. Shown once: only its SHA-256 is stored' }),
});

export const DevicesQuery = Type.Object({
  householdId: Type.Optional(TextId),
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Search the device id, room or household id' })),
  kind: Type.Optional(StringEnum(DEVICE_KINDS)),
  online: Type.Optional(Type.Boolean()),
  revoked: Type.Optional(Type.Boolean()),
  communityId: Type.Optional(TextId),
  ...PageQuery,
});
export type DevicesQuery = Static<typeof DevicesQuery>;

export const DeviceParams = Type.Object({ id: TextId });
export type DeviceParams = Static<typeof DeviceParams>;

export const RevokeResponse = Type.Object({ deviceId: Type.String(), revoked: Type.Boolean(), alreadyRevoked: Type.Boolean() });
