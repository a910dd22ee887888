import type { FastifyInstance } from 'fastify';
import { DISPATCH_ROLES, OVERSIGHT_ROLES } from '../route-access.js';
import { Page, responses } from '../schemas/common-schemas.js';
import { BuildingItem, BuildingsQuery, CreateBuildingBody, PatchBuildingBody, PlaceParams } from '../schemas/places-schemas.js';
import type { BuildingsService } from '../services/buildings-service.js';
import { retireRoutes } from './retire-routes.js';

/** Buildings (楼栋) with their site-plan position; the dispatch room of the community manages them. */
export async function buildingsRoutes(app: FastifyInstance, { buildings }: { buildings: BuildingsService }) {
  app.get<{ Querystring: BuildingsQuery }>('/buildings', {
    config: { roles: OVERSIGHT_ROLES },
    schema: { tags: ['register'], summary: 'Buildings of your communities', querystring: BuildingsQuery, response: responses({ 200: Page(BuildingItem) }) },
  }, async (request) => buildings.list(request.user!, request.query));
  app.get<{ Params: PlaceParams }>('/buildings/:id', {
    config: { roles: OVERSIGHT_ROLES },
    schema: { tags: ['register'], summary: 'One building', params: PlaceParams, response: responses({ 200: BuildingItem }) },
  }, async (request) => buildings.get(request.user!, request.params.id));
  app.post<{ Body: CreateBuildingBody }>('/buildings', {
    config: { roles: DISPATCH_ROLES },
    schema: { tags: ['register'], summary: 'Add a building to a grid (x/y in metres on the site plan, lat/lng optional)', body: CreateBuildingBody, response: responses({ 201: BuildingItem }) },
  }, async (request, reply) => reply.status(201).send(await buildings.create({ ...request.user!, ip: request.ip }, request.body)));
  app.patch<{ Params: PlaceParams; Body: PatchBuildingBody }>('/buildings/:id', {
    config: { roles: DISPATCH_ROLES },
    schema: { tags: ['register'], summary: 'Edit a building, its position, or move it to another grid', params: PlaceParams, body: PatchBuildingBody, response: responses({ 200: BuildingItem }) },
  }, async (request) => buildings.update({ ...request.user!, ip: request.ip }, request.params.id, request.body));
  retireRoutes<string>(app, '/buildings', 'register', 'building', DISPATCH_ROLES, PlaceParams, BuildingItem, (a, id, on) => buildings.retire(a, id, on));
}
