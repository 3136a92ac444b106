/**
 * End to end with the real pieces: the generated SQLite demo ERP → the real mapper → the sync
 * engine → the real Akeneo client → the PIM sandbox. This is the Quick start's path.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ferryConfigSchema } from '../../src/config/schema.js';
import { createErpSource } from '../../src/erp/factory.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';
import { runSync } from '../../src/sync/index.js';
import { createLogger } from '../../src/logging.js';
import { bootstrapPim } from '../../src/sync/bootstrap.js';
import { runQuickstart } from '../../src/app/quickstart.js';
import { checkCounts, sandboxPimConfig, tempDirs } from './support/e2e.js';
import { clientFor, pimSnapshot, recordingClient } from './support/pim.js';

const silent = createLogger({ level: 'silent' });
const tempDir = tempDirs('ferry-sync-e2e-');

async function syncDemo(sb: RunningSandbox, dir: string, items: number, options: { full?: boolean; verify?: boolean; repair?: boolean } = {}) {
  const config = ferryConfigSchema.parse({
    pim: sandboxPimConfig(sb),
    erp: { type: 'demo', path: join(dir, 'demo-erp.sqlite'), items, seed: 7 },
    mapping: { preset: 'demo' },
    state: { path: join(dir, 'ferry.db') },
  });
  const base = clientFor(sb);
  const { client, writes } = recordingClient(base);
  const source = createErpSource(config.erp);
  try {
    await bootstrapPim(base, config.mapping, source);
    const report = await runSync(config, { client, source, logger: silent, ...options });
    checkCounts(report);
    return { report, writes, snapshot: await pimSnapshot(base) };
  } finally {
    await source.close();
    await base.close();
  }
}

describe('demo ERP → sandbox, end to end', () => {
  it('the Quick start: a first full sync creates everything; the next one writes nothing', async () => {
    const dir = tempDir();
    const first = await runQuickstart({ dataDir: dir, items: 300 });
    checkCounts(first);
    expect(first.status).toBe('succeeded');
    expect(first.counts.rejected).toBe(0);
    expect(first.byType.product.created).toBeGreaterThan(200);
    expect(first.byType.product_model.created).toBeGreaterThan(10);
    expect(first.byType.category.created).toBeGreaterThan(5);
    const second = await runQuickstart({ dataDir: dir, items: 300 });
    checkCounts(second);
    expect(second.requests.writes).toBe(0);
    expect(second.counts.created + second.counts.updated + second.counts.rejected).toBe(0);
    expect(second.counts.unchanged).toBe(first.counts.created);
  });

  it('--verify finds a value changed in the PIM and an entity deleted there; --repair puts them back', async () => {
    const sb = await startSandbox({ catalog: 'demo' });
    const dir = tempDir();
    try {
      const first = await syncDemo(sb, dir, 120, { full: true });
      expect(first.report.status).toBe('succeeded');
      const client = clientFor(sb);
      const products: { uuid: string; sku: string; values: Record<string, { locale: string | null; scope: string | null; data: unknown }[]> }[] = [];
      for await (const p of client.products.list({ limit: 100 })) {
        products.push({ uuid: p.uuid!, sku: String(p.values?.sku?.[0]?.data), values: p.values as never });
      }
      const withEan = products.find((p) => p.values.ean?.[0]?.data)!;
      const victim = products.find((p) => p !== withEan && !p.values.ean)!;
      await client.products.upsert({ uuid: withEan.uuid, values: { ean: [{ locale: null, scope: null, data: '0000000000000' }] } });
      await client.products.delete(victim.uuid);

      const check = await syncDemo(sb, dir, 120, { verify: true });
      expect(check.report.verify).toMatchObject({ drift: 1, missing: 1, repaired: 0 });
      expect(check.report.verify!.items.map((i) => i.code).sort()).toEqual([withEan.sku, victim.sku].sort());

      const fix = await syncDemo(sb, dir, 120, { verify: true, repair: true });
      expect(fix.report.verify!.repaired).toBe(2);
      expect(fix.report.status).toBe('succeeded');
      expect(fix.snapshot).toEqual(first.snapshot);
      await client.close();
    } finally {
      await sb.close();
    }
  }, 240_000);

  it('with the sandbox injecting faults, the final PIM equals the fault-free run', async () => {
    const clean = await startSandbox({ catalog: 'demo' });
    const faulty = await startSandbox({ catalog: 'demo', faults: '429:0.05,500:0.02,reset:0.01,timeout:0.005,500-after-write:0.01', seed: 3 });
    try {
      const a = await syncDemo(clean, tempDir(), 400, { full: true });
      const b = await syncDemo(faulty, tempDir(), 400, { full: true });
      expect(a.report.status).toBe('succeeded');
      expect(b.report.status, JSON.stringify(b.report.rejects.slice(0, 3))).toBe('succeeded');
      // The seed gives faults on this run's requests (fewer requests, e.g. fuller batches, may need another seed).
      const injected = Object.values(faulty.stats().faultsInjected).reduce((n, k) => n + k, 0);
      expect(injected).toBeGreaterThan(1);
      expect(b.report.requests.retried).toBeGreaterThan(0);
      expect(b.snapshot.productCount).toBe(Object.keys(b.snapshot.products).length); // no duplicates
      expect(b.snapshot).toEqual(a.snapshot);
    } finally {
      await clean.close();
      await faulty.close();
    }
  }, 300_000);
});
