import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { runGuardian } from '../helpers/cli.js';
import { createTestDb, type TestDb } from '../helpers/db.js';

/** `guardian street|community|grid|building|household|resident|contact …`, `import` and `export` (issue 17). */
let db: TestDb;
let dir: string;
const guardian = (...args: string[]) => runGuardian({ DATABASE_URL: db.url, DATA_DIR: dir, LANG: 'zh_CN.UTF-8' }, ...args);

beforeAll(async () => {
  db = await createTestDb();
  dir = await mkdtemp(join(tmpdir(), 'guardian-cli-register-'));
});
afterAll(async () => {
  await db.drop();
  await rm(dir, { recursive: true, force: true });
});

test('a community from nothing: street, community with its settings, grid, building, household, resident, contact; move and retire', async () => {
  expect((await guardian('street', 'add', '--id', 's-ny', '--name', '南苑街道')).stdout).toContain('street s-ny added: 南苑街道');
  const c = await guardian('community', 'add', '--id', 'c-ls', '--name', '鹿山社区', '--street', 's-ny', '--phone', '025-86661365', '--day-shift', '07:30-19:30');
  expect(c.stdout).toContain('community c-ls added: 鹿山社区');
  const settings = JSON.parse((await guardian('community', 'settings', 'c-ls')).stdout);
  expect(settings).toMatchObject({ dayShift: '07:30-19:30', slaOnsiteS: 900, emergencyPhone: '025-86661365', source: { dayShift: 'community', slaOnsiteS: 'global' } });
  const bad = await guardian('community', 'edit', 'c-ls', '--sla-warn', '1200');
  expect(bad.code).toBe(1);
  expect(bad.stderr).toContain('slaWarnS (1200) must be below slaOnsiteS (900)');

  await guardian('grid', 'add', '--id', 'g-1', '--community', 'c-ls', '--name', '第1网格');
  await guardian('grid', 'add', '--id', 'g-2', '--community', 'c-ls', '--name', '第2网格');
  expect((await guardian('building', 'add', '--id', 'b-1', '--grid', 'g-1', '--name', '1栋', '--x', '120', '--y', '45.5')).code).toBe(0);
  expect((await guardian('building', 'add', '--id', 'b-2', '--grid', 'g-2', '--name', '2栋')).code).toBe(0);
  const h = await guardian('household', 'add', '--id', 'h-1', '--building', 'b-1', '--unit', '1单元101室', '--address', '鹿山路88号1栋101', '--code', '1-101', '--access-notes', '钥匙在楼栋长家');
  expect(h.stdout).toContain('household h-1 added: 1单元101室');
  const dup = await guardian('household', 'add', '--building', 'b-2', '--unit', '2单元', '--address', '某路', '--code', '1-101');
  expect(dup.code).toBe(1);
  expect(dup.stderr).toContain('household code "1-101" is already used in this community');
  expect((await guardian('resident', 'add', 'h-1', '--name', '王秀英', '--gender', 'female', '--birth-year', '1941', '--conditions', '高血压,糖尿病')).code).toBe(0);
  const badPhone = await guardian('contact', 'add', 'h-1', '--name', '李明', '--relation', '儿子', '--phone', '12345');
  expect(badPhone.stderr).toContain('phone: not a phone number');
  expect((await guardian('contact', 'add', 'h-1', '--name', '李明', '--relation', '儿子', '--phone', '13987654321')).code).toBe(0);

  expect((await guardian('household', 'move', 'h-1', '--building', 'b-2')).stdout).toContain('household h-1 moved');
  expect((await db.pool.query(`SELECT building_id FROM households WHERE id = 'h-1'`)).rows[0].building_id).toBe('b-2');
  const busy = await guardian('building', 'retire', 'b-2');
  expect(busy.stderr).toContain('1 household(s) in service');
  expect((await guardian('building', 'retire', 'b-1')).stdout).toContain('building b-1 retired');
  const listed = await guardian('building', 'list', '--include-retired');
  expect(listed.stdout).toMatch(/b-1 .*yes/);
  const actions = (await db.pool.query<{ action: string }>(`SELECT action FROM audit_log WHERE username = 'cli' ORDER BY id`)).rows.map((r) => r.action);
  expect(actions).toEqual(expect.arrayContaining(['street.create', 'community.create', 'grid.create', 'building.create', 'household.create', 'resident.create', 'contact.create', 'household.update', 'building.retire']));
}, 120_000);

test('import --dry-run reports rows in Chinese and writes nothing; --apply writes; export writes the same shape 0600', async () => {
  const file = join(dir, 'in.csv');
  await writeFile(file, '\uFEFF社区,网格,楼栋,户号,地址,老人姓名,性别,联系人,关系,电话\r\n'
    + '鹿山社区,第1网格,3栋,2-201,鹿山路88号,赵奶奶,女,赵明,儿子,1390000\r\n');
  const dry = await guardian('import', file, '--dry-run');
  expect(dry.code).toBe(1);
  expect(dry.stdout).toContain('第 2 行：电话号码格式不对');
  await writeFile(file, '\uFEFF社区,网格,楼栋,户号,地址,老人姓名,性别,联系人,关系,电话\r\n'
    + '鹿山社区,第1网格,3栋,2-201,鹿山路88号,赵奶奶,女,赵明,儿子,13900001111\r\n'
    + ',,,,,钱爷爷,男,,,\r\n');
  const ok = await guardian('import', file, '--dry-run');
  expect(ok.stdout).toContain('试导入（未写入）');
  expect((await db.pool.query(`SELECT count(*)::int AS n FROM households WHERE code = '2-201'`)).rows[0].n).toBe(0);
  const applied = await guardian('import', file, '--apply');
  expect(applied.code).toBe(0);
  expect(applied.stderr).toMatch(/import: writing \d+\/\d+/);
  const residents = (await db.pool.query(`SELECT r.name FROM residents r JOIN households h ON h.id = r.household_id WHERE h.code = '2-201' ORDER BY r.id`)).rows.map((r) => r.name);
  expect(residents).toEqual(['赵奶奶', '钱爷爷']);
  const out = join(dir, 'out.xlsx');
  expect((await guardian('export', out)).stdout).toContain('written to');
  expect((await stat(out)).mode & 0o777).toBe(0o600);
  const again = await guardian('import', out, '--dry-run', '--json');
  expect(JSON.parse(again.stdout)).toMatchObject({ issueCount: 0, noChange: true });
}, 120_000);
