import { describe, expect, test } from 'vitest';
import { VirtualClock } from '../../domain/virtual-clock.js';

describe('VirtualClock', () => {
  test('time moves only when told, and timers run at their own instants in order', () => {
    const c = new VirtualClock(1_000);
    const seen: Array<[string, number]> = [];
    c.setTimeout(() => seen.push(['b', c.nowMs()]), 500);
    c.setTimeout(() => seen.push(['a', c.nowMs()]), 200);
    c.setTimeout(() => seen.push(['c', c.nowMs()]), 500); // same instant: in arming order
    expect(c.nowMs()).toBe(1_000);
    expect(c.nextAt()).toBe(1_200);
    expect(c.advanceTo(1_499)).toBe(1);
    expect(seen).toEqual([['a', 1_200]]);
    expect(c.nowMs()).toBe(1_499);
    c.advanceTo(2_000);
    expect(seen).toEqual([['a', 1_200], ['b', 1_500], ['c', 1_500]]);
    expect(c.nowMs()).toBe(2_000);
    expect(c.nextAt()).toBeNull();
  });

  test('intervals repeat, a timer armed by a timer runs in the same advance, cleared ones never run', () => {
    const c = new VirtualClock(0);
    const ticks: number[] = [];
    const every = c.setInterval(() => ticks.push(c.nowMs()), 30_000);
    const chained: number[] = [];
    c.setTimeout(() => { c.setTimeout(() => chained.push(c.nowMs()), 10); }, 40_000);
    const never = c.setTimeout(() => { throw new Error('cleared'); }, 50_000);
    c.clearTimer(never);
    c.advanceTo(95_000);
    expect(ticks).toEqual([30_000, 60_000, 90_000]);
    expect(chained).toEqual([40_010]);
    c.clearTimer(every);
    c.advanceTo(200_000);
    expect(ticks).toHaveLength(3);
  });

  test('never goes backwards; sleep resolves when its instant is reached', async () => {
    const c = new VirtualClock(10);
    c.advanceTo(5);
    expect(c.nowMs()).toBe(10);
    let done = false;
    const p = c.sleep(1000).then(() => { done = true; });
    c.advanceTo(1009);
    await Promise.resolve();
    expect(done).toBe(false);
    c.advanceTo(1010);
    await p;
    expect(done).toBe(true);
  });

  test('a thousand timers come out sorted', () => {
    const c = new VirtualClock(0);
    const out: number[] = [];
    const ats = Array.from({ length: 1000 }, (_, i) => (i * 7919) % 1000);
    for (const at of ats) c.setTimeout(() => out.push(c.nowMs()), at);
    c.advanceTo(1000);
    expect(out).toEqual([...ats].sort((a, b) => a - b));
  });
});
