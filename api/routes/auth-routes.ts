import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiDeps } from '../app-deps.js';
import { logins } from '../api-metrics.js';
import { ApiError } from '../api-error.js';
import { SESSION_COOKIE } from '../plugins/auth-plugin.js';
import { ALL_ROLES } from '../route-access.js';
import { LoginBody, LoginResponse, MeResponse, OkResponse } from '../schemas/auth-schemas.js';
import { responses } from '../schemas/common-schemas.js';
import type { AuthService } from '../services/auth-service.js';
import { LoginThrottle } from '../services/login-throttle.js';

/** Sign-in attempts of any outcome one address may make per window, in multiples of `max`. */
const ATTEMPTS_FACTOR = 20;

export async function authRoutes(app: FastifyInstance, deps: ApiDeps & { auth: AuthService }) {
  const { auth } = deps;
  const limit = deps.loginRateLimit ?? { max: 10, timeWindowMs: 60_000 };
  const throttle = new LoginThrottle(limit);

  app.post<{ Body: LoginBody }>('/auth/login', {
    config: {
      public: true,
      // Failed attempts are throttled per address + username and per address (LoginThrottle).
      // On top, any attempts from one address are capped, successful or not: each one costs a
      // scrypt verification, and that CPU is not for whoever sends the most requests.
      rateLimit: {
        max: limit.max * ATTEMPTS_FACTOR, timeWindow: limit.timeWindowMs,
        keyGenerator: (req: FastifyRequest) => `login|${req.ip}`,
      },
    },
    schema: {
      tags: ['auth'], summary: 'Sign in; sets the session cookie and returns a bearer token', security: [],
      body: LoginBody, response: responses({ 200: LoginResponse }),
    },
  }, async (request, reply) => {
    const { username } = request.body;
    const waitMs = throttle.retryAfterMs(request.ip, username);
    if (waitMs > 0) {
      logins.inc({ result: 'throttled' });
      const seconds = Math.ceil(waitMs / 1000);
      reply.header('retry-after', String(seconds));
      throw new ApiError(429, 'rate_limited', `too many failed sign-ins; try again in ${seconds} s`);
    }
    let result;
    try {
      result = await auth.login(username, request.body.password);
    } catch (err) {
      if (err instanceof ApiError && err.statusCode === 401) {
        logins.inc({ result: 'refused' });
        throttle.failed(request.ip, username);
      }
      throw err;
    }
    throttle.succeeded(request.ip, username);
    logins.inc({ result: 'ok' });
    reply.setCookie(SESSION_COOKIE, result.token, {
      path: '/', httpOnly: true, sameSite: 'lax', secure: request.protocol === 'https',
      expires: result.expiresAt,
    });
    const { role, displayName, responderId } = result.user;
    return { token: result.token, expiresAt: result.expiresAt, user: { username: result.user.username, role, displayName, responderId } };
  });

  app.post('/auth/logout', {
    config: { roles: ALL_ROLES },
    schema: { tags: ['auth'], summary: 'End this session', response: responses({ 200: OkResponse }) },
  }, async (request, reply) => {
    const token = request.authVia === 'bearer'
      ? /^Bearer\s+(\S+)/i.exec(request.headers.authorization ?? '')?.[1]
      : request.cookies[SESSION_COOKIE];
    if (token) await auth.logout(token);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return { ok: true };
  });

  app.get('/auth/me', {
    config: { roles: ALL_ROLES },
    schema: { tags: ['auth'], summary: 'Who am I', response: responses({ 200: MeResponse }) },
  }, async (request) => {
    const { username, role, displayName, responderId } = request.user!;
    return { user: { username, role, displayName, responderId }, via: request.authVia! };
  });
}
