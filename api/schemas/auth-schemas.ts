import { Type, type Static } from '@sinclair/typebox';
import { USER_ROLES } from '../../store/users-repository.js';
import { DateTime, Nullable, StringEnum } from './common-schemas.js';

export const LoginBody = Type.Object({
  username: Type.String({ minLength: 1, maxLength: 64 }),
  password: Type.String({ minLength: 1, maxLength: 256 }),
}, { additionalProperties: false });
export type LoginBody = Static<typeof LoginBody>;

export const PublicUser = Type.Object({
  username: Type.String(),
  role: StringEnum(USER_ROLES),
  displayName: Nullable(Type.String()),
  responderId: Nullable(Type.String()),
});

export const LoginResponse = Type.Object({
  token: Type.String({ description: 'Session token: send as `Authorization: Bearer <token>`; the same session is also set as the guardian_session cookie' }),
  expiresAt: DateTime,
  user: PublicUser,
});

export const MeResponse = Type.Object({ user: PublicUser, via: StringEnum(['cookie', 'bearer'] as const) });
export const OkResponse = Type.Object({ ok: Type.Boolean() });
