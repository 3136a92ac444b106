/**
 * End to end: the CAP S/4 stand-in (AdventureWorks) → ferry sync with `mapping.preset: s4` and
 * no other mapping → a sandbox PIM. A first import needs no mapping work (configurable materials
 * become product models with their variants); a second run writes nothing; a name changed in S/4 travels by delta; a deletion flag disables the product.
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
import { testCatalog } from './catalog.js';
import { PASSWORD, startIfPossible, USER, type ODataTestServer } from './server.js';

const silent = createLogger({ level: 'silent' });
const tempDir = tempDirs('ferry-odata-e2e-');
const catalog = testCatalog();
// Started at load time, so a server that cannot start skips the file (fails under CI=true).
const started = await startIfPossible(catalog);

describe.runIf(started !== null)('S/4 (OData) → sandbox, end to end with mapping.preset: s4', () => {
  const server = started as ODataTestServer;
  let sandbox: RunningSandbox;
  let base: AkeneoClient;
  let client: AkeneoClient;
  let writes: RecordedWrite[];
  let config: FerryConfig;

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
      erp: { type: 'odata', profile: 's4', url: server.v2, auth: { kind: 'basic', username: USER, password: PASSWORD }, deltaMarginSeconds: 0 },
      mapping: { preset: 's4' },
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

  it('imports the catalogue with the preset alone', async () => {
    const r = await sync({ full: true });
    expect(r.status, JSON.stringify(r.counts)).toBe('succeeded');
    const items = catalog.products.filter((p) => p.ProductType !== 'KMAT');
    expect(r.byType.product.read).toBe(items.length);
    expect(r.counts.rejected).toBe(0);
    expect(r.byType.product.created).toBe(items.filter((p) => !p.IsMarkedForDeletion).length);
    // Configurable materials with two or more variants become product models (one variant: a simple product).
    const variantsOf = new Map<string, string[]>();
    for (const p of items) if (p.CrossPlantConfigurableProduct) variantsOf.set(p.CrossPlantConfigurableProduct, [...(variantsOf.get(p.CrossPlantConfigurableProduct) ?? []), p.Product]);
    const models = [...variantsOf].filter(([, v]) => v.length > 1);
    expect(r.byType.product_model.created).toBe(models.length);
    if (models.length) {
      const [model, variants] = models[0]!;
      expect((await product(variants[0]!))?.parent).toBe(model);
    }
    const first = items[0]!;
    const p = await product(first.Product);
    expect(p?.values?.name?.find((v) => v.locale === 'en_US')?.data).toBe(catalog.descriptions.find((d) => d.Product === first.Product && d.Language === 'EN')!.ProductDescription);
  }, 120_000);

  it('a second run with no change writes nothing', async () => {
    writes.length = 0;
    const r = await sync();
    expect(r.counts.created + r.counts.updated + r.counts.deleted + r.counts.rejected).toBe(0);
    expect(writes).toHaveLength(0);
  }, 60_000);

  it('a name changed in S/4 arrives by delta; a deletion flag disables the product', async () => {
    const items = catalog.products.filter((p) => p.ProductType !== 'KMAT' && !p.IsMarkedForDeletion);
    const [renamed, flagged] = [items[1]!.Product, items[2]!.Product];
    const now = new Date(Date.now() + 60_000).toISOString();
    await server.db((cds, db) =>
      db.run(cds.ql.UPDATE('s4.A_ProductDescription').set({ ProductDescription: 'Renamed in S/4' }).where({ Product: renamed, Language: 'EN' })),
    );
    await server.db((cds, db) => db.run(cds.ql.UPDATE('s4.A_Product').set({ LastChangeDateTime: now }).where({ Product: renamed })));
    await server.db((cds, db) => db.run(cds.ql.UPDATE('s4.A_Product').set({ LastChangeDateTime: now, IsMarkedForDeletion: true }).where({ Product: flagged })));
    const r = await sync();
    expect(r.status).toBe('succeeded');
    expect(r.byType.product.read).toBeLessThanOrEqual(40);
    const p = await product(renamed);
    expect(p?.values?.name?.find((v) => v.locale === 'en_US')?.data).toBe('Renamed in S/4');
    expect((await product(flagged))?.enabled).toBe(false);
  }, 60_000);
});
