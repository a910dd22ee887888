/**
 * Queue names and job payloads shared by the producers (gateway, api) and the dispatcher,
 * so nobody imports the dispatcher to enqueue work (DESIGN §8).
 */
export const QUEUES = {
  /** A new alert to route; jobId = alertId so a re-enqueue is a no-op. */
  route: 'guardian-route',
} as const;

export interface RouteJob { alertId: string }

/** Redis pub/sub channel on which live events fan out to API instances. */
export const LIVE_CHANNEL = 'guardian:live';
