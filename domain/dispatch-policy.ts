import type { ResponderRole } from './roster.js';

/**
 * Who is sent to an alert, in which order (issue 15): the eligible people — tier 1 of the shift
 * (domain/routing.ts), on duty, reachable, not busy with another alert, not having declined this
 * one — ranked by estimated arrival; the best few are paged first, the others as the next wave.
 * A backup is the next-best free person. Pure: the dispatcher and the API load the facts.
 *
 * Estimated arrival = time to get going (at night, DISPATCH_NIGHT_READY_S for anyone on call from
 * home) + path length / speed, with paths 1.3 × the straight line (a common detour factor for
 * urban walking) and 1.25 m/s on foot, 3.2 m/s by bike. A responder whose position
 * is unknown ranks after everyone with one (they may still be the only one).
 */
export type DispatchPolicy = 'nearest' | 'page_all';
export const DISPATCH_POLICIES: readonly DispatchPolicy[] = ['nearest', 'page_all'];

export type TravelMode = 'walk' | 'bike';
export const TRAVEL_SPEED_MPS: Record<TravelMode, number> = { walk: 1.25, bike: 3.2 };
export const PATH_DETOUR = 1.3;

export interface SitePoint { x: number; y: number }

/**
 * Time to get going before the travel: at night everyone on call from home has to wake, dress and
 * leave (DISPATCH_NIGHT_READY_S); the property duty is awake at the gate. By day, nobody waits.
 */
export function readySeconds(role: ResponderRole, night: boolean, nightReadyS: number): number {
  return night && role !== 'property_duty' ? nightReadyS : 0;
}

/** Seconds from `from` to `to` at the mode's speed; null when either place is unknown. */
export function travelSeconds(from: SitePoint | null, to: SitePoint | null, mode: TravelMode): number | null {
  if (!from || !to) return null;
  return Math.round((PATH_DETOUR * Math.hypot(from.x - to.x, from.y - to.y)) / TRAVEL_SPEED_MPS[mode]);
}

/** Where a responder stands with respect to one alert (what the operator's picker shows). */
export type CandidateState = 'free' | 'paged' | 'en_route' | 'on_site' | 'busy' | 'declined';

export interface CandidateFacts {
  responderId: string;
  role: ResponderRole;
  name?: string;
  /** Live position while on duty and shared, else the base (building or post); null: unknown. */
  position: SitePoint | null;
  mode: TravelMode;
  /** Holding (accepted, unresolved) or sent as backup to another live alert. */
  busyElsewhere: boolean;
  /** Paged for this alert (any wave, an operator's pick or as backup) and not declined since. */
  pagedHere: boolean;
  /** Declined this alert or handed it back. */
  declinedHere: boolean;
  /** Holds this alert, or was sent as its backup and is going. */
  goingHere: boolean;
  onSiteHere: boolean;
  /** Tier 1 of the shift, on duty, serving the home (or an opted-in night neighbour). */
  tierOne: boolean;
  reachable: boolean;
  /** Seconds to get going before travelling (readySeconds); 0 when omitted. */
  readyS?: number;
}

export interface RankedCandidate {
  responderId: string;
  role: ResponderRole;
  name?: string;
  etaS: number | null;
  state: CandidateState;
  /** May be paged now by the policy (tier 1, reachable, free, not declined). */
  eligible: boolean;
}

export function candidateState(f: CandidateFacts): CandidateState {
  if (f.onSiteHere) return 'on_site';
  if (f.goingHere) return 'en_route';
  if (f.declinedHere) return 'declined';
  if (f.busyElsewhere) return 'busy';
  if (f.pagedHere) return 'paged';
  return 'free';
}

/** Everyone, best first: eligible before not, then by estimated arrival (unknown last), then id. */
export function rankCandidates(facts: readonly CandidateFacts[], home: SitePoint | null): RankedCandidate[] {
  const ranked = facts.map((f) => {
    const state = candidateState(f);
    const eligible = f.tierOne && f.reachable && (state === 'free' || state === 'paged');
    const travel = travelSeconds(f.position, home, f.mode);
    const c: RankedCandidate = { responderId: f.responderId, role: f.role, etaS: travel === null ? null : travel + (f.readyS ?? 0), state, eligible };
    if (f.name !== undefined) c.name = f.name;
    return c;
  });
  return ranked.sort((a, b) => Number(b.eligible) - Number(a.eligible)
    || (a.etaS ?? Infinity) - (b.etaS ?? Infinity)
    || a.responderId.localeCompare(b.responderId));
}

/**
 * The next people to page: eligible ones not paged yet, best first, so that `size` pages are
 * out (already-paged people who have not declined count). `size` = Infinity pages everyone left.
 */
export function nextWave(ranked: readonly RankedCandidate[], size: number): RankedCandidate[] {
  const out = ranked.filter((c) => c.eligible && c.state === 'free');
  const alreadyOut = ranked.filter((c) => c.eligible && c.state === 'paged').length;
  return out.slice(0, Math.max(0, size - alreadyOut));
}

/**
 * The backup: the eligible person with the best estimated arrival who is not the holder, paged
 * before or not (someone paged who saw the alert taken is awake and near).
 */
export function pickBackup(ranked: readonly RankedCandidate[], holder: string | null): RankedCandidate | null {
  return ranked.find((c) => c.eligible && c.responderId !== holder) ?? null;
}

/**
 * When a backup is sent if the holder is not at the door: expected arrival + margin, or
 * BACKUP_AFTER_S from the first signal, whichever is earlier.
 */
export function backupDueAt(a: { firstSignalAt: Date; expectedArrivalAt: Date | null }, o: { marginS: number; backupAfterS: number }): Date {
  const latest = a.firstSignalAt.getTime() + o.backupAfterS * 1000;
  const expected = a.expectedArrivalAt ? a.expectedArrivalAt.getTime() + o.marginS * 1000 : Infinity;
  return new Date(Math.min(latest, expected));
}

/** The instant the holder should be at the door: accept + getting going + travel (null when unknown). */
export function expectedArrival(acceptedAt: Date, etaS: number | null): Date | null {
  return etaS === null ? null : new Date(acceptedAt.getTime() + etaS * 1000);
}

export interface DispatchResponder {
  id: string;
  role: ResponderRole;
  name?: string;
  position: SitePoint | null;
  travelMode: TravelMode;
  nightFirstOnScene: boolean;
  onDuty: boolean;
  active: boolean;
  householdIds: readonly string[];
  buildingIds: readonly string[];
}

export interface DispatchRowFact { responderId: string; kind: 'page' | 'backup' | 'operator' | 'decline' | 'hand_back' }

export interface FactsInput {
  responders: readonly DispatchResponder[];
  /** Tier 1 of the shift for this home (domain/routing.ts resolveTiers, level 0 targets). */
  tierOneIds: ReadonlySet<string>;
  /** Night and a critical alert: opted-in buddies and the building leader of the home join tier 1. */
  nightCritical: boolean;
  household: { id: string; buildingId: string };
  busy: ReadonlySet<string>;
  rows: readonly DispatchRowFact[];
  holder: string | null;
  onSiteBy: string | null;
  /** The alert is still live (a closed alert has nobody going). */
  live: boolean;
  /** The night shift, and DISPATCH_NIGHT_READY_S (readySeconds); omitted: no allowance. */
  night?: boolean;
  nightReadyS?: number;
}

/** Whether someone is a first-on-scene neighbour of this home (邻里守望: its buddy or building leader, opted in). */
export function isNightNeighbour(r: DispatchResponder, household: { id: string; buildingId: string }): boolean {
  if (!r.nightFirstOnScene || !r.active || !r.onDuty) return false;
  if (r.role === 'neighbour_buddy') return r.householdIds.includes(household.id);
  if (r.role === 'building_leader') return r.buildingIds.includes(household.buildingId);
  return false;
}

/**
 * The facts rankCandidates needs for every responder of the community who could go to a door
 * (operators and admins sit at the desk). A responder's latest row for this alert says whether
 * they are paged, going (backup) or declined.
 */
export function candidateFacts(input: FactsInput): CandidateFacts[] {
  const latest = new Map<string, DispatchRowFact['kind']>();
  for (const r of input.rows) latest.set(r.responderId, r.kind);
  return input.responders
    .filter((r) => r.role !== 'operator' && r.role !== 'admin' && r.active)
    .map((r) => {
      const last = latest.get(r.id);
      const neighbour = input.nightCritical && isNightNeighbour(r, input.household);
      const f: CandidateFacts = {
        responderId: r.id, role: r.role, position: r.position, mode: r.travelMode,
        busyElsewhere: input.busy.has(r.id),
        pagedHere: last === 'page' || last === 'operator',
        declinedHere: last === 'decline' || last === 'hand_back',
        goingHere: input.live && (r.id === input.holder || last === 'backup'),
        onSiteHere: input.live && r.id === input.onSiteBy,
        tierOne: input.tierOneIds.has(r.id) || neighbour,
        reachable: r.onDuty,
        readyS: readySeconds(r.role, input.night ?? false, input.nightReadyS ?? 0),
      };
      if (r.name !== undefined) f.name = r.name;
      return f;
    });
}
