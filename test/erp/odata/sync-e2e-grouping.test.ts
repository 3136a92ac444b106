/**
 * End to end with `mapping.preset: s4` and a grouping field the user names instead of the
 * configurable material (`erp.streams.items.group: ProductGroup`): the materials sharing a
 * product group become the variants of one model, told apart by `variant`.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AkeneoClient } from '../../../src/akeneo/index.js';
import { ferryConfigSchema, type FerryConfig } from '../../../src/config/schema.js';
import { createErpSource } from '../../../src/erp/factory.js';
import { createLogger } from '../../../src/logging.js';
import { startSandbox, type RunningSandbox } from '../../../src/sandbox/index.js';
import { runSync } from '../../../src/app/run-sync.js';
import { bootstrapPim } from '../../../src/sync/bootstrap.js';
import { checkCounts, sandboxPimConfig, tempDirs } from '../../sync/support/e2e.js';
import { clientFor } from '../../sync/support/pim.js';
import { generatedProducts } from './catalog.js';
import { PASSWORD, startIfPossible, USER, type ODataTestServer } from './server.js';

const silent = createLogger({ level: 'silent' });
const tempDir = tempDirs('ferry-odata-grouping-e2e-');
// 70 materials in 7 product groups (G000 … G006), no configurable materials.
const catalog = generatedProducts(70);
const started = await startIfPossible(catalog);

describe.runIf(started !== null)('S/4 (OData) → sandbox with preset s4 and a grouping field the user names', () => {
  const server = started as ODataTestServer;
  let sandbox: RunningSandbox;
  let client: AkeneoClient;
  let config: FerryConfig;

  beforeAll(async () => {
    sandbox = await startSandbox({ catalog: 'demo' });
    config = ferryConfigSchema.parse({
      pim: sandboxPimConfig(sandbox),
      erp: {
        type: 'odata',
        profile: 's4',
        url: server.v4,
        auth: { kind: 'basic', username: USER, password: PASSWORD },
        streams: { items: { entitySet: 'A_Product', key: 'Product', group: 'ProductGroup' } },
      },
      mapping: { preset: 's4' },
      state: { path: join(tempDir(), 'ferry.db') },
    });
    client = clientFor(sandbox);
    const source = createErpSource(config.erp);
    try {
      await bootstrapPim(client, config.mapping, source);
    } finally {
      await source.close();
    }
  }, 180_000);

  afterAll(async () => {
    await client?.close();
    await sandbox?.close();
    await started?.close();
  });

  it('makes one model per product group, its materials the variants', async () => {
    const r = await runSync(config, { client, logger: silent, full: true });
    checkCounts(r);
    expect(r.status, JSON.stringify({ counts: r.counts, rejects: r.rejects.slice(0, 3) })).toBe('succeeded');
    expect(r.byType.product.created).toBe(70);
    const models: string[] = [];
    for await (const m of client.productModels.list({})) models.push(m.code);
    expect(models.sort()).toEqual(['G000', 'G001', 'G002', 'G003', 'G004', 'G005', 'G006']);
    const perModel = new Map<string, number>();
    for await (const p of client.products.list({})) perModel.set(p.parent ?? '(none)', (perModel.get(p.parent ?? '(none)') ?? 0) + 1);
    expect(Object.fromEntries(perModel)).toEqual(Object.fromEntries(models.map((m) => [m, 10])));
  }, 120_000);
});
