import type { AedesOptions, AuthenticateError, Client } from 'aedes';
import type pg from 'pg';
import { secretMatches } from '../domain/secrets.js';
import { findDeviceForAuth, type DeviceAuthRow } from '../store/devices-repository.js';
import { attachSession } from './device-session.js';
import { connects } from './gateway-metrics.js';

/** CONNACK return codes of MQTT 3.1.1 [MQTT-3.2.2-5], table 3.1. */
const SERVER_UNAVAILABLE = 3;
const BAD_USERNAME_OR_PASSWORD = 4;
const NOT_AUTHORIZED = 5;

function refuse(code: number, message: string): AuthenticateError {
  return Object.assign(new Error(message), { returnCode: code }) as AuthenticateError;
}

/** Devices that authenticated before, for riding out a database outage. Bounded. */
const LAST_KNOWN_GOOD_MAX = 200_000;

/**
 * Device authentication (DESIGN §2): clientId = username = deviceId, password = the secret
 * issued at provisioning, checked against SHA-256(secret) in constant time. The database is
 * asked on every CONNECT so a revocation takes effect at once. When the database is
 * unreachable, a device that authenticated earlier is let back in from a last-known-good
 * copy, so it can keep retrying its un-PUBACKed events; an unknown one gets CONNACK 3.
 */
export function createAuthenticate(pool: pg.Pool): NonNullable<AedesOptions['authenticate']> {
  const lastKnownGood = new Map<string, DeviceAuthRow>();
  return (client: Client, username: Readonly<string> | undefined, password: Readonly<Buffer> | undefined, done) => {
    const reject = (code: number, why: string, result: string) => {
      connects.inc({ result });
      done(refuse(code, why), false);
    };
    if (!username || !password) return reject(BAD_USERNAME_OR_PASSWORD, 'username and password required', 'missing_credentials');
    if (client.id !== username) return reject(NOT_AUTHORIZED, 'clientId must equal username (the device id)', 'client_id_mismatch');
    const decide = (device: DeviceAuthRow | null | undefined, fromCache: boolean) => {
      if (!device || !secretMatches(password as Buffer, device.secretHash)) {
        if (fromCache) return reject(SERVER_UNAVAILABLE, 'database unavailable, retry later', 'server_unavailable');
        lastKnownGood.delete(username);
        return reject(BAD_USERNAME_OR_PASSWORD, 'unknown device or wrong secret', 'bad_credentials');
      }
      if (device.revoked) {
        lastKnownGood.delete(username);
        return reject(NOT_AUTHORIZED, 'device revoked', 'revoked');
      }
      if (!fromCache) {
        if (lastKnownGood.size >= LAST_KNOWN_GOOD_MAX) lastKnownGood.clear();
        lastKnownGood.set(username, device);
      }
      attachSession(client, { deviceId: device.id, householdId: device.householdId, kind: device.kind, room: device.room });
      connects.inc({ result: fromCache ? 'ok_cached' : 'ok' });
      done(null, true);
    };
    findDeviceForAuth(pool, username).then((device) => decide(device, false), () => decide(lastKnownGood.get(username), true));
  };
}
