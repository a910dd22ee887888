import { describe, expect, test } from 'vitest';
import { seededRng } from '../../domain/seeded-random.js';
import { kpisOf, percentile } from '../../simulators/day/day-kpis.js';
import { planIncidents, type SimHome } from '../../simulators/day/incident-plan.js';
import { Ledger } from '../../simulators/day/ledger.js';
import { noticePage, prepMs, responderProfile, travelMs, visit } from '../../simulators/day/responder-model.js';
import { floorOf, pathMetres, sitePlan } from '../../simulators/day/site-plan.js';

const TZ = 'Asia/Shanghai';
const START = Date.parse('2026-12-06T23:00:00Z'); // 07:00 local
const HOUR = 3_600_000;

const homes: SimHome[] = Array.from({ length: 40 }, (_, i) => ({
  id: `h-${i}`,
  devices: [
    { id: `sos-${i}`, kind: 'sos_button', room: '卧室' }, { id: `fall-${i}`, kind: 'fall_radar', room: '卫生间' },
    { id: `pir-${i}`, kind: 'pir', room: '客厅' }, ...(i % 4 === 0 ? [{ id: `smoke-${i}`, kind: 'smoke_detector' as const, room: '厨房' }] : []),
  ],
}));

describe('incident plan', () => {
  const plan = (seed: number) => planIncidents({ seed, homes, start: START, end: START + 24 * HOUR, ratePerHour: 20, tz: TZ });

  test('the same seed gives the same incidents; another seed others', () => {
    expect(plan(7)).toEqual(plan(7));
    expect(plan(8)).not.toEqual(plan(7));
  });

  test('incidents keep to their rules: evening collapses 18:00–22:30, smoke at meals in homes with a detector, no radar where the fall is silent', () => {
    const all = plan(3);
    expect(all.length).toBeGreaterThan(20);
    const local = (t: number) => new Date(t + 8 * HOUR).getUTCHours() + new Date(t + 8 * HOUR).getUTCMinutes() / 60;
    for (const i of all) {
      expect(i.at).toBeGreaterThanOrEqual(START);
      expect(i.at).toBeLessThan(START + 24 * HOUR);
      if (i.kind === 'collapse_evening') expect(local(i.at)).toBeGreaterThanOrEqual(18);
      if (i.kind === 'collapse_evening') expect(local(i.at)).toBeLessThanOrEqual(22.5);
      if (i.kind === 'smoke_cooking') expect(homes.find((h) => h.id === i.householdId)!.devices.some((d) => d.kind === 'smoke_detector')).toBe(true);
      if (i.kind === 'fall_no_radar') expect(i.room).not.toBe('卫生间');
      expect(i.canPress).toBe(i.kind === 'sos_pressed' || i.kind === 'mistaken_press');
      if (i.kind === 'mistaken_press') expect(i.cancelAt! - i.at).toBeGreaterThanOrEqual(10_000);
    }
    // No home twice within 8 h.
    for (const a of all) for (const b of all) if (a !== b && a.householdId === b.householdId) expect(Math.abs(a.at - b.at)).toBeGreaterThan(8 * HOUR);
  });
});

describe('responder model', () => {
  const plan = sitePlan([
    { id: 'b1', gridId: 'g1', communityId: 'c' }, { id: 'b2', gridId: 'g1', communityId: 'c' }, { id: 'b3', gridId: 'g2', communityId: 'c' },
  ]);
  const places = {
    building: (id: string) => plan.get(id),
    gridBuildings: (g: string) => (g === 'g1' ? [plan.get('b1')!, plan.get('b2')!] : [plan.get('b3')!]),
    communityBuildings: () => [...plan.values()],
  };

  test('the site plan spaces buildings of a grid tens of metres apart and grids hundreds', () => {
    expect(pathMetres(plan.get('b1')!, plan.get('b2')!)).toBeCloseTo(1.3 * 45, 5);
    expect(pathMetres(plan.get('b1')!, plan.get('b3')!)).toBeGreaterThan(300);
    expect(floorOf('3单元502室')).toBe(5);
    expect(floorOf('101室')).toBe(1);
  });

  test('travel comes from distance, mode and stairs: a bike is faster than walking, the 6th floor slower than the 1st', () => {
    const a = plan.get('b1')!, b = plan.get('b3')!;
    expect(travelMs(a, b, 'bike', 1)).toBeLessThan(travelMs(a, b, 'walk', 1));
    expect(travelMs(a, b, 'walk', 6) - travelMs(a, b, 'walk', 1)).toBe(50_000);
  });

  test('night on call from home: fewer pages noticed and slower to get going than a day shift; property duty awake at the gate', () => {
    const gw = responderProfile({ id: 'r', role: 'grid_worker', communityId: 'c', gridIds: ['g1'], buildingIds: [] }, places);
    const duty = responderProfile({ id: 'd', role: 'property_duty', communityId: 'c', gridIds: [], buildingIds: [] }, places);
    const rate = (p: typeof gw, hour: number) => {
      const rng = seededRng(1);
      let n = 0;
      for (let i = 0; i < 4000; i++) if (noticePage(rng, p, hour).noticed) n++;
      return n / 4000;
    };
    expect(rate(gw, 10)).toBeGreaterThan(rate(gw, 3));
    expect(rate(duty, 3)).toBeGreaterThan(rate(gw, 3));
    expect(prepMs(seededRng(2), gw, 3)).toBeGreaterThanOrEqual(120_000);
    expect(prepMs(seededRng(2), duty, 3)).toBeLessThanOrEqual(60_000);
  });

  test('what the visit finds follows what happened', () => {
    const rng = seededRng(5);
    expect(visit(rng, 'mistaken_press').outcome).toBe('false_alarm');
    expect(visit(rng, null).outcome).toBe('false_alarm');
    for (let i = 0; i < 20; i++) expect(['assisted', 'hospital']).toContain(visit(rng, 'fall_no_radar').outcome);
  });
});

describe('KPIs', () => {
  const SLA = 900;
  test('an alert still inside its window is pending, never a miss; the on-site share is of decided alerts', () => {
    const now = 10_000_000;
    const k = kpisOf([
      { state: 'resolved', firstSignalAt: now - 3_000_000, acceptedAt: now - 2_970_000, onSiteAt: now - 2_700_000, closedAt: now - 2_000_000 }, // in time
      { state: 'on_site', firstSignalAt: now - 2_000_000, acceptedAt: now - 1_800_000, onSiteAt: now - 900_000, closedAt: null }, // late (1100 s)
      { state: 'notified', firstSignalAt: now - 300_000, acceptedAt: null, onSiteAt: null, closedAt: null }, // pending
      { state: 'notified', firstSignalAt: now - 1_000_000, acceptedAt: null, onSiteAt: null, closedAt: null }, // overdue: a miss
      { state: 'cancelled', firstSignalAt: now - 500_000, acceptedAt: null, onSiteAt: null, closedAt: now - 480_000 },
    ], SLA, now);
    expect(k).toMatchObject({ alerts: 5, cancelled: 1, pending: 1, decided: 3, onSiteBreaches: 2, onSiteWithinSlaPct: 33.3 });
    // Accepted within 60 s: one of the four not cancelled, all of whose 60 s have passed.
    expect(k.acceptedWithin60sPct).toBe(25);
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2.5);
  });

  test('the ledger pairs each alert with the first accept and the first arrival', () => {
    const ledger = new Ledger([{ id: 'i1', householdId: 'h', kind: 'sos_pressed', room: '卧室', at: 1000, canPress: true }]);
    ledger.acts.push({ at: 1500, responderId: 'a', alertId: 'x', action: 'accept', ok: false, code: 'already_accepted' });
    ledger.acts.push({ at: 1400, responderId: 'b', alertId: 'x', action: 'accept', ok: true });
    ledger.arrived({ alertId: 'x', householdId: 'h', responderId: 'b', at: 5000, pressedAt: 5002 });
    expect(ledger.truthOf('x')).toEqual({ acceptedAt: 1400, acceptedBy: 'b', onSiteAt: 5000 });
    expect(ledger.incidents[0]).toMatchObject({ reachedAt: 5000, reachedBy: 'b' });
  });
});
