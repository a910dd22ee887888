import type { Ledger } from './ledger.js';

/**
 * Issue 15's physical checks over a whole simulated day. Pure.
 * - twoHomes: nobody stands at two homes at once — from the truth (each person's arrival at a
 *   door until they walked away) and from the product (on_site_by from 到达 until the alert closed).
 * - nightPairs: two critical alerts of one grid at night, the second raised before the first was
 *   over, are served (first person at the door) by two different people.
 */
export interface CheckAlert {
  id: string;
  householdId: string;
  severity: string;
  state: string;
  gridId: string | null;
  firstSignalAt: number;
  onSiteAt: number | null;
  onSiteBy: string | null;
  closedAt: number | null;
  night: boolean;
}

export interface DispatchChecks {
  twoHomes: { truth: string[]; product: string[] };
  /** Pairs of live (not cancelled) alerts; the ones both reached; of those, by two people; failures = one person for both. */
  nightPairs: { pairs: number; reached: number; servedByTwo: number; failures: string[] };
}

interface Stay { who: string; where: string; from: number; to: number; alertId: string }

function overlaps(stays: Stay[]): string[] {
  const out: string[] = [];
  const byWho = new Map<string, Stay[]>();
  for (const s of stays) byWho.set(s.who, [...(byWho.get(s.who) ?? []), s]);
  for (const [who, list] of byWho) {
    list.sort((a, b) => a.from - b.from);
    for (let i = 1; i < list.length; i++) {
      const a = list[i - 1]!, b = list[i]!;
      if (a.where !== b.where && b.from < a.to) out.push(`${who}: at ${a.where} (alert ${a.alertId}) and ${b.where} (alert ${b.alertId}) at ${new Date(b.from).toISOString()}`);
    }
  }
  return out;
}

export function dispatchChecks(alerts: readonly CheckAlert[], ledger: Ledger, end: number): DispatchChecks {
  const truthStays: Stay[] = ledger.arrivals.map((a) => {
    const left = ledger.departures.filter((d) => d.alertId === a.alertId && d.responderId === a.responderId && d.at >= a.at).sort((x, y) => x.at - y.at)[0];
    return { who: a.responderId, where: a.householdId, from: a.at, to: left?.at ?? end, alertId: a.alertId };
  });
  const productStays: Stay[] = alerts.filter((a) => a.onSiteAt !== null && a.onSiteBy !== null)
    .map((a) => ({ who: a.onSiteBy!, where: a.householdId, from: a.onSiteAt!, to: a.closedAt ?? end, alertId: a.id }));

  const firstAt = (alertId: string) => ledger.arrivals.filter((x) => x.alertId === alertId).sort((x, y) => x.at - y.at)[0]?.responderId ?? null;
  const night = alerts.filter((a) => a.severity === 'critical' && a.night && a.gridId !== null && a.state !== 'cancelled')
    .sort((a, b) => a.firstSignalAt - b.firstSignalAt);
  let pairs = 0, reached = 0, servedByTwo = 0;
  const failures: string[] = [];
  for (let i = 0; i < night.length; i++) {
    for (let j = i + 1; j < night.length; j++) {
      const a = night[i]!, b = night[j]!;
      if (a.gridId !== b.gridId || a.householdId === b.householdId || b.firstSignalAt >= (a.closedAt ?? end)) continue;
      pairs++;
      const wa = firstAt(a.id), wb = firstAt(b.id);
      if (wa === null || wb === null) continue; // not reached at all: counted by the on-site KPIs
      reached++;
      if (wa !== wb) servedByTwo++;
      else failures.push(`alerts ${a.id} and ${b.id} (grid ${a.gridId}) were both served by ${wa}`);
    }
  }
  return { twoHomes: { truth: overlaps(truthStays), product: overlaps(productStays) }, nightPairs: { pairs, reached, servedByTwo, failures } };
}
