/**
 * The connection switcher in a real browser (Debian's Chromium via playwright-core): one sign-in
 * for a deployment of three connections, the dashboard of the one chosen, the one whose config
 * is invalid listed (disabled) with its error, and the switch surviving a reload. Photographed
 * into docs/console/connection-switcher.png for the user guide.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JULIA, startTestDeployment, type TestDeployment } from '../support/deployment.js';
import { chromiumAvailable, launchChromium, screenshot, seriousAxeViolations } from './support/browser.js';
import { ensureWebBuilt, WEB_ROOT } from './support/console.js';

const run = chromiumAvailable();
const dir = mkdtempSync(join(tmpdir(), 'ferry-switcher-e2e-'));

describe.skipIf(!run)('the connection switcher in Chromium', () => {
  let browser: Browser;
  let td: TestDeployment;
  let page: Page;

  beforeAll(async () => {
    ensureWebBuilt();
    td = await startTestDeployment(dir, { webRoot: WEB_ROOT });
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 760 }, timezoneId: 'Europe/Paris', locale: 'en-GB', bypassCSP: true });
    context.setDefaultTimeout(15_000);
    page = await context.newPage();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await td?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('signs in once, switches from north to south, and shows the connection that is not served', async () => {
    await page.goto(`${td.url}/sign-in`);
    await page.getByLabel('User name').fill(JULIA.name);
    await page.getByLabel(/^Password/).fill(JULIA.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    // The first connection that started, until the switcher says otherwise.
    await page.getByRole('heading', { name: 'north', exact: true }).waitFor();
    await page.getByText(`PIM: ${td.north.url}`).waitFor();
    await page.getByText('A connection is not served').waitFor();
    await page.getByRole('main').getByText(/broken: .*connections\.broken\.pim\.url/).waitFor();

    const switcher = page.locator('input[aria-label="Connection"]');
    expect(await switcher.inputValue()).toBe('north');
    await switcher.click();
    await page.getByRole('option', { name: 'south' }).waitFor();
    // The connection that is not served is listed but cannot be chosen.
    expect(await page.getByRole('option', { name: 'broken (not served)' }).getAttribute('data-combobox-disabled')).not.toBeNull();
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'connection-switcher');

    await page.getByRole('option', { name: 'south' }).click();
    await page.getByRole('heading', { name: 'south', exact: true }).waitFor();
    await page.getByText(`PIM: ${td.south.url}`).waitFor();
    expect(await page.locator('input[aria-label="Connection"]').inputValue()).toBe('south');
    // Still signed in (users and sessions are the deployment's), and the choice survives a reload.
    await page.reload();
    await page.getByRole('heading', { name: 'south', exact: true }).waitFor();
    expect(await page.getByRole('heading', { name: 'north', exact: true }).count()).toBe(0);
  }, 120_000);
});
