import mqtt, { type MqttClient } from 'mqtt';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { RunningService } from '../../bin/runtime/service.js';
import { eventTopic } from '../../domain/topics.js';
import type { DemoLogin } from '../../store/demo-seed/index.js';
import { screenshot, signInAs, visibleTextProblems, type TestBrowser } from '../helpers/browser.js';
import { waitFor, type TestDb } from '../helpers/db.js';
import { startDemoStack, type DemoStack } from '../helpers/demo-stack.js';

/**
 * Issue 17 acceptance in Chromium against the real all-in-one service: an admin creates a
 * community, a grid, a building, a household with a resident and a contact, provisions a device
 * for it and adds the community's operator, all in the console; an SOS from that device reaches
 * that operator and nobody else (the demo community's operator sees nothing of it). Screenshots
 * under test/e2e/artifacts/register-*.png.
 */
const ADMIN_PASSWORD = 'e2e-admin-Secret-17';
let stack: DemoStack;
let db: TestDb;
let service: RunningService;
let browser: TestBrowser;
let logins: DemoLogin[];
let admin: Page;
let device: { id: string; secret: string };
let operatorPassword: string;
const clients: MqttClient[] = [];

beforeAll(async () => {
  // The demo's two communities exist already: the new one is the district's third.
  stack = await startDemoStack({ name: 'register', adminPassword: ADMIN_PASSWORD, seed: { households: 12 } });
  ({ db, service, browser, logins } = stack);
  admin = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
}, 240_000);

afterAll(async () => {
  await stack?.stop(clients);
});

const signIn = (page: Page, username: string, password: string) => signInAs(page, service.httpUrl, username, password);

/** Adds a place in a column of the register: its 新增 button, the form, 保存. */
async function addPlace(column: string, fields: Record<string, string>) {
  await admin.getByRole('region', { name: column, exact: true }).getByRole('button', { name: '新增' }).click();
  const dialog = admin.locator('dialog[open]');
  for (const [label, value] of Object.entries(fields)) await dialog.getByLabel(label, { exact: true }).fill(value);
  await dialog.getByRole('button', { name: '保存' }).click();
  await dialog.waitFor({ state: 'detached', timeout: 10_000 }).catch(async (err) => {
    await screenshot(admin, `register-failed-${column}`);
    throw new Error(`${column}: the form stayed open: ${await dialog.innerText()}`, { cause: err });
  });
  // The new place is selected in its column.
  await admin.getByRole('region', { name: column, exact: true }).getByRole('button', { name: fields['名称']!, exact: true, pressed: true }).waitFor();
}

describe('an admin registers a new community in the console', () => {
  test('community, grid, building, household with a resident and a contact, and a device', async () => {
    await signIn(admin, 'admin', ADMIN_PASSWORD);
    await admin.getByRole('link', { name: '管理' }).click();
    await admin.getByRole('link', { name: '社区档案' }).click();
    await admin.getByRole('region', { name: '社区', exact: true }).getByRole('button', { name: '鹿山社区', exact: true }).waitFor();

    await addPlace('社区', { '名称': '清江社区', '24 小时值班电话': '025-86663579', '地址': '南京市鼓楼区清江路1号' });
    await addPlace('网格', { '名称': '清江第1网格' });
    await addPlace('楼栋', { '名称': '清江苑1栋', '平面图 X（米）': '35', '平面图 Y（米）': '80' });

    await admin.getByRole('button', { name: '新建住户' }).click();
    const editor = admin.locator('dialog[open]');
    await editor.getByLabel('户号', { exact: true }).fill('QJ-1-101');
    await editor.getByLabel('门牌（如 2单元301室）').fill('1单元101室');
    await editor.getByLabel('地址', { exact: true }).fill('南京市鼓楼区清江路1号清江苑1栋1单元101室');
    await editor.getByLabel('钥匙/门禁说明').fill('备用钥匙在楼栋长家；门禁 2580#');
    await editor.getByRole('form', { name: '住户档案' }).getByRole('button', { name: '保存' }).click();
    await editor.getByRole('heading', { name: /住户档案/ }).waitFor();

    // A wrong phone number is refused with words, not a code.
    const contact = editor.getByRole('form', { name: '添加联系人' });
    await contact.getByLabel('联系人姓名').fill('周明');
    await contact.getByLabel('关系').fill('儿子');
    await contact.getByLabel('电话', { exact: true }).fill('12345');
    await contact.getByRole('button', { name: '添加联系人' }).click();
    await editor.getByRole('alert').filter({ hasText: '电话号码格式不对' }).waitFor();
    await screenshot(admin, 'register-phone-error');
    await contact.getByLabel('电话', { exact: true }).fill('13912345678');
    await contact.getByRole('button', { name: '添加联系人' }).click();
    await editor.getByText('13912345678').waitFor();

    const resident = editor.getByRole('form', { name: '添加老人' });
    await resident.getByLabel('姓名', { exact: true }).fill('周秀兰');
    await resident.getByLabel('性别').selectOption('female');
    await resident.getByLabel('出生年份').fill('1939');
    await resident.getByLabel('身体状况（用顿号分隔）').fill('高血压、行动不便');
    await resident.getByRole('button', { name: '添加老人' }).click();
    await editor.getByText('周秀兰').waitFor();
    await screenshot(admin, 'register-household', { fullPage: true });

    await editor.getByRole('button', { name: '为此户登记设备' }).click();
    const provision = admin.getByRole('dialog', { name: '登记新设备' });
    await provision.getByLabel('安装位置').fill('卧室');
    await provision.getByRole('button', { name: '登记' }).click();
    device = { id: (await provision.getByTestId('device-id').textContent())!.trim(), secret: (await provision.getByTestId('device-secret').textContent())!.trim() };
    expect(device.id).toMatch(/^sosbutton-/);
    await screenshot(admin, 'register-device');
    await provision.getByRole('button', { name: '关闭' }).click();
    await editor.getByRole('button', { name: '关闭', exact: true }).click();
    await admin.getByRole('region', { name: '住户', exact: true }).getByText('QJ-1-101').waitFor();
    expect(await visibleTextProblems(admin)).toEqual([]);
    await screenshot(admin, 'register-tree', { fullPage: true });

    // The rows are in the database as the console said.
    const row = (await db.pool.query(
      `SELECT h.code, h.access_notes, g.community_id, c.emergency_phone, b.x_m,
              (SELECT array_agg(name) FROM residents r WHERE r.household_id = h.id) AS residents,
              (SELECT array_agg(phone) FROM contacts k WHERE k.household_id = h.id) AS phones
         FROM households h JOIN buildings b ON b.id = h.building_id JOIN grids g ON g.id = b.grid_id JOIN communities c ON c.id = g.community_id
        WHERE h.code = 'QJ-1-101'`)).rows[0];
    expect(row).toMatchObject({ access_notes: '备用钥匙在楼栋长家；门禁 2580#', emergency_phone: '025-86663579', x_m: 35, residents: ['周秀兰'], phones: ['13912345678'] });
  }, 180_000);

  test('the admin adds the community\'s operator, with the community', async () => {
    await admin.goto(service.httpUrl + '/admin/users');
    await admin.getByLabel('登录名').fill('qj-operator');
    await admin.getByLabel('负责社区').selectOption({ label: '清江社区' });
    await admin.getByRole('button', { name: '添加账号' }).click();
    operatorPassword = (await admin.locator('code.secret').textContent())!.trim();
    expect(operatorPassword.length).toBeGreaterThanOrEqual(12);
  }, 60_000);
});

describe('an SOS of the new home', () => {
  test('reaches the new community\'s operator, and the other community\'s operator sees nothing of it', async () => {
    const mine = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    const other = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    await signIn(mine, 'qj-operator', operatorPassword);
    const demoOperator = logins.find((l) => l.username === 'operator')!;
    await signIn(other, demoOperator.username, demoOperator.password);
    for (const p of [mine, other]) await p.locator('.live-dot.on').waitFor({ timeout: 30_000 });

    const client = await mqtt.connectAsync(service.mqttUrl, { clientId: device.id, username: device.id, password: device.secret, protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 10_000 });
    clients.push(client);
    await client.publishAsync(eventTopic(device.id), JSON.stringify({ id: 'e2e-register-sos', type: 'sos', ts: Date.now(), room: '卧室' }), { qos: 1 });

    const row = mine.locator('[data-testid=queue-row]').filter({ hasText: '清江苑1栋 1单元101室' });
    await row.waitFor({ timeout: 20_000 });
    await screenshot(mine, 'register-sos-right-operator');

    // The other operator's feed and lists: the alert exists (the first operator sees it) and is not theirs.
    const alertId = await row.getAttribute('data-alert-id');
    expect(alertId).toBeTruthy();
    const theirs = await other.evaluate(async (id) => {
      const list = await (await fetch('/api/v1/alerts?limit=1000')).json();
      const one = await fetch(`/api/v1/alerts/${id}`);
      return { listed: list.items.some((a: { id: string }) => a.id === id), status: one.status };
    }, alertId);
    expect(theirs).toEqual({ listed: false, status: 404 });
    // Give the other socket a moment past the first one's delivery, then check its screen.
    await waitFor(async () => (await mine.locator('[data-testid=queue-row]').count()) > 0, { what: 'the row' });
    expect(await other.getByText('清江苑1栋').count()).toBe(0);
    await screenshot(other, 'register-sos-other-operator');
    expect(await visibleTextProblems(mine)).toEqual([]);
  }, 120_000);
});

describe('the street office and the import panel', () => {
  test('the street login lands on the overview of its street\'s communities, read-only', async () => {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    const street = logins.find((l) => l.username === 'street')!;
    await signIn(page, street.username, street.password);
    await page.waitForURL((u) => u.pathname === '/street', { timeout: 30_000 });
    const table = page.getByTestId('street-overview');
    await table.getByText('鹿山社区').waitFor();
    await table.getByText('兴达社区').waitFor();
    expect(await table.getByText('清江社区').count()).toBe(0);
    expect(await page.getByRole('link', { name: '管理' }).count()).toBe(0);
    expect(await visibleTextProblems(page)).toEqual([]);
    await screenshot(page, 'register-street-overview');
  }, 60_000);

  test('an upload with a wrong phone is reported by row in Chinese, and a correct one is applied', async () => {
    await admin.goto(service.httpUrl + '/admin/import');
    const header = '社区,网格,楼栋,户号,地址,老人姓名,性别,联系人,关系,电话\r\n';
    await admin.getByLabel('选择文件').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(`\uFEFF${header}清江社区,清江第1网格,清江苑2栋,QJ-2-201,清江路1号,吴奶奶,女,吴强,儿子,1391234\r\n`) });
    await admin.getByRole('button', { name: '试导入（不写入）' }).click();
    await admin.getByTestId('import-report').getByText('第 2 行').waitFor({ timeout: 30_000 });
    await admin.getByText('电话号码格式不对（1391234）').waitFor();
    await screenshot(admin, 'register-import-issues');
    await admin.getByLabel('选择文件').setInputFiles({ name: 'good.csv', mimeType: 'text/csv', buffer: Buffer.from(`\uFEFF${header}清江社区,清江第1网格,清江苑2栋,QJ-2-201,清江路1号,吴奶奶,女,吴强,儿子,13912341234\r\n`) });
    await admin.getByRole('button', { name: '试导入（不写入）' }).click();
    await admin.getByRole('button', { name: '确认导入' }).click();
    await admin.getByText(/导入完成，用时/).waitFor({ timeout: 30_000 });
    await screenshot(admin, 'register-import-applied');
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM households WHERE code = 'QJ-2-201'`)).rows[0].n).toBe(1);
  }, 90_000);
});
