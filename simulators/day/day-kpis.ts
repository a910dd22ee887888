import type { Ledger } from './ledger.js';

/**
 * The KPIs of a simulated day, from the ground truth (issue 14): the same measures as the
 * product's SLA report (store/reports-repository.ts), computed from what the simulated people
 * did, plus what only the truth knows — which incidents were never detected, and how long a
 * resident waited from the incident itself. Pure.
 */
export interface ProductAlert {
  id: string;
  householdId: string;
  kind: string;
  severity: string;
  state: string;
  firstSignalAt: number;
  acceptedAt: number | null;
  acceptedBy: string | null;
  onSiteAt: number | null;
  closedAt: number | null;
  shift: string | null;
}

export interface Kpis {
  alerts: number;
  cancelled: number;
  pending: number;
  decided: number;
  onSiteWithinSlaPct: number | null;
  acceptedWithin60sPct: number | null;
  acceptedWithin180sPct: number | null;
  acceptMedianS: number | null;
  acceptP90S: number | null;
  onSiteMedianS: number | null;
  onSiteP90S: number | null;
  onSiteBreaches: number;
}

export interface Agreement {
  alertId: string;
  product: { acceptedAt: number | null; onSiteAt: number | null };
  truth: { acceptedAt: number | null; onSiteAt: number | null };
  /** Largest difference in seconds (null where both are null); -1 when one side has a time and the other none. */
  diffS: number | null;
}

export interface TruthOnly {
  incidents: number;
  byKind: Record<string, { incidents: number; detected: number; reached: number; reachedWithinSla: number; waitMedianS: number | null }>;
  /** Incidents the product raised an alert for (the home had a critical/high alert after the incident began, before it was over). */
  detected: number;
  reachedWithinSlaOfIncidentPct: number | null;
  /** Silent incidents (no button, no radar): minutes from the last sign of life / the incident to the alert. */
  silentDetectionMedianMin: number | null;
  silentDetectionP90Min: number | null;
}

const SLA_KINDS = new Set(['critical', 'high']);

export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const rank = p * (s.length - 1);
  const lo = Math.floor(rank), hi = Math.ceil(rank);
  return s[lo]! + (s[hi]! - s[lo]!) * (rank - lo);
}

const pct = (n: number, d: number) => (d === 0 ? null : Math.round((1000 * n) / d) / 10);

/** The SLA measures over `alerts` with the given accept/on-site instants, as of `now`. */
export function kpisOf(alerts: ReadonlyArray<{ state: string; firstSignalAt: number; acceptedAt: number | null; onSiteAt: number | null; closedAt: number | null }>, slaS: number, now: number): Kpis {
  const tta = (a: typeof alerts[number]) => (a.acceptedAt === null ? null : (a.acceptedAt - a.firstSignalAt) / 1000);
  const tto = (a: typeof alerts[number]) => (a.onSiteAt === null ? null : (a.onSiteAt - a.firstSignalAt) / 1000);
  const live = alerts.filter((a) => a.state !== 'cancelled');
  const pending = live.filter((a) => a.onSiteAt === null && a.closedAt === null && a.firstSignalAt + slaS * 1000 > now);
  const decided = live.filter((a) => !pending.includes(a));
  const within = (limit: number) => live.filter((a) => { const t = tta(a); return t !== null && t <= limit; }).length;
  const due = (limit: number) => live.filter((a) => { const t = tta(a); return (t !== null && t <= limit) || now - a.firstSignalAt >= limit * 1000; }).length;
  const accepts = alerts.map(tta).filter((x): x is number => x !== null);
  const onsites = alerts.map(tto).filter((x): x is number => x !== null);
  const inTime = decided.filter((a) => { const t = tto(a); return t !== null && t <= slaS; }).length;
  return {
    alerts: alerts.length, cancelled: alerts.length - live.length, pending: pending.length, decided: decided.length,
    onSiteWithinSlaPct: pct(inTime, decided.length),
    acceptedWithin60sPct: pct(within(60), due(60)), acceptedWithin180sPct: pct(within(180), due(180)),
    acceptMedianS: percentile(accepts, 0.5), acceptP90S: percentile(accepts, 0.9),
    onSiteMedianS: percentile(onsites, 0.5), onSiteP90S: percentile(onsites, 0.9),
    onSiteBreaches: decided.length - inTime,
  };
}

/** The product's alerts with the ground truth's accept and arrival instants instead of its own. */
export function truthKpis(alerts: readonly ProductAlert[], ledger: Ledger, slaS: number, now: number): Kpis {
  return kpisOf(alerts.filter((a) => SLA_KINDS.has(a.severity)).map((a) => ({ ...a, ...ledger.truthOf(a.id) })), slaS, now);
}

export function productKpis(alerts: readonly ProductAlert[], slaS: number, now: number): Kpis {
  return kpisOf(alerts.filter((a) => SLA_KINDS.has(a.severity)), slaS, now);
}

/** Alert by alert: the product's accept and on-site instants beside the truth's. */
export function agreement(alerts: readonly ProductAlert[], ledger: Ledger): Agreement[] {
  return alerts.filter((a) => SLA_KINDS.has(a.severity)).map((a) => {
    const truth = ledger.truthOf(a.id);
    const d = (x: number | null, y: number | null) => (x === null && y === null ? null : x === null || y === null ? -1 : Math.abs(x - y) / 1000);
    const diffs = [d(a.acceptedAt, truth.acceptedAt), d(a.onSiteAt, truth.onSiteAt)];
    const diffS = diffs.includes(-1) ? -1 : diffs.every((x) => x === null) ? null : Math.max(...diffs.filter((x): x is number => x !== null));
    return { alertId: a.id, product: { acceptedAt: a.acceptedAt, onSiteAt: a.onSiteAt }, truth: { acceptedAt: truth.acceptedAt, onSiteAt: truth.onSiteAt }, diffS };
  });
}

/** What only the truth knows: incidents and their residents' waits. */
export function truthOnly(alerts: readonly ProductAlert[], ledger: Ledger, slaS: number): TruthOnly {
  const byKind: TruthOnly['byKind'] = {};
  let detected = 0, reachedInTime = 0, reachable = 0;
  const silent: number[] = [];
  for (const inc of ledger.incidents) {
    const k = (byKind[inc.kind] ??= { incidents: 0, detected: 0, reached: 0, reachedWithinSla: 0, waitMedianS: null });
    k.incidents++;
    // The home's first critical/high alert after the incident began, before it was over and
    // before the home's next incident (whose own alert is not this one's detection).
    const next = ledger.incidents.filter((j) => j.householdId === inc.householdId && j.at > inc.at).map((j) => j.at).sort((a, b) => a - b)[0] ?? Infinity;
    const alert = alerts.find((a) => a.householdId === inc.householdId && SLA_KINDS.has(a.severity)
      && a.firstSignalAt >= inc.at && a.firstSignalAt < next && (inc.overAt === null || a.firstSignalAt <= inc.overAt));
    if (alert) { k.detected++; detected++; }
    if (inc.kind !== 'mistaken_press') {
      reachable++;
      if (inc.reachedAt !== null) {
        k.reached++;
        if (inc.reachedAt - inc.at <= slaS * 1000) { k.reachedWithinSla++; reachedInTime++; }
      }
    }
    if ((inc.kind === 'fall_no_radar' || inc.kind === 'collapse_evening') && alert) silent.push((alert.firstSignalAt - inc.at) / 60_000);
  }
  for (const kind of Object.keys(byKind)) {
    const waits = ledger.incidents.filter((i) => i.kind === kind && i.reachedAt !== null).map((i) => (i.reachedAt! - i.at) / 1000);
    byKind[kind]!.waitMedianS = percentile(waits, 0.5);
  }
  return {
    incidents: ledger.incidents.length, byKind, detected,
    reachedWithinSlaOfIncidentPct: pct(reachedInTime, reachable),
    silentDetectionMedianMin: percentile(silent, 0.5), silentDetectionP90Min: percentile(silent, 0.9),
  };
}
