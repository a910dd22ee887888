import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { runGuardian } from '../helpers/cli.js';
import { createTestDb, type TestDb } from '../helpers/db.js';

/** `guardian responder …` and `guardian roster …` (issue 4 item 5) against this file's database. */
let db: TestDb;
let dataDir: string;
const guardian = (...args: string[]) => runGuardian({ DATABASE_URL: db.url, DATA_DIR: dataDir }, ...args);

beforeAll(async () => {
  db = await createTestDb();
  dataDir = await mkdtemp(join(tmpdir(), 'guardian-cli-people-'));
  await db.pool.query(`
    INSERT INTO communities (id, name) VALUES ('c-p', '测试社区');
    INSERT INTO grids (id, community_id, name) VALUES ('g-p1', 'c-p', '第1网格');`);
});
afterAll(async () => {
  await db.drop();
  await rm(dataDir, { recursive: true, force: true });
});

test('responder add, list --json, duty off; weekly shifts and a dated override; remove; all audited', async () => {
  const added = await guardian('responder', 'add', '--id', 'r-wang', '--name', '王芳', '--role', 'grid_worker', '--phone', '13800001111', '--grids', 'g-p1');
  expect(added.stderr).toBe('');
  expect(added.stdout).toContain('responder r-wang added: 王芳 (grid_worker), on duty');
  const row = (await db.pool.query(`SELECT role, grid_ids, on_duty, community_id FROM responders WHERE id = 'r-wang'`)).rows[0];
  expect(row).toEqual({ role: 'grid_worker', grid_ids: ['g-p1'], on_duty: true, community_id: 'c-p' });

  const off = await guardian('responder', 'duty', 'r-wang', 'off');
  expect(off.stdout).toContain('is now off duty');
  const listed = JSON.parse((await guardian('responder', 'list', '--role', 'grid_worker', '--json')).stdout) as { items: Array<{ id: string; onDuty: boolean; phone: string }>; total: number };
  expect(listed.total).toBe(1);
  expect(listed.items[0]).toMatchObject({ id: 'r-wang', onDuty: false, phone: '13800001111' });

  const weekly = await guardian('roster', 'add', '--responder', 'r-wang', '--weekdays', '1-5', '--from', '08:00', '--to', '20:00');
  expect(weekly.code).toBe(0);
  expect(weekly.stdout.trimEnd().split('\n')).toHaveLength(5);
  const override = await guardian('roster', 'add', '--responder', 'r-wang', '--date', '2026-12-25', '--from', '08:00', '--to', '20:00', '--off');
  expect(override.stdout).toMatch(/2026-12-25 08:00-20:00 off duty/);
  const shifts = (await db.pool.query(`SELECT weekday, to_char(on_date, 'YYYY-MM-DD') AS d, off_duty FROM roster_shifts WHERE responder_id = 'r-wang' ORDER BY id`)).rows;
  expect(shifts.map((s) => s.weekday)).toEqual([1, 2, 3, 4, 5, null]);
  expect(shifts[5]).toEqual({ weekday: null, d: '2026-12-25', off_duty: true });

  const firstId = (await db.pool.query(`SELECT min(id)::int AS id FROM roster_shifts`)).rows[0].id as number;
  const removed = await guardian('roster', 'remove', String(firstId));
  expect(removed.stdout).toContain(`shift ${firstId} removed: 王芳 every Mon 08:00-20:00`);
  expect((await db.pool.query(`SELECT count(*)::int AS n FROM roster_shifts`)).rows[0].n).toBe(5);

  const audit = (await db.pool.query(`SELECT action, username FROM audit_log ORDER BY id`)).rows;
  expect(audit.filter((a) => a.username === 'cli').map((a) => a.action)).toEqual([
    'responder.create', 'responder.update', ...Array(5).fill('roster.create'), 'roster.create', 'roster.delete',
  ]);
});

test('bad input says what to fix and changes nothing', async () => {
  const [badRole, badGrid, badDays, both, badDate, unknown] = await Promise.all([
    guardian('responder', 'add', '--name', 'x', '--role', 'chef', '--phone', '123'),
    guardian('responder', 'add', '--name', 'x', '--role', 'grid_worker', '--phone', '123', '--grids', 'g-nope'),
    guardian('roster', 'add', '--responder', 'r-x', '--weekdays', '5-1', '--from', '08:00', '--to', '20:00'),
    guardian('roster', 'add', '--responder', 'r-x', '--weekdays', '1', '--date', '2026-12-01', '--from', '08:00', '--to', '20:00'),
    guardian('roster', 'add', '--responder', 'r-x', '--date', '2026-13-40', '--from', '08:00', '--to', '20:00'),
    guardian('roster', 'add', '--responder', 'r-nobody', '--weekdays', 'all', '--from', '20:00', '--to', '08:00'),
  ]);
  expect(badRole).toMatchObject({ code: 2 });
  expect(badRole.stderr).toContain('--role must be one of');
  expect(badGrid.code).toBe(1);
  expect(badGrid.stderr).toContain('gridIds: unknown "g-nope"');
  expect(badDays.stderr).toContain('a range goes from the lower day to the higher');
  expect(both.stderr).toContain('give either --weekdays');
  expect(badDate.stderr).toContain('--date must be YYYY-MM-DD');
  expect(unknown.code).toBe(1);
  expect(unknown.stderr).toContain('no responder "r-nobody"');
  expect((await db.pool.query(`SELECT count(*)::int AS n FROM responders WHERE name = 'x'`)).rows[0].n).toBe(0);
});
