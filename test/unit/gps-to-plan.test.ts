import { describe, expect, test } from 'vitest';
import { gpsToPlan, type PlanReference } from '../../domain/gps-to-plan.js';

// A made-up site plan near 鹿山新村 (32.0°N): the plan's x runs 30° north of east, 1 plan unit = 1 m,
// origin at the south-west corner. `truth` maps local metres east/north to plan x/y.
const LAT0 = 32.0, LNG0 = 118.7;
const kx = 111_320 * Math.cos((LAT0 * Math.PI) / 180), ky = 110_574;
const gps = (e: number, n: number) => ({ lat: LAT0 + n / ky, lng: LNG0 + e / kx });
const rot = (30 * Math.PI) / 180;
const truth = (e: number, n: number, mirror = false) => {
  const x = 50 + e * Math.cos(rot) + n * Math.sin(rot);
  const y = 20 - e * Math.sin(rot) + n * Math.cos(rot);
  return { x, y: mirror ? 400 - y : y };
};
const ref = (e: number, n: number, mirror = false): PlanReference => ({ ...gps(e, n), ...truth(e, n, mirror) });

describe('gpsToPlan', () => {
  test('no reference: null; one: the phone is placed at that building', () => {
    expect(gpsToPlan([], 32, 118.7)).toBeNull();
    const only = ref(100, 100);
    expect(gpsToPlan([only], gps(130, 90).lat, gps(130, 90).lng)).toEqual({ x: only.x, y: only.y });
  });

  test('two references: rotation, scale and shift recovered to within a metre', () => {
    const refs = [ref(0, 0), ref(200, 150)];
    const p = gps(80, -40);
    const got = gpsToPlan(refs, p.lat, p.lng)!;
    const want = truth(80, -40);
    expect(Math.hypot(got.x - want.x, got.y - want.y)).toBeLessThan(1);
  });

  test('three or more references: an affine fit also handles a mirrored plan (y pointing down)', () => {
    const refs = [ref(0, 0, true), ref(200, 30, true), ref(60, 180, true), ref(150, 150, true)];
    for (const [e, n] of [[100, 100], [-50, 20], [250, 220]] as const) {
      const p = gps(e, n);
      const got = gpsToPlan(refs, p.lat, p.lng)!;
      const want = truth(e, n, true);
      expect(Math.hypot(got.x - want.x, got.y - want.y)).toBeLessThan(1);
    }
  });

  test('references on one line fall back to the similarity fit instead of dividing by zero', () => {
    const refs = [ref(0, 0), ref(100, 100), ref(200, 200)];
    const p = gps(40, 160);
    const got = gpsToPlan(refs, p.lat, p.lng)!;
    const want = truth(40, 160);
    expect(Number.isFinite(got.x) && Number.isFinite(got.y)).toBe(true);
    expect(Math.hypot(got.x - want.x, got.y - want.y)).toBeLessThan(1);
  });
});
