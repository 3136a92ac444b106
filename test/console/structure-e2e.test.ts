/**
 * The Mapping page's Structure tab and settings forms in Chromium against the sandbox and the demo
 * ERP: a new family variant with its axes swapped (size first, then colour) is chosen for the
 * family and the group preview shows the group becoming sub-models by size before anything is
 * saved; Save writes ferry.yaml (comments kept); after Bootstrap, `ferry map` on the CLI places the
 * same group in that family variant. The settings forms edit the locale table into the draft.
 * Screenshots go to docs/console/.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { resolveMapping } from '../../src/mapping/resolve.js';
import type { MappingPreview } from '../../src/server/api/contract.js';
import { tempDirs } from '../sync/support/e2e.js';
import { chromiumAvailable, launchChromium, screenshot, seriousAxeViolations } from './support/browser.js';
import { ensureWebBuilt, signedInPage, startTestConsole, type TestConsole } from './support/console.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const run = chromiumAvailable();
const tempDir = tempDirs('ferry-console-structure-');

describe.skipIf(!run)('Mapping page: structure and settings in Chromium', () => {
  let browser: Browser;
  let app: TestConsole;
  let page: Page;
  let file: string;
  let group: string;
  let variantSku: string;

  beforeAll(async () => {
    ensureWebBuilt();
    app = await startTestConsole(tempDir(), { items: 60, configFile: true });
    file = join(dirname(app.erpPath), 'ferry.yaml');
    browser = await launchChromium();
    page = await signedInPage(browser, app, 'julia');
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  const tree = () => page.getByTestId('group-tree');

  it('a new layout chosen in the Structure tab changes the group preview before saving', async () => {
    // A group whose items differ in colour and size (the preset's family variant by colour, then size), found through the API.
    const me = (await (await page.request.get(`${app.url}/api/v1/me`)).json()) as { csrfToken: string };
    let sku: string | undefined;
    for (let i = 0; i < 20 && !sku; i++) {
      const p = (await (await page.request.post(`${app.url}/api/v1/mapping/preview`, { headers: { 'x-csrf-token': me.csrfToken }, data: { sample: 20 } })).json()) as MappingPreview;
      sku = p.units.find((u) => u.entities.some((e) => e.familyVariant === 'erp_product_color_size'))?.entities.find((e) => e.role === 'variant')?.code;
    }
    expect(sku).toBeDefined();
    await page.getByRole('link', { name: 'Mapping', exact: true }).click();
    await page.getByRole('heading', { name: 'Mapping' }).waitFor();
    await page.getByTestId('preview-status').waitFor();
    await page.getByLabel('Preview these SKUs').fill(sku!);
    await page.getByRole('button', { name: 'Preview', exact: true }).click();
    await page.getByRole('tab', { name: /Structure/ }).click();
    await tree().getByText(/family variant erp_product_color_size/).first().waitFor();
    const before = (await tree().textContent()) ?? '';
    expect(before).toMatch(/sub-model \S+ — color /);
    group = /ERP group (\S+) becomes/.exec(before)![1]!;

    await page.getByLabel('Its code').fill('erp_product_size_color');
    await page.getByRole('button', { name: 'Add family variant' }).click();
    const card = page.getByTestId('layout-erp_product_size_color');
    await card.waitFor();
    const level = (n: number) => card.getByTestId(`level-erp_product_size_color-${n}`);
    await level(1).locator('label').filter({ hasText: /^size$/ }).click();
    await level(1).locator('label').filter({ hasText: /^color$/ }).click();
    await level(2).locator('label').filter({ hasText: /^color$/ }).click();
    await level(2).locator('label').filter({ hasText: /^size$/ }).click();
    await card.getByText('family erp_product · size → color').waitFor();
    const started = Date.now();
    await page.getByLabel('Family variant for family erp_product').first().click();
    await page.getByRole('option', { name: 'erp_product_size_color' }).click();
    await page.waitForFunction(() => /family variant erp_product_size_color/.test((globalThis as unknown as { document: { querySelector(s: string): { textContent: string | null } | null } }).document.querySelector('[data-testid="group-tree"]')?.textContent ?? ''));
    console.log(`group preview followed the new layout ${Date.now() - started} ms after choosing it`);
    const after = (await tree().textContent()) ?? '';
    expect(after).toContain(`ERP group ${group} becomes`);
    expect(after).toMatch(/sub-model \S+ — size /);
    expect(after).toMatch(/previewed as Bootstrap would create it/);
    variantSku = /variant (\S+) — /.exec(after)![1]!;
    await page.getByText('unsaved changes').waitFor();
    await screenshot(page, 'mapping-structure-edit');
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it('an axis Akeneo refuses shows its key path and fix, and is not previewed', async () => {
    const card = page.getByTestId('layout-erp_product_size_color');
    await card.getByTestId('level-erp_product_size_color-2').locator('label').filter({ hasText: /^size$/ }).click();
    const problems = page.getByTestId('draft-problems-all');
    await problems.waitFor();
    expect(await problems.textContent()).toContain('mapping.structure.families.definitions.erp_product.variants.erp_product_size_color.levels[1].axes[1]');
    expect(await problems.textContent()).toMatch(/axis twice/);
    await card.getByTestId('level-erp_product_size_color-2').locator('label').filter({ hasText: /^size$/ }).click();
    await problems.waitFor({ state: 'detached' });
  });

  it('Save writes ferry.yaml; after Bootstrap, ferry map places the group in the new family variant', async () => {
    await page.getByRole('button', { name: 'Save to ferry.yaml' }).click();
    await page.getByText('Mapping saved to the config file.').waitFor();
    await page.getByText('unsaved changes').waitFor({ state: 'detached' });
    const text = readFileSync(file, 'utf8');
    expect(text.startsWith('# Ferry test config: the Console edits this file\n')).toBe(true);
    const structure = parse(text).mapping.structure;
    expect(structure.variants.familyVariant).toEqual({ erp_product: 'erp_product_size_color' });
    expect(structure.families.definitions.erp_product.variants.erp_product_size_color.levels.map((l: { axes: string[] }) => l.axes)).toEqual([['size'], ['color']]);
    const loaded = resolveMapping((await loadConfig(file, {})).mapping);
    expect(loaded.structure.variants.familyVariant.erp_product).toBe('erp_product_size_color');

    // Bootstrap creates the family variant (through the API, as the Bootstrap page does), then the CLI maps the group.
    const me = (await (await page.request.get(`${app.url}/api/v1/me`)).json()) as { csrfToken: string };
    const plan = (await (await page.request.get(`${app.url}/api/v1/bootstrap/plan`)).json()) as { planId: string; lines: string[] };
    expect(plan.lines.join('\n')).toContain('erp_product_size_color');
    const applied = await page.request.post(`${app.url}/api/v1/bootstrap/apply`, { headers: { 'x-csrf-token': me.csrfToken }, data: { confirm: true, planId: plan.planId } });
    expect(applied.status(), await applied.text()).toBe(200);
    // Asynchronous: the sandbox PIM the CLI talks to runs in this process.
    const map = await promisify(execFile)(process.execPath, ['--import', import.meta.resolve('tsx'), join(ROOT, 'src/cli/index.ts'), 'map', '--config', file, '--keys', variantSku, '--format', 'json'], { cwd: dirname(file), encoding: 'utf8', timeout: 120_000 });
    const out = JSON.parse(map.stdout) as { entities: { kind: string; code: string; parent: string | null; familyVariant?: string; identifier?: string }[]; errors: unknown[] };
    expect(out.errors).toEqual([]);
    const root = out.entities.find((e) => e.kind === 'product_model' && !e.parent)!;
    expect(root.familyVariant).toBe('erp_product_size_color');
    const subs = out.entities.filter((e) => e.kind === 'product_model' && e.parent === root.code);
    expect(subs.length).toBeGreaterThan(0);
    expect(out.entities.some((e) => e.kind === 'product' && e.identifier === variantSku)).toBe(true);
  });

  it('the settings forms: the locale table edits the draft, with the schema\'s help', async () => {
    await page.getByRole('tab', { name: /Languages, channels, ownership/ }).click();
    await page.getByTestId('locale-table').waitFor();
    await page.getByText('Unlisted languages map to the one active locale').waitFor();
    await page.getByRole('switch', { name: 'Send de' }).click({ force: true });
    await page.getByText('unsaved changes').waitFor();
    await screenshot(page, 'mapping-settings');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Discard changes' }).click();
    await page.getByText('unsaved changes').waitFor({ state: 'detached' });
  });
});
