import { describe, expect, it } from 'vitest';
import type { Responder, RosterRow } from '../../domain/roster.js';
import {
  firstStaffedLevel, resolveTiers, rosterGaps, servesHousehold, targetsForLevel,
  type RouteTarget, type RoutingInput,
} from '../../domain/routing.js';

const SH = 'Asia/Shanghai';
const local = (date: string, time: string) => new Date(`${date}T${time}+08:00`);
const DAY_AT = local('2026-03-02', '10:00'); // Monday day shift
const NIGHT_AT = local('2026-03-03', '02:00'); // Monday's night, after midnight

function person(id: string, role: Responder['role'], over: Partial<Responder> = {}): Responder {
  return { id, role, gridIds: [], buildingIds: [], householdIds: [], onDuty: true, active: true, ...over };
}
const dayRow = (id: string): RosterRow => ({ responderId: id, weekday: 1, onDate: null, starts: '08:00', ends: '20:00', offDuty: false });
const nightRow = (id: string): RosterRow => ({ responderId: id, weekday: 1, onDate: null, starts: '20:00', ends: '08:00', offDuty: false });

// Household h1 lives in building b1 of grid g1; g2 is the neighbouring grid.
const household = { id: 'h1', gridId: 'g1', buildingId: 'b1' };
const responders: Responder[] = [
  person('gw1', 'grid_worker', { gridIds: ['g1'] }),
  person('gw2', 'grid_worker', { gridIds: ['g2'] }),
  person('gw-night', 'grid_worker', { gridIds: ['g1'] }),
  person('os-all', 'org_specialist'),
  person('os-g2', 'org_specialist', { gridIds: ['g2'] }),
  person('os-night', 'org_specialist'),
  person('pd-b1', 'property_duty', { buildingIds: ['b1'] }),
  person('pd-b9', 'property_duty', { buildingIds: ['b9'] }),
  person('bl-b1', 'building_leader', { buildingIds: ['b1'] }),
  person('bl-b2', 'building_leader', { buildingIds: ['b2'] }),
  person('buddy-h1', 'neighbour_buddy', { householdIds: ['h1', 'h7'] }),
  person('buddy-h2', 'neighbour_buddy', { householdIds: ['h2'] }),
  person('buddy-away', 'neighbour_buddy', { householdIds: ['h1'], onDuty: false }),
  person('sup-day', 'supervisor'),
  person('sup-night', 'supervisor'),
  person('op', 'operator'),
  person('admin', 'admin'),
];
const rosters: RosterRow[] = [
  dayRow('gw1'), dayRow('gw2'), nightRow('gw-night'), dayRow('os-all'), dayRow('os-g2'), nightRow('os-night'),
  nightRow('pd-b1'), nightRow('pd-b9'), dayRow('sup-day'), nightRow('sup-night'),
];
const familyContacts = [
  { id: 3, name: 'Grandson', relation: 'grandson', phone: '139-3', priority: 2 },
  { id: 1, name: 'Daughter', relation: 'daughter', phone: '139-1', priority: 1 },
  { id: 2, name: 'Son', relation: 'son', phone: '139-2', priority: 2 },
];
const community = { name: 'Lushan community duty phone', phone: '025-000' };

const input = (over: Partial<RoutingInput> = {}): RoutingInput => ({
  household, instant: DAY_AT, tz: SH, dayShift: '08:00-20:00', responders, rosters,
  familyContacts, communityEmergencyContact: community, ...over,
});
const ids = (targets: RouteTarget[]) => targets.map((t) => (t.kind === 'responder' ? t.responderId : `${t.kind}:${t.name}`));

describe('resolveTiers by day', () => {
  const plan = resolveTiers(input());

  it('tier 1 (level 0) is exactly the grid worker of the grid + the org specialist covering it', () => {
    expect(plan.shift).toBe('day');
    expect(plan.shiftDate).toBe('2026-03-02');
    expect(plan.tiers[0]).toMatchObject({ level: 0, roles: ['grid_worker', 'org_specialist'], empty: false });
    expect(ids(plan.tiers[0].targets)).toEqual(['gw1', 'os-all']);
    expect(plan.tiers[0].targets[0]).toEqual({ kind: 'responder', responderId: 'gw1', role: 'grid_worker' });
  });

  it('informs the building leader and the household\'s available buddies', () => {
    expect(ids(plan.informed)).toEqual(['bl-b1', 'buddy-h1']);
  });

  it('tier 2 (level 1) is the on-duty supervisor', () => {
    expect(ids(plan.tiers[1].targets)).toEqual(['sup-day']);
  });

  it('tier 3 (level 2) is family by priority (stable) and then the community contact', () => {
    expect(ids(plan.tiers[2].targets)).toEqual(['family:Daughter', 'family:Grandson', 'family:Son', 'community:Lushan community duty phone']);
    expect(plan.tiers[2].targets[0]).toEqual({ kind: 'family', contactId: 1, name: 'Daughter', relation: 'daughter', phone: '139-1', priority: 1 });
  });

  it('reports no gaps when every tier is staffed', () => {
    expect(plan.gaps).toEqual([]);
  });

  it('with an org specialist scoped to the grid, only that one is picked', () => {
    const p = resolveTiers(input({ household: { id: 'h2', gridId: 'g2', buildingId: 'b2' } }));
    expect(ids(p.tiers[0].targets)).toEqual(['gw2', 'os-all', 'os-g2']);
    expect(ids(p.informed)).toEqual(['bl-b2', 'buddy-h2']);
  });
});

describe('resolveTiers by night', () => {
  const plan = resolveTiers(input({ instant: NIGHT_AT }));

  it('tier 1 is the on-duty org specialist + property duty of the building; nobody is informed', () => {
    expect(plan.shift).toBe('night');
    expect(plan.shiftDate).toBe('2026-03-02');
    expect(plan.tiers[0].roles).toEqual(['org_specialist', 'property_duty']);
    expect(ids(plan.tiers[0].targets)).toEqual(['os-night', 'pd-b1']);
    expect(plan.informed).toEqual([]);
  });

  it('tier 2 is the night supervisor', () => {
    expect(ids(plan.tiers[1].targets)).toEqual(['sup-night']);
  });

  it('uses the configured day shift, not a fixed 08:00-20:00', () => {
    const p = resolveTiers(input({ instant: local('2026-03-02', '07:30'), dayShift: '07:00-19:00' }));
    expect(p.shift).toBe('day');
  });
});

describe('gaps', () => {
  it('an empty role is a gap; a fully empty tier is reported too', () => {
    const without = responders.filter((r) => r.id !== 'gw1' && r.id !== 'sup-day');
    const plan = resolveTiers(input({ responders: without }));
    expect(ids(plan.tiers[0].targets)).toEqual(['os-all']);
    expect(plan.tiers[1]).toMatchObject({ empty: true, targets: [] });
    expect(plan.gaps.map((g) => [g.level, g.role])).toEqual([[0, 'grid_worker'], [1, 'supervisor'], [1, null]]);
    expect(plan.gaps[0]!.message).toBe('No grid worker on duty for household h1 (grid g1, building b1) on the day shift of 2026-03-02');
  });

  it('an off-duty override empties tier 1 and the caller can skip to the first staffed level', () => {
    const off: RosterRow[] = [
      { responderId: 'gw1', weekday: null, onDate: '2026-03-02', starts: '00:00', ends: '00:00', offDuty: true },
      { responderId: 'os-all', weekday: null, onDate: '2026-03-02', starts: '00:00', ends: '00:00', offDuty: true },
    ];
    const plan = resolveTiers(input({ rosters: [...rosters, ...off] }));
    expect(plan.tiers[0].empty).toBe(true);
    expect(plan.gaps.filter((g) => g.level === 0).map((g) => g.role)).toEqual(['grid_worker', 'org_specialist', null]);
    expect(firstStaffedLevel(plan, 0)).toBe(1);
  });

  it('a household with no family and no community contact has an empty top tier', () => {
    const plan = resolveTiers(input({ familyContacts: [], communityEmergencyContact: null }));
    expect(plan.tiers[2].empty).toBe(true);
    expect(plan.gaps).toEqual([{ level: 2, role: null, message: expect.stringContaining('Tier 3 is empty') }]);
    expect(ids(resolveTiers(input({ familyContacts: [] })).tiers[2].targets)).toEqual(['community:Lushan community duty phone']);
  });
});

describe('escalation helpers', () => {
  const plan = resolveTiers(input());

  it('targetsForLevel gives the tier, then everyone after the top tier', () => {
    expect(ids(targetsForLevel(plan, 0))).toEqual(['gw1', 'os-all']);
    expect(ids(targetsForLevel(plan, 2))).toHaveLength(4);
    const everyone = ['gw1', 'os-all', 'sup-day', 'family:Daughter', 'family:Grandson', 'family:Son', 'community:Lushan community duty phone'];
    expect(ids(targetsForLevel(plan, 3))).toEqual(everyone);
    expect(ids(targetsForLevel(plan, 9))).toEqual(everyone);
    expect(targetsForLevel(plan, -1)).toEqual([]);
  });

  it('firstStaffedLevel skips empty tiers and returns null when nobody can be notified', () => {
    expect(firstStaffedLevel(plan, 0)).toBe(0);
    expect(firstStaffedLevel(plan, 1)).toBe(1);
    expect(firstStaffedLevel(plan, 3)).toBe(3);
    const onlyFamily = resolveTiers(input({ responders: [] }));
    expect(firstStaffedLevel(onlyFamily, 0)).toBe(2);
    const nobody = resolveTiers(input({ responders: [], familyContacts: [], communityEmergencyContact: null }));
    expect(firstStaffedLevel(nobody, 0)).toBeNull();
  });
});

describe('servesHousehold', () => {
  it('grid workers, building leaders and buddies are strictly scoped; others are community-wide unless scoped', () => {
    expect(servesHousehold(person('x', 'grid_worker'), household)).toBe(false);
    expect(servesHousehold(person('x', 'building_leader', { gridIds: ['g1'] }), household)).toBe(false);
    expect(servesHousehold(person('x', 'supervisor'), household)).toBe(true);
    expect(servesHousehold(person('x', 'supervisor', { gridIds: ['g2'] }), household)).toBe(false);
    expect(servesHousehold(person('x', 'property_duty', { householdIds: ['h1'] }), household)).toBe(true);
  });
});

describe('rosterGaps', () => {
  const grids = [{ id: 'g1', buildingIds: ['b1'] }, { id: 'g2', buildingIds: ['b2'] }, { id: 'g3' }];
  const base = { grids, tz: SH, dayShift: '08:00-20:00', responders, rosters };

  it('by day: every grid needs a grid worker and an org specialist', () => {
    expect(rosterGaps({ ...base, instant: DAY_AT })).toEqual([
      { gridId: 'g3', role: 'grid_worker', shift: 'day', shiftDate: '2026-03-02' },
    ]);
  });

  it('by night: every grid needs an org specialist and property duty (building-scoped duty counts for its grid)', () => {
    expect(rosterGaps({ ...base, instant: NIGHT_AT })).toEqual([
      { gridId: 'g2', role: 'property_duty', shift: 'night', shiftDate: '2026-03-02' },
      { gridId: 'g3', role: 'property_duty', shift: 'night', shiftDate: '2026-03-02' },
    ]);
  });

  it('only counts people a predicate says can be reached', () => {
    const gaps = rosterGaps({ ...base, instant: DAY_AT, canBeReached: (r) => r.id !== 'os-all' });
    expect(gaps.map((g) => `${g.gridId}/${g.role}`)).toEqual(['g1/org_specialist', 'g3/grid_worker', 'g3/org_specialist']);
  });

  it('nobody on the roster: every grid and role is a gap', () => {
    expect(rosterGaps({ ...base, instant: DAY_AT, responders: [] })).toHaveLength(6);
  });
});
