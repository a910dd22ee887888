import { Type, type Static } from '@sinclair/typebox';
import { DateTime, Nullable, NullableDateTime, PageQuery, TextId } from './common-schemas.js';

/** Shared pieces of the register's schemas (streets, communities, grids, buildings). */
export const PlaceId = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$', description: 'Default: generated (prefix and 10 random characters)' });
export const PlaceName = Type.String({ minLength: 1, maxLength: 64 });
export const PlaceParams = Type.Object({ id: TextId });
export type PlaceParams = Static<typeof PlaceParams>;
export const PlaceListQuery = {
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Search the name (or id)' })),
  includeRetired: Type.Optional(Type.Boolean({ description: 'Also list retired ones (hidden by default)' })),
  ...PageQuery,
};
export const Retired = { retiredAt: NullableDateTime };
export const PhoneText = Type.String({ minLength: 3, maxLength: 32, description: 'Mobile 13812345678, landline 025-84561234, or +country…' });

export const StreetItem = Type.Object({ id: Type.String(), name: Type.String(), communities: Type.Integer(), createdAt: DateTime, ...Retired });
export const StreetsQuery = Type.Object(PlaceListQuery);
export type StreetsQuery = Static<typeof StreetsQuery>;
export const CreateStreetBody = Type.Object({ id: Type.Optional(PlaceId), name: PlaceName }, { additionalProperties: false });
export type CreateStreetBody = Static<typeof CreateStreetBody>;
export const PatchStreetBody = Type.Object({ name: Type.Optional(PlaceName) }, { additionalProperties: false, minProperties: 1 });
export type PatchStreetBody = Static<typeof PatchStreetBody>;

export const GridItem = Type.Object({
  id: Type.String(), communityId: Type.String(), communityName: Nullable(Type.String()), name: Type.String(),
  buildings: Type.Integer(), households: Type.Integer(), ...Retired,
});
export const GridsQuery = Type.Object({ communityId: Type.Optional(TextId), ...PlaceListQuery });
export type GridsQuery = Static<typeof GridsQuery>;
export const CreateGridBody = Type.Object({ id: Type.Optional(PlaceId), communityId: TextId, name: PlaceName }, { additionalProperties: false });
export type CreateGridBody = Static<typeof CreateGridBody>;
export const PatchGridBody = Type.Object({ name: Type.Optional(PlaceName), communityId: Type.Optional(TextId) }, { additionalProperties: false, minProperties: 1 });
export type PatchGridBody = Static<typeof PatchGridBody>;

const Metres = Type.Number({ minimum: -100_000, maximum: 100_000, description: 'Metres from the site plan\'s origin' });
const buildingFields = {
  address: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
  x: Type.Optional(Nullable(Metres)), y: Type.Optional(Nullable(Metres)),
  lat: Type.Optional(Nullable(Type.Number({ minimum: -90, maximum: 90 }))), lng: Type.Optional(Nullable(Type.Number({ minimum: -180, maximum: 180 }))),
};
export const BuildingItem = Type.Object({
  id: Type.String(), gridId: Type.String(), gridName: Nullable(Type.String()), communityId: Nullable(Type.String()), name: Type.String(),
  address: Nullable(Type.String()), x: Nullable(Type.Number()), y: Nullable(Type.Number()), lat: Nullable(Type.Number()), lng: Nullable(Type.Number()),
  households: Type.Integer(), ...Retired,
});
export const BuildingsQuery = Type.Object({ gridId: Type.Optional(TextId), communityId: Type.Optional(TextId), ...PlaceListQuery });
export type BuildingsQuery = Static<typeof BuildingsQuery>;
export const CreateBuildingBody = Type.Object({ id: Type.Optional(PlaceId), gridId: TextId, name: PlaceName, ...buildingFields }, { additionalProperties: false });
export type CreateBuildingBody = Static<typeof CreateBuildingBody>;
export const PatchBuildingBody = Type.Object({ gridId: Type.Optional(TextId), name: Type.Optional(PlaceName), ...buildingFields }, { additionalProperties: false, minProperties: 1 });
export type PatchBuildingBody = Static<typeof PatchBuildingBody>;
