import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { startCpuWindow, withChildren } from '../../bench/lib/cpu-accounting.js';

/**
 * Burns `ms` of this process's CPU time — not of wall time: on a machine busy with other work a
 * 300 ms wall-clock loop got 100 ms of CPU (issue 21), and the 0.15 s below was not reached.
 */
const burn = (ms: number) => {
  const start = process.cpuUsage();
  let x = 0;
  for (;;) {
    const used = process.cpuUsage(start);
    if ((used.user + used.system) / 1000 >= ms) return x;
    for (let i = 0; i < 10_000; i++) x++;
  }
};

describe('bench CPU accounting (/proc)', () => {
  it('charges CPU to the group that burned it, not to an idle one', () => {
    const idle = spawn('sleep', ['5']);
    try {
      const stop = startCpuWindow({ me: () => [process.pid], sleeper: () => [idle.pid!] });
      burn(300);
      const use = stop();
      expect(use.me).toBeGreaterThan(0.15);
      expect(use.sleeper).toBeLessThan(0.05);
      expect(use.wallS).toBeGreaterThan(0.25);
      expect(use.other).toBeGreaterThanOrEqual(0);
    } finally { idle.kill(); }
  });

  it('counts a process that exits during the window as nothing, never negative', async () => {
    const child = spawn(process.execPath, ['-e', 'const e = Date.now() + 300; while (Date.now() < e);']);
    await new Promise((r) => setTimeout(r, 200)); // it has used CPU before the window opens
    const stop = startCpuWindow({ child: () => [child.pid!] });
    await new Promise((r) => child.once('exit', r));
    expect(stop().child).toBeGreaterThanOrEqual(0);
  });

  it('lists a parent with its children', () => {
    const kid = spawn('sleep', ['5']);
    try { expect(withChildren(process.pid)).toEqual(expect.arrayContaining([process.pid, kid.pid])); } finally { kid.kill(); }
  });
});
