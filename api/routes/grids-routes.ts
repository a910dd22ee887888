import type { FastifyInstance } from 'fastify';
import { DISPATCH_ROLES, OVERSIGHT_ROLES } from '../route-access.js';
import { Page, responses } from '../schemas/common-schemas.js';
import { CreateGridBody, GridItem, GridsQuery, PatchGridBody, PlaceParams } from '../schemas/places-schemas.js';
import type { GridsService } from '../services/grids-service.js';
import { retireRoutes } from './retire-routes.js';

/** Grids (网格): the dispatch room of the community manages them. */
export async function gridsRoutes(app: FastifyInstance, { grids }: { grids: GridsService }) {
  app.get<{ Querystring: GridsQuery }>('/grids', {
    config: { roles: OVERSIGHT_ROLES },
    schema: { tags: ['register'], summary: 'Grids of your communities', querystring: GridsQuery, response: responses({ 200: Page(GridItem) }) },
  }, async (request) => grids.list(request.user!, request.query));
  app.get<{ Params: PlaceParams }>('/grids/:id', {
    config: { roles: OVERSIGHT_ROLES },
    schema: { tags: ['register'], summary: 'One grid', params: PlaceParams, response: responses({ 200: GridItem }) },
  }, async (request) => grids.get(request.user!, request.params.id));
  app.post<{ Body: CreateGridBody }>('/grids', {
    config: { roles: DISPATCH_ROLES },
    schema: { tags: ['register'], summary: 'Add a grid to a community', body: CreateGridBody, response: responses({ 201: GridItem }) },
  }, async (request, reply) => reply.status(201).send(await grids.create({ ...request.user!, ip: request.ip }, request.body)));
  app.patch<{ Params: PlaceParams; Body: PatchGridBody }>('/grids/:id', {
    config: { roles: DISPATCH_ROLES },
    schema: { tags: ['register'], summary: 'Rename a grid or move it to another of your communities', params: PlaceParams, body: PatchGridBody, response: responses({ 200: GridItem }) },
  }, async (request) => grids.update({ ...request.user!, ip: request.ip }, request.params.id, request.body));
  retireRoutes<string>(app, '/grids', 'register', 'grid', DISPATCH_ROLES, PlaceParams, GridItem, (a, id, on) => grids.retire(a, id, on));
}
