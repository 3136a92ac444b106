/**
 * Counts that match what happened (issue 11, point 8): a fresh import under `500-after-write`
 * faults (the PIM writes, then answers 500; the client resends and is answered "updated") still
 * reports creates; a sub-model created by a delta counts its group as created, not unchanged.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ferryConfigSchema } from '../../src/config/schema.js';
import { createErpSource } from '../../src/erp/factory.js';
import { createLogger } from '../../src/logging.js';
import { startSandbox } from '../../src/sandbox/index.js';
import { runSync } from '../../src/app/run-sync.js';
import { bootstrapPim } from '../../src/sync/bootstrap.js';
import { checkCounts, sandboxPimConfig, tempDirs } from './support/e2e.js';
import { clientFor, pimSnapshot } from './support/pim.js';

const silent = createLogger({ level: 'silent' });
const tempDir = tempDirs('ferry-counts-e2e-');

describe('counts under faults', () => {
  it('a fresh import under 500-after-write counts every product created, none updated', async () => {
    const sb = await startSandbox({ catalog: 'demo', faults: '500-after-write:0.25', seed: 11 });
    const dir = tempDir();
    try {
      const config = ferryConfigSchema.parse({
        pim: sandboxPimConfig(sb, { limits: { maxRetries: 8 } }),
        erp: { type: 'demo', path: join(dir, 'demo-erp.sqlite'), items: 300, seed: 4 },
        mapping: { preset: 'demo' },
        state: { path: join(dir, 'ferry.db') },
      });
      const client = clientFor(sb, {});
      const source = createErpSource(config.erp);
      await bootstrapPim(client, config.mapping, source);
      await source.close();
      const report = await runSync(config, { logger: silent, full: true });
      checkCounts(report);
      expect(report.status, JSON.stringify(report.rejects.slice(0, 3))).toBe('succeeded');
      expect((sb.stats().faultsInjected as Record<string, number>)['500-after-write']).toBeGreaterThan(0);
      const snap = await pimSnapshot(client);
      await client.close();
      expect(report.byType.product.updated).toBe(0);
      expect(report.byType.product.created).toBe(snap.productCount);
    } finally {
      await sb.close();
    }
  }, 120_000);

  // Product models, categories (and products under /products, without Ferry's own uuids) were
  // counted by the PIM's last answer: a create resent by the client after a 500 came back 204.
  for (const endpoints of ['uuid', 'identifier'] as const) {
    it(`a fresh import under 500-after-write (${endpoints} endpoints) counts models and categories created, none updated`, async () => {
      const sb = await startSandbox({ catalog: 'demo', faults: '500-after-write:0.3', seed: 12 });
      const dir = tempDir();
      try {
        const config = ferryConfigSchema.parse({
          pim: sandboxPimConfig(sb, { endpoints, limits: { maxRetries: 8 } }),
          erp: { type: 'demo', path: join(dir, 'demo-erp.sqlite'), items: 200, seed: 5 },
          mapping: { preset: 'demo' },
          state: { path: join(dir, 'ferry.db') },
        });
        const client = clientFor(sb, {});
        const source = createErpSource(config.erp);
        await bootstrapPim(client, config.mapping, source);
        await source.close();
        const before = await pimSnapshot(client);
        const report = await runSync(config, { logger: silent, full: true });
        checkCounts(report);
        expect(report.status, JSON.stringify(report.rejects.slice(0, 3))).toBe('succeeded');
        expect((sb.stats().faultsInjected as Record<string, number>)['500-after-write']).toBeGreaterThan(0);
        const snap = await pimSnapshot(client);
        await client.close();
        const newCategories = Object.keys(snap.categories).filter((c) => !(c in before.categories)).length;
        const models = Object.keys(snap.models).length;
        expect(models).toBeGreaterThan(0);
        expect(newCategories).toBeGreaterThan(0);
        for (const type of ['product', 'product_model', 'category'] as const) expect(report.byType[type].updated, type).toBe(0);
        expect(report.byType.product.created).toBe(snap.productCount);
        expect(report.byType.category.created).toBe(newCategories);
        expect(report.byType.product_model.created).toBeGreaterThan(0);
      } finally {
        await sb.close();
      }
    }, 120_000);
  }
});
