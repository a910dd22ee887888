import type { FastifyInstance } from 'fastify';
import { ADMIN_ONLY, DISPATCH_ROLES, OVERSIGHT_ROLES } from '../route-access.js';
import { Page, responses } from '../schemas/common-schemas.js';
import {
  CommunitiesQuery, CommunityDetail, CommunityItem, CommunitySettingsResponse, CreateCommunityBody, PatchCommunityBody,
} from '../schemas/communities-schemas.js';
import { PlaceParams } from '../schemas/places-schemas.js';
import type { CommunitiesService } from '../services/communities-service.js';
import { retireRoutes } from './retire-routes.js';

/** Communities: admins create, move and retire; their dispatch room edits details and settings. */
export async function communitiesRoutes(app: FastifyInstance, { communities }: { communities: CommunitiesService }) {
  app.get<{ Querystring: CommunitiesQuery }>('/communities', {
    config: { roles: OVERSIGHT_ROLES },
    schema: { tags: ['register'], summary: 'Communities in your scope', querystring: CommunitiesQuery, response: responses({ 200: Page(CommunityItem) }) },
  }, async (request) => communities.list(request.user!, request.query));
  app.get<{ Params: PlaceParams }>('/communities/:id', {
    config: { roles: OVERSIGHT_ROLES },
    schema: { tags: ['register'], summary: 'One community with its settings in force', params: PlaceParams, response: responses({ 200: CommunityDetail }) },
  }, async (request) => communities.get(request.user!, request.params.id));
  app.get<{ Params: PlaceParams }>('/communities/:id/settings', {
    config: { roles: OVERSIGHT_ROLES },
    schema: {
      tags: ['register'], summary: 'Day shift, SLA targets, ack timeout and 24-hour number in force for the community (its own or the global default)',
      params: PlaceParams, response: responses({ 200: CommunitySettingsResponse }),
    },
  }, async (request) => communities.settings(request.user!, request.params.id));
  app.post<{ Body: CreateCommunityBody }>('/communities', {
    config: { roles: ADMIN_ONLY },
    schema: { tags: ['register'], summary: 'Add a community', body: CreateCommunityBody, response: responses({ 201: CommunityDetail }) },
  }, async (request, reply) => reply.status(201).send(await communities.create({ ...request.user!, ip: request.ip }, request.body)));
  app.patch<{ Params: PlaceParams; Body: PatchCommunityBody }>('/communities/:id', {
    config: { roles: DISPATCH_ROLES },
    schema: {
      tags: ['register'], summary: 'Edit a community: name, address, 24-hour number, settings (null = global default); streetId (move) is for admins',
      params: PlaceParams, body: PatchCommunityBody, response: responses({ 200: CommunityDetail }),
    },
  }, async (request) => communities.update({ ...request.user!, ip: request.ip }, request.params.id, request.body));
  retireRoutes<string>(app, '/communities', 'register', 'community', ADMIN_ONLY, PlaceParams, CommunityItem, (a, id, on) => communities.retire(a, id, on));
}
