import type { FastifyInstance } from 'fastify';
import { ALL_ROLES, DISPATCH_ROLES } from '../route-access.js';
import { responses } from '../schemas/common-schemas.js';
import { HouseholdParams } from '../schemas/households-schemas.js';
import { PassiveProfileResponse, PassiveTuningBody } from '../schemas/passive-schemas.js';
import type { PassiveTuningService } from '../services/passive-tuning-service.js';

/** The passive rules of one home (issue 19): learned rhythm and the care team's tuning. */
export async function passiveRoutes(app: FastifyInstance, { passive }: { passive: PassiveTuningService }) {
  app.get<{ Params: HouseholdParams }>('/households/:id/passive', {
    config: { roles: ALL_ROLES },
    schema: {
      tags: ['households'], summary: "The home's learned rhythm (wake-up, bedtime, usual silence per room) and its passive-rule tuning",
      params: HouseholdParams, response: responses({ 200: PassiveProfileResponse }),
    },
  }, async (request) => passive.profile({ ...request.user!, ip: request.ip }, request.params.id));

  app.put<{ Params: HouseholdParams; Body: PassiveTuningBody }>('/households/:id/passive', {
    config: { roles: DISPATCH_ROLES },
    schema: {
      tags: ['households'], summary: 'Set sensitivity and away mode (until an instant) of the passive rules for one home; audited with before/after',
      params: HouseholdParams, body: PassiveTuningBody, response: responses({ 200: PassiveProfileResponse.properties.tuning }),
    },
  }, async (request) => passive.update({ ...request.user!, ip: request.ip }, request.params.id, request.body));
}
