import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { EscalationJob } from '../../domain/queues.js';
import { redisNamesInUse } from '../../store/redis-namespace.js';

const CHILD = fileURLToPath(new URL('./dispatcher-child.ts', import.meta.url));

export interface TimerRun { timer: EscalationJob; latenessMs: number; outcome: string }

export interface DispatcherProcess {
  pid: number;
  child: ChildProcess;
  timers: TimerRun[];
  stderr: string[];
  /** Sends a signal and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts test/helpers/dispatcher-child.ts under tsx and waits for its "ready" line. */
// 60 s: tsx compiles the dispatcher on start, slow on a busy 2-core machine.
export async function startDispatcherProcess(env: Record<string, string>, timeoutMs = 60_000): Promise<DispatcherProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    // The test file's Redis namespace unless the test names one (store/redis-namespace.ts).
    env: { ...process.env, REDIS_PREFIX: redisNamesInUse().queuePrefix, ...env, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const timers: TimerRun[] = [];
  const stderr: string[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.stderr!.on('data', (b: Buffer) => stderr.push(b.toString()));
  let buffer = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`dispatcher child not ready: ${stderr.join('')}`)), timeoutMs);
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`dispatcher child exited (${code}): ${stderr.join('')}`)); });
    child.stdout!.on('data', (b: Buffer) => {
      buffer += b.toString();
      let i;
      while ((i = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 1);
        if (line === 'ready') { clearTimeout(timer); resolve(); } else if (line.startsWith('{')) timers.push(JSON.parse(line) as TimerRun);
      }
    });
  });
  return {
    pid: child.pid!, child, timers, stderr,
    async kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
