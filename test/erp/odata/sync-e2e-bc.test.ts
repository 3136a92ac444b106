/**
 * End to end: the CAP Business Central stand-in (AdventureWorks) → ferry sync with
 * `mapping.preset: bc` and no other mapping → a sandbox PIM. A first import needs no mapping
 * work: items with variants become product models whose variants are the item variants, item
 * categories a category tree; a second run writes nothing; a name changed in BC reaches the
 * model by delta and a blocked item is disabled.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AkeneoClient } from '../../../src/akeneo/index.js';
import type { Product } from '../../../src/akeneo/model.js';
import { ferryConfigSchema, type FerryConfig } from '../../../src/config/schema.js';
import { createErpSource } from '../../../src/erp/factory.js';
import { createLogger } from '../../../src/logging.js';
import { startSandbox, type RunningSandbox } from '../../../src/sandbox/index.js';
import { runSync } from '../../../src/app/run-sync.js';
import { bootstrapPim } from '../../../src/sync/bootstrap.js';
import type { RunReport } from '../../../src/sync/report.js';
import { checkCounts, sandboxPimConfig, tempDirs } from '../../sync/support/e2e.js';
import { clientFor, recordingClient, type RecordedWrite } from '../../sync/support/pim.js';
import { BC_COMPANY, testBcCatalog } from './bc-catalog.js';
import { generatedProducts } from './catalog.js';
import { PASSWORD, startIfPossible, USER, type ODataTestServer } from './server.js';

const silent = createLogger({ level: 'silent' });
const tempDir = tempDirs('ferry-odata-bc-e2e-');
const bc = testBcCatalog();
const company = bc.companies[0]!;
const started = await startIfPossible(generatedProducts(1), bc);


describe.runIf(started !== null)('Business Central (OData) → sandbox, end to end with mapping.preset: bc', () => {
  const server = started as ODataTestServer;
  let sandbox: RunningSandbox;
  let base: AkeneoClient;
  let client: AkeneoClient;
  let writes: RecordedWrite[];
  let config: FerryConfig;
  const mainItems = bc.items.filter((i) => i.companyId === company.id);
  const withVariants = new Set(bc.variants.map((v) => v.itemNumber));
  const plainItems = mainItems.filter((i) => !withVariants.has(i.number));

  async function sync(options: { full?: boolean } = {}): Promise<RunReport> {
    const report = await runSync(config, { client, logger: silent, ...options });
    checkCounts(report);
    return report;
  }

  async function product(sku: string): Promise<Product | undefined> {
    const search = JSON.stringify({ sku: [{ operator: 'IN', value: [sku] }] });
    for await (const p of base.products.list({ search })) return p;
    return undefined;
  }

  beforeAll(async () => {
    sandbox = await startSandbox({ catalog: 'demo' });
    config = ferryConfigSchema.parse({
      pim: sandboxPimConfig(sandbox),
      erp: { type: 'odata', profile: 'bc', url: server.bc, company: BC_COMPANY, auth: { kind: 'basic', username: USER, password: PASSWORD }, deltaMarginSeconds: 0 },
      mapping: { preset: 'bc' },
      state: { path: join(tempDir(), 'ferry.db') },
      sync: { deletion: 'disable' },
    });
    base = clientFor(sandbox);
    ({ client, writes } = recordingClient(base));
    const source = createErpSource(config.erp);
    try {
      await bootstrapPim(base, config.mapping, source);
    } finally {
      await source.close();
    }
  }, 180_000);

  afterAll(async () => {
    await base?.close();
    await sandbox?.close();
    await started?.close();
  });

  it('imports items, item variants as models with variants, and categories with the preset alone', async () => {
    const r = await sync({ full: true });
    expect(r.status, JSON.stringify({ counts: r.counts, rejects: r.rejects.slice(0, 3), skipped: r.skipped })).toBe('succeeded');
    expect(r.counts.rejected).toBe(0);
    expect(r.byType.product.read).toBe(plainItems.length + bc.variants.length);
    expect(r.byType.product_model.created).toBe(withVariants.size);
    expect(r.byType.category.created).toBeGreaterThanOrEqual(bc.categories.length);
    const v = bc.variants[0]!;
    const model = mainItems.find((i) => i.number === v.itemNumber)!;
    const variant = await product(`${v.itemNumber}-${v.code}`);
    expect(variant?.parent).toBe(v.itemNumber);
    expect(variant?.values?.variant_description?.[0]?.data).toBe(v.description);
    const m = await base.productModels.get(v.itemNumber);
    expect(m.values?.name?.find((x) => x.locale === 'en_US')?.data).toBe(model.displayName);
    // The item category lands on the model (AdventureWorks' items without variants have none).
    expect(model.itemCategoryCode).not.toBeNull();
    expect(m.categories).toHaveLength(1);
    expect(m.categories?.[0]).toMatch(/^bc_/);
    const plain = plainItems.find((i) => !i.blocked)!;
    const p = await product(plain.number);
    expect(p?.parent ?? null).toBeNull();
    expect(p?.values?.name?.find((x) => x.locale === 'en_US')?.data).toBe(plain.displayName);
  }, 120_000);

  it('a second run with no change writes nothing', async () => {
    writes.length = 0;
    const r = await sync();
    expect(r.counts.created + r.counts.updated + r.counts.deleted + r.counts.rejected).toBe(0);
    expect(writes).toHaveLength(0);
  }, 60_000);

  it('a renamed item with variants reaches its model by delta; a blocked item is disabled', async () => {
    const now = new Date(Date.now() + 60_000).toISOString();
    const model = [...withVariants][0]!;
    const blocked = plainItems.filter((i) => !i.blocked)[1]!.number;
    await server.db((cds, db) => db.run(cds.ql.UPDATE('bc.items').set({ displayName: 'Renamed in BC', lastModifiedDateTime: now }).where({ number: model, companyId: company.id })));
    await server.db((cds, db) => db.run(cds.ql.UPDATE('bc.items').set({ blocked: true, lastModifiedDateTime: now }).where({ number: blocked, companyId: company.id })));
    const r = await sync();
    expect(r.status).toBe('succeeded');
    const m = await base.productModels.get(model);
    expect(m.values?.name?.find((x) => x.locale === 'en_US')?.data).toBe('Renamed in BC');
    expect((await product(blocked))?.enabled).toBe(false);
  }, 60_000);
});
