import type pg from 'pg';
import type { DeviceKind } from '../../../domain/device-kinds.js';
import type { DeviceCredential } from '../../../domain/device-credentials.js';
import { provisionDevice } from '../../../store/devices-repository.js';
import { addHousehold, seedDispatchCommunity, type Community } from '../../helpers/dispatcher-fixtures.js';
import type { TestDb } from '../../helpers/db.js';

/**
 * A community with responders on duty day and night (the dispatcher fixtures) and `homes`
 * households with one device each, so every SOS has someone to page and escalate to.
 */
export async function seedCommunity(pool: pg.Pool, homes: number, kind: DeviceKind = 'sos_button'): Promise<{ community: Community; devices: DeviceCredential[] }> {
  const db = { pool } as TestDb;
  const community = await seedDispatchCommunity(db);
  const households = [community.householdId];
  for (let i = 1; i < homes; i++) households.push(await addHousehold(db, community, i));
  const devices: DeviceCredential[] = [];
  for (const householdId of households) {
    const { deviceId, secret } = await provisionDevice(pool, { householdId, kind, room: 'bedroom', heartbeatS: 3600 });
    devices.push({ deviceId, secret, householdId, kind, room: 'bedroom', heartbeatS: 3600 });
  }
  return { community, devices };
}

/** One more device in an existing household (e.g. a flooding sensor next to an SOS button). */
export async function addDevice(pool: pg.Pool, householdId: string, kind: DeviceKind): Promise<DeviceCredential> {
  const { deviceId, secret } = await provisionDevice(pool, { householdId, kind, room: 'hall', heartbeatS: 3600 });
  return { deviceId, secret, householdId, kind, room: 'hall', heartbeatS: 3600 };
}
