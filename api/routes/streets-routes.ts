import type { FastifyInstance } from 'fastify';
import { ADMIN_ONLY, OVERSIGHT_ROLES } from '../route-access.js';
import { Page, responses } from '../schemas/common-schemas.js';
import { CreateStreetBody, PatchStreetBody, PlaceParams, StreetItem, StreetsQuery } from '../schemas/places-schemas.js';
import type { StreetsService } from '../services/streets-service.js';
import { retireRoutes } from './retire-routes.js';

/** Streets (街道): read by the dispatch rooms and the street office, managed by admins. */
export async function streetsRoutes(app: FastifyInstance, { streets }: { streets: StreetsService }) {
  app.get<{ Querystring: StreetsQuery }>('/streets', {
    config: { roles: OVERSIGHT_ROLES },
    schema: { tags: ['register'], summary: 'Streets (sub-districts) of your communities', querystring: StreetsQuery, response: responses({ 200: Page(StreetItem) }) },
  }, async (request) => streets.list(request.user!, request.query));
  app.get<{ Params: PlaceParams }>('/streets/:id', {
    config: { roles: OVERSIGHT_ROLES },
    schema: { tags: ['register'], summary: 'One street', params: PlaceParams, response: responses({ 200: StreetItem }) },
  }, async (request) => streets.get(request.user!, request.params.id));
  app.post<{ Body: CreateStreetBody }>('/streets', {
    config: { roles: ADMIN_ONLY },
    schema: { tags: ['register'], summary: 'Add a street', body: CreateStreetBody, response: responses({ 201: StreetItem }) },
  }, async (request, reply) => reply.status(201).send(await streets.create({ ...request.user!, ip: request.ip }, request.body)));
  app.patch<{ Params: PlaceParams; Body: PatchStreetBody }>('/streets/:id', {
    config: { roles: ADMIN_ONLY },
    schema: { tags: ['register'], summary: 'Rename a street', params: PlaceParams, body: PatchStreetBody, response: responses({ 200: StreetItem }) },
  }, async (request) => streets.update({ ...request.user!, ip: request.ip }, request.params.id, request.body));
  retireRoutes<string>(app, '/streets', 'register', 'street', ADMIN_ONLY, PlaceParams, StreetItem, (a, id, on) => streets.retire(a, id, on));
}
