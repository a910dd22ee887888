import type { FastifyInstance } from 'fastify';
import { DISPATCH_ROLES } from '../route-access.js';
import { responses } from '../schemas/common-schemas.js';
import { HouseholdParams } from '../schemas/households-schemas.js';
import { ContactRecordSchema, CreateContactBody, PatchContactBody, ResidentParams as ContactParams } from '../schemas/residents-schemas.js';
import type { ContactsService } from '../services/contacts-service.js';

/** Contacts of a household (relation, phone, order to call); the dispatch room edits them. */
export async function contactsRoutes(app: FastifyInstance, { contacts }: { contacts: ContactsService }) {
  app.post<{ Params: HouseholdParams; Body: CreateContactBody }>('/households/:id/contacts', {
    config: { roles: DISPATCH_ROLES },
    schema: { tags: ['register'], summary: 'Add a contact to a household', params: HouseholdParams, body: CreateContactBody, response: responses({ 201: ContactRecordSchema }) },
  }, async (request, reply) => reply.status(201).send(await contacts.create({ ...request.user!, ip: request.ip }, request.params.id, request.body)));
  app.patch<{ Params: { id: number }; Body: PatchContactBody }>('/contacts/:id', {
    config: { roles: DISPATCH_ROLES },
    schema: { tags: ['register'], summary: 'Edit a contact', params: ContactParams, body: PatchContactBody, response: responses({ 200: ContactRecordSchema }) },
  }, async (request) => contacts.update({ ...request.user!, ip: request.ip }, request.params.id, request.body));
  app.delete<{ Params: { id: number } }>('/contacts/:id', {
    config: { roles: DISPATCH_ROLES },
    schema: { tags: ['register'], summary: 'Remove a contact (the audit log keeps it)', params: ContactParams, response: responses({ 200: ContactRecordSchema }) },
  }, async (request) => contacts.remove({ ...request.user!, ip: request.ip }, request.params.id));
}
