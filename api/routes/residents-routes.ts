import type { FastifyInstance } from 'fastify';
import { DISPATCH_ROLES } from '../route-access.js';
import { responses } from '../schemas/common-schemas.js';
import { HouseholdParams } from '../schemas/households-schemas.js';
import { CreateResidentBody, PatchResidentBody, ResidentParams, ResidentRecordSchema } from '../schemas/residents-schemas.js';
import type { ResidentsService } from '../services/residents-service.js';
import { retireRoutes } from './retire-routes.js';

/** Residents of a household: the dispatch room of its community edits them; all changes audited. */
export async function residentsRoutes(app: FastifyInstance, { residents }: { residents: ResidentsService }) {
  app.post<{ Params: HouseholdParams; Body: CreateResidentBody }>('/households/:id/residents', {
    config: { roles: DISPATCH_ROLES },
    schema: { tags: ['register'], summary: 'Add a resident to a household', params: HouseholdParams, body: CreateResidentBody, response: responses({ 201: ResidentRecordSchema }) },
  }, async (request, reply) => reply.status(201).send(await residents.create({ ...request.user!, ip: request.ip }, request.params.id, request.body)));
  app.patch<{ Params: ResidentParams; Body: PatchResidentBody }>('/residents/:id', {
    config: { roles: DISPATCH_ROLES },
    schema: { tags: ['register'], summary: 'Edit a resident (name, gender, birth year, phone, ID number, conditions, care notes)', params: ResidentParams, body: PatchResidentBody, response: responses({ 200: ResidentRecordSchema }) },
  }, async (request) => residents.update({ ...request.user!, ip: request.ip }, request.params.id, request.body));
  retireRoutes<number>(app, '/residents', 'register', 'resident', DISPATCH_ROLES, ResidentParams, ResidentRecordSchema, (a, id, on) => residents.retire(a, id, on));
}
