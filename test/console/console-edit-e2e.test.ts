/**
 * The Console's editing and reading details in Chromium: a preview listing each changed value
 * before and after; a rule added (refused in words while its threshold is missing, checked in
 * the browser with the server's schema) then changed; a schedule's next N fire times and its past
 * occurrences in its form; and no badge cut short ("REFU…") on any page at 1280 or 390 px wide.
 */
import Database from 'better-sqlite3';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDirs } from '../sync/support/e2e.js';
import { chromiumAvailable, launchChromium, screenshot, seriousAxeViolations } from './support/browser.js';
import { ensureWebBuilt, PASSWORDS, startTestConsole, type TestConsole } from './support/console.js';

const run = chromiumAvailable();
const tempDir = tempDirs('ferry-console-edit-');

function erpItem(erpPath: string): { sku: string; weight: string } {
  const db = new Database(erpPath, { readonly: true });
  try {
    return db.prepare("SELECT sku, weight FROM items WHERE archived = 0 AND weight IS NOT NULL AND weight <> '' ORDER BY sku LIMIT 1").get() as { sku: string; weight: string };
  } finally {
    db.close();
  }
}

function setWeight(erpPath: string, sku: string, weight: string): void {
  const db = new Database(erpPath);
  try {
    db.prepare('UPDATE items SET weight = ?, updated_at = ? WHERE sku = ?').run(weight, new Date(Date.now() + 1000).toISOString().slice(0, 19).replace('T', ' '), sku);
  } finally {
    db.close();
  }
}

/** Badges whose word does not fit their box (Mantine cuts it with an ellipsis). */
async function cutBadges(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<{ scrollWidth: number; clientWidth: number; textContent: string | null; closest(s: string): { getBoundingClientRect(): { width: number } } | null; getBoundingClientRect(): { width: number } }> } }).document;
    const out: string[] = [];
    for (const label of Array.from(doc.querySelectorAll('.mantine-Badge-label'))) {
      const badge = label.closest('.mantine-Badge-root');
      if (label.scrollWidth > label.clientWidth + 1 || (badge && label.getBoundingClientRect().width > badge.getBoundingClientRect().width + 1)) out.push(label.textContent ?? '');
    }
    return out;
  });
}

describe.skipIf(!run)('Console editing and details in Chromium', () => {
  let browser: Browser;
  let app: TestConsole;
  let context: BrowserContext;
  let page: Page;
  let refusedRun = 0;
  let item: { sku: string; weight: string };

  beforeAll(async () => {
    ensureWebBuilt();
    app = await startTestConsole(tempDir(), { items: 60 });
    const manager = app.server.ctx.manager;
    await manager.start({ mode: 'full', dryRun: false }, 'user:julia');
    await manager.idle();
    item = erpItem(app.erpPath);
    // A second item refused ("heavy" is no number): a run with a REFUSED badge in its table.
    const db = new Database(app.erpPath, { readonly: true });
    const other = (db.prepare("SELECT sku FROM items WHERE archived = 0 AND sku > ? ORDER BY sku LIMIT 1").get(item.sku) as { sku: string }).sku;
    db.close();
    setWeight(app.erpPath, other, 'heavy');
    refusedRun = (await manager.start({ mode: 'delta', dryRun: false }, 'user:julia')).runId!;
    await manager.idle();
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 860 }, timezoneId: 'Europe/Paris', locale: 'en-GB', bypassCSP: true });
    context.setDefaultTimeout(15_000);
    page = await context.newPage();
    await page.goto(`${app.url}/sign-in`);
    await page.getByLabel('User name').fill('julia');
    await page.getByLabel(/^Password/).fill(PASSWORDS.julia);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('a preview lists each changed value: in Akeneo now, and after the run', async () => {
    setWeight(app.erpPath, item.sku, '987.5');
    await page.goto(`${app.url}/run-now`);
    await page.getByLabel('Only these SKUs').check();
    await page.getByRole('textbox', { name: 'SKUs' }).fill(item.sku);
    await page.getByLabel(/Preview first/).check();
    await page.getByRole('button', { name: 'Preview' }).click();
    const table = page.getByTestId('plan-record').first();
    await table.waitFor({ timeout: 60_000 });
    const row = table.getByRole('row', { name: /weight/ });
    const cells = await row.getByRole('cell').allTextContents();
    expect(Number.parseFloat(cells[0]!)).toBe(Number.parseFloat(item.weight));
    expect(cells[1]).toMatch(/^987\.5\b/);
    await screenshot(page, 'run-now-preview');
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it('a rule is refused in words without its threshold, then added and changed', async () => {
    const session = await page.request.get(`${app.url}/api/v1/me`);
    const csrf = ((await session.json()) as { csrfToken: string }).csrfToken;
    const channel = await page.request.post(`${app.url}/api/v1/channels`, { headers: { 'x-csrf-token': csrf }, data: { type: 'webhook', name: 'Ops webhook', url: 'http://127.0.0.1:9/hook' } });
    expect(channel.status()).toBe(201);
    await page.goto(`${app.url}/notifications`);
    await page.getByRole('button', { name: 'Add a rule' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Tell me when').click();
    await page.getByRole('option', { name: /not finished after T minutes/ }).click();
    await dialog.getByRole('button', { name: 'Save the rule' }).click();
    // The browser checked it with the server's schema: nothing was sent.
    await dialog.getByText('rule stuck needs a threshold').waitFor();
    await dialog.getByLabel(/T \(minutes\)/).fill('30');
    await dialog.getByRole('button', { name: 'Save the rule' }).click();
    await dialog.waitFor({ state: 'detached' });
    const rules = async () => ((await (await page.request.get(`${app.url}/api/v1/rules`)).json()) as { items: { kind: string; threshold: number; enabled: boolean; description: string }[] }).items;
    expect(await rules()).toMatchObject([{ kind: 'stuck', threshold: 30, enabled: true }]);
    const description = (await rules())[0]!.description;
    await page.getByRole('button', { name: `Edit the rule “${description}”` }).click();
    await dialog.getByLabel(/T \(minutes\)/).fill('45');
    await dialog.getByLabel('Enabled').uncheck();
    await screenshot(page, 'rule-form');
    await dialog.getByRole('button', { name: 'Save the rule' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await rules()).toMatchObject([{ kind: 'stuck', threshold: 45, enabled: false }]);
    await page.getByText(/45 minutes/).first().waitFor();
    expect((await seriousAxeViolations(page)).map((v) => v.id)).toEqual([]);
  });

  it("a schedule's form shows its next N fire times and its past occurrences", async () => {
    const s = app.server.ctx.schedules.create({ name: 'Nightly', spec: { kind: 'nightly', hour: 2, minute: 0 }, timezone: 'Europe/Paris', mode: 'delta', enabled: true });
    app.server.ctx.schedules.addOccurrence({ scheduleId: s.id, scheduledFor: '2026-01-05T01:00:00.000Z', firedAt: '2026-01-05T01:00:01.000Z', outcome: 'started', runId: refusedRun, reason: null });
    app.server.ctx.schedules.addOccurrence({ scheduleId: s.id, scheduledFor: '2026-01-06T01:00:00.000Z', firedAt: '2026-01-06T01:00:01.000Z', outcome: 'skipped', runId: null, reason: 'run #9 was still going' });
    await page.goto(`${app.url}/schedules`);
    await page.getByRole('button', { name: 'Edit' }).first().click();
    const dialog = page.getByRole('dialog');
    await expect.poll(() => dialog.getByTestId('preview-next-runs').getByRole('listitem').count()).toBe(5);
    await dialog.getByLabel('Show', { exact: true }).click();
    await page.getByRole('option', { name: 'the next 20' }).click();
    await expect.poll(() => dialog.getByTestId('preview-next-runs').getByRole('listitem').count()).toBe(20);
    for (const text of await dialog.getByTestId('preview-next-runs').getByRole('listitem').allTextContents()) expect(text).toMatch(/02:00/);
    const past = dialog.getByTestId('past-occurrences');
    await past.getByRole('link', { name: `started run #${refusedRun}` }).waitFor();
    await past.getByText('skipped: run #9 was still going').waitFor();
    expect((await seriousAxeViolations(page)).map((v) => v.id)).toEqual([]);
    // Tall enough for the whole form, its next runs and its past occurrences in one picture.
    await page.setViewportSize({ width: 1280, height: 1500 });
    await screenshot(page, 'schedule-edit');
    await page.setViewportSize({ width: 1280, height: 860 });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
  });

  it('no badge is cut short and no page is wider than the window, 1280 and 390 px wide', async () => {
    const pages = ['/', '/runs', `/runs/${refusedRun}`, '/schedules', '/notifications', '/users'];
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 860 });
      for (const path of pages) {
        await page.goto(`${app.url}${path}`);
        await page.getByRole('heading', { level: 2 }).first().waitFor();
        await page.waitForLoadState('networkidle');
        if (path !== '/users') await page.locator('main .mantine-Badge-label').first().waitFor();
        if (path.startsWith('/runs/')) await page.getByTestId('records-table').waitFor();
        expect(await cutBadges(page), `${path} at ${width} px`).toEqual([]);
        // Wide tables scroll inside their own box: the page itself never scrolls sideways.
        const overflow = await page.evaluate(() => {
          const g = globalThis as unknown as { document: { documentElement: { scrollWidth: number } }; innerWidth: number };
          return g.document.documentElement.scrollWidth - g.innerWidth;
        });
        expect(overflow, `${path} at ${width} px is wider than the window`).toBeLessThanOrEqual(0);
      }
    }
    // The run's table at phone width: the outcome reads in full.
    await page.goto(`${app.url}/runs/${refusedRun}`);
    await page.getByTestId('records-table').getByText('Refused', { exact: true }).first().waitFor();
    await screenshot(page, 'run-detail-phone');
    await page.setViewportSize({ width: 1280, height: 860 });
  });
});
