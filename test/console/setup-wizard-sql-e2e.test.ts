/**
 * The first-run wizard again, with the ERP a real SQL database: a throw-away PostgreSQL database
 * holding a small products table. From `ferry serve` in an empty folder and its one-time link:
 * admin → PIM sandbox (tested) → the SQL adapter's generated form (client, connection URL, the
 * `streams` JSON), tested → identity mapping from the fields the ERP describes → bootstrap → dry
 * run → first import (the dozen products land in the sandbox) → nightly schedule → done; then
 * `ferry sync` in a terminal on the saved ferry.yaml. Steps and seconds are printed as
 * `wizard[SQL on PostgreSQL]: …`. Without PostgreSQL it skips (fails under CI).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';
import { createPgDatabase, pgProblem, serviceGate, type TestDatabase } from '../erp/sql/databases.js';
import { ferry } from '../support/ferry-cli.js';
import { tempDirs } from '../sync/support/e2e.js';
import { clientFor, pimSnapshot } from '../sync/support/pim.js';
import { chromiumAvailable, launchChromium } from './support/browser.js';
import { ensureWebBuilt } from './support/console.js';
import { bootstrapThePim, createFirstAdmin, dryRunThenFirstImport, expectResumes, fillPimForm, scheduleAndFinish, serveFirstRun, WizardMeter, type ServedFerry } from './support/first-run.js';

const run = chromiumAvailable() && serviceGate('PostgreSQL', await pgProblem());
const tempDir = tempDirs('ferry-setup-sql-e2e-');

const COLOURS = ['red', 'green', 'blue'] as const;
const PRODUCTS = Array.from({ length: 12 }, (_, i) => ({
  sku: `PG-${String(i + 1).padStart(3, '0')}`,
  name: `Pump model ${i + 1}`,
  colour: COLOURS[i % COLOURS.length]!,
  updated_at: new Date(Date.UTC(2026, 0, 1 + i)),
}));

/** The adapter's `streams`, as a person types it into the form's JSON input. */
const STREAMS = {
  items: {
    table: 'erp_products',
    key: 'sku',
    updatedAt: 'updated_at',
    fields: { name: 'name', colour: { column: 'colour', type: 'select' } },
  },
};

describe.skipIf(!run)('first-run wizard in Chromium, ERP = SQL adapter on PostgreSQL', () => {
  let browser: Browser;
  let sandbox: RunningSandbox;
  let db: TestDatabase;
  let server: ServedFerry | null = null;
  let page: Page;
  const dir = tempDir();

  beforeAll(async () => {
    ensureWebBuilt();
    db = await createPgDatabase();
    await db.knex.schema.createTable('erp_products', (t) => {
      t.string('sku').primary();
      t.string('name').notNullable();
      t.string('colour').notNullable();
      t.timestamp('updated_at', { useTz: true }).notNullable();
    });
    await db.knex('erp_products').insert(PRODUCTS);
    sandbox = await startSandbox({ catalog: 'demo', secret: 'sandbox-secret-3141', password: 'sandbox-password-3141' });
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    server?.child.kill('SIGTERM');
    await browser?.close();
    await sandbox?.close();
    await db?.drop();
  });

  it('goes from an empty folder to a first import of the PostgreSQL products, and the CLI uses the saved config', async (testCtx) => {
    testCtx.onTestFailed(async () => {
      await page?.screenshot({ path: join(dir, 'failure.png'), fullPage: true });
      console.log(`failure screenshot: ${join(dir, 'failure.png')}\n${server?.output() ?? ''}`);
    });
    const shot = async (name: string) => {
      await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
    };
    const pimClient = clientFor(sandbox);
    const before = await pimSnapshot(pimClient);
    for (const p of PRODUCTS) expect(before.products[p.sku]).toBeUndefined();

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
    page = await context.newPage();
    const meter = new WizardMeter(page);
    server = await serveFirstRun(dir);

    // 1. The one-time link: the first admin.
    await createFirstAdmin(page, meter, server.link, shot, 'sql-setup-1-admin');

    // 2. The PIM sandbox, tested.
    await meter.screen('PIM');
    await expectResumes(page, meter);
    const pim = page.getByTestId('pim-section');
    await fillPimForm(page, meter, sandbox, sandbox.secret);
    await meter.click(pim.getByRole('button', { name: 'Test' }));
    await page.getByTestId('pim-test-ok').waitFor({ timeout: 30_000 });
    await meter.detour(() => shot('sql-setup-2-pim-ok'));
    await meter.click(pim.getByRole('button', { name: 'Continue' }));

    // 3. The ERP: the SQL adapter's generated form on the throw-away PostgreSQL database.
    const erp = page.getByTestId('erp-section');
    await erp.waitFor();
    await meter.screen('ERP');
    await expectResumes(page, meter);
    await meter.click(erp.getByLabel(/^Kind of ERP/));
    await meter.click(page.getByRole('option', { name: /^SQL database/ }));
    await meter.click(erp.getByLabel(/^Client/));
    await meter.click(page.getByRole('option', { name: 'pg', exact: true }));
    const c = db.connection as { host: string; port: number; user: string; database: string };
    await meter.fill(erp.getByRole('textbox', { name: /^Connection/ }), `postgres://${c.user}@${c.host}:${c.port}/${c.database}`);
    await meter.click(erp.getByRole('button', { name: /More settings/ }));
    await meter.fill(erp.getByRole('textbox', { name: /^Streams/ }), JSON.stringify(STREAMS, null, 2));
    await meter.click(erp.getByRole('button', { name: 'Test' }));
    const erpOk = page.getByTestId('erp-test-ok');
    await erpOk.waitFor({ timeout: 60_000 });
    expect(await erpOk.textContent()).toMatch(/Connected to PostgreSQL/);
    expect(await erpOk.textContent()).toMatch(/items 12/);
    await meter.detour(() => shot('sql-setup-3-erp-ok'));
    await meter.click(erp.getByRole('button', { name: 'Continue' }));

    // 4. Mapping: identity from the fields the SQL stream describes (no preset knows this ERP).
    await page.getByText('How do ERP fields become PIM attributes?').waitFor();
    await meter.screen('Mapping');
    await expectResumes(page, meter);
    const yaml = readFileSync(join(dir, 'ferry.yaml'), 'utf8');
    expect(yaml).toMatch(/type: sql/);
    expect(yaml).toMatch(/client: pg/);
    expect(yaml).toContain('erp_products');
    expect(yaml).toMatch(/identity:\s*\n\s*enabled: true/);
    expect(await page.getByRole('radio', { name: /^Identity/ }).isChecked()).toBe(true);
    await meter.click(page.getByRole('button', { name: 'Preview on 5 ERP items' }));
    const preview = page.getByTestId('mapping-preview');
    await preview.waitFor({ timeout: 60_000 });
    expect(await preview.textContent()).toMatch(/5 ERP items become \d+ PIM records \(0 problems\)/);
    // Identity feeds name and colour once the next step creates them: the preview says so.
    expect(await preview.textContent()).toMatch(/the next step creates them: attribute colour, attribute name\./);
    await meter.detour(() => shot('sql-setup-4-mapping'));
    await meter.click(page.getByRole('button', { name: 'Continue' }));

    // 5. Bootstrap: the plan (the attributes for the described fields, one row each), then applied.
    await page.getByTestId('bootstrap-plan').waitFor({ timeout: 60_000 });
    await meter.screen('Prepare the PIM');
    await expectResumes(page, meter);
    expect(await page.getByTestId('plan-attribute-name').textContent()).toMatch(/create/);
    expect(await page.getByTestId('plan-attribute-colour').textContent()).toMatch(/simpleselect/);
    await bootstrapThePim(page, meter, shot, 'sql-setup-5-bootstrap-plan');

    // 6. Dry run: the twelve products planned; 7. the first real import (each left and resumed).
    const runs = await dryRunThenFirstImport(page, meter, shot, { dryRun: 'sql-setup-6-dry-run', firstRun: 'sql-setup-7-first-run' });
    expect(runs.dryRun).toMatch(/product: 12 create/);
    expect(runs.firstRun).toMatch(/The first import: succeeded/);
    expect(runs.firstRun).toMatch(/\d+ records read: \d+ created, 0 updated, 0 unchanged, 0 refused/);

    // 8. Schedule, 9. notifications (skipped), done.
    expect(await scheduleAndFinish(page, meter, shot, 'SQL on PostgreSQL', 'sql-setup-8-done')).toMatch(/^wizard\[SQL on PostgreSQL\]: \d+ steps/);

    // The sandbox holds the dozen products, each with its name and colour from PostgreSQL.
    const after = await pimSnapshot(pimClient);
    expect(after.productCount - before.productCount).toBe(PRODUCTS.length);
    for (const p of PRODUCTS) {
      const values = JSON.stringify((after.products[p.sku] as { values: unknown } | undefined)?.values ?? null);
      expect(values, p.sku).toContain(p.name);
      expect(values.toLowerCase(), p.sku).toContain(p.colour);
    }

    // The CLI uses the same file (PostgreSQL URL, streams, secrets): one product renamed in the
    // ERP is the one update of the next delta sync.
    await db.knex('erp_products').where({ sku: 'PG-005' }).update({ name: 'Pump model 5, revised', updated_at: new Date() });
    const cli = await ferry(['sync'], dir);
    expect(cli.code, cli.stdout + cli.stderr).toBe(0);
    expect(cli.stdout).toMatch(/succeeded; \d+ read, 0 created, 1 updated, \d+ unchanged, 0 rejected/);
    const revised = await pimSnapshot(pimClient);
    expect(JSON.stringify((revised.products['PG-005'] as { values: unknown }).values)).toContain('Pump model 5, revised');
  }, 600_000);
});
