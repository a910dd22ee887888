import { readFileSync } from 'node:fs';

/**
 * Whether a pid is a live process. `kill(pid, 0)` alone also says yes for a zombie: a daemon
 * (postmaster, redis-server) that exited may stay unreaped under a container's pid 1, and must
 * not be "reused". Where /proc exists, a process in state Z counts as gone.
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/s.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true; // no /proc (macOS): trust kill(0)
  }
}

/** The pid on the first line of a pid file (postmaster.pid, redis.pid) when that process is alive, else null. */
export function alivePidFromFile(file: string): number | null {
  try {
    const pid = Number(readFileSync(file, 'utf8').split('\n')[0]!.trim());
    return Number.isInteger(pid) && pid > 0 && processAlive(pid) ? pid : null;
  } catch {
    return null;
  }
}
