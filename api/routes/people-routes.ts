import type { FastifyInstance } from 'fastify';
import { ACTING_ROLES, ALL_ROLES, DISPATCH_ROLES } from '../route-access.js';
import { Page, responses } from '../schemas/common-schemas.js';
import {
  CreateResponderBody, CreateRosterBody, DutyBody, PositionBody, PositionResponse, PatchResponderBody, ResponderItem, ResponderParams, RespondersQuery,
  RosterItem, RosterParams, RostersQuery,
} from '../schemas/people-schemas.js';
import type { PeopleService } from '../services/people-service.js';

/**
 * Responders and rosters. Reads: everyone (responders see colleagues' phones masked and only
 * their own roster). Writes: the dispatch room (operator, supervisor, admin); the on-duty switch
 * also the responder themselves.
 */
export async function peopleRoutes(app: FastifyInstance, { people }: { people: PeopleService }) {
  const actor = (r: { user: unknown; ip: string }) => ({ ...(r.user as NonNullable<typeof r.user> & object), ip: r.ip }) as Parameters<PeopleService['create']>[0];

  app.get<{ Querystring: RespondersQuery }>('/responders', {
    config: { roles: ALL_ROLES },
    schema: { tags: ['people'], summary: 'Responders, by role then name', querystring: RespondersQuery, response: responses({ 200: Page(ResponderItem) }) },
  }, async (request) => people.list(request.user!, request.query));

  app.post<{ Body: CreateResponderBody }>('/responders', {
    config: { roles: DISPATCH_ROLES },
    schema: { tags: ['people'], summary: 'Add a responder', body: CreateResponderBody, response: responses({ 201: ResponderItem }) },
  }, async (request, reply) => reply.status(201).send(await people.create(actor(request), request.body)));

  app.get<{ Params: ResponderParams }>('/responders/:id', {
    config: { roles: ALL_ROLES },
    schema: { tags: ['people'], summary: 'One responder', params: ResponderParams, response: responses({ 200: ResponderItem }) },
  }, async (request) => people.get(request.user!, request.params.id));

  app.patch<{ Params: ResponderParams; Body: PatchResponderBody }>('/responders/:id', {
    config: { roles: DISPATCH_ROLES },
    schema: { tags: ['people'], summary: 'Change a responder (role, name, phone, places, on duty, active)', params: ResponderParams, body: PatchResponderBody, response: responses({ 200: ResponderItem }) },
  }, async (request) => people.update(actor(request), request.params.id, request.body));

  app.post<{ Params: ResponderParams; Body: DutyBody }>('/responders/:id/duty', {
    config: { roles: ACTING_ROLES },
    schema: { tags: ['people'], summary: 'The on-duty switch; responders may flip their own. Sends responder.status on the live feed', params: ResponderParams, body: DutyBody, response: responses({ 200: ResponderItem }) },
  }, async (request) => people.setDuty(actor(request), request.params.id, request.body.onDuty));

  app.post<{ Params: ResponderParams; Body: PositionBody }>('/responders/:id/position', {
    config: { roles: ACTING_ROLES },
    schema: { tags: ['people'], summary: 'Share the phone\'s position on the site plan while on duty (null stops); dispatch ranks by it (issue 15). 409 off_duty when not on duty', params: ResponderParams, body: PositionBody, response: responses({ 200: PositionResponse }) },
  }, async (request) => people.setPosition(actor(request), request.params.id, request.body.position));

  app.get<{ Querystring: RostersQuery }>('/rosters', {
    config: { roles: ALL_ROLES },
    schema: { tags: ['people'], summary: 'Roster shifts (weekly and dated overrides); responders see their own', querystring: RostersQuery, response: responses({ 200: Page(RosterItem) }) },
  }, async (request) => people.rosters(request.user!, request.query));

  app.post<{ Body: CreateRosterBody }>('/rosters', {
    config: { roles: DISPATCH_ROLES },
    schema: {
      tags: ['people'], summary: 'Add a weekly shift {responderId, weekday, starts, ends} or a dated override {responderId, onDate, starts, ends, offDuty}',
      body: CreateRosterBody, response: responses({ 201: RosterItem }),
    },
  }, async (request, reply) => reply.status(201).send(await people.addRoster(actor(request), request.body)));

  app.delete<{ Params: RosterParams }>('/rosters/:id', {
    config: { roles: DISPATCH_ROLES },
    schema: { tags: ['people'], summary: 'Remove a roster shift', params: RosterParams, response: responses({ 200: RosterItem }) },
  }, async (request) => people.removeRoster(actor(request), request.params.id));
}
