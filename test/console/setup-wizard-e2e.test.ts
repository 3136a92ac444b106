/**
 * First run in a real browser: `ferry serve` (a child process, as a person runs it) in an empty
 * folder prints a one-time setup link; the link creates the first admin; the wizard connects the
 * PIM sandbox (first a wrong secret, a self-signed HTTPS address and a Connection lacking a
 * permission: each failure in plain words), the demo ERP, picks the mapping,
 * bootstraps the PIM, shows a dry run, runs the first import live, schedules it nightly. Then
 * `ferry sync` in a terminal uses the ferry.yaml the wizard wrote. Every step is photographed
 * into docs/console/, left and resumed (a reload of /setup shows the same step), and the steps
 * and seconds are measured: the line `wizard[demo ERP]: N steps …, S s …` in the test output.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';
import { ferry } from '../support/ferry-cli.js';
import { startSelfSignedProxy, type TlsProxy } from '../support/tls-proxy.js';
import { tempDirs } from '../sync/support/e2e.js';
import { chromiumAvailable, launchChromium, screenshot } from './support/browser.js';
import { ensureWebBuilt } from './support/console.js';
import { bootstrapThePim, createFirstAdmin, dryRunThenFirstImport, expectResumes, fillPimForm, scheduleAndFinish, serveFirstRun, WizardMeter, type ServedFerry } from './support/first-run.js';

const run = chromiumAvailable();
const LIMITED = { clientId: 'ferry-limited', secret: 'limited-secret-2718', username: 'ferry-limited', password: 'limited-password-2718' };
const tempDir = tempDirs('ferry-setup-e2e-');

describe.skipIf(!run)('first-run wizard in Chromium', () => {
  let browser: Browser;
  let sandbox: RunningSandbox;
  let server: ServedFerry | null = null;
  let page: Page;
  let proxy: TlsProxy | null = null;
  const dir = tempDir();

  beforeAll(async () => {
    ensureWebBuilt();
    // A second Connection whose user role may not list families: the permission failure.
    sandbox = await startSandbox({
      catalog: 'demo',
      connections: [
        { clientId: 'ferry', secret: 'sandbox-secret-2718', username: 'admin', password: 'sandbox-password-2718' },
        { ...LIMITED, denied: ['list families'] },
      ],
    });
    proxy = await startSelfSignedProxy(sandbox.url, dir);
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    server?.child.kill('SIGTERM');
    await browser?.close();
    await proxy?.close();
    await sandbox?.close();
  });

  it('goes from an empty folder to a first import, and the CLI uses the saved config', async (testCtx) => {
    testCtx.onTestFailed(async () => {
      await page?.screenshot({ path: join(dir, 'failure.png'), fullPage: true });
      console.log(`failure screenshot: ${join(dir, 'failure.png')}\n${server?.output() ?? ''}`);
    });
    const shot = (name: string) => screenshot(page, name);
    expect(existsSync(join(dir, 'ferry.yaml'))).toBe(false);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
    page = await context.newPage();
    const meter = new WizardMeter(page);
    server = await serveFirstRun(dir);
    expect(server.output()).toContain('No ferry.yaml here yet');

    // 1. The one-time link: the first admin.
    await createFirstAdmin(page, meter, server.link, shot, 'setup-1-admin');

    // 2. The PIM: a wrong secret first (a detour: told in plain words); then the right one.
    await meter.screen('PIM');
    await expectResumes(page, meter);
    const pim = page.getByTestId('pim-section');
    await meter.detour(async () => {
      await fillPimForm(page, meter, sandbox, 'not-the-secret');
      await pim.getByRole('button', { name: 'Test' }).click();
      const failure = page.getByTestId('pim-test-failure');
      await failure.waitFor({ timeout: 30_000 });
      expect(await failure.textContent()).toContain('The PIM refused the secret');
      expect(await failure.textContent()).toContain('pim.secret');
      expect(await failure.textContent()).not.toContain('not-the-secret');
      await shot('setup-2-pim-wrong-secret');
      // The PIM behind HTTPS with a certificate this machine does not trust: said at once, with the fix.
      await pim.getByRole('textbox', { name: /^URL/ }).fill(proxy!.url);
      await pim.getByLabel(/^Secret/).fill(sandbox.secret);
      await pim.getByRole('button', { name: 'Test' }).click();
      await failure.getByText("The PIM's certificate is not trusted").waitFor({ timeout: 30_000 });
      expect(await failure.textContent()).toContain('NODE_EXTRA_CA_CERTS');
      await shot('setup-2-pim-certificate');
      // A Connection whose user role may not list families: Akeneo's 403, the user and where to allow it.
      await pim.getByRole('textbox', { name: /^URL/ }).fill(sandbox.url);
      await pim.getByRole('textbox', { name: /^Client ID/ }).fill(LIMITED.clientId);
      await pim.getByLabel(/^Secret/).fill(LIMITED.secret);
      await pim.getByRole('textbox', { name: /^Username/ }).fill(LIMITED.username);
      await pim.getByLabel(/^Password/).fill(LIMITED.password);
      await pim.getByRole('button', { name: 'Test' }).click();
      await failure.getByText('The PIM account lacks a permission').waitFor({ timeout: 30_000 });
      expect(await failure.textContent()).toMatch(/user ferry-limited may not list families.*System › Roles/);
      await shot('setup-2-pim-permission');
      await page.reload();
      await pim.waitFor();
    });
    await fillPimForm(page, meter, sandbox, sandbox.secret);
    await meter.click(pim.getByRole('button', { name: 'Test' }));
    await page.getByTestId('pim-test-ok').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('pim-test-ok').textContent()).toMatch(/Akeneo .* edition/);
    await meter.detour(() => shot('setup-3-pim-ok'));
    await meter.click(pim.getByRole('button', { name: 'Continue' }));

    // 3. The ERP: the demo ERP's generated form.
    const erp = page.getByTestId('erp-section');
    await erp.waitFor();
    await meter.screen('ERP');
    await expectResumes(page, meter);
    await meter.click(erp.getByRole('button', { name: /More settings/ }));
    await meter.fill(erp.getByRole('textbox', { name: /^Items/ }), '40');
    await meter.click(erp.getByRole('button', { name: 'Test' }));
    await page.getByTestId('erp-test-ok').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('erp-test-ok').textContent()).toMatch(/items 40/);
    await meter.detour(() => shot('setup-4-erp-ok'));
    await meter.click(erp.getByRole('button', { name: 'Continue' }));

    // 4. Mapping: the demo preset (chosen for the demo ERP), kept.
    await page.getByText('How do ERP fields become PIM attributes?').waitFor();
    await meter.screen('Mapping');
    await expectResumes(page, meter);
    const yaml = readFileSync(join(dir, 'ferry.yaml'), 'utf8');
    expect(yaml).toContain('secret: ${secret:PIM_SECRET}');
    expect(yaml).not.toContain(sandbox.secret);
    expect(yaml).not.toContain(sandbox.password);
    await meter.click(page.getByRole('button', { name: 'Preview on 5 ERP items' }));
    await page.getByTestId('mapping-preview').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('mapping-preview').textContent()).toMatch(/\d+ ERP items become \d+ PIM records/);
    await meter.detour(() => shot('setup-5-mapping'));
    await meter.click(page.getByRole('button', { name: 'Continue' }));

    // 5. Bootstrap: the Bootstrap page's grouped plan, applied after confirmation, a result per item.
    await page.getByTestId('bootstrap-plan').waitFor({ timeout: 60_000 });
    await meter.screen('Prepare the PIM');
    await expectResumes(page, meter);
    expect(await bootstrapThePim(page, meter, shot, 'setup-6-bootstrap-plan')).toMatch(/\d+ created, \d+ updated/);

    // 6. Dry run, its plan shown; 7. the first real import, live (each left and resumed).
    const runs = await dryRunThenFirstImport(page, meter, shot, { dryRun: 'setup-7-dry-run', firstRun: 'setup-8-first-run' });
    expect(runs.dryRun).toMatch(/\d+ records read: \d+ to create.*product: 40 create/);
    expect(runs.firstRun).toMatch(/The first import: succeeded/);
    expect(runs.firstRun).toMatch(/\d+ records read: \d+ created, 0 updated, 0 unchanged, 0 refused/);

    // 8. Schedule, 9. notifications (skipped), done.
    const figure = await scheduleAndFinish(page, meter, shot, 'demo ERP', 'setup-9-done');
    expect(figure).toMatch(/^wizard\[demo ERP\]: \d+ steps/);

    // The Connections page shows the saved connection, secrets write-only.
    await page.goto(`${server.url}/connections`);
    await page.getByTestId('pim-section').waitFor();
    expect(await page.getByTestId('pim-section').getByLabel(/^Secret/).inputValue()).toBe('');
    await shot('connections');

    // A change saved from Connections: the diff first, then only that line changes in the file.
    const before = readFileSync(join(dir, 'ferry.yaml'), 'utf8');
    const pimSection = page.getByTestId('pim-section');
    await pimSection.getByRole('button', { name: /More settings/ }).click();
    await pimSection.getByRole('textbox', { name: /^Timeout \(ms\)/ }).fill('45000');
    await pimSection.getByRole('button', { name: 'Save…' }).click();
    const diff = (await page.getByTestId('config-diff').textContent()) ?? '';
    expect(diff).toContain('+  timeoutMs: 45000');
    expect(diff.split('\n').filter((l) => l.startsWith('-') && !l.startsWith('---'))).toEqual([]);
    await shot('connections-save-diff');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('ferry.yaml has the new PIM connection.').waitFor();
    const after = readFileSync(join(dir, 'ferry.yaml'), 'utf8');
    expect(after.replace('  timeoutMs: 45000\n', '')).toBe(before);
    await page.goto(`${server.url}/config-history`);
    await page.getByTestId('config-history').waitFor();
    expect(await page.getByTestId('config-history').textContent()).toContain('PIM connection');
    await shot('config-history');

    // The CLI uses the same file (secrets from the encrypted file, key beside the state).
    const cli = await ferry(['sync'], dir);
    expect(cli.code, cli.stdout + cli.stderr).toBe(0);
    expect(cli.stdout + cli.stderr).toMatch(/unchanged/);
    expect(cli.stdout + cli.stderr).not.toContain(sandbox.secret);
  }, 600_000);
});
