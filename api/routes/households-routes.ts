import type { FastifyInstance } from 'fastify';
import { ALL_ROLES } from '../route-access.js';
import { Page, responses } from '../schemas/common-schemas.js';
import { HouseholdFileResponse, HouseholdItem, HouseholdParams, HouseholdsQuery } from '../schemas/households-schemas.js';
import type { HouseholdsService } from '../services/households-service.js';

export async function householdsRoutes(app: FastifyInstance, { households }: { households: HouseholdsService }) {
  app.get<{ Querystring: HouseholdsQuery }>('/households', {
    config: { roles: ALL_ROLES },
    schema: {
      tags: ['households'], summary: 'Households with their place, residents and device/alert counts',
      querystring: HouseholdsQuery, response: responses({ 200: Page(HouseholdItem) }),
    },
  }, async (request) => households.list(request.user!, request.query));

  app.get<{ Params: HouseholdParams }>('/households/:id', {
    config: { roles: ALL_ROLES },
    schema: {
      tags: ['households'], summary: 'The household file (一户一档); every read is audited',
      params: HouseholdParams, response: responses({ 200: HouseholdFileResponse }),
    },
  }, async (request) => households.file({ ...request.user!, ip: request.ip }, request.params.id));
}
