import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiDeps } from '../app-deps.js';
import { logins } from '../api-metrics.js';
import { ApiError } from '../api-error.js';
import { SESSION_COOKIE } from '../plugins/auth-plugin.js';
import { ALL_ROLES } from '../route-access.js';
import { LoginBody, LoginResponse, MeResponse, OkResponse } from '../schemas/auth-schemas.js';
import { responses } from '../schemas/common-schemas.js';
import type { AuthService } from '../services/auth-service.js';

export async function authRoutes(app: FastifyInstance, deps: ApiDeps & { auth: AuthService }) {
  const { auth } = deps;
  const limit = deps.loginRateLimit ?? { max: 10, timeWindowMs: 60_000 };

  app.post<{ Body: LoginBody }>('/auth/login', {
    config: {
      public: true,
      // Per client IP + username, so one attacker cannot lock a colleague out from elsewhere,
      // and one address cannot guess one password forever. preHandler: the body is parsed by then.
      rateLimit: {
        max: limit.max, timeWindow: limit.timeWindowMs, hook: 'preHandler',
        keyGenerator: (req: FastifyRequest) => `login|${req.ip}|${String((req.body as Partial<LoginBody> | undefined)?.username ?? '').toLowerCase()}`,
      },
    },
    schema: {
      tags: ['auth'], summary: 'Sign in; sets the session cookie and returns a bearer token', security: [],
      body: LoginBody, response: responses({ 200: LoginResponse }),
    },
  }, async (request, reply) => {
    let result;
    try {
      result = await auth.login(request.body.username, request.body.password);
    } catch (err) {
      if (err instanceof ApiError && err.statusCode === 401) logins.inc({ result: 'refused' });
      throw err;
    }
    logins.inc({ result: 'ok' });
    reply.setCookie(SESSION_COOKIE, result.token, {
      path: '/', httpOnly: true, sameSite: 'lax', secure: request.protocol === 'https',
      expires: result.expiresAt,
    });
    const { username, role, displayName, responderId } = result.user;
    return { token: result.token, expiresAt: result.expiresAt, user: { username, role, displayName, responderId } };
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
