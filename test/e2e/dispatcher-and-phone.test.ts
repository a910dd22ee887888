import mqtt, { type MqttClient } from 'mqtt';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, onTestFailed, test } from 'vitest';
import type { RunningService } from '../../bin/runtime/service.js';
import { eventTopic } from '../../domain/topics.js';
import type { DemoDeviceCredential, DemoLogin } from '../../store/demo-seed/index.js';
import { horizontalOverflow, screenshot, signInAs, visibleTextProblems, type TestBrowser } from '../helpers/browser.js';
import { waitFor, type TestDb } from '../helpers/db.js';
import { startDemoStack, type DemoStack } from '../helpers/demo-stack.js';

/**
 * Issue 20 in Chromium against the real all-in-one service: what a dispatcher and a grid worker
 * tripped over. The service runs with SLA_ONSITE_S=240 / SLA_WARN_S=120 (not the 15-minute
 * default) and DAY_SHIFT 07:00-19:00; the demo community is seeded with three weeks of
 * activity. Screenshots at 1920×1080 and 390×844 go to test/e2e/artifacts/.
 */
const HOUSEHOLDS = 24;
const ADMIN_PASSWORD = 'e2e-admin-Secret-20';
const env = {
  SLA_ONSITE_S: '240', SLA_WARN_S: '120', ACK_TIMEOUT_S: '600', DAY_SHIFT: '07:00-19:00',
};

let stack: DemoStack;
let db: TestDb;
let service: RunningService;
let browser: TestBrowser;
let logins: DemoLogin[];
let devices: DemoDeviceCredential[];
let operator: Page;
const clients: MqttClient[] = [];

/** Three homes of one grid: A (an SOS someone accepts), B (an SOS nobody accepts), C (a low battery). */
let grid: string;
let homeA: string, homeB: string, homeC: string;
let sosA: string, sosB: string;
/** X holds A's SOS; Y also sees it (paged, or its grid's worker) but does not hold it. */
let holder: DemoLogin, other: DemoLogin;

beforeAll(async () => {
  stack = await startDemoStack({
    name: '20', adminPassword: ADMIN_PASSWORD, env,
    seed: { households: HOUSEHOLDS, dayShift: env.DAY_SHIFT, activityDays: 21 },
    beforeStart: async (seeded) => {
      // Three homes of grid 1 that have a phone on file for the resident or the flat.
      const homes = (await seeded.pool.query<{ id: string; grid: string }>(
        `SELECT h.id, b.grid_id AS grid FROM households h JOIN buildings b ON b.id = h.building_id
          WHERE b.grid_id = 'g-demo-1' ORDER BY (h.phone IS NOT NULL OR EXISTS (SELECT 1 FROM residents r WHERE r.household_id = h.id AND r.phone IS NOT NULL)) DESC, h.id`)).rows;
      [homeA, homeB, homeC] = [homes[0]!.id, homes[1]!.id, homes[2]!.id];
      grid = homes[0]!.grid;
      // Home C's motion sensor last reported 5 % battery (the passive sweep opens battery_low).
      await seeded.pool.query(`UPDATE devices SET battery = 5 WHERE household_id = $1 AND kind = 'pir'`, [homeC]);
    },
  });
  ({ db, service, browser, logins, devices } = stack);
});

afterAll(async () => {
  await stack?.stop(clients);
});

async function connect(d: DemoDeviceCredential): Promise<MqttClient> {
  const c = await mqtt.connectAsync(service.mqttUrl, { clientId: d.deviceId, username: d.deviceId, password: d.secret, protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 10_000 });
  clients.push(c);
  return c;
}
let n = 0;
async function sos(householdId: string): Promise<string> {
  const d = devices.find((x) => x.householdId === householdId && x.kind === 'sos_button')!;
  const c = await connect(d);
  await c.publishAsync(eventTopic(d.deviceId), JSON.stringify({ id: `e20-${++n}-${Date.now()}`, type: 'sos', ts: Date.now() }), { qos: 1 });
  return waitFor(async () => (await db.pool.query<{ id: string }>(`SELECT id FROM alerts WHERE household_id = $1 AND kind = 'sos' AND routed_at IS NOT NULL`, [householdId])).rows[0]?.id, { timeoutMs: 30_000, what: `SOS of ${householdId} routed` });
}

/** The responders with a demo login paged for the alert's first tier (waits for the page to go out). */
async function pagedLogins(alertId: string): Promise<DemoLogin[]> {
  const ids = await waitFor(async () => {
    const r = (await db.pool.query<{ r: string }>(`SELECT DISTINCT responder_id AS r FROM notifications WHERE alert_id = $1 AND responder_id IS NOT NULL AND purpose = 'page'`, [alertId])).rows;
    return r.length > 0 ? r.map((x) => x.r) : null;
  }, { timeoutMs: 30_000, what: `the page of ${alertId}` });
  return logins.filter((l) => l.role === 'responder' && l.responderId && ids.includes(l.responderId));
}

async function api(path: string, who: DemoLogin | { username: string; password: string }, method = 'GET', body?: unknown) {
  const login = await fetch(`${service.httpUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: who.username, password: who.password }) });
  const { token } = await login.json() as { token: string };
  const res = await fetch(`${service.httpUrl}/api/v1${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
  return { status: res.status, json: await res.json().catch(() => null) as Record<string, unknown> };
}

const signIn = (page: Page, username: string, password: string) => signInAs(page, service.httpUrl, username, password);

/** Pairs of the header's direct parts whose boxes overlap (text drawn over text). */
async function headerOverlaps(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const parts = [...document.querySelectorAll('header.topbar > *, header.topbar .middle > *')].filter((e) => (e as HTMLElement).offsetParent !== null);
    const boxes = parts.map((e) => ({ e, r: e.getBoundingClientRect() })).filter((b) => b.r.width > 0 && b.r.height > 0);
    const out: string[] = [];
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i]!, b = boxes[j]!;
      if (a.e.contains(b.e) || b.e.contains(a.e)) continue;
      const w = Math.min(a.r.right, b.r.right) - Math.max(a.r.left, b.r.left);
      const h = Math.min(a.r.bottom, b.r.bottom) - Math.max(a.r.top, b.r.top);
      if (w > 2 && h > 2) out.push(`${(a.e as HTMLElement).className} × ${(b.e as HTMLElement).className}`);
    }
    return out;
  });
}

describe.sequential('issue 20: the dispatch room and the phone', () => {
  test('two SOS: the unaccepted one is first, countdowns follow SLA_ONSITE_S=240 in words, the shift is the server\'s', async () => {
    sosA = await sos(homeA);
    // The holder: someone paged other than the grid's worker; the grid's worker sees every alert
    // of the grid (their own place) without holding this one.
    other = logins.find((l) => l.username === `gw${grid.slice('g-demo-'.length)}`)!;
    const paged = (await pagedLogins(sosA)).filter((l) => l.responderId !== other.responderId);
    expect(paged.length, 'a paged responder with a demo login besides the grid worker').toBeGreaterThan(0);
    holder = paged[0]!;
    expect((await api(`/alerts/${sosA}/accept`, holder, 'POST', {})).status).toBe(200);
    sosB = await sos(homeB);

    operator = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    const op = logins.find((l) => l.role === 'operator')!;
    await signIn(operator, op.username, op.password);
    await operator.locator('.live-dot.on').waitFor({ timeout: 30_000 });
    const rows = operator.locator('[data-testid=queue-row]');
    await operator.locator(`[data-testid=queue-row][data-alert-id="${sosB}"]`).waitFor({ timeout: 15_000 });
    // The waiting SOS (newer) sits above the accepted one (older).
    expect(await rows.first().getAttribute('data-alert-id')).toBe(sosB);
    const ids = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-alert-id')));
    expect(ids.indexOf(sosB)).toBeLessThan(ids.indexOf(sosA));
    // "剩 3 分 52 秒": a span in words, within the server's 4 minutes, never "14:19". The count
    // rounds up, so a screen that renders within a second of the SOS rightly says the full 4 分 0 秒.
    const sla = operator.locator(`[data-testid=queue-row][data-alert-id="${sosB}"] [data-testid=sla]`);
    const text = (await sla.textContent())!.trim();
    expect(text).toMatch(/^剩 ([0-3] 分 \d{1,2}|4 分 0) 秒$|^剩 \d{1,2} 秒$/);
    expect(text).not.toMatch(/\d+:\d{2}/);
    // The shift chip is the server's (GET /settings), not computed from a default DAY_SHIFT.
    const settings = await api('/settings', op);
    const shiftName = (settings.json.shift as { name: string }).name;
    expect(await operator.getByTestId('shift').textContent()).toBe(shiftName === 'day' ? '日间' : '夜间');
    expect(await operator.getByText('今日4分钟内到场率').count()).toBe(1);
  });

  test('maintenance has its own tab; a low battery is its own tile state, and "offline" means what the KPI counts', async () => {
    // Every device of home C reports, so the home is monitored and only its battery is low.
    for (const d of devices.filter((x) => x.householdId === homeC)) await connect(d);
    const tile = operator.locator(`a.tile[data-household-id="${homeC}"]`);
    await expect.poll(() => tile.getAttribute('data-status'), { timeout: 60_000, interval: 500 }).toBe('battery');
    expect(await operator.locator('.legend li[data-status=battery]').textContent()).toContain('电量低');
    // No battery alert among the emergencies; in the maintenance tab, yes.
    const battery = (await db.pool.query<{ id: string }>(`SELECT id FROM alerts WHERE household_id = $1 AND kind = 'battery_low'`, [homeC])).rows[0]!.id;
    expect(await operator.locator(`[data-testid=queue-row][data-alert-id="${battery}"]`).count()).toBe(0);
    await operator.getByRole('tab', { name: /设备维护/ }).click();
    await operator.locator(`[data-testid=queue-row][data-alert-id="${battery}"]`).waitFor();
    expect(await operator.locator('[data-testid=queue-row]').count()).toBe(1);
    await operator.getByRole('tab', { name: /待接单/ }).click();
    expect(await operator.locator('[data-testid=queue-row]').evaluateAll((els) => els.map((e) => e.getAttribute('data-state')))).toEqual(['notified']);
    await operator.getByRole('tab', { name: /全部/ }).click();
    // The KPI counts the devices that do not report; the tiles say "设备离线" for exactly those homes.
    // The operator works for 鹿山社区 only (the demo's second community is another dispatch room's).
    const offline = (await db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM devices d JOIN households h ON h.id = d.household_id JOIN buildings b ON b.id = h.building_id
         JOIN grids g ON g.id = b.grid_id WHERE g.community_id = 'c-demo' AND d.revoked_at IS NULL AND NOT d.online AND d.parent_id IS NULL`)).rows[0]!.n;
    await expect.poll(async () => Number(await operator.getByTestId('kpi-offline').textContent())).toBe(offline);
    expect(await visibleTextProblems(operator)).toEqual([]);
    expect(await horizontalOverflow(operator)).toEqual([]);
    await screenshot(operator, 'issue20-dispatch-1920x1080');
  });

  test('manual escalation: the field says escalation reason, and the screen says at once who was paged', async () => {
    await operator.goto(`${service.httpUrl}/alerts/${sosB}`, { waitUntil: 'domcontentloaded' });
    await operator.getByRole('button', { name: '升级', exact: true }).click();
    const reason = operator.getByLabel('升级原因（选填）');
    await reason.fill('网格员电话无人接听');
    expect(await operator.getByText('取消原因').count()).toBe(0);
    const clicked = Date.now();
    await operator.getByRole('button', { name: '升级并通知下一级' }).click();
    const paged = operator.getByTestId('escalation-paged');
    await expect.poll(() => paged.textContent(), { timeout: 10_000 }).toMatch(/^已升级到第 2 级，已通知：.+（值班主任）/);
    console.log(`escalation → who was paged on screen: ${Date.now() - clicked} ms`);
    await screenshot(operator, 'issue20-escalated-1920x1080');
    // The picker for acting on someone's behalf: search by name, this grid, on duty.
    await operator.getByRole('button', { name: '接单', exact: true }).click();
    const picker = operator.getByTestId('responder-picker');
    const all = await picker.getByRole('radio').count();
    const name = holder.displayName.replace(/（.*$/, '');
    await operator.getByPlaceholder('按姓名搜索').fill(name);
    await expect.poll(() => picker.getByRole('radio').count()).toBeLessThan(Math.max(2, all));
    expect(await picker.locator('label').allTextContents()).toEqual([expect.stringContaining(name)]);
    await operator.getByRole('button', { name: '取消', exact: true }).click();
    // A second escalation reaches the family, who have no SMS channel in the demo: said in Chinese.
    expect((await api(`/alerts/${sosB}/escalate`, logins.find((l) => l.role === 'operator')!, 'POST', {})).status).toBe(200);
    await operator.reload({ waitUntil: 'domcontentloaded' });
    await operator.getByRole('heading', { name: /紧急呼叫/ }).first().waitFor({ timeout: 30_000 });
    const page = (await operator.locator('main').innerText());
    expect(page).not.toMatch(/configured|webhook|ACK_TIMEOUT_S|body\.|must be/);
    expect(await visibleTextProblems(operator)).toEqual([]);
    await screenshot(operator, 'issue20-alert-detail-1920x1080', { fullPage: true });
  });

  test('the timeline names people, and the service\'s own reasons are in Chinese', async () => {
    await db.pool.query(`INSERT INTO alert_events (alert_id, actor, type, from_state, to_state, data) VALUES ($1, 'system', 'escalated', 'notified', 'notified', '{"reason":"no accept within ACK_TIMEOUT_S","fromLevel":2,"toLevel":3}')`, [sosA]);
    await operator.goto(`${service.httpUrl}/alerts/${sosA}`, { waitUntil: 'domcontentloaded' });
    const timeline = operator.locator('ol.timeline');
    await timeline.waitFor({ timeout: 30_000 });
    const text = (await timeline.innerText());
    expect(text).toContain(holder.displayName);
    expect(text).not.toMatch(new RegExp(`(^|\\s)${holder.username}(\\s|$)`, 'm'));
    expect(text).toContain('接单时限内无人接单');
    expect(text).not.toContain('ACK_TIMEOUT_S');
  });

  test('phone of someone who does not hold the alert: "已被 X 接单", no buttons; 已读 only once it is on screen', async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    // The page starts hidden (a phone in a pocket): receiving alerts is not reading them.
    await phone.addInitScript(() => {
      let state: DocumentVisibilityState = 'hidden';
      Object.defineProperty(document, 'visibilityState', { get: () => state, configurable: true });
      Object.defineProperty(document, 'hidden', { get: () => state === 'hidden', configurable: true });
      (window as unknown as { __show: () => void }).__show = () => { state = 'visible'; document.dispatchEvent(new Event('visibilitychange')); };
    });
    const seenCalls: string[] = [];
    phone.on('request', (r) => { if (r.method() === 'POST' && r.url().endsWith('/seen')) seenCalls.push(r.url()); });
    await signIn(phone, other.username, other.password);
    await phone.waitForURL((u) => u.pathname === '/m', { timeout: 30_000 });
    const card = phone.locator(`[data-testid=phone-alert][data-alert-id="${sosA}"]`);
    await card.waitFor({ timeout: 30_000 });
    const holderName = holder.displayName.replace(/（.*$/, '');
    await expect.poll(async () => (await card.getByTestId('taken-by').textContent())!.trim()).toBe(`已被 ${holderName} 接单`);
    expect(await card.getByRole('button').count()).toBe(0);
    // The unaccepted one offers accept (this person may accept it).
    const waitingCard = phone.locator(`[data-testid=phone-alert][data-alert-id="${sosB}"]`);
    await waitingCard.getByRole('button', { name: '接单' }).waitFor({ timeout: 15_000 });
    // Maintenance is a strip, not a big card.
    await phone.getByTestId('maintenance-strip').waitFor();
    expect(await phone.locator('[data-testid=phone-alert]').evaluateAll((els) => els.map((e) => e.getAttribute('data-alert-id')))).not.toContain(null);
    expect(await phone.locator('[data-testid=maintenance-strip] li').count()).toBe(1);
    expect(seenCalls).toEqual([]);
    const unseen = await db.pool.query(`SELECT 1 FROM notifications WHERE responder_id = $1 AND seen_at IS NOT NULL`, [other.responderId]);
    expect(unseen.rowCount).toBe(0);

    await phone.evaluate(() => (window as unknown as { __show: () => void }).__show());
    await expect.poll(() => seenCalls.length, { timeout: 10_000 }).toBeGreaterThan(0);
    if ((await pagedLogins(sosB)).some((l) => l.responderId === other.responderId)) {
      await waitFor(async () => (await db.pool.query(`SELECT 1 FROM notifications WHERE responder_id = $1 AND alert_id = $2 AND seen_at IS NOT NULL`, [other.responderId, sosB])).rowCount, { what: '已读 stamped' });
    }
    expect(await visibleTextProblems(phone)).toEqual([]);
    expect(await horizontalOverflow(phone)).toEqual([]);
    await card.scrollIntoViewIfNeeded();
    await screenshot(phone, 'issue20-phone-taken-390x844');
    await phone.context().close();
  });

  test('phone of the holder: call the resident beside call family, arrive, resolve with a confirmation', async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    await signIn(phone, holder.username, holder.password);
    await phone.waitForURL((u) => u.pathname === '/m', { timeout: 30_000 });
    const card = phone.locator(`[data-testid=phone-alert][data-alert-id="${sosA}"]`);
    await card.getByRole('button', { name: '已到达' }).waitFor({ timeout: 30_000 });
    const call = card.getByTestId('call-resident');
    await call.waitFor();
    expect(await call.textContent()).toContain('呼叫老人');
    expect(await call.getAttribute('href')).toMatch(/^tel:\+?\d{7,}$/);
    expect(await card.getByText('联系家属').count()).toBe(1);
    await expect.poll(async () => (await card.getByTestId('sla').textContent())!.trim()).toMatch(/^(剩|超时) /);
    await call.scrollIntoViewIfNeeded();
    await screenshot(phone, 'issue20-phone-holder-390x844');

    await card.getByRole('button', { name: '已到达' }).click();
    await expect.poll(async () => (await card.getByTestId('sla').textContent())!.trim(), { timeout: 15_000 }).toMatch(/^已到场 · 用时 \d+ (分|秒)$/);
    await card.getByRole('button', { name: '处理完成' }).click();
    onTestFailed(async () => { await screenshot(phone, 'issue20-phone-holder-failure-390x844'); });
    await card.getByLabel('已协助').check();
    await card.getByRole('button', { name: '确认处理完成' }).click();
    const done = phone.getByTestId('resolved-confirmation');
    await done.waitFor({ timeout: 15_000 });
    expect(await done.textContent()).toContain('已处理完成');
    expect(await done.textContent()).toContain('已协助');
    await screenshot(phone, 'issue20-phone-resolved-390x844');
    await phone.context().close();
  });

  test('a supervisor on a phone gets a layout that fits: no overlap, the countdown on screen', async () => {
    const sup = logins.find((l) => l.role === 'supervisor')!;
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    await signIn(phone, sup.username, sup.password);
    await phone.locator('.live-dot.on').waitFor({ timeout: 30_000 });
    const row = phone.locator(`[data-testid=queue-row][data-alert-id="${sosB}"]`);
    await row.waitFor({ timeout: 15_000 });
    await row.scrollIntoViewIfNeeded();
    const box = (await row.locator('[data-testid=sla]').boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    expect(await row.locator('[data-testid=sla]').isVisible()).toBe(true);
    expect(await horizontalOverflow(phone)).toEqual([]);
    expect(await headerOverlaps(phone)).toEqual([]);
    await phone.evaluate(() => window.scrollTo(0, 0));
    await screenshot(phone, 'issue20-dispatch-supervisor-390x844');
    await phone.goto(`${service.httpUrl}/alerts/${sosB}`, { waitUntil: 'domcontentloaded' });
    await phone.getByRole('heading', { name: /紧急呼叫/ }).first().waitFor({ timeout: 30_000 });
    expect(await horizontalOverflow(phone)).toEqual([]);
    expect(await headerOverlaps(phone)).toEqual([]);
    await screenshot(phone, 'issue20-alert-detail-390x844');
    await phone.context().close();
  });

  test('the household file: weeks of activity, the last activity, and a threshold error in hours and Chinese', async () => {
    await operator.goto(`${service.httpUrl}/households/${homeA}`, { waitUntil: 'domcontentloaded' });
    const chart = operator.getByRole('img', { name: '近7天每小时活动' });
    await chart.waitFor({ timeout: 30_000 });
    expect(await chart.locator('rect:not(.l0)').count()).toBeGreaterThan(40);
    expect((await operator.getByTestId('last-activity').textContent())!.trim()).not.toBe('—');
    await operator.getByLabel('日间（小时）').fill('0.1');
    // The thresholds' own 保存 (the passive panel of issue 19 has one too).
    await operator.locator('form').filter({ has: operator.getByLabel('日间（小时）') }).getByRole('button', { name: '保存' }).click();
    const msg = operator.getByTestId('threshold-msg');
    await msg.waitFor();
    expect(await msg.textContent()).toBe('日间无活动报警阈值不能少于 10 分钟');
    expect(await visibleTextProblems(operator)).toEqual([]);
    await screenshot(operator, 'issue20-household-file-1920x1080', { fullPage: true });
  });

  test('reports: the CSV file name has the chosen dates; shift groups are in Chinese', async () => {
    await operator.goto(`${service.httpUrl}/reports`, { waitUntil: 'domcontentloaded' });
    await operator.locator('table tbody tr').first().waitFor({ timeout: 30_000 });
    const from = await operator.getByLabel('开始日期').inputValue();
    const to = await operator.getByLabel('结束日期').inputValue();
    const [download] = await Promise.all([operator.waitForEvent('download'), operator.getByRole('link', { name: '导出 CSV' }).click()]);
    expect(download.suggestedFilename()).toBe(`sla-shift-${from}-${to}.csv`);
    expect(await operator.locator('table tbody').innerText()).not.toMatch(/\b(day|night)\b/);
  });

  test('reports: an alert still inside its minutes counts as in progress, never as a miss (issue 14)', async () => {
    const fresh = (await db.pool.query<{ id: string }>(
      `SELECT h.id FROM households h WHERE h.id <> ALL($1::text[]) AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.household_id = h.id)
         AND EXISTS (SELECT 1 FROM devices d WHERE d.household_id = h.id AND d.kind = 'sos_button') ORDER BY h.id LIMIT 1`, [[homeA, homeB, homeC]])).rows[0]!.id;
    await sos(fresh);
    await operator.goto(`${service.httpUrl}/reports`, { waitUntil: 'domcontentloaded' });
    const row = operator.getByTestId('report-row').filter({ hasText: '进行中' }).first();
    await row.waitFor({ timeout: 30_000 });
    expect(await row.innerText()).toMatch(/\d+ 进行中/);
    await screenshot(operator, 'issue14-report-pending-1920x1080');
  });

  test('roster: a 09:00–09:00 shift is confirmed as 24 hours; removing a shift asks first and can be undone', async () => {
    const admin = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await signIn(admin, 'admin', ADMIN_PASSWORD);
    await admin.locator('.live-dot.on').waitFor({ timeout: 30_000 });
    await admin.goto(`${service.httpUrl}/admin/roster`, { waitUntil: 'domcontentloaded' });
    const form = admin.locator('form.add');
    await form.waitFor({ timeout: 30_000 });
    const who = holder.responderId!;
    await form.getByLabel('姓名').selectOption(who);
    await form.getByLabel('星期').selectOption('3');
    await form.getByLabel('开始', { exact: true }).fill('09:00');
    await form.getByLabel('结束', { exact: true }).fill('09:00');
    const dialogs: string[] = [];
    admin.on('dialog', (d) => { dialogs.push(d.message()); void d.accept(); });
    await form.getByRole('button', { name: '添加班次' }).click();
    await expect.poll(() => dialogs.length).toBe(1);
    expect(dialogs[0]).toContain('24 小时');
    const shift = admin.getByRole('button', { name: '删除班次 周三 09:00–09:00' });
    await shift.waitFor({ timeout: 15_000 });
    await shift.click();
    await expect.poll(() => dialogs.length).toBe(2);
    expect(dialogs[1]).toContain('撤销');
    await admin.getByTestId('roster-undo').waitFor();
    await expect.poll(() => shift.count()).toBe(0);
    await screenshot(admin, 'issue20-roster-undo-1920x1080');
    await admin.getByRole('button', { name: '撤销' }).click();
    await shift.waitFor({ timeout: 15_000 });
    await shift.scrollIntoViewIfNeeded();
    const rows = await db.pool.query(`SELECT 1 FROM roster_shifts WHERE responder_id = $1 AND weekday = 3 AND starts = '09:00' AND ends = '09:00'`, [who]);
    expect(rows.rowCount).toBe(1);
    await screenshot(admin, 'issue20-roster-1920x1080');
    await admin.context().close();
  });
});
