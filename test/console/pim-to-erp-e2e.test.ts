/**
 * The "PIM → ERP" page in a real browser (Debian's Chromium via playwright-core) against a real
 * `ferry serve` server and a PIM sandbox, exporting for real (runExport, files sink): two
 * products Julia tagged wait; "Export now" sends them; one comes back in error with its message
 * and fix, the other exported; the page passes axe-core and is photographed into docs/console/.
 */
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAkeneoClient, type AkeneoClient } from '../../src/akeneo/index.js';
import { ferryConfigSchema } from '../../src/config/schema.js';
import { createLogger } from '../../src/logging.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';
import { createConsole, type ConsoleServer } from '../../src/server/app.js';
import { prepareJuliasPim } from '../sync/export/support.js';
import { sandboxPimConfig, tempDirs } from '../sync/support/e2e.js';
import { chromiumAvailable, launchDesktopPage, screenshot, seriousAxeViolations } from './support/browser.js';
import { ensureWebBuilt, WEB_ROOT } from './support/console.js';

const run = chromiumAvailable();
const tempDir = tempDirs('ferry-console-pim-erp-');
const PASSWORD = 'olga-secret-pw-1';

describe.skipIf(!run)('Console: the PIM → ERP page (Chromium)', () => {
  let sandbox: RunningSandbox;
  let server: ConsoleServer;
  let client: AkeneoClient;
  let browser: Browser;
  let page: Page;
  let url = '';

  beforeAll(async () => {
    ensureWebBuilt();
    const dir = tempDir();
    sandbox = await startSandbox({ catalog: 'demo' });
    client = createAkeneoClient({
      url: sandbox.url,
      auth: { kind: 'connection', clientId: sandbox.clientId, secret: sandbox.secret, username: sandbox.username, password: sandbox.password },
      endpoints: 'identifier',
    });
    const config = ferryConfigSchema.parse({
      pim: sandboxPimConfig(sandbox),
      erp: { type: 'files', folder: join(dir, 'drop'), outFolder: join(dir, 'out'), sinkFormat: 'csv' },
      state: { path: join(dir, 'ferry.db') },
      export: { fields: { name: { attribute: 'marketing_title', locale: 'en_US' }, length: { attribute: 'product_weight', unit: 'cm' } } },
    });
    await prepareJuliasPim(client, config.export!);
    const tag = { erp_status: [{ locale: null, scope: null, data: 'to_export' }] };
    const results = await client.products.upsertMany([
      { identifier: 'TEE-SPRING', family: 'tshirts', values: { marketing_title: [{ locale: 'en_US', scope: null, data: 'Spring tee' }], ...tag } },
      {
        identifier: 'TEE-SUMMER',
        family: 'tshirts',
        values: { marketing_title: [{ locale: 'en_US', scope: null, data: 'Summer tee' }], product_weight: [{ locale: null, scope: null, data: { amount: '250', unit: 'GRAM' } }], ...tag },
      },
    ]);
    expect(results.map((r) => r.status)).toEqual([201, 201]);
    server = await createConsole({ config, connectionName: 'Ferry → ERP', webRoot: WEB_ROOT, logger: createLogger({ level: 'silent' }) });
    await server.ctx.auth.addUser('olga', 'operator', PASSWORD);
    await server.app.listen({ host: '127.0.0.1', port: 0 });
    const address = server.app.server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    ({ browser, page } = await launchDesktopPage());
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await client?.close();
    await sandbox?.close();
  });

  it('shows the products waiting, exports them now, and shows the refused one with its message and fix', async () => {
    await page.goto(`${url}/sign-in`);
    await page.getByLabel('User name').fill('olga');
    await page.getByLabel(/^Password/).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();

    await page.getByRole('link', { name: 'PIM → ERP' }).click();
    await page.getByRole('heading', { name: 'PIM → ERP' }).waitFor();
    await page.getByRole('cell', { name: 'TEE-SPRING', exact: true }).waitFor();
    await expect(page.getByRole('cell', { name: 'TEE-SUMMER', exact: true }).count()).resolves.toBe(1);
    expect(await seriousAxeViolations(page), 'PIM → ERP (waiting)').toEqual([]);
    await screenshot(page, 'pim-to-erp-waiting');

    await page.getByRole('button', { name: 'Export now' }).click();
    await page.waitForURL(/\/runs\/\d+$/);
    await server.ctx.manager.idle();

    await page.goto(`${url}/pim-to-erp`);
    await page.getByRole('tab', { name: /In error/ }).click();
    await page.getByRole('cell', { name: 'TEE-SUMMER', exact: true }).waitFor();
    const row = page.getByRole('row', { name: /TEE-SUMMER/ });
    await expect(row.textContent()).resolves.toMatch(/cannot be converted to cm/);
    await expect(row.textContent()).resolves.toMatch(/unit the ERP knows/);
    await row.getByRole('button', { name: 'Retry TEE-SUMMER' }).waitFor();
    expect(await seriousAxeViolations(page), 'PIM → ERP (in error)').toEqual([]);
    await screenshot(page, 'pim-to-erp-error');

    await page.getByRole('tab', { name: /Exported/ }).click();
    // The files sink's ERP id is the SKU: the row shows it twice.
    await page.getByRole('row', { name: /TEE-SPRING/ }).waitFor();
    await screenshot(page, 'pim-to-erp-exported');
  }, 120_000);
});
