import mqtt, { type MqttClient } from 'mqtt';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { RunningService } from '../../bin/runtime/service.js';
import { eventTopic } from '../../domain/topics.js';
import type { DemoDeviceCredential, DemoLogin } from '../../store/demo-seed/index.js';
import { screenshot, type TestBrowser } from '../helpers/browser.js';
import type { TestDb } from '../helpers/db.js';
import { startDemoStack, type DemoStack } from '../helpers/demo-stack.js';

/**
 * Issue 16 in Chromium against the real all-in-one service: an SOS arriving while the operator
 * is on a household file (not the dispatch screen) starts the alarm — the page's WebAudio
 * oscillators are counted as they start — shows the waiting-critical pill and flashes the title;
 * after a reload the sound stays enabled without another click. The demo community has no SMS
 * channel for its family tier, so the red channel banner shows too.
 */
const HOUSEHOLDS = 12;
let stack: DemoStack;
let db: TestDb;
let service: RunningService;
let browser: TestBrowser;
let logins: DemoLogin[];
let devices: DemoDeviceCredential[];
let page: Page;
const clients: MqttClient[] = [];

beforeAll(async () => {
  stack = await startDemoStack({ name: 'alarm', adminPassword: 'e2e-admin-Secret-1', seed: { households: HOUSEHOLDS }, env: { RECONCILE_S: '5' } });
  ({ db, service, browser, logins, devices } = stack);
});

afterAll(async () => {
  await stack?.stop(clients);
});

/** Counts every WebAudio oscillator the page starts: the alarm's tones are oscillators. */
const COUNT_OSCILLATORS = () => {
  const w = window as unknown as { __oscStarts: number };
  w.__oscStarts = 0;
  const start = OscillatorNode.prototype.start;
  OscillatorNode.prototype.start = function (...args: Parameters<typeof start>) { w.__oscStarts++; return start.apply(this, args); };
};
const oscStarts = () => page.evaluate(() => (window as unknown as { __oscStarts: number }).__oscStarts);

describe.sequential('operator alarm everywhere (issue 16)', () => {
  test('an SOS while the operator is on a household file rings, shows the pill and flashes the title', async () => {
    page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    await page.addInitScript(COUNT_OSCILLATORS);
    const op = logins.find((l) => l.role === 'operator')!;
    await page.goto(service.httpUrl + '/', { waitUntil: 'domcontentloaded' });
    await page.getByLabel('用户名').fill(op.username);
    await page.getByLabel('密码').fill(op.password);
    await page.getByRole('button', { name: '登录', exact: true }).click();
    await page.locator('.live-dot.on').waitFor({ timeout: 30_000 });

    // Sound enabled once, by the operator's click (the autoplay policy wants a gesture).
    await page.getByRole('button', { name: '启用声音' }).click();
    await expect.poll(() => page.evaluate(() => localStorage.getItem('guardian.sound.enabled'))).toBe('1');

    const sos = devices.find((d) => d.kind === 'sos_button')!;
    await page.goto(`${service.httpUrl}/households/${sos.householdId}`, { waitUntil: 'domcontentloaded' });
    await page.getByRole('heading').first().waitFor();
    expect(new URL(page.url()).pathname).toBe(`/households/${sos.householdId}`);
    // The reload dropped the click; the remembered choice brings the sound back by itself.
    await expect.poll(() => page.locator('button', { hasText: '启用声音' }).count(), { timeout: 10_000 }).toBe(0);
    const before = await oscStarts();
    expect(await page.locator('[data-testid=alarm-indicator]').count()).toBe(0);

    const c = await mqtt.connectAsync(service.mqttUrl, { clientId: sos.deviceId, username: sos.deviceId, password: sos.secret, protocolVersion: 4, reconnectPeriod: 0 });
    clients.push(c);
    await c.publishAsync(eventTopic(sos.deviceId), JSON.stringify({ id: `alarm-${Date.now()}`, type: 'sos', ts: Date.now() }), { qos: 1 });

    await page.locator('[data-testid=alarm-indicator]').waitFor({ timeout: 15_000 });
    expect(await page.locator('[data-testid=alarm-indicator]').innerText()).toContain('紧急警情 1 起待接单');
    await expect.poll(oscStarts, { timeout: 10_000 }).toBeGreaterThan(before);
    // Title flashes: it alternates between the alarm text and the page's own title.
    const titles = new Set<string>();
    await expect.poll(async () => { titles.add(await page.title()); return [...titles].some((x) => x.startsWith('🔴')) && [...titles].some((x) => !x.startsWith('🔴')); }, { timeout: 10_000, interval: 300 }).toBe(true);
    expect(new URL(page.url()).pathname).toBe(`/households/${sos.householdId}`);
    await screenshot(page, 'alarm-on-household-file');
  });

  test('after a reload the sound stays enabled and the alarm still sounds for the waiting SOS', async () => {
    await page.reload({ waitUntil: 'domcontentloaded' });
    await page.locator('[data-testid=alarm-indicator]').waitFor({ timeout: 15_000 });
    expect(await page.locator('button', { hasText: '启用声音' }).count()).toBe(0);
    const before = await oscStarts();
    await page.locator('[data-testid=alarm-settings]').count(); // settings closed by default
    await page.getByRole('button', { name: '报警声设置' }).click();
    await page.getByRole('button', { name: '试听报警声' }).click();
    await expect.poll(oscStarts, { timeout: 5000 }).toBeGreaterThan(before);
    await expect.poll(() => page.locator('[data-testid=alarm-settings]').innerText()).toContain('本浏览器已记住');
  });

  test('the family tier has no working channel in the demo: a red banner on every operator page', async () => {
    await page.locator('[data-testid=channel-health-banner]').waitFor({ timeout: 20_000 });
    expect(await page.locator('[data-testid=channel-health-banner]').innerText()).toContain('第3级');
    await screenshot(page, 'channel-health-banner');
  });
});
