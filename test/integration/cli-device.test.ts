import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { secretMatches } from '../../domain/secrets.js';
import { runGuardian } from '../helpers/cli.js';
import { createTestDb, type TestDb } from '../helpers/db.js';

/** The real CLI as a child process against this file's database (each spawn costs ~1 s). */
let db: TestDb;
let dataDir: string;

const guardian = (...args: string[]) => runGuardian({ DATABASE_URL: db.url, DATA_DIR: dataDir }, ...args);

beforeAll(async () => {
  db = await createTestDb();
  dataDir = await mkdtemp(join(tmpdir(), 'guardian-cli-'));
  await db.pool.query(`
    INSERT INTO communities (id, name) VALUES ('c-cli', '测试社区');
    INSERT INTO grids (id, community_id, name) VALUES ('g-cli', 'c-cli', '第1网格');
    INSERT INTO buildings (id, grid_id, name) VALUES ('b-cli', 'g-cli', '1栋');
    INSERT INTO households (id, building_id, unit, address) VALUES ('h-cli', 'b-cli', '1单元101室', '测试路1号1栋1单元101室');`);
});
afterAll(async () => {
  await db.drop();
  await rm(dataDir, { recursive: true, force: true });
});

test('device add --json, list --json and revoke', async () => {
  const added = await guardian('device', 'add', '--household', 'h-cli', '--kind', 'fall_radar', '--room', '卫生间', '--heartbeat', '120', '--json');
  expect(added.stderr).toBe('');
  expect(added.code).toBe(0);
  // Exactly one JSON line on stdout, nothing else: scripts pipe it.
  expect(added.stdout.endsWith('\n')).toBe(true);
  expect(added.stdout.trimEnd().split('\n')).toHaveLength(1);
  const { deviceId, secret, ...rest } = JSON.parse(added.stdout) as { deviceId: string; secret: string };
  expect(rest).toEqual({});
  expect(deviceId).toMatch(/^fallradar-/);
  const row = (await db.pool.query(`SELECT kind, room, heartbeat_s, secret_hash FROM devices WHERE id = $1`, [deviceId])).rows[0];
  expect(row).toMatchObject({ kind: 'fall_radar', room: '卫生间', heartbeat_s: 120 });
  expect(secretMatches(secret, row.secret_hash)).toBe(true);

  const listed = await guardian('device', 'list', '--household', 'h-cli', '--json');
  expect(listed.code).toBe(0);
  expect(listed.stdout.trimEnd().split('\n')).toHaveLength(1);
  const list = JSON.parse(listed.stdout) as { items: Array<{ id: string; kind: string; revokedAt: string | null }>; total: number };
  expect(list.total).toBe(1);
  expect(list.items[0]).toMatchObject({ id: deviceId, kind: 'fall_radar', revokedAt: null });
  expect(JSON.stringify(list)).not.toContain(secret);

  const revoked = await guardian('device', 'revoke', deviceId);
  expect(revoked.code).toBe(0);
  expect(revoked.stdout).toContain('revoked');
  expect((await db.pool.query(`SELECT revoked_at FROM devices WHERE id = $1`, [deviceId])).rows[0].revoked_at).toBeInstanceOf(Date);
});

test('bad input: kind, household, flag, device', async () => {
  // Independent, so run together to keep the file fast.
  const [badKind, badHome, badFlag, badDevice, noSub] = await Promise.all([
    guardian('device', 'add', '--household', 'h-cli', '--kind', 'camera'),
    guardian('device', 'add', '--household', 'h-nope', '--kind', 'pir', '--json'),
    guardian('device', 'add', '--household', 'h-cli', '--kind', 'pir', '--colour', 'red'),
    guardian('device', 'revoke', 'no-such-device'),
    guardian('device'),
  ]);
  expect(badKind.code).toBe(1);
  expect(badKind.stdout).toBe('');
  expect(badKind.stderr).toContain('unknown device kind "camera"');
  expect(badKind.stderr).toContain('sos_button, pull_cord, fall_radar');

  expect(badHome.code).toBe(1);
  expect(badHome.stdout).toBe('');
  expect(badHome.stderr.trim()).toBe('guardian: unknown household "h-nope"');

  expect(badFlag.code).toBe(2);
  expect(badFlag.stdout).toBe('');
  expect(badFlag.stderr.split('\n')[0]).toBe('guardian: unknown option --colour');
  expect(badFlag.stderr).toContain('usage: npx guardian device');

  expect(badDevice.code).toBe(1);
  expect(badDevice.stderr).toContain('unknown device "no-such-device"');

  expect(noSub.code).toBe(2);
  expect(await db.pool.query(`SELECT 1 FROM devices WHERE kind IN ('pir', 'camera')`).then((r) => r.rowCount)).toBe(0);
});
