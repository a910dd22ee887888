import type { DeviceCredential } from '../../domain/device-credentials.js';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DeviceKind } from '../../domain/device-kinds.js';
import { isDeviceKind } from '../../domain/device-kinds.js';

/**
 * The demo's secrets on disk (DESIGN §1): device secrets and console passwords are stored
 * hashed, so `seed --demo` keeps the plain values in 0600 files in DATA_DIR for the
 * simulators and for `npm run demo` to print the logins.
 */

export type DemoDeviceCredential = DeviceCredential;
export interface DemoDevicesFile { version: 1; devices: DemoDeviceCredential[] }

export interface DemoLogin {
  username: string;
  password: string;
  role: 'operator' | 'supervisor' | 'responder' | 'street';
  responderId: string | null;
  displayName: string;
}
export interface DemoLoginsFile { logins: DemoLogin[] }

export const demoDevicesPath = (dataDir: string): string => join(dataDir, 'demo-devices.json');
export const demoLoginsPath = (dataDir: string): string => join(dataDir, 'demo-logins.json');

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

async function readJson(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch {
    return undefined; // missing or unreadable: the seed rewrites it
  }
}

/** The demo devices' credentials; [] when the file is missing or not what we wrote. */
export async function readDemoDevices(dataDir: string): Promise<DemoDeviceCredential[]> {
  const file = await readJson(demoDevicesPath(dataDir));
  if (!isObject(file) || file.version !== 1 || !Array.isArray(file.devices)) return [];
  return file.devices.filter((d): d is DemoDeviceCredential => isObject(d)
    && typeof d.deviceId === 'string' && typeof d.secret === 'string' && typeof d.householdId === 'string'
    && typeof d.kind === 'string' && isDeviceKind(d.kind) && typeof d.heartbeatS === 'number'
    && (d.room === null || typeof d.room === 'string'));
}

/** The demo console logins (username, password, role…); [] when the file is missing. */
export async function readDemoLogins(dataDir: string): Promise<DemoLogin[]> {
  const file = await readJson(demoLoginsPath(dataDir));
  if (!isObject(file) || !Array.isArray(file.logins)) return [];
  return file.logins.filter((l): l is DemoLogin => isObject(l)
    && typeof l.username === 'string' && typeof l.password === 'string' && typeof l.role === 'string'
    && (l.responderId === null || typeof l.responderId === 'string') && typeof l.displayName === 'string');
}

/** Writes JSON readable by the owner only, atomically (a simulator never reads half a file). */
export async function writeSecretJson(path: string, value: unknown, text = JSON.stringify(value, null, 1)): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text + '\n', { mode: 0o600 });
  await chmod(tmp, 0o600); // mode is only applied when the file is created
  await rename(tmp, path);
}

export async function writeDemoDevices(dataDir: string, devices: DemoDeviceCredential[]): Promise<void> {
  const file: DemoDevicesFile = { version: 1, devices };
  // One device per line: thousands of them stay readable and diffable.
  const text = `{"version":1,"devices":[\n${devices.map((d) => JSON.stringify(d)).join(',\n')}\n]}`;
  await writeSecretJson(demoDevicesPath(dataDir), file, text);
}

export async function writeDemoLogins(dataDir: string, logins: DemoLogin[]): Promise<void> {
  const file: DemoLoginsFile = { logins };
  await writeSecretJson(demoLoginsPath(dataDir), file);
}
