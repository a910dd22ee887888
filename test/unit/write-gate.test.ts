import { expect, test } from 'vitest';
import { IngestBackloggedError, WriteGate } from '../../gateway/write-gate.js';

test('at most `concurrency` run at once, the rest in arrival order; a full queue fails fast', async () => {
  const gate = new WriteGate(2, 3);
  let running = 0, peak = 0;
  const order: number[] = [];
  const releases: Array<() => void> = [];
  const job = (i: number) => gate.run(async () => {
    running++; peak = Math.max(peak, running);
    await new Promise<void>((r) => releases.push(r));
    order.push(i); running--;
  });
  const jobs = [0, 1, 2, 3, 4].map(job);
  await expect(job(5)).rejects.toBeInstanceOf(IngestBackloggedError);
  expect(gate.queued).toBe(3);
  while (order.length < 5) { releases.shift()?.(); await new Promise((r) => setTimeout(r, 1)); }
  await Promise.all(jobs);
  expect(peak).toBe(2);
  expect(order).toEqual([0, 1, 2, 3, 4]);
  await gate.run(async () => {}); // the slots were all given back
});
