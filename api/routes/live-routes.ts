import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type pg from 'pg';
import type { WebSocket } from 'ws';
import type { Clock } from '../../domain/clock.js';
import { dispatchTiming, type TimingConfig } from '../../domain/dispatch-timing.js';
import { communitySummary, liveAlertsSnapshot } from '../../store/alerts-repository.js';
import { liveEventsSince } from '../../store/live-events-repository.js';
import { liveSockets } from '../api-metrics.js';
import { ApiError, forbidden } from '../api-error.js';
import { LIVE_CLOSE, LiveClient } from '../live/live-client.js';
import type { LiveHub } from '../live/live-hub.js';
import { sameOrigin, tokenOf } from '../plugins/auth-plugin.js';
import { ALL_ROLES, type AuthUser } from '../route-access.js';

const LiveQuery = Type.Object({
  since: Type.Optional(Type.Integer({ minimum: 0, description: 'Resume after this seq (the last one you received)' })),
  token: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: 'Session token, for clients that can send neither the cookie nor a header' })),
});
type LiveQuery = Static<typeof LiveQuery>;

export interface LiveRouteDeps {
  pool: pg.Pool;
  clock: Clock;
  /** The SLA/ack settings and shift the screens count with (issue 20 item 1). */
  config: TimingConfig;
  /** Re-reads a socket's session: its user now, or null when the session ended. */
  resolveSession: (token: string) => Promise<AuthUser | null>;
  /** How often an open socket's session and scope are re-read (default 30 s). */
  rescopeMs: number;
  hub: LiveHub;
  maxBufferedBytes: number;
  heartbeatMs: number;
  recentlyClosedMs: number;
}

const REPLAY_PAGE = 1000;

/**
 * `GET /api/v1/live` (DESIGN §6): the dispatch screen's and the responder phone view's feed.
 * Protocol (for the console):
 * - Auth: the session cookie (same origin: a cookie-authenticated socket whose Origin is not
 *   ours is refused with 403), `Authorization: Bearer`, or `?token=<session token>`.
 *   Refused before the upgrade with the usual JSON error (401/403).
 * - On connect without `since` (or when `since` is older than the table keeps, ~24 h):
 *   `{"type":"snapshot","seq":S,"data":{"alerts":[…],"summary":{…}|null,"at","config":{…}}}` — live
 *   alerts and those closed in the last hour (a responder: only their own; summary is for the
 *   dispatch room), consistent with every event up to S; then events with seq > S. `config` is
 *   domain/dispatch-timing.ts: ackTimeoutS, slaWarnS, slaOnsiteS, dayShift, tz and the current
 *   shift — the console counts down from these, never from constants of its own.
 * - With `?since=N` (the last seq received): `{"type":"resume","seq":N,"data":{"since":N,"until":S,"config":{…}}}`,
 *   then exactly the events N < seq ≤ S from the table, then the stream.
 * - Events: `{"seq","type","data"}`, type alert.created | alert.updated | household.status |
 *   device.status | responder.status | roster.gap | responder.notify, seq increasing. Each
 *   socket gets only the events of its user's scope (api/live/live-audience.ts: the same rule as
 *   the API's reads), so seqs skip numbers: resume from the last one received. Clients drop a
 *   seq they already have.
 * - Heartbeat: WebSocket pings (browsers answer by themselves). Close 4008 = too slow, reconnect
 *   with ?since; 1001 = server going away, reconnect with ?since.
 */
export async function liveRoutes(app: FastifyInstance, deps: LiveRouteDeps) {
  app.route<{ Querystring: LiveQuery }>({
    method: 'GET',
    url: '/live',
    config: { roles: ALL_ROLES, tokenInQuery: true },
    schema: {
      tags: ['live'], summary: 'Live feed (WebSocket): snapshot or resume with ?since=seq, then {seq,type,data} events',
      querystring: LiveQuery,
    },
    preValidation: async (request) => {
      // Cross-site WebSocket hijacking: a browser sends the cookie with a socket opened by any
      // page of the same site, so a cookie-authenticated socket must come from our own origin.
      if (request.authVia === 'cookie' && !sameOrigin(request)) {
        throw forbidden('the live feed takes cookie sessions from this origin only', 'cross_origin');
      }
    },
    handler: async (_request, reply) => {
      reply.header('upgrade', 'websocket');
      throw new ApiError(426, 'upgrade_required', 'open /api/v1/live as a WebSocket');
    },
    wsHandler: (socket: WebSocket, request: FastifyRequest<{ Querystring: LiveQuery }>) => {
      socket.on('message', () => {}); // the feed is one-way; pongs are handled by ws
      const user = request.user!;
      const responderId = user.role === 'responder' ? (user.responderId ?? '\u0000none') : null;
      let client: LiveClient | null = null;
      // The socket outlives the request: its session is re-read now and then, so signing out,
      // a disabled account or a narrowed scope (a grid worker moved to another grid) applies to
      // the feed too, within rescopeMs.
      const token = tokenOf(request, true)?.token;
      const rescope = setInterval(() => {
        if (!token || !client) return;
        deps.resolveSession(token).then((now) => {
          if (!client) return;
          if (!now) client.close(LIVE_CLOSE.sessionEnded, 'session ended; sign in again');
          else client.scope = now.scope;
        }, () => { /* the database is away: keep the last scope until the next try */ });
      }, deps.rescopeMs);
      rescope.unref();
      client = new LiveClient(socket, { scope: user.scope, responderId, maxBufferedBytes: deps.maxBufferedBytes, heartbeatMs: deps.heartbeatMs }, () => {
        clearInterval(rescope);
        if (client) deps.hub.remove(client);
        liveSockets.dec();
      });
      liveSockets.inc();
      open(deps, client, user, request.query.since).catch((err) => {
        request.log.warn({ err }, 'live feed: could not start a socket');
        client?.close(1011, 'could not start the feed; reconnect');
      });
    },
  });
}

async function open(deps: LiveRouteDeps, client: LiveClient, user: AuthUser, since: number | undefined): Promise<void> {
  await deps.hub.start();
  if (client.isClosed) return;
  // Registered first, so nothing published from now on is missed; held until we catch up.
  deps.hub.add(client);
  const upTo = deps.hub.seq;
  if (since !== undefined && since > 0 && await tableHolds(deps.pool, since)) {
    client.lastSeq = since;
    client.sendControl({ type: 'resume', seq: since, data: { since, until: Math.max(upTo, since), config: dispatchTiming(deps.config, deps.clock.now()) } });
    for (let cursor = since; cursor < upTo;) {
      const rows = (await liveEventsSince(deps.pool, cursor, REPLAY_PAGE)).filter((e) => e.seq <= upTo);
      if (rows.length === 0) break;
      client.replay(rows, await deps.hub.audience(rows, [client]));
      cursor = rows[rows.length - 1]!.seq;
      if (client.isClosed) return;
    }
    client.startStreaming(Math.max(upTo, since));
    return;
  }
  const now = deps.clock.now();
  const [alerts, summary] = await Promise.all([
    liveAlertsSnapshot(deps.pool, { closedWithinMs: deps.recentlyClosedMs, now, scope: user.scope }),
    user.role === 'responder' ? Promise.resolve(null) : communitySummary(deps.pool, user.scope),
  ]);
  client.sendControl({ type: 'snapshot', seq: upTo, data: { alerts, summary, at: now.toISOString(), config: dispatchTiming(deps.config, now) } });
  client.startStreaming(upTo);
}

/** The table still holds `since` (it is pruned after a day): a resume can be exact. */
async function tableHolds(pool: pg.Pool, since: number): Promise<boolean> {
  const first = await liveEventsSince(pool, since - 1, 1);
  return first[0]?.seq === since;
}
