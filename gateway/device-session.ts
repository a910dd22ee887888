import type { Client } from 'aedes';
import type { DeviceKind } from '../domain/device-kinds.js';

/** What the gateway knows about an authenticated device connection. */
export interface DeviceSession {
  deviceId: string;
  householdId: string;
  kind: DeviceKind;
  room: string | null;
}

// A WeakMap rather than properties on aedes' Client: typed, and gone with the client.
const sessions = new WeakMap<Client, DeviceSession>();

export const attachSession = (client: Client, session: DeviceSession) => sessions.set(client, session);
export const sessionOf = (client: Client | null | undefined): DeviceSession | undefined =>
  client ? sessions.get(client) : undefined;
