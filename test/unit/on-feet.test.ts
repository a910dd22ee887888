import { describe, expect, test } from 'vitest';
import { DAY_MS, localMidnight, MINUTE_MS } from '../../simulators/clock.js';
import { whenOnFeet, type ShapedHome } from '../../simulators/day/on-feet.js';
import { householdProfile, planDayShaped, type DayShape } from '../../simulators/household-routine.js';

const TZ = 'Asia/Shanghai';
const midnight = localMidnight(Date.UTC(2026, 11, 7, 4), TZ);
const home = (i: number): ShapedHome => ({
  id: `h-${i}`,
  devices: [
    { id: `sos-${i}`, kind: 'sos_button', room: '卧室' }, { id: `radar-${i}`, kind: 'fall_radar', room: '卫生间' },
    { id: `pir-${i}`, kind: 'pir', room: '客厅' }, { id: `door-${i}`, kind: 'door_contact', room: '入户门' },
    { id: `bed-${i}`, kind: 'bed_sensor', room: '卧室' },
  ],
});
const shapeOf = (h: ShapedHome, dayStart: number): DayShape => {
  const devices = h.devices.map((d) => ({ deviceId: d.id, kind: d.kind, room: d.room }));
  return planDayShaped({ householdId: h.id, devices, profile: householdProfile(h.id, devices), dayStart, dropouts: false }).shape;
};
const homes = Array.from({ length: 40 }, (_, i) => home(i));
const inside = (t: number, spans: ReadonlyArray<{ from: number; to: number }>) => spans.some((s) => t >= s.from && t < s.to);

describe('whenOnFeet: a silent incident happens to a resident who is up at home', () => {
  test('a fall drawn at 03:00 moves to the next night trip or the wake-up; never while in bed', () => {
    let onTrip = 0;
    for (const h of homes) {
      const s = shapeOf(h, midnight);
      const at = whenOnFeet('fall_no_radar', midnight + 3 * 60 * MINUTE_MS, h, TZ);
      const trip = s.nightTrips.find((t) => t.from > midnight + 3 * 60 * MINUTE_MS);
      if (trip) { onTrip++; expect(at).toBe(trip.from + 6.5 * MINUTE_MS); } else expect(at).toBe(s.wake + 2 * MINUTE_MS);
    }
    expect(onTrip).toBeGreaterThan(0);
    expect(onTrip).toBeLessThan(homes.length);
  });

  test('a fall drawn after bedtime happens at the next morning (or night trip) of the next day\'s plan', () => {
    for (const h of homes) {
      const tonight = shapeOf(h, midnight).bedtime;
      const tomorrow = shapeOf(h, midnight + DAY_MS);
      const at = whenOnFeet('fall_no_radar', tonight + 30 * MINUTE_MS, h, TZ);
      expect(at).toBeGreaterThan(tonight + 30 * MINUTE_MS);
      expect(at === tomorrow.wake + 2 * MINUTE_MS || tomorrow.nightTrips.some((t) => at === t.from + 6.5 * MINUTE_MS)).toBe(true);
    }
  });

  test('a fall by day while the resident is out or napping happens after they are back or up; an awake moment is kept', () => {
    let moved = 0;
    for (const h of homes) {
      const s = shapeOf(h, midnight);
      for (let m = 8 * 60; m < 18 * 60; m += 7) {
        const t = midnight + m * MINUTE_MS;
        const at = whenOnFeet('fall_no_radar', t, h, TZ);
        expect(inside(at, s.outings) || inside(at, s.naps)).toBe(false);
        if (inside(t, s.outings) || inside(t, s.naps)) { moved++; expect(at).toBeGreaterThan(t); } else expect(at).toBe(t);
      }
    }
    expect(moved).toBeGreaterThan(0);
  });

  test('an evening collapse falls between 18:00 and the bedtime washing-up, in the order drawn', () => {
    for (const h of homes) {
      const s = shapeOf(h, midnight);
      const early = whenOnFeet('collapse_evening', midnight + 18.5 * 60 * MINUTE_MS, h, TZ);
      const late = whenOnFeet('collapse_evening', midnight + 22.4 * 60 * MINUTE_MS, h, TZ);
      expect(early).toBeGreaterThanOrEqual(midnight + 18 * 60 * MINUTE_MS);
      expect(late).toBeGreaterThan(early);
      expect(late).toBeLessThan(s.bedtime - 15 * MINUTE_MS);
    }
  });

  test('other kinds keep their moment', () => {
    const t = midnight + 3 * 60 * MINUTE_MS;
    expect(whenOnFeet('sos_pressed', t, homes[0]!, TZ)).toBe(t);
    expect(whenOnFeet('fall_radar', t, homes[0]!, TZ)).toBe(t);
  });
});
