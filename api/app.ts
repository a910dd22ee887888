import Fastify, { type FastifyInstance } from 'fastify';
import { wallClock } from '../domain/clock.js';
import type { ApiDeps } from './app-deps.js';
import { authPlugin } from './plugins/auth-plugin.js';
import { errorHandlerPlugin, frameworkErrorHandler } from './plugins/error-handler-plugin.js';
import { metricsPlugin } from './plugins/metrics-plugin.js';
import { rateLimitPlugin } from './plugins/rate-limit-plugin.js';
import { swaggerPlugin } from './plugins/swagger-plugin.js';
import { websocketPlugin } from './plugins/websocket-plugin.js';
import { alertsRoutes } from './routes/alerts-routes.js';
import { authRoutes } from './routes/auth-routes.js';
import { devicesRoutes } from './routes/devices-routes.js';
import { zigbeeRoutes } from './routes/zigbee-routes.js';
import { healthRoutes } from './routes/health-routes.js';
import { householdsRoutes } from './routes/households-routes.js';
import { passiveRoutes } from './routes/passive-routes.js';
import { mqttWebSocketRoutes } from './routes/mqtt-websocket-routes.js';
import { LiveHub } from './live/live-hub.js';
import { liveRoutes } from './routes/live-routes.js';
import { peopleRoutes } from './routes/people-routes.js';
import { settingsRoutes } from './routes/settings-routes.js';
import { storageRoutes } from './routes/storage-routes.js';
import { usersRoutes } from './routes/users-routes.js';
import { reportsRoutes } from './routes/reports-routes.js';
import { AccessService } from './services/access-service.js';
import { AlertActionsService } from './services/alert-actions-service.js';
import { DispatchService } from './services/dispatch-service.js';
import { AlertsService } from './services/alerts-service.js';
import { PeopleService } from './services/people-service.js';
import { SettingsService } from './services/settings-service.js';
import { StorageService } from './services/storage-service.js';
import { UsersService } from './services/users-service.js';
import { ReportsService } from './services/reports-service.js';
import { AuthService } from './services/auth-service.js';
import { DevicesService } from './services/devices-service.js';
import { ZigbeeService } from './services/zigbee-service.js';
import { HouseholdsService } from './services/households-service.js';
import { PassiveTuningService } from './services/passive-tuning-service.js';
import { HouseholdRegisterService } from './services/household-register-service.js';
import { registerRoutes } from './routes/register-routes.js';
import { channelCallbacksRoutes } from './routes/channel-callbacks-routes.js';
import { channelSettingsRoutes } from './routes/channel-settings-routes.js';
import { oneTimeLinkRoutes } from './routes/one-time-link-routes.js';
import { ChannelCallbacksService } from './services/channel-callbacks-service.js';
import { ChannelSettingsService } from './services/channel-settings-service.js';
import { OneTimeLinkService } from './services/one-time-link-service.js';
import { SUBSCRIBER_OPTIONS } from '../store/redis-subscriber.js';

export type { ApiDeps } from './app-deps.js';

/**
 * Secrets never reach the log: Fastify logs no bodies and no headers by default; these paths
 * are redacted anyway, in case a serializer or a `request.log.info({ req })` ever adds them.
 */
const REDACT = [
  'req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]',
  'headers.authorization', 'headers.cookie',
  'body.password', 'body.secret', 'body.token', 'password', 'secret', 'token',
];

/** `?token=` (the live feed's query-string session) never reaches the log either. */
export function redactUrl(url: string | undefined): string | undefined {
  return url?.replace(/([?&]token=)[^&#]*/gi, '$1[redacted]');
}

function loggerOption(logger: ApiDeps['logger']) {
  if (!logger) return false;
  const base = logger === true ? {} : logger;
  return {
    ...base,
    redact: { paths: REDACT, censor: '[redacted]' },
    serializers: {
      req: (req: { method?: string; url?: string; hostname?: string; ip?: string; socket?: { remotePort?: number } }) => ({
        method: req.method, url: redactUrl(req.url), host: req.hostname, remoteAddress: req.ip, remotePort: req.socket?.remotePort,
      }),
    },
  };
}

/**
 * The API app (DESIGN §6, §8): plugins first (errors, metrics, OpenAPI, rate limit, WebSocket,
 * auth), then routes. It does not listen; see server.ts. More routes (the console, `/api/v1/live`)
 * can be registered on the returned instance before it is listened on.
 */
export async function buildApp(deps: ApiDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: loggerOption(deps.logger),
    trustProxy: deps.trustProxy ?? false,
    // The API takes small JSON documents; nothing legitimate comes near this.
    bodyLimit: 256 * 1024,
    // Unknown body fields are refused with a 400 naming them, not silently dropped.
    ajv: { customOptions: { removeAdditional: false } },
    return503OnClosing: true,
    // Ids may be up to 128 characters (schemas say so with a clear 400); the router's default
    // of 100 would answer a shorter-than-allowed id with 414.
    routerOptions: { maxParamLength: 256 },
    frameworkErrors: frameworkErrorHandler,
  });

  const clock = deps.clock ?? wallClock;
  const auth = new AuthService(deps.pool, deps.config.SESSION_TTL_H, clock, deps.config.ALERT_ACCESS_GRACE_S * 1000);

  await app.register(errorHandlerPlugin);
  // First of the hooks: its onResponse closes the socket of an upgrade that was refused (401,
  // 403, 429…). A hook that replies before it runs would leave that socket open for good, and
  // app.close() would wait on it forever.
  await app.register(websocketPlugin);
  await app.register(metricsPlugin);
  // Auth before any plugin that adds routes, so its onRoute check sees every route (and marks
  // the OpenAPI UI's own routes public). A route added earlier would be closed to everyone.
  await app.register(authPlugin, { auth });
  await app.register(swaggerPlugin);
  await app.register(rateLimitPlugin);

  await app.register(async (root) => {
    await healthRoutes(root, deps);
    await mqttWebSocketRoutes(root, deps);
    await oneTimeLinkRoutes(root, { links: new OneTimeLinkService(deps.pool, deps.config.SESSION_TTL_H) });
  });
  const live = deps.live ?? {};
  const createSubscriber = deps.createLiveSubscriber
    ?? (deps.redis ? () => deps.redis!.duplicate({ ...SUBSCRIBER_OPTIONS, lazyConnect: false, enableOfflineQueue: true }) : undefined);
  const access = new AccessService(deps.pool, clock);
  const hub = new LiveHub({
    pool: deps.pool, clock, createSubscriber, pollMs: live.pollMs ?? 1000, gapWaitMs: live.gapWaitMs ?? 1000, log: app.log,
  });
  app.addHook('onClose', async () => { await hub.stop(); });

  await app.register(async (api) => {
    await authRoutes(api, { ...deps, auth });
    await alertsRoutes(api, {
      alerts: new AlertsService(deps.pool, access, clock),
      actions: new AlertActionsService(deps.pool, access, clock, deps.redis, undefined,
        { tz: deps.config.GUARDIAN_TZ, dayShift: deps.config.DAY_SHIFT, nightReadyS: deps.config.DISPATCH_NIGHT_READY_S }),
      dispatch: new DispatchService(deps.pool, access, clock, deps.config, deps.redis),
    });
    await peopleRoutes(api, { people: new PeopleService(deps.pool, deps.config.GUARDIAN_TZ, clock, deps.redis) });
    await reportsRoutes(api, { reports: new ReportsService(deps.pool, deps.config, clock), pool: deps.pool, tz: deps.config.GUARDIAN_TZ });
    await liveRoutes(api, {
      pool: deps.pool, hub, clock, config: deps.config, resolveSession: (token) => auth.resolve(token), rescopeMs: live.rescopeMs ?? 30_000, maxBufferedBytes: live.maxBufferedBytes ?? 1024 * 1024,
      heartbeatMs: live.heartbeatMs ?? 25_000, recentlyClosedMs: live.recentlyClosedMs ?? 3_600_000,
    });
    await householdsRoutes(api, { households: new HouseholdsService(deps.pool, access, clock), register: new HouseholdRegisterService(deps.pool, access, clock) });
    await passiveRoutes(api, { passive: new PassiveTuningService(deps.pool, access, clock, deps.config.PASSIVE_POLICY) });
    // Issue 17: the register (streets … contacts), its import/export and the street overview.
    await registerRoutes(api, { pool: deps.pool, config: deps.config, clock, access });
    await devicesRoutes(api, { devices: new DevicesService(deps.pool, access, clock, deps.onDeviceRevoked, deps.redis) });
    await zigbeeRoutes(api, { zigbee: new ZigbeeService(deps.pool, access, clock) });
    await usersRoutes(api, { users: new UsersService(deps.pool) });
    await settingsRoutes(api, { settings: new SettingsService(deps.pool, deps.config, clock) });
    // Issue 16: provider callbacks (public, token in the URL) and channel settings.
    await channelCallbacksRoutes(api, { callbacks: new ChannelCallbacksService(deps.pool, new AlertActionsService(deps.pool, access, clock, deps.redis, undefined,
      { tz: deps.config.GUARDIAN_TZ, dayShift: deps.config.DAY_SHIFT, nightReadyS: deps.config.DISPATCH_NIGHT_READY_S }), clock, deps.config.ALERT_ACCESS_GRACE_S * 1000) });
    await channelSettingsRoutes(api, { channels: new ChannelSettingsService(deps.pool, deps.redis), reconcileS: deps.config.RECONCILE_S });
    await storageRoutes(api, { storage: new StorageService(deps.pool, deps.config) });
  }, { prefix: '/api/v1' });

  return app;
}
