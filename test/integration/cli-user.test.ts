import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { findUserByName, verifyPassword } from '../../store/users-repository.js';
import { runGuardian } from '../helpers/cli.js';
import { createTestDb, type TestDb } from '../helpers/db.js';

/** `guardian migrate` and `guardian user …` as child processes against an unmigrated database. */
let db: TestDb;
let dataDir: string;

const guardian = (...args: string[]) => runGuardian({ DATABASE_URL: db.url, DATA_DIR: dataDir }, ...args);

beforeAll(async () => {
  db = await createTestDb({ migrate: false });
  dataDir = await mkdtemp(join(tmpdir(), 'guardian-cli-'));
});
afterAll(async () => {
  await db.drop();
  await rm(dataDir, { recursive: true, force: true });
});

test('migrate applies every migration once, then says up to date', async () => {
  const first = await guardian('migrate');
  expect(first.code).toBe(0);
  expect(first.stdout).toMatch(/^migration 001_core applied$/m);
  const again = await guardian('migrate');
  expect(again.code).toBe(0);
  expect(again.stdout).toBe('database schema is up to date\n');
});

test('user add with a generated password, then passwd', async () => {
  await db.pool.query(`
    INSERT INTO communities (id, name) VALUES ('c-u', '测试社区') ON CONFLICT DO NOTHING;
    INSERT INTO responders (id, name, role, phone, community_id) VALUES ('r-u', '王敏', 'grid_worker', '13800000000', 'c-u') ON CONFLICT DO NOTHING;`);
  const added = await guardian('user', 'add', '--username', 'wangmin', '--role', 'responder', '--responder', 'r-u');
  expect(added.code).toBe(0);
  const password = /^password: (\S+)$/m.exec(added.stdout)?.[1];
  expect(password).toBeDefined();
  const user = await findUserByName(db.pool, 'wangmin');
  expect(user).toMatchObject({ role: 'responder', responderId: 'r-u', displayName: '王敏' });
  expect(await verifyPassword(password!, user!.passwordHash)).toBe(true);

  const [dup, noResponder, changed] = await Promise.all([
    guardian('user', 'add', '--username', 'wangmin', '--role', 'operator'),
    guardian('user', 'add', '--username', 'x', '--role', 'responder'),
    guardian('user', 'passwd', '--username', 'wangmin', '--password', 'a-new-password'),
  ]);
  expect(dup.code).toBe(1);
  expect(dup.stderr).toContain('already exists');
  expect(noResponder.code).toBe(2);
  expect(changed.code).toBe(0);
  expect(changed.stdout).not.toContain('a-new-password');
  expect(await verifyPassword('a-new-password', (await findUserByName(db.pool, 'wangmin'))!.passwordHash)).toBe(true);
});

test('webhook set generates a secret the dispatcher signs with; show and clear; bad URLs refused', async () => {
  const none = await guardian('webhook', 'show');
  expect(none.code).toBe(0);
  expect(none.stdout).toContain('no webhook configured');

  const bad = await guardian('webhook', 'set', 'ftp://sms.example.com');
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain('http:// or https://');

  const set = await guardian('webhook', 'set', 'https://sms.example.com/guardian');
  expect(set.code).toBe(0);
  const secret = /^secret: (\S+)$/m.exec(set.stdout)?.[1];
  expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
  const stored = await db.pool.query(`SELECT value FROM settings WHERE key = 'webhook'`);
  expect(stored.rows[0].value).toEqual({ url: 'https://sms.example.com/guardian', secret });

  // A new URL keeps the secret the SMS gateway already verifies with.
  await guardian('webhook', 'set', 'https://sms2.example.com/hook');
  const shown = await guardian('webhook', 'show');
  expect(shown.stdout).toBe(`url: https://sms2.example.com/hook\nsecret: ${secret}\n`);

  expect((await guardian('webhook', 'clear')).code).toBe(0);
  expect((await db.pool.query(`SELECT 1 FROM settings WHERE key = 'webhook'`)).rowCount).toBe(0);
});
