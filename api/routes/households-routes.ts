import type { FastifyInstance } from 'fastify';
import { ACTING_ROLES, ALL_ROLES, DISPATCH_ROLES } from '../route-access.js';
import { Page, responses } from '../schemas/common-schemas.js';
import {
  CreateVisitBody, HouseholdCare, HouseholdFileResponse, HouseholdItem, HouseholdParams, HouseholdsQuery, PatchHouseholdBody, VisitItem,
} from '../schemas/households-schemas.js';
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

  app.patch<{ Params: HouseholdParams; Body: PatchHouseholdBody }>('/households/:id', {
    config: { roles: DISPATCH_ROLES },
    schema: {
      tags: ['households'], summary: 'Change the inactivity thresholds (seconds, by day and by night) or the notes of a home; audited',
      params: HouseholdParams, body: PatchHouseholdBody, response: responses({ 200: HouseholdCare }),
    },
  }, async (request) => households.updateCare({ ...request.user!, ip: request.ip }, request.params.id, request.body));

  app.post<{ Params: HouseholdParams; Body: CreateVisitBody }>('/households/:id/visits', {
    config: { roles: ACTING_ROLES },
    schema: {
      tags: ['households'], summary: 'Record a visit, a phone call or a check-in in the household file',
      params: HouseholdParams, body: CreateVisitBody, response: responses({ 201: VisitItem }),
    },
  }, async (request, reply) => reply.status(201).send(await households.addVisit({ ...request.user!, ip: request.ip }, request.params.id, request.body)));
}
