import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runningPostmaster } from '../../store/embedded-postgres.js';
import { alivePidFromFile } from '../../store/process-alive.js';

/** Clock ticks per second of /proc's CPU times (getconf CLK_TCK; 100 on Linux). */
const TICKS_PER_S = (() => {
  try { return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100; } catch { return 100; }
})();

/** /proc/<pid>/stat after the `(comm)` field: state ppid … utime(14) stime(15), 1-based. */
function statFields(pid: number): string[] | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return s.slice(s.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** CPU seconds (user + system) a process has used so far, or 0 when it is gone. */
function cpuSeconds(pid: number): number {
  const f = statFields(pid);
  return f ? (Number(f[11]) + Number(f[12])) / TICKS_PER_S : 0;
}

/** A process and its children (one level: the postmaster's backends), from /proc. */
export function withChildren(pid: number): number[] {
  const kids: number[] = [];
  for (const name of readdirSync('/proc')) {
    const p = Number(name);
    if (Number.isInteger(p) && statFields(p)?.[1] === String(pid)) kids.push(p);
  }
  return [pid, ...kids];
}

/** The private PostgreSQL's and redis-server's pids of a bench infra dir (private-infra.ts). */
export function infraPids(dir: string): { postgres: number | null; redis: number | null } {
  return { postgres: runningPostmaster(join(dir, 'pg')), redis: alivePidFromFile(join(dir, 'redis', 'redis.pid')) };
}

/** Busy CPU seconds of the whole machine (all cores), from /proc/stat. */
function machineBusySeconds(): number {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = (cpu[3] ?? 0) + (cpu[4] ?? 0); // idle + iowait
  return (cpu.slice(0, 8).reduce((a, b) => a + b, 0) - idle) / TICKS_PER_S;
}

export type CpuGroups = Record<string, () => number[]>;
/** CPU seconds per group over a window, plus `other`: the machine's busy time no group accounts for. */
export type CpuUse = Record<string, number> & { other: number; wallS: number };

/**
 * Per-process CPU over a measured window: "the broker is slower" becomes "the broker, PostgreSQL
 * and the generator used these core-seconds per message" — what bounds a throughput on 2 shared
 * cores. Group pids are listed at the start (PostgreSQL backends live for the whole run).
 */
export function startCpuWindow(groups: CpuGroups): () => CpuUse {
  const pids = Object.fromEntries(Object.entries(groups).map(([k, f]) => [k, f()]));
  const before = new Map(Object.values(pids).flat().map((p) => [p, cpuSeconds(p)]));
  const busy0 = machineBusySeconds();
  const t0 = performance.now();
  return () => {
    const use: Record<string, number> = {};
    // A process that exited meanwhile (a PostgreSQL backend) counts nothing rather than minus its past.
    const used = (p: number) => Math.max(0, cpuSeconds(p) - before.get(p)!);
    for (const [k, list] of Object.entries(pids)) use[k] = list.reduce((a, p) => a + used(p), 0);
    const accounted = Object.values(use).reduce((a, b) => a + b, 0);
    return { ...use, other: Math.max(0, machineBusySeconds() - busy0 - accounted), wallS: (performance.now() - t0) / 1000 } as CpuUse;
  };
}
