import { SEVERITY_OF, type Alert } from './types';

/** Dispatch KPIs of one local day, from the alerts that started that day (DESIGN §6 reports). */
export interface DayKpis {
  open: number;
  /** Median seconds from first signal to accept, null when nothing was accepted yet. */
  medianAcceptS: number | null;
  /** Share (0..1) of SLA alerts with someone on site within `slaOnsiteS`; null when none is due. */
  onSiteWithinSlaRate: number | null;
}

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const v = [...values].sort((a, b) => a - b);
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

/**
 * An alert counts towards the on-site rate once its outcome is known: someone arrived, it was
 * closed, or the deadline passed. Cancelled alerts (false presses) are left out. The SLA is the
 * server's (null until it said: then there is no rate yet).
 */
export function dayKpis(alerts: Iterable<Alert>, dayStartMs: number, now: number, slaOnsiteS: number | null): DayKpis {
  let open = 0;
  const accepts: number[] = [];
  let due = 0;
  let met = 0;
  for (const a of alerts) {
    const live = a.state !== 'resolved' && a.state !== 'cancelled';
    if (live) open++;
    const first = Date.parse(a.firstSignalAt);
    if (first < dayStartMs || SEVERITY_OF[a.kind] === 'maintenance') continue;
    if (a.acceptedAt) accepts.push((Date.parse(a.acceptedAt) - first) / 1000);
    if (a.state === 'cancelled' || slaOnsiteS === null) continue;
    const deadline = first + slaOnsiteS * 1000;
    const onSite = a.onSiteAt ? Date.parse(a.onSiteAt) : null;
    if (onSite !== null) { due++; if (onSite <= deadline) met++; }
    else if (now >= deadline || !live) due++;
  }
  return { open, medianAcceptS: median(accepts), onSiteWithinSlaRate: due ? met / due : null };
}
