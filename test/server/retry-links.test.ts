/**
 * Run detail beyond products: a product model's record links into the PIM (through one of its
 * variant products, the only page Akeneo opens by a REST-known id), and Retry rejected also
 * retries rejected categories, alone, as a run on exactly those categories.
 */
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDetailSchema, runRecordsPageSchema } from '../../src/server/api/contract.js';
import { clientFor } from '../sync/support/pim.js';
import { tempDirs } from '../sync/support/e2e.js';
import { consoleStateKinds, editErp, runThroughApi, startTestConsole, type TestConsole } from './support.js';

const stateKinds = await consoleStateKinds();
const tempDir = tempDirs('ferry-console-retry-');

describe.each(stateKinds)('Console API on a $name state: model links and retry of rejected categories', (kind) => {
  let tc: TestConsole;
  let firstRun: number;
  beforeAll(async () => {
    tc = await startTestConsole(tempDir(), { state: kind });
    // A category whose parent the ERP does not have: the PIM refuses it.
    // (The demo ERP's schema declares the foreign key; a real ERP export need not.)
    const erp = new Database((tc.config.erp as { path: string }).path);
    erp.pragma('foreign_keys = OFF');
    erp.prepare("INSERT INTO categories (code, parent_code, name_en, updated_at) VALUES ('orphan_shelf', 'no_such_parent', 'Orphan shelf', '2020-01-01 00:00:00')").run();
    erp.close();
    firstRun = (await runThroughApi(tc, { mode: 'full' })).runId!;
  });
  afterAll(async () => tc?.close());

  const get = async (url: string) => {
    const res = await tc.server.app.inject({ method: 'GET', url, headers: tc.as.viewer.headers });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as unknown;
  };

  it('links a product model to the PIM page of one of its variants, and a product to its own page', async () => {
    const page = runRecordsPageSchema.parse(await get(`/api/v1/runs/${firstRun}/records?pageSize=500`));
    const model = page.items.find((r) => r.entityType === 'product_model' && r.outcome === 'created');
    expect(model, 'the full run created product models').toBeDefined();
    const m = new RegExp(`^${tc.sb.url}/#/enrich/product/([0-9a-f-]{36})$`).exec(model!.pimLink ?? '');
    expect(m, `model link ${model!.pimLink}`).not.toBeNull();
    const client = clientFor(tc.sb);
    try {
      const variant = (await client.products.get(m![1]!)) as { parent?: string | null };
      // The variant's parent is the model itself or one of its sub-models.
      const parent = variant.parent!;
      const chain = [parent];
      const sub = (await client.productModels.get(parent)) as { parent?: string | null };
      if (sub.parent) chain.push(sub.parent);
      expect(chain.map((c) => c.toLowerCase()).some((c) => c.includes(model!.key.toLowerCase()) || model!.key.toLowerCase().includes(c))).toBe(true);
    } finally {
      await client.close();
    }
    const product = page.items.find((r) => r.entityType === 'product' && r.outcome === 'created')!;
    expect(product.pimLink).toMatch(new RegExp(`^${tc.sb.url}/#/enrich/product/[0-9a-f-]{36}$`));
    // A refused category has no page in the PIM.
    expect(page.items.find((r) => r.key === 'orphan_shelf')?.pimLink ?? null).toBeNull();
  });

  it('retries a rejected category alone: a run reading exactly that category, no product', async () => {
    const detail = runDetailSchema.parse(await get(`/api/v1/runs/${firstRun}`));
    expect(detail.report!.rejects.map((r) => r.key)).toContain('orphan_shelf');
    expect(detail.report!.rejects.every((r) => r.stream === 'categories'), JSON.stringify(detail.report!.rejects)).toBe(true);

    // Fix it in the ERP (a real parent), then retry from the run's rejects.
    editErp(tc.config, "UPDATE categories SET parent_code = (SELECT code FROM categories WHERE parent_code IS NULL LIMIT 1), updated_at = '2020-01-02 00:00:00' WHERE code = 'orphan_shelf'");
    const retry = await tc.server.app.inject({ method: 'POST', url: `/api/v1/runs/${firstRun}/retry-rejected`, headers: tc.as.operator.headers, payload: {} });
    expect(retry.statusCode, retry.body).toBe(202);
    await tc.server.ctx.manager.idle();
    const after = runDetailSchema.parse(await get(`/api/v1/runs/${(retry.json() as { runId: number }).runId}`));
    expect(after.run.status).toBe('succeeded');
    expect(after.options).toMatchObject({ keys: [], categoryKeys: ['orphan_shelf'] });
    expect(after.report!.counts.read).toBe(1);
    expect(after.report!.byType['category']?.created).toBe(1);
    expect(after.report!.byType['product']?.read ?? 0).toBe(0);
    const client = clientFor(tc.sb);
    try {
      const codes: string[] = [];
      for await (const c of client.categories.list()) codes.push(c.code);
      expect(codes.some((c) => /orphan_shelf/i.test(c)), codes.join(' ')).toBe(true);
    } finally {
      await client.close();
    }
  });
});
