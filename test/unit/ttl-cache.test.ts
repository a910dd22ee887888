import { expect, test } from 'vitest';
import { TtlCache } from '../../dispatcher/ttl-cache.js';

test('a value is reused within its TTL, loaded again after it; concurrent misses share one load', async () => {
  let now = 0, loads = 0;
  const cache = new TtlCache<number>(2000, { now: () => now });
  const load = async () => ++loads;
  expect(await Promise.all([cache.get('a', load), cache.get('a', load)])).toEqual([1, 1]);
  now = 1999;
  expect(await cache.get('a', load)).toBe(1);
  now = 2000;
  expect(await cache.get('a', load)).toBe(2);
  cache.clear();
  expect(await cache.get('a', load)).toBe(3);
});

test('a failed load is not served to the next caller; TTL 0 never reuses', async () => {
  const cache = new TtlCache<string>(60_000);
  await expect(cache.get('k', () => Promise.reject(new Error('db down')))).rejects.toThrow('db down');
  expect(await cache.get('k', async () => 'ok')).toBe('ok');
  let loads = 0;
  const never = new TtlCache<number>(0);
  await never.get('k', async () => ++loads);
  expect(await never.get('k', async () => ++loads)).toBe(2);
});
