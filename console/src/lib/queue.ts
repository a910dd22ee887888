import { LIVE_STATES, type Alert, type Severity } from './types';

const SEVERITY_RANK: Record<Severity, number> = { critical: 0, high: 1, maintenance: 2 };

/**
 * The dispatch queue order: severity first (critical, high, maintenance), then age — the
 * resident who has waited longest (earliest first signal) on top. Ties by id keep rows from
 * jumping around between renders. Returns a new array; closed alerts are left out.
 */
export function sortQueue<T extends Pick<Alert, 'id' | 'severity' | 'state' | 'firstSignalAt'>>(alerts: Iterable<T>): T[] {
  const live: T[] = [];
  for (const a of alerts) if (LIVE_STATES.includes(a.state)) live.push(a);
  return live.sort((a, b) =>
    SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity]
    || Date.parse(a.firstSignalAt) - Date.parse(b.firstSignalAt)
    || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
