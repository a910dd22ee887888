import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export interface CliRun { code: number; stdout: string; stderr: string }

/** The real `guardian` CLI as a child process (each spawn costs ~1 s), with extra env vars. */
export function runGuardian(env: Record<string, string>, ...args: string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/guardian.mjs', ...args], {
      cwd: join(import.meta.dirname, '../..'),
      env: { ...process.env, ...env },
      timeout: 30_000,
    }, (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
  });
}

/** A `guardian` process left running: its output so far, and its exit. */
export interface GuardianProcess { child: ChildProcess; out: () => string; err: () => string; exit: Promise<number | null> }

/**
 * Spawns `guardian <args>` with a minimal environment (PATH, HOME and `env`: nothing of the
 * test runner's leaks in) and collects its output. `cwd`: the project to run (default this one).
 */
export function spawnGuardian(args: string[], env: Record<string, string>, opts: { cwd?: string } = {}): GuardianProcess {
  const child = spawn(process.execPath, ['bin/guardian.mjs', ...args], {
    cwd: opts.cwd ?? join(import.meta.dirname, '../..'),
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => { out += c.toString(); });
  child.stderr!.on('data', (c: Buffer) => { err += c.toString(); });
  const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, out: () => out, err: () => err, exit };
}

/** The console URL from the start banner, once printed. */
export const bannerUrl = (p: GuardianProcess) => /Console \+ API\s+(http:\/\/\S+?)\/\s/.exec(p.out())?.[1];
