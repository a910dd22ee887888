import type { FastifyInstance } from 'fastify';
import { ADMIN_ONLY } from '../route-access.js';
import { Page, responses } from '../schemas/common-schemas.js';
import {
  CreatedUser, CreateUserBody, PatchUserBody, ResetPasswordBody, ResetPasswordResponse, UserItem, UserParams, UsersQuery,
} from '../schemas/users-schemas.js';
import type { UsersService } from '../services/users-service.js';

/** Console users and roles: admins only. */
export async function usersRoutes(app: FastifyInstance, { users }: { users: UsersService }) {
  const actor = (r: { user: unknown; ip: string }) => ({ ...(r.user as object), ip: r.ip }) as Parameters<UsersService['create']>[0];

  app.get<{ Querystring: UsersQuery }>('/users', {
    config: { roles: ADMIN_ONLY },
    schema: { tags: ['users'], summary: 'Console users with their roles', querystring: UsersQuery, response: responses({ 200: Page(UserItem) }) },
  }, async (request) => users.list(request.query));

  app.post<{ Body: CreateUserBody }>('/users', {
    config: { roles: ADMIN_ONLY },
    schema: { tags: ['users'], summary: 'Add a console user; without a password one is generated and returned once', body: CreateUserBody, response: responses({ 201: CreatedUser }) },
  }, async (request, reply) => reply.status(201).send(await users.create(actor(request), request.body)));

  app.patch<{ Params: UserParams; Body: PatchUserBody }>('/users/:id', {
    config: { roles: ADMIN_ONLY },
    schema: { tags: ['users'], summary: 'Change a user\'s role, responder link, name, or disable them (signed out at once)', params: UserParams, body: PatchUserBody, response: responses({ 200: UserItem }) },
  }, async (request) => users.update(actor(request), request.params.id, request.body));

  app.post<{ Params: UserParams; Body: ResetPasswordBody }>('/users/:id/password', {
    config: { roles: ADMIN_ONLY },
    schema: { tags: ['users'], summary: 'Set or generate a new password; ends the user\'s sessions', params: UserParams, body: ResetPasswordBody, response: responses({ 200: ResetPasswordResponse }) },
  }, async (request) => users.resetPassword(actor(request), request.params.id, request.body.password));
}
