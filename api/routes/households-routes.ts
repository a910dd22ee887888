import type { FastifyInstance } from 'fastify';
import { ACTING_ROLES, ALL_ROLES, DISPATCH_ROLES } from '../route-access.js';
import { Page, responses } from '../schemas/common-schemas.js';
import {
  CreateHouseholdBody, CreateVisitBody, HouseholdCare, HouseholdFileResponse, HouseholdItem, HouseholdParams, HouseholdsQuery, PatchHouseholdBody, VisitItem,
} from '../schemas/households-schemas.js';
import type { HouseholdRegisterService } from '../services/household-register-service.js';
import type { HouseholdsService } from '../services/households-service.js';
import { retireRoutes } from './retire-routes.js';

export async function householdsRoutes(app: FastifyInstance, { households, register }: { households: HouseholdsService; register: HouseholdRegisterService }) {
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

  app.post<{ Body: CreateHouseholdBody }>('/households', {
    config: { roles: DISPATCH_ROLES },
    schema: {
      tags: ['households'], summary: 'Add a household to a building of your communities (code 户号 unique in the community); audited',
      body: CreateHouseholdBody, response: responses({ 201: HouseholdCare }),
    },
  }, async (request, reply) => reply.status(201).send(await register.create({ ...request.user!, ip: request.ip }, request.body)));

  app.patch<{ Params: HouseholdParams; Body: PatchHouseholdBody }>('/households/:id', {
    config: { roles: DISPATCH_ROLES },
    schema: {
      tags: ['households'], summary: 'Edit a home: code, unit, address, phone, living situation, key/door notes, inactivity thresholds (seconds), notes; buildingId moves it (its history follows); audited with before/after',
      params: HouseholdParams, body: PatchHouseholdBody, response: responses({ 200: HouseholdCare }),
    },
  }, async (request) => register.update({ ...request.user!, ip: request.ip }, request.params.id, request.body));
  retireRoutes<string>(app, '/households', 'households', 'household', DISPATCH_ROLES, HouseholdParams, HouseholdCare, (a, id, on) => register.retire(a, id, on));

  app.post<{ Params: HouseholdParams; Body: CreateVisitBody }>('/households/:id/visits', {
    config: { roles: ACTING_ROLES },
    schema: {
      tags: ['households'], summary: 'Record a visit, a phone call or a check-in in the household file',
      params: HouseholdParams, body: CreateVisitBody, response: responses({ 201: VisitItem }),
    },
  }, async (request, reply) => reply.status(201).send(await households.addVisit({ ...request.user!, ip: request.ip }, request.params.id, request.body)));
}
