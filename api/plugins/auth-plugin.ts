import cookie from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { forbidden, unauthorized } from '../api-error.js';
import type { AuthService } from '../services/auth-service.js';
import { globalPlugin } from './global-plugin.js';
import type { RouteAccessEntry } from '../route-access.js';

export const SESSION_COOKIE = 'guardian_session';
/** Routes that plugins we trust add themselves (the OpenAPI UI and document) are public. */
const DOCS_PREFIX = '/api/docs';
const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Authentication, role checks and CSRF protection for every route.
 *
 * - Who: `Authorization: Bearer <token>` (scripts) or the `guardian_session` cookie (console).
 *   Both are the same kind of session token; the database keeps only its SHA-256.
 * - May they: each route declares `config: { public: true }` or `config: { roles: [...] }`.
 *   A route that declares neither makes the app refuse to start (checked in onRoute), so a
 *   forgotten declaration is a startup error, not an open endpoint.
 * - CSRF: the session cookie is SameSite=Lax, which already keeps it off cross-site POSTs from
 *   modern browsers; as a second layer, a cookie-authenticated POST/PUT/PATCH/DELETE must also
 *   carry `X-Requested-With: guardian` (a custom header a cross-site form cannot set, and
 *   fetch cannot set cross-origin without a CORS preflight we never grant) or an `Origin`
 *   equal to our own. Bearer requests are exempt: a browser never attaches a bearer token by
 *   itself, so a forged request cannot carry one.
 * - A route with `config.tokenInQuery` (the live WebSocket) also takes `?token=`; a cookie
 *   there is checked against the Origin by the route (cross-site WebSocket hijacking).
 */
export const authPlugin = globalPlugin<{ auth: AuthService }>('auth', async (app, { auth }) => {
  await app.register(cookie);
  app.decorateRequest('user', null);
  app.decorateRequest('authVia', null);
  const accessTable: RouteAccessEntry[] = [];
  app.decorate('accessTable', accessTable);

  app.addHook('onRoute', (route) => {
    const config = (route.config ?? {}) as { public?: boolean; roles?: readonly string[] };
    if (route.url.startsWith(DOCS_PREFIX) && config.public === undefined && config.roles === undefined) {
      route.config = { ...config, public: true } as typeof route.config;
    } else if (config.public !== true && (!config.roles || config.roles.length === 0)) {
      throw new Error(`route ${String(route.method)} ${route.url} declares neither config.public nor config.roles; every route must say who may call it`);
    }
    const { public: isPublic, roles, tokenInQuery } = route.config as RouteAccessEntry['access'];
    const access = isPublic === true ? { public: true } : { roles: [...roles!], ...(tokenInQuery ? { tokenInQuery } : {}) };
    for (const method of [route.method].flat()) {
      accessTable.push({ method: String(method), url: route.url, access, websocket: (route as { websocket?: boolean }).websocket === true || 'wsHandler' in route });
    }
  });

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    // Unknown routes answer 404 for everyone; there is nothing behind them to protect.
    if (request.is404) return;
    const found = tokenOf(request, request.routeOptions.config.tokenInQuery === true);
    if (found) {
      const user = await auth.resolve(found.token);
      if (user) { request.user = user; request.authVia = found.via; }
      else if (found.via === 'cookie') reply.clearCookie(SESSION_COOKIE, { path: '/' });
    }

    const config = request.routeOptions.config;
    if (config.public === true) return;
    if (!request.user) throw unauthorized();
    if (!config.roles?.includes(request.user.role)) throw forbidden();
    if (request.authVia === 'cookie' && UNSAFE_METHODS.has(request.method) && !sameOriginIntent(request)) {
      throw forbidden('send the X-Requested-With: guardian header with cookie-authenticated changes', 'csrf');
    }
  });
});

export function tokenOf(request: FastifyRequest, queryToken: boolean): { token: string; via: 'bearer' | 'cookie' | 'query' } | null {
  const h = request.headers.authorization;
  if (h) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
    if (m) return { token: m[1]!, via: 'bearer' };
  }
  if (queryToken) {
    const q = (request.query as Record<string, unknown> | undefined)?.token;
    if (typeof q === 'string' && q.length > 0) return { token: q, via: 'query' };
  }
  const c = request.cookies[SESSION_COOKIE];
  return c ? { token: c, via: 'cookie' } : null;
}

/** The browser says the page is ours (or sends no Origin at all: not a browser). */
export function sameOrigin(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  return origin === undefined || origin === `${request.protocol}://${request.host}`;
}

function sameOriginIntent(request: FastifyRequest): boolean {
  if (request.headers['x-requested-with'] === 'guardian') return true;
  const origin = request.headers.origin;
  return typeof origin === 'string' && origin === `${request.protocol}://${request.host}`;
}
