import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { SESSION_COOKIE } from '../plugins/auth-plugin.js';
import type { OneTimeLinkService } from '../services/one-time-link-service.js';

const Params = Type.Object({ token: Type.String({ minLength: 1, maxLength: 128 }) });

/**
 * `GET /l/:token` (public, short for an SMS): a valid link sets the session cookie and goes to
 * the alert; a used or expired one goes to the sign-in page with `?link=expired`, which says why.
 */
export async function oneTimeLinkRoutes(app: FastifyInstance, { links }: { links: OneTimeLinkService }) {
  app.get<{ Params: Static<typeof Params> }>('/l/:token', {
    config: { public: true },
    schema: { tags: ['channels'], summary: 'One-time sign-in link from an SMS: opens the alert on the phone', security: [], params: Params, response: { 302: Type.Null() } },
  }, async (request, reply) => {
    const used = await links.use(request.params.token, request.ip);
    reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
    if (!used) return reply.redirect('/?link=expired', 302);
    reply.setCookie(SESSION_COOKIE, used.sessionToken, {
      path: '/', httpOnly: true, sameSite: 'lax', secure: request.protocol === 'https', expires: used.expiresAt,
    });
    return reply.redirect(`/alerts/${encodeURIComponent(used.alertId)}`, 302);
  });
}
