import type { Outcome } from '../../domain/alert-kinds.js';
import { between, chance, type Rng } from '../../domain/seeded-random.js';
import type { ResponderRole } from '../../domain/roster.js';
import { centroid, pathMetres, type Point } from './site-plan.js';

/**
 * How a simulated responder behaves (issue 14 item 3). Nothing here is a success rate: whether
 * someone is at the door in time comes out of where they are, how they move, whether their phone
 * is in reach at that hour, whether they are asleep, and whether they are busy. Pure.
 *
 * Figures (minutes and metres of a Nanjing old-town community of six-storey walk-ups):
 * - where they are by day: at their base 55 % of the time, in another building of their area
 *   35 % (visiting a family), at the street office 1.2 km away 10 % (a meeting); by night at
 *   their post, or at home when on call from home;
 * - phone in reach on a page: 88 % by day (often inside someone's flat); night staff awake at
 *   the gate 93 %; night staff on call from home 85 % before midnight, 70 % from 00:00 to 06:00;
 * - reaction once the phone rings in reach: a median of 30 s by day, 25 s at the gate at night,
 *   45 s on call at home before midnight, 90 s when woken after midnight;
 * - getting going: 30–90 s by day (finish a conversation, unlock the bike), 20–60 s at the gate,
 *   3–6 min to dress and leave home at night;
 * - moving: walking 1.25 m/s, cycling 3.2 m/s, along paths 1.3 × the straight line; stairs
 *   10 s a floor; 15 s at the building door;
 * - at the door, pressing 到达 takes 0–3 s.
 */
export type Mode = 'walk' | 'bike';
export const SPEED_MPS: Record<Mode, number> = { walk: 1.25, bike: 3.2 };

export interface ResponderProfile {
  id: string;
  role: ResponderRole;
  communityId: string;
  base: Point;
  /** Buildings of their area (grid, or the whole community), where they may be visiting by day. */
  area: Point[];
  /** The street office, where day meetings are. */
  office: Point;
  mode: Mode;
  /** On duty at night from home (woken by the phone), as opposed to awake at a post. */
  nightOnCallFromHome: boolean;
}

export interface PlaceOf {
  building(id: string): Point | undefined;
  /** The buildings of a grid / of a community. */
  gridBuildings(gridId: string): Point[];
  communityBuildings(communityId: string): Point[];
}

export function responderProfile(
  r: { id: string; role: ResponderRole; communityId: string; gridIds: readonly string[]; buildingIds: readonly string[] }, places: PlaceOf,
): ResponderProfile {
  const community = places.communityBuildings(r.communityId);
  const centre = centroid(community);
  // The property office sits at the compound gate: the community's corner nearest the origin.
  const gate = community.reduce((m, p) => (p.x + p.y < m.x + m.y ? p : m), community[0] ?? centre);
  const ownBuilding = r.buildingIds.map((b) => places.building(b)).find((p) => p !== undefined);
  const gridArea = r.gridIds.flatMap((g) => places.gridBuildings(g));
  const ownGrid = gridArea[0];
  const common = { id: r.id, role: r.role, communityId: r.communityId, office: offset(centre, 1200, 300) };
  switch (r.role) {
    case 'grid_worker':
      return { ...common, base: offset(ownGrid ?? centre, 15, 0), area: gridArea.length ? gridArea : community, mode: 'bike', nightOnCallFromHome: true };
    case 'org_specialist':
      return { ...common, base: centre, area: community, mode: 'bike', nightOnCallFromHome: true };
    case 'property_duty':
      return { ...common, base: gate, area: [gate], mode: 'walk', nightOnCallFromHome: false };
    case 'building_leader':
    case 'neighbour_buddy': {
      const home = offset(ownBuilding ?? ownGrid ?? centre, 0, 5);
      return { ...common, base: home, area: [home], mode: 'walk', nightOnCallFromHome: true };
    }
    default:
      return { ...common, base: centre, area: community, mode: 'walk', nightOnCallFromHome: true };
  }
}

/** Where someone free is when a page comes (see the figures above). */
export function whereNow(rng: Rng, p: ResponderProfile, localHour: number): Point {
  const night = localHour >= 20 || localHour < 8;
  if (night) return p.base;
  const r = rng();
  if (r < 0.55 || p.area.length === 0) return p.base;
  if (r < 0.9) return p.area[Math.floor(rng() * p.area.length)]!;
  return p.role === 'grid_worker' || p.role === 'org_specialist' || p.role === 'supervisor' ? p.office : p.base;
}
const offset = (p: Point, dx: number, dy: number): Point => ({ x: p.x + dx, y: p.y + dy });

/** Night by the clock on the wall, not by the roster: people sleep from 23:00 to 06:00. */
export function asleepHour(localHour: number): boolean {
  return localHour >= 23 || localHour < 6;
}

/** Whether a page is noticed, and when (ms after it arrived). */
export function noticePage(rng: Rng, p: ResponderProfile, localHour: number): { noticed: boolean; afterMs: number } {
  const night = localHour >= 20 || localHour < 8;
  const asleep = night && p.nightOnCallFromHome && asleepHour(localHour);
  const inReach = !night ? 0.88 : !p.nightOnCallFromHome ? 0.93 : asleep ? 0.7 : 0.85;
  if (!chance(rng, inReach)) return { noticed: false, afterMs: 0 };
  const median = !night ? 30_000 : !p.nightOnCallFromHome ? 25_000 : asleep ? 90_000 : 45_000;
  return { noticed: true, afterMs: Math.min(5 * 60_000, Math.round(logNormal(rng, median, 0.8))) };
}

/** From accepting to leaving: on duty, or dressing at home at night. */
export function prepMs(rng: Rng, p: ResponderProfile, localHour: number): number {
  const night = localHour >= 20 || localHour < 8;
  if (!night) return Math.round(between(rng, 30_000, 90_000));
  return Math.round(p.nightOnCallFromHome ? between(rng, 180_000, 360_000) : between(rng, 20_000, 60_000));
}

/** From leaving to standing at the flat's door. */
export function travelMs(from: Point, to: Point, mode: Mode, floor: number): number {
  return Math.round((pathMetres(from, to) / SPEED_MPS[mode]) * 1000 + floor * 10_000 + 15_000);
}

export type IncidentKind = 'sos_pressed' | 'fall_radar' | 'fall_no_radar' | 'collapse_evening' | 'mistaken_press' | 'smoke_cooking';

/** How long the visit takes, and how it ends; `kind` null: nothing had happened (a false alarm). */
export function visit(rng: Rng, kind: IncidentKind | null): { onSiteMs: number; outcome: Outcome; note: string } {
  switch (kind) {
    case 'sos_pressed':
      return chance(rng, 0.8) ? stay(rng, 10, 25, 'assisted', '老人身体不适，已协助') : stay(rng, 15, 30, 'hospital', '已送医');
    case 'fall_radar':
    case 'fall_no_radar':
    case 'collapse_evening':
      return chance(rng, 0.6) ? stay(rng, 10, 25, 'assisted', '扶起老人，无明显外伤') : stay(rng, 20, 40, 'hospital', '疑似骨折，已叫救护车送医');
    case 'mistaken_press':
      return stay(rng, 4, 10, 'false_alarm', '老人误按，已确认安好');
    case 'smoke_cooking':
      return stay(rng, 5, 12, 'false_alarm', '做饭油烟，已开窗通风');
    case null:
      return stay(rng, 4, 10, 'false_alarm', '上门查看，老人安好');
  }
}

function stay(rng: Rng, minMin: number, maxMin: number, outcome: Outcome, note: string) {
  return { onSiteMs: Math.round(between(rng, minMin, maxMin) * 60_000), outcome, note };
}

/** A log-normal draw with the given median and shape. */
export function logNormal(rng: Rng, median: number, sigma: number): number {
  // Box–Muller on the seeded generator.
  const u = Math.max(1e-12, rng()), v = rng();
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  return median * Math.exp(sigma * z);
}
