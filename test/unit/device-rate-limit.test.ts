import { expect, test } from 'vitest';
import { DeviceRateLimiter } from '../../gateway/device-rate-limit.js';

test('a burst is admitted, then the average rate; each device has its own bucket', () => {
  let now = 0;
  const limiter = new DeviceRateLimiter({ ratePerS: 10, burst: 5 }, () => now);
  const admitted = (id: string, n: number) => Array.from({ length: n }, () => limiter.admit(id)).filter(Boolean).length;
  expect(admitted('steady', 5)).toBe(5);
  expect(admitted('quiet', 1)).toBe(1);
  now += 300; // 3 tokens
  expect(admitted('steady', 3)).toBe(3);
  now += 1000; // refilled, capped at the burst
  expect(admitted('steady', 10)).toBe(5);
});

test('a flood goes into debt: its PUBACKs wait up to 1 s, and it is admitted again once the debt is paid', () => {
  let now = 0;
  const limiter = new DeviceRateLimiter({ ratePerS: 10, burst: 5 }, () => now);
  for (let i = 0; i < 1000; i++) limiter.admit('flood');
  expect(limiter.waitMs('flood')).toBe(1000); // debt capped at 1 s of tokens
  now += 1000;
  expect(limiter.admit('flood')).toBe(false);
  now += 1200;
  expect(limiter.admit('flood')).toBe(true);
  expect(limiter.waitMs('quiet')).toBe(0);
});

test('rate 0 turns the limiter off', () => {
  const limiter = new DeviceRateLimiter({ ratePerS: 0, burst: 1 });
  expect(Array.from({ length: 1000 }, () => limiter.admit('d')).every(Boolean)).toBe(true);
});
