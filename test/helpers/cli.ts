import { execFile } from 'node:child_process';
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
