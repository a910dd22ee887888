import { Type, type Static } from '@sinclair/typebox';
import { USER_ROLES } from '../../store/users-repository.js';
import { DateTime, Nullable, PageQuery, StringEnum, TextId } from './common-schemas.js';

const Username = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' });
const Password = Type.String({ minLength: 8, maxLength: 200 });

export const UserItem = Type.Object({
  id: Type.Integer(), username: Type.String(), role: StringEnum(USER_ROLES), responderId: Nullable(Type.String()),
  responderName: Nullable(Type.String()), displayName: Nullable(Type.String()), disabled: Type.Boolean(),
  communityIds: Type.Array(Type.String(), { description: 'operator/supervisor: the communities they work for' }),
  streetIds: Type.Array(Type.String(), { description: 'street: the streets whose communities they read' }),
  createdAt: DateTime,
});

const CommunityIds = Type.Array(TextId, { maxItems: 200, description: 'operator/supervisor: the communities they see and act on (default: the only community, when there is exactly one)' });
const StreetIds = Type.Array(TextId, { maxItems: 50, description: 'street: the streets (街道) whose communities they read' });

export const UsersQuery = Type.Object({
  role: Type.Optional(StringEnum(USER_ROLES)),
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Search the username or name' })),
  communityId: Type.Optional(TextId),
  ...PageQuery,
});
export type UsersQuery = Static<typeof UsersQuery>;

export const UserParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
export type UserParams = Static<typeof UserParams>;

export const CreateUserBody = Type.Object({
  username: Username, role: StringEnum(USER_ROLES),
  password: Type.Optional(Password),
  responderId: Type.Optional(TextId),
  displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  communityIds: Type.Optional(CommunityIds),
  streetIds: Type.Optional(StreetIds),
}, { additionalProperties: false });
export type CreateUserBody = Static<typeof CreateUserBody>;

export const CreatedUser = Type.Object({
  user: UserItem,
  password: Nullable(Type.String({ description: 'The generated password, shown this once; null when you chose it' })),
});

export const PatchUserBody = Type.Object({
  role: Type.Optional(StringEnum(USER_ROLES)),
  responderId: Type.Optional(Nullable(TextId)),
  displayName: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 64 }))),
  disabled: Type.Optional(Type.Boolean({ description: 'A disabled user is signed out everywhere at once' })),
  communityIds: Type.Optional(CommunityIds),
  streetIds: Type.Optional(StreetIds),
}, { additionalProperties: false, minProperties: 1 });
export type PatchUserBody = Static<typeof PatchUserBody>;

export const ResetPasswordBody = Type.Object({ password: Type.Optional(Password) }, { additionalProperties: false });
export type ResetPasswordBody = Static<typeof ResetPasswordBody>;
export const ResetPasswordResponse = Type.Object({ password: Nullable(Type.String({ description: 'Generated, shown once' })), sessionsEnded: Type.Integer() });
