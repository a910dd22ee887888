import { Type, type Static } from '@sinclair/typebox';
import { DateTime, Nullable, StringEnum, TextId } from './common-schemas.js';
import { PhoneText, PlaceId, PlaceListQuery, PlaceName, Retired } from './places-schemas.js';

const DayShift = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9]$', description: 'HH:MM-HH:MM local time; null = DAY_SHIFT' });
const Seconds = Type.Integer({ minimum: 10, maximum: 86_400 });
const settingFields = {
  dayShift: Type.Optional(Nullable(DayShift)),
  slaWarnS: Type.Optional(Nullable(Type.Integer({ minimum: 10, maximum: 86_400, description: 'null = SLA_WARN_S' }))),
  slaOnsiteS: Type.Optional(Nullable(Type.Integer({ minimum: 10, maximum: 86_400, description: 'null = SLA_ONSITE_S' }))),
  ackTimeoutS: Type.Optional(Nullable(Type.Integer({ minimum: 10, maximum: 86_400, description: 'null = ACK_TIMEOUT_S' }))),
  emergencyPhone: Type.Optional(Nullable(PhoneText)),
};
const Source = StringEnum(['community', 'global'] as const);

export const EffectiveSettings = Type.Object({
  dayShift: Type.String(), slaWarnS: Seconds, slaOnsiteS: Seconds, ackTimeoutS: Seconds, emergencyPhone: Nullable(Type.String()),
  source: Type.Object({ dayShift: Source, slaWarnS: Source, slaOnsiteS: Source, ackTimeoutS: Source }),
}, { description: 'In force: the community\'s own value, or the global config default' });

export const CommunityItem = Type.Object({
  id: Type.String(), name: Type.String(), address: Nullable(Type.String()), emergencyPhone: Nullable(Type.String()),
  streetId: Nullable(Type.String()), streetName: Nullable(Type.String()),
  dayShift: Nullable(Type.String()), slaWarnS: Nullable(Type.Integer()), slaOnsiteS: Nullable(Type.Integer()), ackTimeoutS: Nullable(Type.Integer()),
  grids: Type.Integer(), households: Type.Integer(), createdAt: DateTime, ...Retired,
});
export const CommunityDetail = Type.Object({ ...CommunityItem.properties, settings: EffectiveSettings });
export const CommunitySettingsResponse = Type.Object({ communityId: Type.String(), ...EffectiveSettings.properties });

export const CommunitiesQuery = Type.Object({ streetId: Type.Optional(TextId), ...PlaceListQuery });
export type CommunitiesQuery = Static<typeof CommunitiesQuery>;
export const CreateCommunityBody = Type.Object({
  id: Type.Optional(PlaceId), name: PlaceName, address: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
  streetId: Type.Optional(Nullable(TextId)), ...settingFields,
}, { additionalProperties: false });
export type CreateCommunityBody = Static<typeof CreateCommunityBody>;
export const PatchCommunityBody = Type.Object({
  name: Type.Optional(PlaceName), address: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
  streetId: Type.Optional(Nullable(TextId)), ...settingFields,
}, { additionalProperties: false, minProperties: 1 });
export type PatchCommunityBody = Static<typeof PatchCommunityBody>;
