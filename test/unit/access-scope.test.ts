import { describe, expect, test } from 'vitest';
import {
  alertGrants, communityInScope, communityPeopleInScope, householdInScope, placeInScope, scopeOf, type Place, type Principal,
} from '../../domain/access-scope.js';

/** Who reaches which home (issue 23): one table, one row per person and place. */
const HOUR = 3_600_000;
const now = new Date('2026-12-06T10:00:00Z');
const home = (h: string, b: string, g: string, c: string): Place => ({ householdId: h, buildingId: b, gridId: g, communityId: c });
const A1 = home('h1', 'b1', 'g1', 'cA'); // grid g1, building b1
const A2 = home('h2', 'b2', 'g2', 'cA'); // same community, another grid
const B1 = home('h3', 'b3', 'g3', 'cB'); // another community

const responder = (role: NonNullable<Principal['responder']>['role'], extra: Partial<NonNullable<Principal['responder']>> = {}): Principal => ({
  role: 'responder', communityIds: [],
  responder: { id: 'r1', role, communityId: 'cA', gridIds: ['g1'], buildingIds: ['b2'], householdIds: ['h3'], ...extra },
});

const PEOPLE: Array<[string, Principal, Record<'A1' | 'A2' | 'B1', boolean>]> = [
  ['admin', { role: 'admin', communityIds: [], responder: null }, { A1: true, A2: true, B1: true }],
  ['operator of cA', { role: 'operator', communityIds: ['cA'], responder: null }, { A1: true, A2: true, B1: false }],
  ['supervisor of cB', { role: 'supervisor', communityIds: ['cB'], responder: null }, { A1: false, A2: false, B1: true }],
  ['operator of no community', { role: 'operator', communityIds: [], responder: null }, { A1: false, A2: false, B1: false }],
  ['street of cA+cB', { role: 'street', communityIds: ['cA', 'cB'], responder: null }, { A1: true, A2: true, B1: true }],
  // The same responder record read by role: only the field of their role counts.
  ['grid worker of g1', responder('grid_worker'), { A1: true, A2: false, B1: false }],
  ['building leader of b2', responder('building_leader'), { A1: false, A2: true, B1: false }],
  ['buddy of h3', responder('neighbour_buddy'), { A1: false, A2: false, B1: true }],
  ['org specialist', responder('org_specialist'), { A1: false, A2: false, B1: false }],
  ['property duty', responder('property_duty'), { A1: false, A2: false, B1: false }],
  ['responder login without a record', { role: 'responder', communityIds: [], responder: null }, { A1: false, A2: false, B1: false }],
];

describe.each(PEOPLE)('%s', (_name, principal, reach) => {
  const scope = scopeOf(principal, 2 * HOUR);
  test.each([['A1', A1], ['A2', A2], ['B1', B1]] as const)('home %s by place alone', (key, place) => {
    expect(placeInScope(scope, place)).toBe(reach[key]);
    expect(householdInScope(scope, place, [], now)).toBe(reach[key]);
  });
});

describe('alert grants: the home of an alert a responder was paged for or holds', () => {
  const scope = scopeOf(responder('org_specialist'), 2 * HOUR);
  test.each([
    ['live, involved', { involved: true, closedAt: null }, true],
    ['closed 1 h ago, involved', { involved: true, closedAt: new Date(now.getTime() - HOUR) }, true],
    ['closed exactly at the grace, involved', { involved: true, closedAt: new Date(now.getTime() - 2 * HOUR) }, true],
    ['closed 3 h ago, involved', { involved: true, closedAt: new Date(now.getTime() - 3 * HOUR) }, false],
    ['live, not involved', { involved: false, closedAt: null }, false],
  ] as const)('%s → %s', (_n, link, expected) => {
    expect(alertGrants(scope, link, now)).toBe(expected);
    expect(householdInScope(scope, B1, [link], now)).toBe(expected);
  });

  test('the dispatch room gets nothing from alerts: their communities decide', () => {
    const op = scopeOf({ role: 'operator', communityIds: ['cA'], responder: null }, 2 * HOUR);
    expect(householdInScope(op, B1, [{ involved: true, closedAt: null }], now)).toBe(false);
  });
});

describe('people and writes', () => {
  test.each([
    ['admin', { role: 'admin', communityIds: [], responder: null } as Principal, { cA: true, cB: true }, { cA: true, cB: true }, true],
    ['operator of cA', { role: 'operator', communityIds: ['cA'], responder: null } as Principal, { cA: true, cB: false }, { cA: true, cB: false }, true],
    ['street of cA+cB', { role: 'street', communityIds: ['cA', 'cB'], responder: null } as Principal, { cA: true, cB: true }, { cA: true, cB: true }, false],
    ['grid worker of cA', responder('grid_worker'), { cA: true, cB: false }, { cA: false, cB: false }, true],
  ])('%s', (_n, principal, people, dispatch, canWrite) => {
    const scope = scopeOf(principal, HOUR);
    expect({ cA: communityPeopleInScope(scope, 'cA'), cB: communityPeopleInScope(scope, 'cB') }).toEqual(people);
    expect({ cA: communityInScope(scope, 'cA'), cB: communityInScope(scope, 'cB') }).toEqual(dispatch);
    expect(scope.canWrite).toBe(canWrite);
  });
});
