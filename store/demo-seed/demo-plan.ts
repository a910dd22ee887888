import type { DeviceKind } from '../../domain/device-kinds.js';
import { hashSeed, seededRng, type Rng } from '../../domain/seeded-random.js';
import { parseShift } from '../../domain/shift-clock.js';
import {
  CHILD_RELATIONS, COMMUNITY, COMPOUNDS, CONDITION_NOTES, CONDITIONS, ELDER_GIVEN, HOUSEHOLD_NOTES,
  MOBILE_PREFIXES, SURNAMES, YOUNGER_GIVEN,
} from './demo-data.js';

/**
 * The demo community as plain data, computed deterministically from the household count.
 * Every household, responder and device gets a stable, readable id and its details come from
 * a random generator seeded by that id, so seeding twice plans exactly the same rows (which
 * makes `seed --demo` idempotent) and growing --households only adds rows: household i lives
 * in the same building and flat whatever the total.
 */

export type Gender = 'female' | 'male';
export type ResponderRole = 'grid_worker' | 'org_specialist' | 'building_leader' | 'neighbour_buddy' | 'property_duty' | 'supervisor' | 'operator';

export interface PlannedGrid { id: string; name: string }
export interface PlannedBuilding { id: string; gridId: string; name: string; address: string }
export interface PlannedResident { name: string; gender: Gender; birthYear: number; phone: string | null; conditions: string[]; notes: string | null }
export interface PlannedContact { name: string; relation: string; phone: string; priority: number }
export interface PlannedDevice { id: string; kind: DeviceKind; room: string; heartbeatS: number }
export interface PlannedHousehold {
  id: string; buildingId: string; unit: string; address: string; phone: string | null;
  livingSituation: 'alone' | 'couple' | 'with_family';
  inactivityDayS: number; inactivityNightS: number; notes: string | null;
  residents: PlannedResident[]; contacts: PlannedContact[]; devices: PlannedDevice[];
}
export interface PlannedShift { weekday: number; starts: string; ends: string }
export interface PlannedResponder {
  id: string; name: string; role: ResponderRole; phone: string;
  gridIds: string[]; buildingIds: string[]; householdIds: string[]; shifts: PlannedShift[];
}
export interface PlannedLogin { username: string; role: 'operator' | 'supervisor' | 'responder' | 'street'; responderId: string | null; displayName: string }
export interface PlannedCommunity { id: string; name: string; address: string; emergencyPhone: string; orgName: string; propertyName: string }
export interface DemoPlan {
  community: PlannedCommunity;
  grids: PlannedGrid[]; buildings: PlannedBuilding[]; households: PlannedHousehold[];
  responders: PlannedResponder[]; logins: PlannedLogin[];
}

/** DESIGN §1 minimums: the first 16 buildings (4 grids × 4) are always there. */
const BASE_GRIDS = 4;
const BASE_BUILDINGS_PER_GRID = 4;
const BASE_BUILDINGS = BASE_GRIDS * BASE_BUILDINGS_PER_GRID;
/** Beyond the base, a new grid every 6 buildings. */
const EXTRA_BUILDINGS_PER_GRID = 6;
/** A six-storey walk-up with 3 entrances (单元) and 2 flats per landing. */
const UNITS = 3, FLOORS = 6, DOORS = 2;
const FLATS_PER_BUILDING = UNITS * FLOORS * DOORS;
/** Neighbour buddies (邻里老伙伴) each look after this many homes of their building. */
const HOMES_PER_BUDDY = 3;

type Hours = Readonly<Pick<PlannedShift, 'starts' | 'ends'>>;

/**
 * The demo's day and night roster hours from DAY_SHIFT ('08:00-20:00'): the day shift as the
 * service's day, the night from its end to its start (ending before it starts: it crosses
 * midnight, the roster_shifts convention). Fixed 08:00-20:00 rosters under another DAY_SHIFT
 * left an hour between the two changes with nobody of a tier-1 role on duty (issue 20 item 11).
 */
export function shiftHours(dayShift = '08:00-20:00'): { day: Hours; night: Hours } {
  const w = parseShift(dayShift);
  const hhmm = (sec: number) => `${pad(Math.floor(sec / 3600), 2)}:${pad(Math.floor(sec / 60) % 60, 2)}`;
  const [starts, ends] = [hhmm(w.startS), hhmm(w.endS)];
  return { day: { starts, ends }, night: { starts: ends, ends: starts } };
}

const DEVICE_HEARTBEAT_S: Partial<Record<DeviceKind, number>> = {
  sos_button: 600, fall_radar: 300, pir: 600, door_contact: 600, bed_sensor: 600,
  water_meter: 900, smoke_detector: 1800, gas_detector: 900,
};
/** Device id prefix per kind: `sos-0001` is the SOS button of household h-demo-0001. */
export const DEMO_DEVICE_PREFIX: Partial<Record<DeviceKind, string>> = {
  sos_button: 'sos', fall_radar: 'fall', pir: 'pir', door_contact: 'door', bed_sensor: 'bed',
  water_meter: 'water', smoke_detector: 'smoke', gas_detector: 'gas',
};
/** Matches the ids of demo devices (and nothing `device add` generates). */
export const DEMO_DEVICE_ID_PATTERN = '^(sos|fall|pir|door|bed|water|smoke|gas)-(b)?[0-9]{4,}$';

// ---------------------------------------------------------------------------------------------
// Deterministic randomness

/** Seeded by a string (the row's id), so a re-run plans exactly the same rows. */
export const rngFor = (seed: string): Rng => seededRng(hashSeed(seed));

export const pick = <T>(rng: Rng, list: readonly T[]): T => list[Math.floor(rng() * list.length)]!;
const int = (rng: Rng, lo: number, hi: number): number => lo + Math.floor(rng() * (hi - lo + 1));
const digits = (rng: Rng, n: number): string => Array.from({ length: n }, () => String(Math.floor(rng() * 10))).join('');

export const mobile = (rng: Rng): string => pick(rng, MOBILE_PREFIXES) + digits(rng, 8);
const landline = (rng: Rng): string => `025-${pick(rng, ['5', '8'])}${digits(rng, 7)}`;
const elderName = (rng: Rng, g: Gender, surname = pick(rng, SURNAMES)): string => surname + pick(rng, ELDER_GIVEN[g]);
const youngerName = (rng: Rng, g: Gender, surname = pick(rng, SURNAMES)): string => surname + pick(rng, YOUNGER_GIVEN[g]);

export const pad = (n: number, width = 4): string => String(n).padStart(width, '0');

// ---------------------------------------------------------------------------------------------
// Places

/** Building index (0-based) and flat slot of household i (0-based): independent of the total. */
export function householdSlot(i: number): { building: number; slot: number } {
  const base = BASE_BUILDINGS * FLATS_PER_BUILDING;
  // The base buildings fill round-robin, so a small demo spreads over all 16 of them.
  if (i < base) return { building: i % BASE_BUILDINGS, slot: Math.floor(i / BASE_BUILDINGS) };
  const k = i - base;
  return { building: BASE_BUILDINGS + Math.floor(k / FLATS_PER_BUILDING), slot: k % FLATS_PER_BUILDING };
}

/** Grid number and building number inside the grid (both 1-based) of building index j. */
export function buildingPosition(j: number): { grid: number; number: number } {
  if (j < BASE_BUILDINGS) return { grid: Math.floor(j / BASE_BUILDINGS_PER_GRID) + 1, number: (j % BASE_BUILDINGS_PER_GRID) + 1 };
  const k = j - BASE_BUILDINGS;
  return { grid: BASE_GRIDS + Math.floor(k / EXTRA_BUILDINGS_PER_GRID) + 1, number: (k % EXTRA_BUILDINGS_PER_GRID) + 1 };
}

const compoundOf = (grid: number) => COMPOUNDS[(grid - 1) % COMPOUNDS.length]!;
/** Compounds repeat after the list runs out: 鹿山新村二期 and so on. */
const compoundName = (grid: number): string => {
  const phase = Math.floor((grid - 1) / COMPOUNDS.length);
  return compoundOf(grid).name + (phase === 0 ? '' : `${['', '二', '三', '四', '五', '六', '七', '八', '九'][phase] ?? String(phase + 1)}期`);
};
export function planGrid(grid: number): PlannedGrid {
  return { id: `g-demo-${grid}`, name: `第${grid}网格·${compoundName(grid)}` };
}

export function planBuilding(j: number): PlannedBuilding {
  const { grid, number } = buildingPosition(j);
  const c = compoundOf(grid);
  // Each grid has a compound (or a phase of one, 二期…) of its own, so numbers never clash.
  const name = `${compoundName(grid)}${number}栋`;
  return { id: `b-demo-${grid}-${number}`, gridId: `g-demo-${grid}`, name, address: `南京市建邺区${c.road}${c.number}号${name}` };
}

// ---------------------------------------------------------------------------------------------
// Households

function conditionsFor(rng: Rng, birthYear: number): string[] {
  const ageBoost = birthYear < 1940 ? 1.4 : 1;
  const out = CONDITIONS.filter(([, p]) => rng() < p * ageBoost).map(([c]) => c);
  return out.slice(0, 4);
}

function resident(rng: Rng, gender: Gender, birthYear: number, surname?: string): PlannedResident {
  const conditions = conditionsFor(rng, birthYear);
  const notes = conditions.map((c) => CONDITION_NOTES[c]).filter((n): n is string => !!n);
  return {
    name: elderName(rng, gender, surname), gender, birthYear,
    phone: rng() < 0.45 ? mobile(rng) : null,
    conditions, notes: notes.length ? notes.join('；') : null,
  };
}

/** Birth years 1930-1955, more of them in the 1940s. */
const birthYear = (rng: Rng): number => Math.min(1955, Math.max(1930, Math.round(1930 + ((rng() + rng() + rng()) / 3) * 25)));

export function planHousehold(i: number): PlannedHousehold {
  const num = i + 1;
  const id = `h-demo-${pad(num)}`;
  const rng = rngFor(id);
  const { building, slot } = householdSlot(i);
  const b = planBuilding(building);
  const unitNo = (slot % UNITS) + 1, floor = (Math.floor(slot / UNITS) % FLOORS) + 1, door = Math.floor(slot / (UNITS * FLOORS)) + 1;
  const unit = `${unitNo}单元${floor}0${door}室`;

  const r = rng();
  const livingSituation = r < 0.8 ? 'alone' : r < 0.93 ? 'couple' : 'with_family';
  const residents: PlannedResident[] = [];
  if (livingSituation === 'couple') {
    const husbandYear = birthYear(rng);
    residents.push(resident(rng, 'male', husbandYear));
    residents.push(resident(rng, 'female', Math.min(1955, husbandYear + int(rng, 0, 4))));
  } else {
    // Most seniors living alone are widows.
    residents.push(resident(rng, rng() < 0.65 ? 'female' : 'male', birthYear(rng)));
  }
  const main = residents[0]!;
  // Children and grandchildren carry the father's surname (the husband of a widow is not on file).
  const familySurname = main.gender === 'male' ? main.name.slice(0, 1) : pick(rng, SURNAMES);

  const contacts: PlannedContact[] = [];
  const nContacts = rng() < 0.06 ? 1 : int(rng, 1, 3);
  for (let k = 0; k < nContacts; k++) {
    const g: Gender = rng() < 0.5 ? 'male' : 'female';
    const relation = k === 0 && rng() < 0.9 ? (g === 'male' ? '儿子' : '女儿') : pick(rng, CHILD_RELATIONS[g]);
    const sameName = relation === '儿子' || relation === '女儿' || relation === '孙子' || relation === '孙女';
    contacts.push({ name: youngerName(rng, g, sameName ? familySurname : undefined), relation, phone: mobile(rng), priority: k + 1 });
  }

  const fragile = residents.some((x) => x.conditions.includes('阿尔茨海默症早期') || x.conditions.includes('行动不便'));
  const notes: string[] = [];
  if (livingSituation === 'with_family') notes.push('与子女同住，子女白天上班，老人白天独自在家');
  if (rng() < 0.6) notes.push(pick(rng, HOUSEHOLD_NOTES));

  const sosRoom = rng() < 0.6 ? '卧室' : '客厅';
  const hasBed = rng() < 0.4, hasWater = rng() < 0.3, hasSmoke = rng() < 0.25, hasGas = rng() < 0.2;
  const devices: PlannedDevice[] = [];
  const add = (kind: DeviceKind, room: string) => devices.push({ id: `${DEMO_DEVICE_PREFIX[kind]}-${pad(num)}`, kind, room, heartbeatS: DEVICE_HEARTBEAT_S[kind] ?? 300 });
  add('sos_button', sosRoom);
  add('fall_radar', '卫生间');
  add('pir', '客厅');
  add('door_contact', '入户门');
  if (hasBed) add('bed_sensor', '卧室');
  if (hasWater) add('water_meter', '厨房');
  if (hasSmoke) add('smoke_detector', '厨房');
  if (hasGas) add('gas_detector', '厨房');

  return {
    id, buildingId: b.id, unit, address: `${b.address}${unit}`,
    phone: rng() < 0.5 ? landline(rng) : null,
    livingSituation,
    // Someone who may not be able to get up gets looked in on sooner (DESIGN §4: per household).
    inactivityDayS: fragile ? 4 * 3600 : 6 * 3600,
    inactivityNightS: fragile ? 10 * 3600 : 12 * 3600,
    notes: notes.length ? notes.join('；') : null,
    residents, contacts, devices,
  };
}

// ---------------------------------------------------------------------------------------------
// People and rosters

export const ALL_WEEK = [0, 1, 2, 3, 4, 5, 6];

/**
 * Weekdays worked by member j of a team of n on one kind of shift: a team of 1 works every
 * day, 2 alternate days, 3 or more work 5 days in 7 with staggered days off. In every case
 * each weekday has at least one member on duty.
 */
export function teamDays(n: number, j: number): number[] {
  if (n <= 1) return ALL_WEEK;
  if (n === 2) return ALL_WEEK.filter((w) => w % 2 === j);
  return ALL_WEEK.filter((w) => (w + j) % 7 < 5);
}

export const shifts = (days: number[], hours: Hours): PlannedShift[] => days.map((weekday) => ({ weekday, ...hours }));

export function person(id: string, role: ResponderRole, rest: Partial<PlannedResponder> = {}): PlannedResponder {
  const rng = rngFor(id);
  const g: Gender = rng() < 0.5 ? 'female' : 'male';
  // Buddies are "younger old" neighbours (低龄老人) helping older ones.
  const name = role === 'neighbour_buddy' ? elderName(rng, g) : youngerName(rng, g);
  return { id, name, role, phone: mobile(rng), gridIds: [], buildingIds: [], householdIds: [], shifts: [], ...rest };
}

export function planDemoCommunity(households: number, opts: { dayShift?: string } = {}): DemoPlan {
  if (!Number.isInteger(households) || households < 1) throw new RangeError('households must be a positive integer');
  const { day: DAY, night: NIGHT } = shiftHours(opts.dayShift);
  const homes = Array.from({ length: households }, (_, i) => planHousehold(i));
  const buildingCount = Math.max(BASE_BUILDINGS, householdSlot(households - 1).building + 1);
  const buildings = Array.from({ length: buildingCount }, (_, j) => planBuilding(j));
  const gridCount = buildingPosition(buildingCount - 1).grid;
  const grids = Array.from({ length: gridCount }, (_, g) => planGrid(g + 1));

  const responders: PlannedResponder[] = [];
  const logins: PlannedLogin[] = [];
  const team = (prefix: string, role: ResponderRole, n: number, hours: Hours, offset = 0, extra: Partial<PlannedResponder> = {}) => {
    const out: PlannedResponder[] = [];
    for (let j = 0; j < n; j++) out.push(person(`r-${prefix}-${j + 1 + offset}`, role, { shifts: shifts(teamDays(n, j), hours), ...extra }));
    responders.push(...out);
    return out;
  };

  // Day tier 1: the grid worker of each grid (网格员), on day duty every day.
  for (const g of grids) {
    const n = Number(g.id.slice('g-demo-'.length));
    const p = person(`r-gw-${n}`, 'grid_worker', { gridIds: [g.id], shifts: shifts(ALL_WEEK, DAY) });
    responders.push(p);
    logins.push({ username: `gw${n}`, role: 'responder', responderId: p.id, displayName: `${p.name}（网格员·${g.name}）` });
  }
  // Social-organisation specialists (社会组织专员): a day team and a night team.
  const orgDay = team('org', 'org_specialist', Math.max(3, Math.ceil(gridCount / 3)), DAY);
  const orgNight = team('org', 'org_specialist', Math.max(3, Math.ceil(gridCount / 6)), NIGHT, orgDay.length);
  [...orgDay, ...orgNight].forEach((p, k) => logins.push({
    username: `org${k + 1}`, role: 'responder', responderId: p.id,
    displayName: `${p.name}（${COMMUNITY.orgName}·${k < orgDay.length ? '日班' : '夜班'}）`,
  }));
  // Night tier 1: property duty staff (物业值班).
  const duty = team('duty', 'property_duty', Math.max(3, Math.ceil(buildingCount / 40)), NIGHT);
  duty.forEach((p, k) => logins.push({ username: `duty${k + 1}`, role: 'responder', responderId: p.id, displayName: `${p.name}（${COMMUNITY.propertyName}·夜间值班）` }));
  // Tier 2: duty supervisors (值班主任); and the dispatch-room operators (调度员). Day and night teams.
  const supDay = team('sup', 'supervisor', 2, DAY);
  team('sup', 'supervisor', 2, NIGHT, 2);
  const opDay = team('op', 'operator', 2, DAY);
  team('op', 'operator', 2, NIGHT, 2);
  logins.unshift(
    { username: 'operator', role: 'operator', responderId: opDay[0]!.id, displayName: `${opDay[0]!.name}（调度员）` },
    { username: 'supervisor', role: 'supervisor', responderId: supDay[0]!.id, displayName: `${supDay[0]!.name}（值班主任）` },
  );

  // Informed by day: a party-member building leader (党员楼栋长) per two buildings of a grid...
  const byGrid = new Map<string, PlannedBuilding[]>();
  for (const b of buildings) byGrid.set(b.gridId, [...(byGrid.get(b.gridId) ?? []), b]);
  for (const [gridId, list] of byGrid) {
    for (let k = 0; k < list.length; k += 2) {
      const covered = list.slice(k, k + 2);
      responders.push(person(`r-bl-${gridId.slice('g-demo-'.length)}-${k / 2 + 1}`, 'building_leader', {
        gridIds: [gridId], buildingIds: covered.map((b) => b.id), shifts: shifts(ALL_WEEK, DAY),
      }));
    }
  }
  // ...and neighbour buddies (邻里老伙伴), each looking after a few homes of their building.
  const byBuilding = new Map<string, PlannedHousehold[]>();
  for (const h of homes) byBuilding.set(h.buildingId, [...(byBuilding.get(h.buildingId) ?? []), h]);
  for (const b of buildings) {
    const list = byBuilding.get(b.id) ?? [];
    for (let k = 0; k < list.length; k += HOMES_PER_BUDDY) {
      responders.push(person(`r-nb-${b.id.slice('b-demo-'.length)}-${k / HOMES_PER_BUDDY + 1}`, 'neighbour_buddy', {
        gridIds: [b.gridId], buildingIds: [b.id], householdIds: list.slice(k, k + HOMES_PER_BUDDY).map((h) => h.id),
        shifts: shifts(ALL_WEEK, DAY),
      }));
    }
  }

  return { community: COMMUNITY, grids, buildings, households: homes, responders, logins };
}
