import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { LIVE_STATES } from '../../domain/alert-kinds.js';
import { countLiveAlertsByState } from '../../store/alerts-repository.js';
import { tableSizes } from '../../store/retention-repository.js';
import type { ApiDeps } from '../app-deps.js';
import { alertsByState, metricsRegistry, tableBytes, tableRows } from '../api-metrics.js';
import { unauthorized } from '../api-error.js';
import { ErrorResponse } from '../schemas/common-schemas.js';
import { HealthResponse, ReadyResponse } from '../schemas/health-schemas.js';
import { checkReadiness } from '../services/readiness-service.js';
import { channelReadinessDetail } from '../services/channel-readiness.js';

/**
 * Liveness, readiness and Prometheus metrics (DESIGN §6). Served at the root, not under /api/v1,
 * where orchestrators and scrapers expect them.
 */
export async function healthRoutes(app: FastifyInstance, deps: ApiDeps) {
  app.get('/healthz', {
    config: { public: true },
    schema: { tags: ['ops'], summary: 'The process is up', security: [], response: { 200: HealthResponse } },
  }, async () => ({ status: 'ok' as const }));

  app.get('/readyz', {
    config: { public: true },
    schema: {
      tags: ['ops'], summary: 'The database and every dependency answer', security: [],
      response: { 200: ReadyResponse, 503: ReadyResponse },
    },
  }, async (_request, reply) => {
    const { ready, checks } = await checkReadiness(deps.pool, deps.readiness);
    // Channel problems are detail, not unreadiness: taking the API out of rotation would hide the banner.
    const detail = await channelReadinessDetail(deps.pool, deps.config.RECONCILE_S);
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks, ...(detail ? { detail } : {}) });
  });

  // Public by default, as Prometheus targets usually are: it holds counts, never personal data.
  // Set ApiDeps.metricsToken to require `Authorization: Bearer <token>`.
  const expected = deps.metricsToken ? Buffer.from(`Bearer ${deps.metricsToken}`) : null;
  app.get('/metrics', {
    config: { public: true },
    schema: {
      tags: ['ops'], summary: 'Prometheus metrics (text exposition format)', security: [],
      response: { 200: Type.String({ description: 'Prometheus text format' }), 401: ErrorResponse },
    },
  }, async (request, reply) => {
    if (expected) {
      const got = Buffer.from(request.headers.authorization ?? '');
      if (got.length !== expected.length || !timingSafeEqual(got, expected)) throw unauthorized('metrics need the metrics bearer token');
    }
    try {
      const counts = await countLiveAlertsByState(deps.pool);
      for (const s of LIVE_STATES) alertsByState.set({ state: s }, counts[s] ?? 0);
      for (const t of await tableSizes(deps.pool)) {
        tableBytes.set({ table: t.table }, t.bytes);
        tableRows.set({ table: t.table }, t.rowsEstimate);
      }
    } catch (err) {
      // A scrape during a database outage still returns the process metrics; the gauges go stale.
      request.log.warn({ err }, 'database gauges not refreshed');
    }
    const body = await metricsRegistry.metrics();
    return reply.type(metricsRegistry.contentType).send(body);
  });
}
