/**
 * A small seeded PRNG, so simulated routines and demo data are reproducible (unit tests; the same home
 * keeps the same habits from day to day) without pulling in a library.
 */
export type Rng = () => number;

/** mulberry32: 32-bit state, good enough for schedules; not for secrets. */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a: turns an id (household, day) into a seed. */
export function hashSeed(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export const between = (rng: Rng, min: number, max: number): number => min + rng() * (max - min);
export const intBetween = (rng: Rng, min: number, max: number): number => Math.floor(between(rng, min, max + 1));
export const chance = (rng: Rng, p: number): boolean => rng() < p;
export function pick<T>(rng: Rng, items: readonly T[]): T | undefined {
  return items.length === 0 ? undefined : items[Math.floor(rng() * items.length)];
}
/** Exponential wait with the given mean: the gap between independent random incidents. */
export const exponential = (rng: Rng, mean: number): number => -Math.log(1 - rng()) * mean;
