import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { track } from './cleanup-registry.js';

/**
 * Node flags for the bench's child processes. `BENCH_CPU_PROF=<dir>` profiles every child with
 * `--cpu-prof` (open the .cpuprofile files in Chrome DevTools or speedscope for flame graphs).
 */
export function childExecArgv(name: string): string[] {
  // BENCH_NODE_FLAGS: V8/Node flags for every child, to try one against the same run's figures
  // (e.g. BENCH_NODE_FLAGS=--max-semi-space-size=64 npm run bench -- sos-puback).
  const extra = (process.env.BENCH_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean);
  const dir = process.env.BENCH_CPU_PROF;
  if (!dir) return extra;
  // One directory per child: node writes a profile per thread (main + the tsx loader worker).
  const sub = join(dir, `${name}-${Date.now()}`);
  mkdirSync(sub, { recursive: true });
  return [...extra, '--cpu-prof', `--cpu-prof-dir=${sub}`];
}

/** Forks a TypeScript module of bench/lib with an IPC channel. */
export function forkTs(module: string, args: string[], name: string, env: NodeJS.ProcessEnv = process.env): ChildProcess {
  const file = fileURLToPath(new URL(module, import.meta.url));
  const child = fork(file, args, { execArgv: ['--import', 'tsx', '--expose-gc', ...childExecArgv(name)], env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const untrack = track(() => stopChild(child, 5000));
  child.once('exit', () => { void untrack(); });
  return child;
}

/** SIGTERM by pid, SIGKILL after `graceMs`; resolves when the child has exited. */
export function stopChild(child: ChildProcess, graceMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => { clearTimeout(timer); resolve(); });
    child.kill('SIGTERM');
  });
}
