import { expect, test } from 'vitest';
import { DeviceRateLimiter } from '../../gateway/device-rate-limit.js';

test('a burst is admitted, then the average rate; each device has its own bucket', () => {
  let now = 0;
  const limiter = new DeviceRateLimiter({ ratePerS: 10, burst: 5 }, () => now);
  const admitted = (id: string, n: number) => Array.from({ length: n }, () => limiter.admit(id)).filter(Boolean).length;
  expect(admitted('flood', 50)).toBe(5);
  expect(admitted('quiet', 1)).toBe(1);
  now += 1000; // one second refills 10 tokens, capped at the burst
  expect(admitted('flood', 50)).toBe(5);
  now += 300;
  expect(admitted('flood', 50)).toBe(3);
});

test('rate 0 turns the limiter off', () => {
  const limiter = new DeviceRateLimiter({ ratePerS: 0, burst: 1 });
  expect(Array.from({ length: 1000 }, () => limiter.admit('d')).every(Boolean)).toBe(true);
});
