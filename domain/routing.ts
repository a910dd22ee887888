import { onDutyAt, isAvailable, type OnDutyOptions, type Responder, type ResponderRole, type RosterRow } from './roster.js';
import { shiftOf, type Shift, type TimeWindow } from './shift-clock.js';

/**
 * Who is asked, in which order (DESIGN §4 "Routing, escalation, SLA"):
 * - Day: tier 1 = grid worker(s) of the household's grid + on-duty org specialist;
 *   informed = building leader + the household's buddies.
 * - Night: tier 1 = on-duty org specialist + property duty.
 * - Tier 2 = on-duty supervisor. Tier 3 = family contacts and the community emergency contact.
 * The design counts tiers from 1; `alerts.level` counts from 0, so tier 1 is level 0 here.
 * After the top tier the dispatcher re-notifies everyone each ACK_TIMEOUT_S (targetsForLevel).
 *
 * Scope: a grid worker must have the household's grid in gridIds; a building leader its
 * building in buildingIds; a buddy the household in householdIds. Org specialists, property
 * duty and supervisors with no gridIds/buildingIds/householdIds serve the whole community;
 * with any of them they serve only what is listed.
 */

export type TierLevel = 0 | 1 | 2;
export const TOP_LEVEL: TierLevel = 2;

export interface HouseholdPlace {
  id: string;
  gridId: string;
  buildingId: string;
}

export interface FamilyContact {
  id?: string | number;
  name: string;
  relation?: string;
  phone: string;
  /** Lower is called first (contacts.priority, default 1). */
  priority: number;
}

export interface CommunityContact {
  name: string;
  phone: string;
}

export type RouteTarget =
  | { kind: 'responder'; responderId: string; role: ResponderRole }
  | { kind: 'family'; contactId?: string | number; name: string; relation?: string; phone: string; priority: number }
  | { kind: 'community'; name: string; phone: string };

/** Roles whose absence is a roster gap, plus the contact kinds of the top tier. */
export type RouteRole = ResponderRole | 'family_contact' | 'community_contact';

export interface Tier {
  level: TierLevel;
  /** The roles this tier is made of on this shift, in notification order. */
  roles: readonly RouteRole[];
  targets: RouteTarget[];
  empty: boolean;
}

export interface RoutingGap {
  level: TierLevel;
  /** The rostered role with nobody on duty; null when the whole tier is empty. */
  role: ResponderRole | null;
  message: string;
}

export interface RoutingPlan {
  shift: Shift;
  /** Local date the shift started on (a night belongs to the date it began). */
  shiftDate: string;
  /** Always three tiers, levels 0, 1, 2, possibly empty. */
  tiers: [Tier, Tier, Tier];
  /** Told, not asked to accept (day: building leader + buddies). */
  informed: RouteTarget[];
  /** Rostered roles nobody covers, and empty tiers: the caller skips to the next tier and warns. */
  gaps: RoutingGap[];
}

export interface RoutingInput {
  household: HouseholdPlace;
  instant: Date;
  tz: string;
  dayShift: string | TimeWindow;
  responders: readonly Responder[];
  rosters: readonly RosterRow[];
  familyContacts: readonly FamilyContact[];
  communityEmergencyContact?: CommunityContact | null;
  onDutyOptions?: OnDutyOptions;
}

/** The first-response roles of each shift (DESIGN §4), in the order they are listed there. */
export const FIRST_TIER_ROLES: Record<Shift, readonly ResponderRole[]> = {
  day: ['grid_worker', 'org_specialist'],
  night: ['org_specialist', 'property_duty'],
};
export const SECOND_TIER_ROLES: readonly ResponderRole[] = ['supervisor'];

const ROLE_LABEL: Record<ResponderRole, string> = {
  grid_worker: 'grid worker', org_specialist: 'org specialist', building_leader: 'building leader',
  neighbour_buddy: 'neighbour buddy', property_duty: 'property duty', supervisor: 'supervisor',
  operator: 'operator', admin: 'admin',
};

/** Whether a responder's area includes the household (see the scope rule above). */
export function servesHousehold(r: Responder, h: HouseholdPlace): boolean {
  switch (r.role) {
    case 'grid_worker': return r.gridIds.includes(h.gridId);
    case 'building_leader': return r.buildingIds.includes(h.buildingId);
    case 'neighbour_buddy': return r.householdIds.includes(h.id);
    default:
      if (r.gridIds.length === 0 && r.buildingIds.length === 0 && r.householdIds.length === 0) return true;
      return r.gridIds.includes(h.gridId) || r.buildingIds.includes(h.buildingId) || r.householdIds.includes(h.id);
  }
}

const responderTarget = (r: Responder): RouteTarget => ({ kind: 'responder', responderId: r.id, role: r.role });

export function resolveTiers(input: RoutingInput): RoutingPlan {
  const { household, responders } = input;
  const { shift, date } = shiftOf(input.instant, input.tz, input.dayShift);
  const onDuty = onDutyAt(responders, input.rosters, input.instant, input.tz, input.onDutyOptions);
  const gaps: RoutingGap[] = [];
  const where = `household ${household.id} (grid ${household.gridId}, building ${household.buildingId})`;

  const rosteredTier = (level: TierLevel, roles: readonly ResponderRole[]): Tier => {
    const targets: RouteTarget[] = [];
    for (const role of roles) {
      // Input order is kept within a role, so the caller decides (e.g. by name or seniority).
      const found = responders.filter((r) => r.role === role && onDuty.has(r.id) && servesHousehold(r, household));
      if (found.length === 0) {
        gaps.push({ level, role, message: `No ${ROLE_LABEL[role]} on duty for ${where} on the ${shift} shift of ${date}` });
      }
      targets.push(...found.map(responderTarget));
    }
    return { level, roles, targets, empty: targets.length === 0 };
  };

  const first = rosteredTier(0, FIRST_TIER_ROLES[shift]);
  const second = rosteredTier(1, SECOND_TIER_ROLES);

  // Family in priority order (stable for equal priorities), then the community's number.
  const family: RouteTarget[] = input.familyContacts
    .map((c, i) => ({ c, i }))
    .sort((a, b) => a.c.priority - b.c.priority || a.i - b.i)
    .map(({ c }) => {
      const t: RouteTarget = { kind: 'family', name: c.name, phone: c.phone, priority: c.priority };
      if (c.id !== undefined) t.contactId = c.id;
      if (c.relation !== undefined) t.relation = c.relation;
      return t;
    });
  const community = input.communityEmergencyContact;
  const thirdTargets = community ? [...family, { kind: 'community' as const, name: community.name, phone: community.phone }] : family;
  const third: Tier = { level: 2, roles: ['family_contact', 'community_contact'], targets: thirdTargets, empty: thirdTargets.length === 0 };

  const tiers: [Tier, Tier, Tier] = [first, second, third];
  for (const t of tiers) {
    if (t.empty) gaps.push({ level: t.level, role: null, message: `Tier ${t.level + 1} is empty for ${where} on the ${shift} shift of ${date}` });
  }

  // Informed by day only, as DESIGN §4 lists them; at night neighbours are not woken for
  // something the duty staff handle. Informed people are not rostered, but must be available.
  const informed = shift === 'day'
    ? responders
      .filter((r) => (r.role === 'building_leader' || r.role === 'neighbour_buddy') && isAvailable(r) && servesHousehold(r, household))
      .map(responderTarget)
    : [];

  return { shift, shiftDate: date, tiers, informed, gaps };
}

/**
 * Whom to notify at escalation level `level`: the tier itself for 0..TOP_LEVEL, and everyone of
 * every tier after the top (DESIGN §4 "after the top tier, re-notify everyone each
 * ACK_TIMEOUT_S until accepted"). Responders are listed once.
 */
export function targetsForLevel(plan: RoutingPlan, level: number): RouteTarget[] {
  if (level < 0 || !Number.isInteger(level)) return [];
  if (level <= TOP_LEVEL) return plan.tiers[level]!.targets;
  const seen = new Set<string>();
  const all: RouteTarget[] = [];
  for (const t of plan.tiers.flatMap((tier) => tier.targets)) {
    const key = t.kind === 'responder' ? `r:${t.responderId}` : `${t.kind}:${t.phone}`;
    if (!seen.has(key)) {
      seen.add(key);
      all.push(t);
    }
  }
  return all;
}

/**
 * The first level at or after `from` that has somebody to notify, so an empty tier is skipped
 * rather than waited on for ACK_TIMEOUT_S. Past the top tier it is `from` itself when anybody at
 * all can be notified; null when nobody can (the caller raises a roster-gap alarm).
 */
export function firstStaffedLevel(plan: RoutingPlan, from: number): number | null {
  for (let level = Math.max(0, from); level <= TOP_LEVEL; level++) {
    if (!plan.tiers[level]!.empty) return level;
  }
  const anybody = plan.tiers.some((t) => !t.empty);
  return anybody ? Math.max(from, TOP_LEVEL + 1) : null;
}

export interface GridRef {
  id: string;
  /** The grid's buildings, so building-scoped property duty counts for its grid. */
  buildingIds?: readonly string[];
}

export interface RosterGap {
  gridId: string;
  role: ResponderRole;
  shift: Shift;
  /** Local date the shift started on; with gridId and role, a key to warn once per shift. */
  shiftDate: string;
}

export interface RosterGapInput {
  grids: readonly GridRef[];
  instant: Date;
  tz: string;
  dayShift: string | TimeWindow;
  responders: readonly Responder[];
  rosters: readonly RosterRow[];
  /** Only people who can actually be reached count (e.g. a push subscription or phone webhook). */
  canBeReached?: (responder: Responder) => boolean;
  onDutyOptions?: OnDutyOptions;
}

/** Whether a responder covers a whole grid for a roster-gap check (scope rule above). */
function servesGrid(r: Responder, grid: GridRef): boolean {
  if (r.role === 'grid_worker') return r.gridIds.includes(grid.id);
  if (r.gridIds.length === 0 && r.buildingIds.length === 0 && r.householdIds.length === 0) return true;
  if (r.gridIds.includes(grid.id)) return true;
  return (grid.buildingIds ?? []).some((b) => r.buildingIds.includes(b));
}

/**
 * For every grid, every first-tier role of the shift at `instant` must have somebody on duty
 * (and reachable); each missing (grid, role) is a gap (issue 4 item 11b, checked at each shift
 * start — see nextShiftBoundary). Grids are reported in input order, roles in tier order.
 */
export function rosterGaps(input: RosterGapInput): RosterGap[] {
  const { shift, date } = shiftOf(input.instant, input.tz, input.dayShift);
  const onDuty = onDutyAt(input.responders, input.rosters, input.instant, input.tz, input.onDutyOptions);
  const reachable = input.canBeReached ?? (() => true);
  const staff = input.responders.filter((r) => onDuty.has(r.id) && reachable(r));
  const gaps: RosterGap[] = [];
  for (const grid of input.grids) {
    for (const role of FIRST_TIER_ROLES[shift]) {
      if (!staff.some((r) => r.role === role && servesGrid(r, grid))) {
        gaps.push({ gridId: grid.id, role, shift, shiftDate: date });
      }
    }
  }
  return gaps;
}
