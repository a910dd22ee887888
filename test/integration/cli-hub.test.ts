import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { parseBridgeDevices } from '../../domain/zigbee2mqtt-bridge.js';
import { provisionDevice } from '../../store/devices-repository.js';
import { syncBridgeDevices } from '../../store/zigbee2mqtt-repository.js';
import { runGuardian } from '../helpers/cli.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { createHousehold } from '../helpers/gateway.js';
import { EmulatedZigbeeDevice } from '../helpers/z2m-fleet.js';

/** `npx guardian hub …` as a child process (issue 18 item 2: the CLI path to register children). */
let db: TestDb;
let dataDir: string;
let hubId: string;
let householdId: string;
const guardian = (...args: string[]) => runGuardian({ DATABASE_URL: db.url, DATA_DIR: dataDir }, ...args);
const cord = new EmulatedZigbeeDevice({ ieeeAddr: '0x00158d00000d0001', modelID: 'lumi.sensor_switch.aq2' });

beforeAll(async () => {
  db = await createTestDb();
  dataDir = await mkdtemp(join(tmpdir(), 'guardian-cli-hub-'));
  householdId = await createHousehold(db);
  hubId = (await provisionDevice(db.pool, { householdId, kind: 'z2m_hub' })).deviceId;
  await syncBridgeDevices(db.pool, hubId, parseBridgeDevices([await cord.bridgeEntry('bathroom_cord')])!, new Date());
});
afterAll(async () => {
  await db.drop();
  await rm(dataDir, { recursive: true, force: true });
});

test('hub devices --pending, register, ack and the errors a person can act on', async () => {
  const pending = await guardian('hub', 'devices', '--pending', '--json');
  expect(pending.code).toBe(0);
  expect(JSON.parse(pending.stdout).items.map((i: Record<string, unknown>) => [i.ieee, i.friendlyName, i.model, i.suggestedKind]))
    .toEqual([['0x00158d00000d0001', 'bathroom_cord', 'WXKG11LM', 'sos_button']]);

  const reg = await guardian('hub', 'register', hubId, '0x00158D00000D0001', '--kind', 'pull_cord', '--room', '卫生间', '--json');
  expect(reg.stderr).toBe('');
  expect(JSON.parse(reg.stdout)).toEqual({ deviceId: `${hubId}/0x00158d00000d0001`, householdId, kind: 'pull_cord', heartbeatS: 28800 });
  const audit = (await db.pool.query(`SELECT username, action FROM audit_log WHERE target = $1`, [`${hubId}/0x00158d00000d0001`])).rows;
  expect(audit).toEqual([{ username: 'cli', action: 'device.register_zigbee' }]);

  const again = await guardian('hub', 'register', hubId, '0x00158d00000d0001', '--kind', 'pull_cord', '--room', '卫生间');
  expect(again.code).toBe(1);
  expect(again.stderr).toMatch(/already registered/);
  const badKind = await guardian('hub', 'register', hubId, '0x00158d00000d0001', '--kind', 'z2m_hub', '--room', 'x');
  expect(badKind.code).toBe(1);
  expect(badKind.stderr).toMatch(/allowed kinds/);

  const ack = await guardian('hub', 'ack', hubId, '0x00158d00000d0001', '--payloads', '{"accepted":{"state":"ON"}}');
  expect(ack.code).toBe(0);
  expect((await db.pool.query(`SELECT ack FROM zigbee_devices WHERE hub_id = $1`, [hubId])).rows[0].ack).toEqual({ accepted: { state: 'ON' } });
  const both = await guardian('hub', 'ack', hubId, '0x00158d00000d0001', '--preset', 'light', '--clear');
  expect(both.code).toBe(2);
});
