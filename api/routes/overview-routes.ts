import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import type { Clock } from '../../domain/clock.js';
import type { Config } from '../../domain/config.js';
import { communityOverview } from '../../store/overview-repository.js';
import { OVERSIGHT_ROLES } from '../route-access.js';
import { DateTime, Nullable, NullableDateTime, Page, PageQuery, responses, TextId } from '../schemas/common-schemas.js';

const OverviewQuery = Type.Object({ streetId: Type.Optional(TextId), ...PageQuery });
type OverviewQuery = Static<typeof OverviewQuery>;

const CommunityOverview = Type.Object({
  communityId: Type.String(), name: Type.String(), streetId: Nullable(Type.String()), streetName: Nullable(Type.String()),
  households: Type.Integer(), openCritical: Type.Integer(), openHigh: Type.Integer(), openMaintenance: Type.Integer(),
  oldestOpenAt: NullableDateTime,
  slaOnsiteS: Type.Integer({ description: 'The community\'s on-site target (its own or SLA_ONSITE_S)' }),
  alerts24h: Type.Integer({ description: 'Critical and high alerts whose first signal was in the last 24 h' }),
  onSiteWithinSla24h: Type.Integer(), onSiteWithinSlaPct24h: Nullable(Type.Number()), acceptMedianS24h: Nullable(Type.Number()),
  onSiteBreaches24h: Type.Integer(), ackBreaches24h: Type.Integer(),
  rosterGaps: Type.Array(Type.Object({ gridId: Type.String(), gridName: Type.String(), role: Type.String(), shift: Type.String(), shiftDate: Type.String() }),
    { description: 'First-tier roles nobody covers, as the dispatcher reported them in the last 12 h' }),
});

/** The street overview (issue 17): every community of the caller's scope at a glance; read-only. */
export async function overviewRoutes(app: FastifyInstance, deps: { pool: pg.Pool; config: Config; clock: Clock }) {
  app.get<{ Querystring: OverviewQuery }>('/overview/communities', {
    config: { roles: OVERSIGHT_ROLES },
    schema: {
      tags: ['register'], summary: 'Per community: open alerts, the last 24 h\'s SLA figures and roster gaps (the street overview)',
      querystring: OverviewQuery, response: responses({ 200: Type.Object({ ...Page(CommunityOverview).properties, at: DateTime }) }),
    },
  }, async (request) => {
    const now = deps.clock.now();
    const page = await communityOverview(deps.pool, { ...request.query, scope: request.user!.scope, now, defaultSlaOnsiteS: deps.config.SLA_ONSITE_S });
    return { ...page, at: now };
  });
}
