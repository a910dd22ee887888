import { describe, expect, it } from 'vitest';
import {
  backupDueAt, candidateFacts, expectedArrival, nextWave, pickBackup, rankCandidates, travelSeconds, type DispatchResponder, type FactsInput,
} from '../../domain/dispatch-policy.js';

const person = (id: string, x: number, extra: Partial<DispatchResponder> = {}): DispatchResponder => ({
  id, role: 'org_specialist', position: { x, y: 0 }, travelMode: 'walk', nightFirstOnScene: false, onDuty: true, active: true,
  householdIds: [], buildingIds: [], ...extra,
});

const input = (responders: DispatchResponder[], o: Partial<FactsInput> = {}): FactsInput => ({
  responders, tierOneIds: new Set(responders.map((r) => r.id)), nightCritical: false, household: { id: 'h1', buildingId: 'b1' },
  busy: new Set(), rows: [], holder: null, onSiteBy: null, live: true, ...o,
});

const HOME = { x: 0, y: 0 };

describe('estimated arrival', () => {
  it('is 1.3 × the straight line at 1.25 m/s on foot and 3.2 m/s by bike', () => {
    expect(travelSeconds({ x: 0, y: 0 }, { x: 300, y: 400 }, 'walk')).toBe(Math.round((1.3 * 500) / 1.25));
    expect(travelSeconds({ x: 0, y: 0 }, { x: 300, y: 400 }, 'bike')).toBe(Math.round((1.3 * 500) / 3.2));
    expect(travelSeconds(null, HOME, 'walk')).toBeNull();
    expect(travelSeconds(HOME, null, 'walk')).toBeNull();
  });

  it('expected arrival is the accept plus the travel, null when a place is unknown', () => {
    const at = new Date('2027-01-05T02:00:00Z');
    expect(expectedArrival(at, 120)?.toISOString()).toBe('2027-01-05T02:02:00.000Z');
    expect(expectedArrival(at, null)).toBeNull();
  });
});

describe('ranking', () => {
  it('ranks eligible people by estimated arrival, unknown positions last, a bike beating a walk from further away', () => {
    const ranked = rankCandidates(candidateFacts(input([
      person('far', 900), person('near', 100), person('unknown', 0, { position: null }), person('bike', 400, { travelMode: 'bike' }),
    ])), HOME);
    expect(ranked.map((c) => c.responderId)).toEqual(['near', 'bike', 'far', 'unknown']);
    expect(ranked.every((c) => c.eligible && c.state === 'free')).toBe(true);
  });

  it('leaves out the busy, the declined, people off tier 1 and those off duty', () => {
    const ranked = rankCandidates(candidateFacts(input(
      [person('busy', 10), person('declined', 20), person('off-tier', 30), person('switch-off', 40, { onDuty: false }), person('ok', 500)],
      { busy: new Set(['busy']), rows: [{ responderId: 'declined', kind: 'page' }, { responderId: 'declined', kind: 'decline' }], tierOneIds: new Set(['busy', 'declined', 'switch-off', 'ok']) },
    )), HOME);
    expect(ranked.filter((c) => c.eligible).map((c) => c.responderId)).toEqual(['ok']);
    expect(Object.fromEntries(ranked.map((c) => [c.responderId, c.state]))).toMatchObject({ busy: 'busy', declined: 'declined', ok: 'free' });
  });

  it('an operator pick after a decline pages them again; the holder is en route, the first at the door on site', () => {
    const facts = candidateFacts(input([person('a', 10), person('b', 20), person('c', 30)], {
      rows: [{ responderId: 'a', kind: 'decline' }, { responderId: 'a', kind: 'operator' }, { responderId: 'c', kind: 'backup' }],
      holder: 'b', onSiteBy: 'c',
    }));
    expect(Object.fromEntries(rankCandidates(facts, HOME).map((c) => [c.responderId, c.state]))).toEqual({ a: 'paged', b: 'en_route', c: 'on_site' });
  });

  it('at night for a critical alert, an opted-in buddy of the home joins tier 1; not by day, not without opting in', () => {
    const buddy = person('buddy', 5, { role: 'neighbour_buddy', householdIds: ['h1'], nightFirstOnScene: true });
    const shy = person('shy', 5, { role: 'neighbour_buddy', householdIds: ['h1'] });
    const staff = person('staff', 300);
    const tierOneIds = new Set(['staff']);
    const night = rankCandidates(candidateFacts(input([buddy, shy, staff], { tierOneIds, nightCritical: true })), HOME);
    expect(night.filter((c) => c.eligible).map((c) => c.responderId)).toEqual(['buddy', 'staff']);
    const day = rankCandidates(candidateFacts(input([buddy, shy, staff], { tierOneIds, nightCritical: false })), HOME);
    expect(day.filter((c) => c.eligible).map((c) => c.responderId)).toEqual(['staff']);
  });
});

describe('getting going at night', () => {
  it('at night everyone on call from home gets DISPATCH_NIGHT_READY_S before travelling; the property duty at the gate does not; by day nobody', () => {
    const staff = [person('duty', 300, { role: 'property_duty' }), person('spec', 100, { travelMode: 'bike' })];
    const night = rankCandidates(candidateFacts(input(staff, { night: true, nightReadyS: 180 })), HOME);
    expect(night.map((c) => [c.responderId, c.etaS])).toEqual([['spec', 180 + 41], ['duty', 312]]);
    const day = rankCandidates(candidateFacts(input(staff, { night: false, nightReadyS: 180 })), HOME);
    expect(day.map((c) => [c.responderId, c.etaS])).toEqual([['spec', 41], ['duty', 312]]);
    const later = rankCandidates(candidateFacts(input([staff[0]!, person('spec', 400, { travelMode: 'bike' })], { night: true, nightReadyS: 180 })), HOME);
    expect(later.map((c) => c.responderId)).toEqual(['duty', 'spec']);
  });
});

describe('waves and backups', () => {
  const ranked = rankCandidates(candidateFacts(input([person('a', 10), person('b', 20), person('c', 30), person('d', 40)], {
    rows: [{ responderId: 'a', kind: 'page' }],
  })), HOME);

  it('the first wave tops the pages out up to its size with the best people not yet paged', () => {
    expect(nextWave(ranked, 2).map((c) => c.responderId)).toEqual(['b']);
    expect(nextWave(ranked, 3).map((c) => c.responderId)).toEqual(['b', 'c']);
    expect(nextWave(ranked, Infinity).map((c) => c.responderId)).toEqual(['b', 'c', 'd']);
    expect(nextWave(ranked, 1)).toEqual([]);
  });

  it('the backup is the eligible person with the best estimated arrival who is not the holder', () => {
    expect(pickBackup(ranked, 'b')?.responderId).toBe('a');
    expect(pickBackup(ranked, 'a')?.responderId).toBe('b');
    const allPaged = rankCandidates(candidateFacts(input([person('a', 10), person('b', 20)], { rows: [{ responderId: 'a', kind: 'page' }] })), HOME);
    expect(pickBackup(allPaged, 'b')?.responderId).toBe('a');
    expect(pickBackup(rankCandidates(candidateFacts(input([person('b', 20)])), HOME), 'b')).toBeNull();
  });

  it('a backup is due at expected arrival + margin or BACKUP_AFTER_S after the first signal, whichever is earlier', () => {
    const firstSignalAt = new Date('2027-01-05T02:00:00Z');
    const o = { marginS: 180, backupAfterS: 480 };
    expect(backupDueAt({ firstSignalAt, expectedArrivalAt: new Date('2027-01-05T02:03:00Z') }, o).toISOString()).toBe('2027-01-05T02:06:00.000Z');
    expect(backupDueAt({ firstSignalAt, expectedArrivalAt: new Date('2027-01-05T02:07:00Z') }, o).toISOString()).toBe('2027-01-05T02:08:00.000Z');
    expect(backupDueAt({ firstSignalAt, expectedArrivalAt: null }, o).toISOString()).toBe('2027-01-05T02:08:00.000Z');
  });
});
