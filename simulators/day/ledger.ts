import type { PlannedIncident } from './incident-plan.js';

/**
 * The ground truth of a simulated day (issue 14): what really happened, recorded by the
 * simulated residents and responders as it happens, never read back from the product. The KPIs
 * computed from it are set beside the product's own SLA report.
 */
export interface IncidentTruth extends PlannedIncident {
  /** The resident's last movement, door, bed or water signal before the incident, and its room. */
  lastSignOfLifeAt: number | null;
  lastSignOfLifeRoom: string | null;
  /** First time a responder stood at the door after the incident began (null: nobody came in the window). */
  reachedAt: number | null;
  reachedBy: string | null;
  /** The resident was well again (helped up, back from hospital), or the cancel was pressed. */
  overAt: number | null;
}

/** One press on a phone, and whether the product took it. */
export interface ResponderAct {
  at: number;
  responderId: string;
  alertId: string;
  action: 'accept' | 'arrive' | 'resolve' | 'decline';
  ok: boolean;
  code?: string;
}

/** A responder physically at a door (pressedAt: when 到达 was pressed). */
export interface Arrival { alertId: string; householdId: string; responderId: string; at: number; pressedAt: number }

export interface CheckInAnswer { householdId: string; sentAt: number; answeredAt: number | null; why: 'answered' | 'asleep' | 'unable' }

/** A page a responder's phone received, and what they did about it. */
export interface PageSeen { at: number; responderId: string; alertId: string; purpose: string; noticed: boolean; busy: boolean }

export class Ledger {
  readonly incidents: IncidentTruth[] = [];
  readonly acts: ResponderAct[] = [];
  readonly arrivals: Arrival[] = [];
  readonly checkIns: CheckInAnswer[] = [];
  readonly pages: PageSeen[] = [];
  /** When each responder walked away from a door (after resolving, or finding the alert closed). */
  readonly departures: Array<{ alertId: string; responderId: string; at: number }> = [];

  constructor(planned: readonly PlannedIncident[]) {
    for (const p of planned) this.incidents.push({ ...p, lastSignOfLifeAt: null, lastSignOfLifeRoom: null, reachedAt: null, reachedBy: null, overAt: null });
  }

  /** The incident of a home that is under way at `at` (begun, not over), if any. */
  ongoing(householdId: string, at: number): IncidentTruth | undefined {
    return this.incidents.find((i) => i.householdId === householdId && i.at <= at && (i.overAt === null || i.overAt > at));
  }

  arrived(a: Arrival): void {
    this.arrivals.push(a);
    const inc = this.ongoing(a.householdId, a.at);
    if (inc && inc.reachedAt === null) { inc.reachedAt = a.at; inc.reachedBy = a.responderId; }
  }

  left(d: { alertId: string; responderId: string; at: number }): void {
    this.departures.push(d);
  }

  /** The first successful accept and the first physical arrival for one product alert. */
  truthOf(alertId: string): { acceptedAt: number | null; acceptedBy: string | null; onSiteAt: number | null } {
    const accept = this.acts.find((x) => x.alertId === alertId && x.ok && (x.action === 'accept' || x.action === 'arrive'));
    const arrival = this.arrivals.filter((x) => x.alertId === alertId).sort((a, b) => a.at - b.at)[0];
    return { acceptedAt: accept?.at ?? null, acceptedBy: accept?.responderId ?? null, onSiteAt: arrival?.at ?? null };
  }
}
