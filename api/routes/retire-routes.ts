import type { FastifyInstance } from 'fastify';
import type { TSchema } from '@sinclair/typebox';
import type { UserRole } from '../../store/users-repository.js';
import { responses } from '../schemas/common-schemas.js';
import type { Actor } from '../services/actor.js';

/**
 * `POST /<things>/:id/retire` and `…/restore` for a register resource: retiring hides it from
 * lists and keeps its history; restoring puts it back in service.
 */
export function retireRoutes<Id>(
  app: FastifyInstance, path: string, tag: string, what: string, roles: readonly UserRole[], params: TSchema, item: TSchema,
  retire: (actor: Actor, id: Id, retire: boolean) => Promise<unknown>,
) {
  for (const [verb, on] of [['retire', true], ['restore', false]] as const) {
    app.post<{ Params: { id: Id } }>(`${path}/:id/${verb}`, {
      config: { roles },
      schema: {
        tags: [tag], params, response: responses({ 200: item }),
        summary: on ? `Retire the ${what}: hidden from lists, its history kept (409 place_in_use while anything under it is in service)` : `Put a retired ${what} back in service`,
      },
    }, async (request) => retire({ ...request.user!, ip: request.ip }, request.params.id, on));
  }
}
