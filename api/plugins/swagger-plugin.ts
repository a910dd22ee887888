import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { globalPlugin } from './global-plugin.js';

/**
 * The OpenAPI document built from the route schemas, and its UI at /api/docs (DESIGN §6).
 * Registered before the routes, because @fastify/swagger collects them in onRoute.
 */
export const swaggerPlugin = globalPlugin('swagger', async (app) => {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: '365 Cloud Guardian API',
        description: 'Alerts, household files and devices for the community dispatch room (365云守护). ' +
          'Sign in with POST /api/v1/auth/login; scripts send the returned token as `Authorization: Bearer <token>`, ' +
          'the console uses the session cookie and sends `X-Requested-With: guardian` on changes.',
        version: '1',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          session: { type: 'apiKey', in: 'cookie', name: 'guardian_session' },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
      tags: [
        { name: 'auth', description: 'Sessions' },
        { name: 'alerts', description: 'Alerts and their evidence trail' },
        { name: 'households', description: 'Households and the household file (一户一档)' },
        { name: 'devices', description: 'Device provisioning and revocation' },
        { name: 'ops', description: 'Health, readiness, metrics' },
      ],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });
});
