import type { DeviceCredential } from '../domain/device-credentials.js';
import { readFile } from 'node:fs/promises';
import { isDeviceKind, type DeviceKind } from '../domain/device-kinds.js';

/**
 * The demo devices' credentials, written 0600 by `npx guardian seed --demo` to
 * `DATA_DIR/demo-devices.json` (the database keeps only hashes, DESIGN §1).
 */
export type { DeviceCredential };

export interface HouseholdCredentials {
  householdId: string;
  devices: DeviceCredential[];
}

/** The file is missing or malformed; the message says what to do. */
export class CredentialsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CredentialsError';
  }
}

export async function readCredentials(path: string): Promise<DeviceCredential[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new CredentialsError(`device credentials file ${path} not found: run \`npx guardian seed --demo\` first`);
    }
    throw new CredentialsError(`cannot read device credentials file ${path}: ${(err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new CredentialsError(`device credentials file ${path} is not JSON; re-create it with \`npx guardian seed --demo\``);
  }
  return parseCredentials(raw, path);
}

/** Validates the shape `{"version":1,"devices":[…]}`, naming the first bad entry. */
export function parseCredentials(raw: unknown, source = 'credentials'): DeviceCredential[] {
  const bad = (what: string) => new CredentialsError(`${source}: ${what}; re-create it with \`npx guardian seed --demo\``);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw bad('expected an object {"version":1,"devices":[…]}');
  const o = raw as Record<string, unknown>;
  if (o.version !== 1) throw bad(`unsupported version ${JSON.stringify(o.version)} (expected 1)`);
  if (!Array.isArray(o.devices)) throw bad('"devices" must be an array');
  const seen = new Set<string>();
  return o.devices.map((d: unknown, i: number): DeviceCredential => {
    if (typeof d !== 'object' || d === null) throw bad(`devices[${i}] is not an object`);
    const e = d as Record<string, unknown>;
    const str = (k: string) => {
      if (typeof e[k] !== 'string' || (e[k] as string).length === 0) throw bad(`devices[${i}].${k} must be a non-empty string`);
      return e[k] as string;
    };
    const deviceId = str('deviceId');
    const secret = str('secret');
    const householdId = str('householdId');
    const kind = str('kind');
    if (!isDeviceKind(kind)) throw bad(`devices[${i}].kind "${kind}" is not a device kind`);
    if (e.room !== undefined && e.room !== null && typeof e.room !== 'string') throw bad(`devices[${i}].room must be a string or null`);
    const heartbeatS = e.heartbeatS ?? 300;
    if (typeof heartbeatS !== 'number' || !(heartbeatS > 0)) throw bad(`devices[${i}].heartbeatS must be a positive number`);
    if (seen.has(deviceId)) throw bad(`devices[${i}].deviceId "${deviceId}" appears twice`);
    seen.add(deviceId);
    return { deviceId, secret, householdId, kind, room: (e.room as string | null | undefined) ?? null, heartbeatS };
  });
}

/** Groups devices by household, in the order households first appear in the file. */
export function groupByHousehold(devices: readonly DeviceCredential[]): HouseholdCredentials[] {
  const byId = new Map<string, HouseholdCredentials>();
  for (const d of devices) {
    let h = byId.get(d.householdId);
    if (!h) byId.set(d.householdId, (h = { householdId: d.householdId, devices: [] }));
    h.devices.push(d);
  }
  return [...byId.values()];
}
