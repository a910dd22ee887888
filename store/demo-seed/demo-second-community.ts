import {
  ALL_WEEK, DEMO_DEVICE_PREFIX, pad, person, planHousehold, shiftHours, shifts, teamDays,
  type DemoPlan, type PlannedBuilding, type PlannedGrid, type PlannedHousehold, type PlannedLogin, type PlannedResponder,
} from './demo-plan.js';

/**
 * The demo's second community on the same street (issue 17): 兴达社区 next to 鹿山社区, both in
 * 南苑街道, with its own grids, homes, responders, rosters and dispatch-room login, so the demo
 * shows the scoping (operator2 sees only 兴达社区; the street office reads both).
 */
export const DEMO_STREET = { id: 's-demo', name: '南苑街道' } as const;

export const SECOND_COMMUNITY = {
  id: 'c-demo-b', name: '兴达社区', address: '南京市建邺区南苑街道兴达路66号', emergencyPhone: '025-86662468',
  orgName: '兴达社区养老服务站', propertyName: '兴达物业',
} as const;

const GRIDS = 2, BUILDINGS_PER_GRID = 2;
/** Households of B are planned from index OFFSET on, so their residents differ from A's. */
const OFFSET = 100_000;

export function planSecondCommunity(households: number, opts: { dayShift?: string } = {}): DemoPlan {
  const { day: DAY, night: NIGHT } = shiftHours(opts.dayShift);
  const grids: PlannedGrid[] = Array.from({ length: GRIDS }, (_, g) => ({ id: `g-demo-b-${g + 1}`, name: `第${g + 1}网格·兴达苑${g === 0 ? '东' : '西'}区` }));
  const buildings: PlannedBuilding[] = grids.flatMap((g, gi) => Array.from({ length: BUILDINGS_PER_GRID }, (_, k) => {
    const n = gi * BUILDINGS_PER_GRID + k + 1;
    return { id: `b-demo-b-${gi + 1}-${k + 1}`, gridId: g.id, name: `兴达苑${n}栋`, address: `南京市建邺区兴达路66号兴达苑${n}栋` };
  }));
  const homes: PlannedHousehold[] = Array.from({ length: households }, (_, i) => {
    const base = planHousehold(OFFSET + i);
    const b = buildings[i % buildings.length]!;
    const slot = Math.floor(i / buildings.length);
    const unit = `${(slot % 3) + 1}单元${(Math.floor(slot / 3) % 6) + 1}0${Math.floor(slot / 18) + 1}室`;
    const num = pad(i + 1);
    return {
      ...base, id: `h-demo-b${num}`, buildingId: b.id, unit, address: `${b.address}${unit}`,
      devices: base.devices.map((d) => ({ ...d, id: `${DEMO_DEVICE_PREFIX[d.kind]}-b${num}` })),
    };
  });

  const responders: PlannedResponder[] = [];
  const logins: PlannedLogin[] = [];
  for (const g of grids) {
    const p = person(`r-b-gw-${g.id.slice(-1)}`, 'grid_worker', { gridIds: [g.id], shifts: shifts(ALL_WEEK, DAY) });
    responders.push(p);
    logins.push({ username: `b-gw${g.id.slice(-1)}`, role: 'responder', responderId: p.id, displayName: `${p.name}（网格员·${g.name}）` });
  }
  // Informed by day: a party-member building leader per grid, and a neighbour buddy for every three homes of a building.
  for (const g of grids) {
    responders.push(person(`r-b-bl-${g.id.slice(-1)}`, 'building_leader', {
      gridIds: [g.id], buildingIds: buildings.filter((b) => b.gridId === g.id).map((b) => b.id), shifts: shifts(ALL_WEEK, DAY),
    }));
  }
  for (const b of buildings) {
    const list = homes.filter((h) => h.buildingId === b.id);
    for (let k = 0; k < list.length; k += 3) {
      responders.push(person(`r-b-nb-${b.id.slice('b-demo-b-'.length)}-${k / 3 + 1}`, 'neighbour_buddy', {
        gridIds: [b.gridId], buildingIds: [b.id], householdIds: list.slice(k, k + 3).map((h) => h.id), shifts: shifts(ALL_WEEK, DAY),
      }));
    }
  }
  const team = (prefix: string, role: PlannedResponder['role'], n: number, hours: typeof DAY) => {
    const out = Array.from({ length: n }, (_, j) => person(`r-b-${prefix}-${j + 1}`, role, { shifts: shifts(teamDays(n, j), hours) }));
    responders.push(...out);
    return out;
  };
  team('org-day', 'org_specialist', 2, DAY);
  team('org-night', 'org_specialist', 2, NIGHT);
  team('duty', 'property_duty', 2, NIGHT);
  const sup = team('sup', 'supervisor', 2, DAY);
  team('sup-night', 'supervisor', 1, NIGHT);
  const op = team('op', 'operator', 2, DAY);
  team('op-night', 'operator', 1, NIGHT);
  logins.unshift(
    { username: 'operator2', role: 'operator', responderId: op[0]!.id, displayName: `${op[0]!.name}（兴达社区调度员）` },
    { username: 'supervisor2', role: 'supervisor', responderId: sup[0]!.id, displayName: `${sup[0]!.name}（兴达社区值班主任）` },
  );
  return { community: SECOND_COMMUNITY, grids, buildings, households: homes, responders, logins };
}
