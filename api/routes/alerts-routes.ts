import type { FastifyInstance } from 'fastify';
import { ALL_ROLES } from '../route-access.js';
import { AlertDetailResponse, AlertItem, AlertParams, AlertsQuery } from '../schemas/alerts-schemas.js';
import { Page, responses } from '../schemas/common-schemas.js';
import type { AlertsService } from '../services/alerts-service.js';

/** HTTP only: access rules live in AlertsService, queries in store/alerts-repository. */
export async function alertsRoutes(app: FastifyInstance, { alerts }: { alerts: AlertsService }) {
  app.get<{ Querystring: AlertsQuery }>('/alerts', {
    config: { roles: ALL_ROLES },
    schema: {
      tags: ['alerts'], summary: 'Alerts, critical first then newest; responders see their own',
      querystring: AlertsQuery, response: responses({ 200: Page(AlertItem) }),
    },
  }, async (request) => alerts.list(request.user!, request.query));

  app.get<{ Params: AlertParams }>('/alerts/:id', {
    config: { roles: ALL_ROLES },
    schema: {
      tags: ['alerts'], summary: 'One alert with its timeline, signals and notification attempts',
      params: AlertParams, response: responses({ 200: AlertDetailResponse }),
    },
  }, async (request) => alerts.detail(request.user!, request.params.id));
}
