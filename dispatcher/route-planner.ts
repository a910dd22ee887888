import type { Config } from '../domain/config.js';
import { isAvailable } from '../domain/roster.js';
import { resolveTiers, type RouteTarget, type RoutingPlan } from '../domain/routing.js';
import type { Queryable } from '../store/db.js';
import { loadRoutingContext, type ResponderRecord, type RoutingContext } from '../store/routing-context-repository.js';
import { loadCommunityRoster, type CommunityRosterCache } from './community-roster-cache.js';
import type { NotificationMessage, Recipient } from './notifiers/notifier.js';

export type RoutingConfig = Pick<Config, 'GUARDIAN_TZ' | 'DAY_SHIFT'>;

export interface PlannedRoute {
  plan: RoutingPlan;
  context: RoutingContext;
  responders: ReadonlyMap<string, ResponderRecord>;
}

/**
 * The routing plan of a household at an instant (DESIGN §4): the community's responders and
 * rosters from the database, the tiers from the pure domain/routing.ts. Re-planned at every
 * escalation, so the people asked are the ones on duty now, not when the alert opened.
 */
export async function planRoute(
  db: Queryable, config: RoutingConfig, householdId: string, at: Date, rosters?: CommunityRosterCache,
): Promise<PlannedRoute | null> {
  const context = await loadRoutingContext(db, householdId);
  return context ? planRouteIn(db, config, context, at, rosters) : null;
}

/** As planRoute, for a caller that already read the household's context (with its alert). */
export async function planRouteIn(
  db: Queryable, config: RoutingConfig, context: RoutingContext, at: Date, cache?: CommunityRosterCache,
): Promise<PlannedRoute> {
  const communityId = context.household.communityId;
  const { responders, rosters } = await (cache ? cache.get(db, communityId) : loadCommunityRoster(db, communityId));
  const plan = resolveTiers({
    household: context.household, instant: at, tz: config.GUARDIAN_TZ, dayShift: config.DAY_SHIFT,
    responders, rosters, familyContacts: context.familyContacts, communityEmergencyContact: context.communityEmergencyContact,
  });
  return { plan, context, responders: new Map(responders.map((r) => [r.id, r])) };
}

export function householdOf(p: PlannedRoute): NotificationMessage['household'] {
  const h = p.context.household;
  return { unit: h.unit, address: h.address, buildingName: h.buildingName, communityId: h.communityId };
}

/** A routing target with the name and phone the channels need. */
export function toRecipient(t: RouteTarget, responders: ReadonlyMap<string, ResponderRecord>): Recipient | null {
  if (t.kind === 'responder') {
    const r = responders.get(t.responderId);
    return r ? { kind: 'responder', responderId: r.id, role: r.role, name: r.name, phone: r.phone } : null;
  }
  if (t.kind === 'family') return { kind: 'family', name: t.name, phone: t.phone, ...(t.relation ? { relation: t.relation } : {}) };
  return { kind: 'community', name: t.name, phone: t.phone };
}

export function recipientsOf(targets: readonly RouteTarget[], p: PlannedRoute): Recipient[] {
  return targets.map((t) => toRecipient(t, p.responders)).filter((r): r is Recipient => r !== null);
}

/**
 * Supervisors to tell about an SLA warning/breach or an alert nobody can be paged for: the
 * on-duty ones (tier 2), else every available supervisor of the community — an SLA notice
 * must reach somebody even when the roster has a hole.
 */
export function supervisorsOf(p: PlannedRoute): Recipient[] {
  const onDuty = recipientsOf(p.plan.tiers[1].targets, p);
  if (onDuty.length > 0) return onDuty;
  const all = [...p.responders.values()].filter((r) => r.role === 'supervisor' && isAvailable(r));
  return recipientsOf(all.map((r) => ({ kind: 'responder', responderId: r.id, role: r.role })), p);
}
