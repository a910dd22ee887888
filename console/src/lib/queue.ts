import { LIVE_STATES, type Alert, type ServiceConfig, type Severity } from './types';

/** The queue's tabs: the emergency queue by phase, and maintenance apart (issue 20 item 2). */
export type QueueFilter = 'waiting' | 'enroute' | 'all' | 'maintenance';
export const QUEUE_FILTERS: readonly QueueFilter[] = ['waiting', 'enroute', 'all', 'maintenance'];

type QueueAlert = Pick<Alert, 'id' | 'kind' | 'severity' | 'state' | 'firstSignalAt' | 'onSiteAt' | 'closedAt'>;

const waiting = (a: QueueAlert) => a.state === 'open' || a.state === 'notified';
const SEVERITY_RANK: Record<Severity, number> = { critical: 0, high: 1, maintenance: 2 };

/**
 * Where an alert stands in the queue, most urgent first:
 *   0 waiting critical (SOS, fall, smoke, gas nobody accepted) — always on top;
 *   1 waiting high (leak, inactivity, unmonitored);
 *   2 en route (accepted, not yet there) — by time left to the SLA;
 *   3 on site;
 *   4 maintenance (battery, offline) — shown in their own tab, never among emergencies.
 */
function band(a: QueueAlert): number {
  if (a.severity === 'maintenance') return 4;
  if (waiting(a)) return SEVERITY_RANK[a.severity];
  return a.state === 'accepted' ? 2 : 3;
}

/**
 * The dispatch queue order (issue 20 item 2: an unaccepted SOS sat third, under older accepted
 * alerts). Within a band the one with the least time left to its SLA comes first: time left is
 * the deadline (first signal + SLA_ONSITE_S, the server's setting) minus now, so ordering by the
 * deadline is the same at every instant and the queue does not re-sort each second; with one
 * SLA for all it is the longest-waiting first. Ties by id keep rows from jumping between
 * renders. Closed alerts are left out.
 */
export function sortQueue<T extends QueueAlert>(alerts: Iterable<T>, config: Pick<ServiceConfig, 'slaOnsiteS'> | null = null): T[] {
  const live: Array<{ a: T; band: number; key: number }> = [];
  for (const a of alerts) {
    if (!LIVE_STATES.includes(a.state)) continue;
    const b = band(a);
    live.push({ a, band: b, key: Date.parse(a.firstSignalAt) + (b === 2 && config ? config.slaOnsiteS * 1000 : 0) });
  }
  return live.sort((x, y) => x.band - y.band || x.key - y.key || (x.a.id < y.a.id ? -1 : x.a.id > y.a.id ? 1 : 0)).map((x) => x.a);
}

/** The alerts of one tab, in queue order. */
export function filterQueue<T extends QueueAlert>(sorted: readonly T[], filter: QueueFilter): T[] {
  switch (filter) {
    case 'maintenance': return sorted.filter((a) => a.severity === 'maintenance');
    case 'waiting': return sorted.filter((a) => a.severity !== 'maintenance' && waiting(a));
    case 'enroute': return sorted.filter((a) => a.severity !== 'maintenance' && a.state === 'accepted');
    case 'all': return sorted.filter((a) => a.severity !== 'maintenance');
  }
}

export function queueCounts(sorted: readonly QueueAlert[]): Record<QueueFilter, number> {
  const c: Record<QueueFilter, number> = { waiting: 0, enroute: 0, all: 0, maintenance: 0 };
  for (const a of sorted) {
    if (a.severity === 'maintenance') { c.maintenance++; continue; }
    c.all++;
    if (waiting(a)) c.waiting++;
    else if (a.state === 'accepted') c.enroute++;
  }
  return c;
}
