import { readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { processAlive } from '../../store/process-alive.js';

/**
 * `DATA_DIR/service.json` says that a service runs on this data directory and where: the CLI,
 * the simulators and `npm run demo` read it, and a second `npm start` on the same directory
 * refuses to run (two services on one embedded database would fight over it).
 */
export interface ServiceInfo { pid: number; mqttUrl: string; httpUrl: string; startedAt: string }

const fileOf = (dataDir: string) => join(resolve(dataDir), 'service.json');

export function readServiceInfo(dataDir: string): ServiceInfo | null {
  try {
    return JSON.parse(readFileSync(fileOf(dataDir), 'utf8')) as ServiceInfo;
  } catch {
    return null;
  }
}

/** The running service on this data directory, or null (a stale file of a killed one counts as none). */
export function runningService(dataDir: string): ServiceInfo | null {
  const info = readServiceInfo(dataDir);
  if (!info || info.pid === process.pid) return null;
  return processAlive(info.pid) ? info : null;
}

export async function writeServiceInfo(dataDir: string, info: ServiceInfo): Promise<void> {
  await mkdir(resolve(dataDir), { recursive: true });
  await writeFile(fileOf(dataDir), JSON.stringify(info, null, 2), { mode: 0o600 });
}

export async function removeServiceInfo(dataDir: string): Promise<void> {
  const info = readServiceInfo(dataDir);
  if (info?.pid === process.pid) await rm(fileOf(dataDir), { force: true });
}
