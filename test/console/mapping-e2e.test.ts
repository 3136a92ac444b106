/**
 * The Mapping and Bootstrap pages in Chromium against the sandbox and the demo ERP: editing a
 * converter updates the preview before anything is saved; Check lists problems linked to their
 * rows; the structure tab draws one group as its product model and variants; the bootstrap plan
 * is applied after confirmation with a result per item. Screenshots go to docs/console/.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDirs } from '../sync/support/e2e.js';
import { chromiumAvailable, launchChromium, screenshot, seriousAxeViolations } from './support/browser.js';
import { ensureWebBuilt, PASSWORDS, startTestConsole, type TestConsole } from './support/console.js';

const run = chromiumAvailable();
const tempDir = tempDirs('ferry-console-mapping-');

describe.skipIf(!run)('Mapping and Bootstrap pages in Chromium', () => {
  let browser: Browser;
  let app: TestConsole;
  let page: Page;

  beforeAll(async () => {
    ensureWebBuilt();
    app = await startTestConsole(tempDir(), { items: 60, configFile: true });
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, locale: 'en-GB', bypassCSP: true });
    context.setDefaultTimeout(20_000);
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

  it('editing a converter updates the preview before saving', async () => {
    await page.getByRole('link', { name: 'Mapping', exact: true }).click();
    await page.getByRole('heading', { name: 'Mapping' }).waitFor();
    await page.getByRole('button', { name: 'weight', exact: true }).click();
    // Sample records with a weight: SKUs picked from the ERP's items.
    const values = page.getByTestId('preview-value');
    await page.getByTestId('preview-status').waitFor();
    await page.getByRole('button', { name: '5 at random' }).click();
    await page.waitForFunction(() => Array.from((globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<{ textContent: string | null }> } }).document.querySelectorAll('[data-testid="preview-value"]')).some((e) => /KILOGRAM/.test(e.textContent ?? '')), null, { timeout: 20_000 }).catch(async () => {
      // Five random groups without a kilogram weight: ask for more until one has.
      for (let i = 0; i < 5; i++) {
        await page.getByRole('button', { name: '5 at random' }).click();
        await page.waitForTimeout(500);
        if ((await values.allTextContents()).some((t) => /KILOGRAM/.test(t))) return;
      }
    });
    const before = (await values.allTextContents()).filter((t) => /KILOGRAM/.test(t));
    expect(before.length).toBeGreaterThan(0);
    const started = Date.now();
    await page.getByLabel('Always convert to').fill('GRAM');
    await page.waitForFunction(() => {
      const cells = Array.from((globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<{ textContent: string | null }> } }).document.querySelectorAll('[data-testid="preview-value"]')).map((e) => e.textContent ?? '');
      return cells.some((t) => /GRAM/.test(t)) && !cells.some((t) => /KILOGRAM/.test(t));
    });
    const updateMs = Date.now() - started;
    console.log(`preview updated in the browser ${updateMs} ms after typing`);
    await expect(page.getByText('unsaved changes')).toBeTruthy();
    expect(await page.getByRole('button', { name: 'Save to ferry.yaml' }).isEnabled()).toBe(true);
    await page.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
    await screenshot(page, 'mapping');
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it('an invalid option shows the problem with its key path and fix', async () => {
    await page.getByLabel('Always convert to').fill('');
    await page.getByLabel('Decimals kept after a conversion').fill('40');
    await page.getByTestId('draft-problems').first().waitFor();
    expect(await page.getByTestId('draft-problems').first().textContent()).toContain('mapping.attributes.weight.precision');
    await page.getByLabel('Decimals kept after a conversion').fill('');
    // Every option back to the preset's: the draft is the saved mapping again.
    await page.getByText('unsaved changes').waitFor({ state: 'detached' });
  });

  it('Check lists every problem with its fix, each linked to its row', async () => {
    await page.getByRole('button', { name: 'ean', exact: true }).click();
    await page.getByLabel('Maximum length').fill('3');
    await page.getByTestId('preview-error').first().waitFor();
    await page.getByRole('button', { name: 'Check' }).click();
    const problem = page.getByTestId('check-problem').filter({ hasText: 'ean' }).first();
    await problem.waitFor({ timeout: 60_000 });
    expect(await problem.textContent()).toMatch(/Fix:/);
    await page.getByRole('button', { name: 'weight', exact: true }).click();
    await problem.getByRole('button', { name: 'Show attribute ean' }).click();
    await page.getByText('Edit the row').waitFor();
    expect(await page.getByRole('button', { name: 'ean', exact: true }).getAttribute('aria-current')).toBe('true');
    await page.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
    await screenshot(page, 'mapping-check');
    await page.getByRole('button', { name: 'Discard changes' }).click();
  });

  it('the structure tab draws one group as its product model and variants', async () => {
    await page.getByRole('tab', { name: /Structure/ }).click();
    await page.getByText('Variants: how items become product models').waitFor();
    for (let i = 0; i < 6 && !(await page.getByTestId('group-tree').isVisible()); i++) {
      await page.getByRole('tab', { name: /Attributes/ }).click();
      await page.getByRole('button', { name: '5 at random' }).click();
      await page.waitForTimeout(400);
      await page.getByRole('tab', { name: /Structure/ }).click();
    }
    expect(await page.getByTestId('group-tree').textContent()).toMatch(/becomes product model/);
    await screenshot(page, 'mapping-structure');
    await page.getByRole('tab', { name: /not mapped/ }).click();
    await screenshot(page, 'mapping-unmapped');
  });

  it('Save writes the draft to ferry.yaml (comments kept) and the page shows it as saved', async () => {
    await page.goto(`${app.url}/mapping`);
    await page.getByRole('button', { name: 'weight', exact: true }).click();
    await page.getByLabel('Always convert to').fill('GRAM');
    await page.getByText('unsaved changes').waitFor();
    await page.getByRole('button', { name: 'Save to ferry.yaml' }).click();
    await page.getByText('Mapping saved to the config file.').waitFor();
    await page.getByText('unsaved changes').waitFor({ state: 'detached' });
    const file = readFileSync(join(dirname(app.erpPath), 'ferry.yaml'), 'utf8');
    expect(file.startsWith('# Ferry test config: the Console edits this file\n')).toBe(true);
    expect(parse(file).mapping).toEqual({ preset: 'demo', attributes: { weight: { convertTo: 'GRAM' } } });
    // The saved mapping previews in grams without a draft.
    const res = await page.request.get(`${app.url}/api/v1/mapping`);
    expect(((await res.json()) as { rows: { attribute: string; converter: string }[] }).rows.find((r) => r.attribute === 'weight')!.converter).toContain('convertTo GRAM');
  });

  it('bootstrap: the plan, applied after confirmation, a result per item', async () => {
    // A new attribute saved through the config API, as the Mapping page's "map to … (new)" does.
    const me = (await (await page.request.get(`${app.url}/api/v1/me`)).json()) as { csrfToken: string };
    const { version } = (await (await page.request.get(`${app.url}/api/v1/config`)).json()) as { version: string };
    const saved = await page.request.put(`${app.url}/api/v1/config`, {
      headers: { 'x-csrf-token': me.csrfToken },
      data: { baseVersion: version, changes: [{ path: 'mapping.attributes.erp_color_code', value: { from: 'color', type: 'text', labels: { en_US: 'Colour code' } } }] },
    });
    expect(saved.status(), await saved.text()).toBe(200);
    await page.getByRole('link', { name: 'Bootstrap', exact: true }).click();
    // The "saved" message of the test before would cover the page's buttons in the screenshot.
    for (const close of await page.getByRole('button', { name: 'Close the message' }).all()) await close.click();
    await page.getByTestId('plan-attribute-erp_color_code').waitFor();
    // Each table is named by its group's heading (aria-labelledby), not by a caption repeating it.
    await page.getByRole('table', { name: 'Attributes', exact: true }).getByTestId('plan-attribute-erp_color_code').waitFor();
    expect(await page.getByTestId('bootstrap-plan').locator('caption').count()).toBe(0);
    // Settled before the picture: no button mid-reload (the plan refetched), no message fading out.
    await page.waitForFunction(() => {
      const doc = (globalThis as unknown as { document: { querySelector(s: string): unknown } }).document;
      return !doc.querySelector('[data-loading]') && !doc.querySelector('.mantine-Notification-root');
    });
    await screenshot(page, 'bootstrap');
    await page.getByRole('button', { name: 'Apply to the PIM…' }).click();
    await page.getByRole('dialog').getByRole('button', { name: /^Apply \d+ change/ }).click();
    await page.getByTestId('bootstrap-result').waitFor();
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    expect(await page.getByTestId('plan-attribute-erp_color_code').textContent()).toContain('done');
    await screenshot(page, 'bootstrap-applied');
    expect(await seriousAxeViolations(page)).toEqual([]);
  });
});
