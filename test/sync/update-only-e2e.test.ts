/**
 * Update-only mode against the sandbox: products and product models the enrichment team
 * created in the PIM (never synced by Ferry) are found there, recorded in the state and
 * enriched with the ERP-owned values; what the PIM lacks is skipped; nothing is created.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Product, ProductModel, Values } from '../../src/akeneo/model.js';
import { ferryConfigSchema } from '../../src/config/schema.js';
import { createErpSource } from '../../src/erp/factory.js';
import { createLogger } from '../../src/logging.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';
import { runSync } from '../../src/sync/index.js';
import { bootstrapPim } from '../../src/sync/bootstrap.js';
import { openSqliteStateStore } from '../../src/sync/state/sqlite.js';
import { checkCounts, sandboxPimConfig, tempDirs } from './support/e2e.js';
import { clientFor, pimSnapshot, recordingClient } from './support/pim.js';

const silent = createLogger({ level: 'silent' });
const tempDir = tempDirs('ferry-update-only-');

const ITEMS = 60;
const JULIA = 'Written by Julia in the PIM';

function configFor(sb: RunningSandbox, dir: string, erpPath: string, updateOnly: boolean) {
  return ferryConfigSchema.parse({
    pim: sandboxPimConfig(sb),
    erp: { type: 'demo', path: erpPath, items: ITEMS, seed: 5 },
    mapping: { preset: 'demo' },
    state: { path: join(dir, 'ferry.db') },
    sync: { updateOnly },
  });
}

function without(values: Values | undefined, drop: readonly string[]): Values {
  return Object.fromEntries(Object.entries(values ?? {}).filter(([k]) => !drop.includes(k)));
}

describe('update-only mode → sandbox', () => {
  it('updates products and models created in the PIM, skips what the PIM lacks, creates nothing', async () => {
    const erpDir = tempDir();
    const erpPath = join(erpDir, 'demo-erp.sqlite');
    const reference = await startSandbox({ catalog: 'demo' });
    const target = await startSandbox({ catalog: 'demo' });
    try {
      // What a normal sync makes of the ERP: the codes and values Julia's products will share.
      const refConfig = configFor(reference, tempDir(), erpPath, false);
      const refClient = clientFor(reference);
      const refSource = createErpSource(refConfig.erp);
      await bootstrapPim(refClient, refConfig.mapping, refSource);
      const ref = await runSync(refConfig, { client: refClient, source: refSource, logger: silent, full: true });
      expect(ref.status, JSON.stringify(ref.rejects.slice(0, 3))).toBe('succeeded');
      await refSource.close();
      const refSnap = await pimSnapshot(refClient);
      const refProducts = new Map<string, Product>();
      for await (const p of refClient.products.list({ limit: 100 })) refProducts.set(String(p.values?.sku?.[0]?.data), p);
      const refModels = new Map<string, ProductModel>();
      for await (const m of refClient.productModels.list({ limit: 100 })) refModels.set(m.code, m);
      await refClient.close();

      const simple = [...refProducts.values()].find((p) => !p.parent)!;
      const variant = [...refProducts.values()].find((p) => p.parent && !refModels.get(p.parent)!.parent)!;
      const model = refModels.get(variant.parent!)!;
      expect(simple).toBeDefined();
      expect(variant).toBeDefined();
      const simpleSku = String(simple.values!.sku![0]!.data);
      const variantSku = String(variant.values!.sku![0]!.data);

      // Julia creates them in the target PIM: the structure, the variant's axes, none of the
      // ERP's other values, and a value of her own on a PIM-owned attribute.
      const config = configFor(target, tempDir(), erpPath, true);
      const base = clientFor(target);
      const source = createErpSource(config.erp);
      await bootstrapPim(base, config.mapping, source);
      const family = await base.families.get(simple.family!);
      await base.families.upsert({ ...family, attributes: [...new Set([...family.attributes, 'marketing_description'])] });
      const juliaValue = { marketing_description: [{ locale: 'en_US', scope: 'ecommerce', data: JULIA }] };
      await base.products.upsert({ uuid: '11111111-1111-4111-8111-111111111111', family: simple.family!, values: { sku: simple.values!.sku!, ...juliaValue } });
      await base.productModels.upsert({ code: model.code, family_variant: model.family_variant, values: juliaValue });
      const axes = ['color', 'size'].filter((a) => variant.values?.[a]);
      for (const a of axes) await base.attributeOptions(a).upsertMany([{ code: String(variant.values![a]![0]!.data), attribute: a }]);
      await base.products.upsert({
        uuid: '22222222-2222-4222-8222-222222222222',
        family: variant.family!,
        parent: model.code,
        values: { sku: variant.values!.sku!, ...Object.fromEntries(axes.map((a) => [a, variant.values![a]!])) },
      });

      const { client, writes } = recordingClient(base);
      const r = await runSync(config, { client, source, logger: silent, full: true });
      checkCounts(r);
      expect(r.status, JSON.stringify(r.rejects.slice(0, 3))).toBe('succeeded');
      expect(r.byType.product.created).toBe(0);
      expect(r.byType.product_model.created).toBe(0);
      expect(r.byType.product.updated).toBe(2);
      expect(r.byType.product_model.updated).toBe(1);
      // Looked up: every product and model a normal sync writes (sub-models included) and the
      // archived items a normal sync skips (the deletion policy applies if the PIM has them); 3 found.
      expect(r.updateOnly).toEqual({ foundInPim: 3, notInPim: refProducts.size + refModels.size + ref.byType.product.skipped - 3 });
      expect(r.byType.product.skipped).toBe(r.byType.product.read - 2);

      // No create request: every product and model line targets what Julia created.
      const productLines = writes.filter((w) => w.resource === 'products').flatMap((w) => w.lines);
      const modelLines = writes.filter((w) => w.resource === 'productModels').flatMap((w) => w.lines);
      expect(new Set(productLines.map((l) => l.uuid))).toEqual(new Set(['11111111-1111-4111-8111-111111111111', '22222222-2222-4222-8222-222222222222']));
      expect(modelLines.map((l) => l.code), JSON.stringify(writes.map((w) => [w.resource, w.lines]))).toEqual([model.code]);
      // Only values: the structure Julia chose is hers.
      for (const l of [...productLines, ...modelLines]) expect(Object.keys(l).filter((k) => k !== 'uuid' && k !== 'code')).toEqual(['values']);

      const snap = await pimSnapshot(base);
      expect(snap.productCount).toBe(2);
      expect(Object.keys(snap.models)).toEqual([model.code]);
      // The ERP-owned values are the ones a normal sync writes; Julia's value is still there.
      const refSimple = refSnap.products[simpleSku] as { values: Values };
      const refVariant = refSnap.products[variantSku] as { values: Values };
      const got = (sku: string) => snap.products[sku] as { values: Values };
      expect(without(got(simpleSku).values, ['marketing_description'])).toEqual(refSimple.values);
      expect(got(simpleSku).values.marketing_description![0]!.data).toBe(JULIA);
      // (the variant shows the values it inherits from its model, Julia's among them)
      expect(without(got(variantSku).values, ['marketing_description'])).toEqual(refVariant.values);
      const gotModel = snap.models[model.code] as { values: Values };
      expect(without(gotModel.values, ['marketing_description'])).toEqual((refSnap.models[model.code] as { values: Values }).values);
      expect(gotModel.values.marketing_description![0]!.data).toBe(JULIA);

      // The state now knows them: the next run costs nothing and looks nothing up again.
      const state = await openSqliteStateStore(config.state.path);
      const known = await state.getEntities('product', [simpleSku, variantSku]);
      await state.close();
      expect(known.get(simpleSku)?.pimId).toBe('11111111-1111-4111-8111-111111111111');
      expect(known.get(variantSku)?.status).toBe('synced');
      writes.length = 0;
      const again = await runSync(config, { client, source, logger: silent, full: true });
      checkCounts(again);
      expect(again.requests.writes).toBe(0);
      expect(again.byType.product.unchanged).toBe(2);
      expect(again.updateOnly!.foundInPim).toBe(0);
      await source.close();
      await base.close();
    } finally {
      await reference.close();
      await target.close();
    }
  }, 120_000);
});
