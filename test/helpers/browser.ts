import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';

/**
 * Debian's Chromium driven by playwright-core (DESIGN §10): headless, no sandbox (we may run as
 * root in CI), no GPU, and nothing that talks to the network on its own, so a run on an offline
 * or loaded machine behaves the same. Each launch gets a fresh user-data directory.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  // Audio: the alarm uses WebAudio after a click; without a sound card it must not block.
  '--autoplay-policy=no-user-gesture-required',
];

export const ARTIFACTS = join(process.cwd(), 'test', 'e2e', 'artifacts');

export interface TestBrowser {
  /** A new page in its own context (own cookies), sized as given. */
  newPage(opts?: BrowserContextOptions): Promise<Page>;
  close(): Promise<void>;
}

/**
 * Launches Chromium on a fresh profile: `chromium.launch` gives the browser a new temporary
 * user-data directory of its own (and refuses `--user-data-dir`), removed on close; each
 * `newPage` is a separate context, so the operator and the responder have separate sessions.
 */
export async function launchBrowser(opts: { timeoutMs?: number } = {}): Promise<TestBrowser & { raw: Browser }> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: opts.timeoutMs ?? 60_000,
  });
  const contexts: BrowserContext[] = [];
  return {
    raw: browser,
    async newPage(o: BrowserContextOptions = {}) {
      const ctx = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai', ...o });
      contexts.push(ctx);
      return ctx.newPage();
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => {});
      await browser.close().catch(() => {});
    },
  };
}

/** Saves a full-viewport PNG under test/e2e/artifacts/ and returns its path. */
export async function screenshot(page: Page, name: string, opts: { fullPage?: boolean } = {}): Promise<string> {
  await mkdir(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: opts.fullPage ?? false, animations: 'disabled' });
  return path;
}

/**
 * Text a product must never show: raw i18n keys (`kind.sos`, `state.open`), "undefined",
 * "NaN", "[object Object]". Returns the offending snippets of the page's visible text.
 */
export async function visibleTextProblems(page: Page): Promise<string[]> {
  const text = await page.evaluate(() => document.body.innerText);
  const problems: string[] = [];
  for (const bad of [/\bundefined\b/, /\bNaN\b/, /\[object Object\]/, /\bnull\b/]) {
    const m = bad.exec(text);
    if (m) problems.push(text.slice(Math.max(0, m.index - 40), m.index + 40));
  }
  // i18n keys look like `area.key` or `area.key.sub` in lower camel case, alone on a line or in a cell.
  const key = /(^|\s)((?:app|nav|kind|state|status|queue|board|kpi|sla|file|alert|phone|admin|reports|login|common|shift|role|outcome|live|header|sound|lang|device)\.[a-zA-Z][\w.]*)(?=\s|$)/g;
  for (const m of text.matchAll(key)) problems.push(m[2]!);
  return problems;
}

/**
 * Elements wider than the viewport, or the page scrolling sideways (text that does not fit).
 * Checks the page's landmarks and panel heads, and the queue's rows (a phone's dispatch screen).
 */
export async function horizontalOverflow(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const vw = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth > vw + 1) out.push(`page scrolls sideways: ${document.documentElement.scrollWidth} > ${vw}`);
    for (const el of document.querySelectorAll('header, main, section, .panel-head, nav, [data-testid=queue-row]')) {
      const r = el.getBoundingClientRect();
      if (r.width > 0 && r.right > vw + 1) out.push(`${el.tagName.toLowerCase()}.${(el as HTMLElement).className.split(' ')[0]} ends at ${Math.round(r.right)} > ${vw}`);
    }
    return out;
  });
}

/** Signs in through the console's login form (Chinese labels, the default language). */
export async function signInAs(page: Page, baseUrl: string, username: string, password: string): Promise<void> {
  await page.goto(baseUrl + '/', { waitUntil: 'domcontentloaded' });
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(password);
  await page.getByRole('button', { name: '登录', exact: true }).click();
}
