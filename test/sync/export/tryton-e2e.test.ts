/**
 * The round trip with a real Tryton 6.0: Julia creates a product without SKU in the sandbox and
 * tags it → `ferry export` gives it a SKU, Tryton has the template and its product with the name
 * in every mapped language, the PIM shows `exported`; the ERP team sets weight and a category in
 * Tryton → `ferry sync` brings them into the ERP's attributes, the PIM shows `in_erp`, and
 * Julia's description is unchanged. Skipped with a note when Tryton is not installed (CI: fails).
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AkeneoClient } from '../../../src/akeneo/index.js';
import { runExport } from '../../../src/app/run-export.js';
import { runSync } from '../../../src/app/run-sync.js';
import { ferryConfigSchema, type FerryConfig } from '../../../src/config/schema.js';
import { createTrytonSource, type TrytonSource } from '../../../src/erp/tryton/index.js';
import { createLogger } from '../../../src/logging.js';
import { startSandbox, type RunningSandbox } from '../../../src/sandbox/index.js';
import { bootstrapPim } from '../../../src/sync/bootstrap.js';
import { skipTryton, trytonErpConfig } from '../../erp/tryton/helpers.js';
import { startTryton, type RunningTryton } from '../../support/tryton/index.js';
import { sandboxPimConfig, tempDirs } from '../support/e2e.js';
import { clientFor } from '../support/pim.js';
import { createJuliasProduct, JULIA_DESCRIPTION, plain, prepareJuliasPim, productByUuid } from './support.js';

const silent = createLogger({ level: 'silent' });
const tempDir = tempDirs('ferry-export-tryton-');

describe.skipIf(skipTryton)('ferry export → Tryton → ferry sync, the round trip', () => {
  let tryton: RunningTryton;
  let sandbox: RunningSandbox;
  let client: AkeneoClient;
  let source: TrytonSource;
  let config: FerryConfig;
  let uuid = '';
  let sku = '';

  beforeAll(async () => {
    tryton = await startTryton({ seed: 'none' });
    sandbox = await startSandbox({ catalog: 'demo' });
    client = clientFor(sandbox);
    const dir = tempDir();
    config = ferryConfigSchema.parse({
      pim: sandboxPimConfig(sandbox),
      erp: trytonErpConfig(tryton, { languages: ['en', 'de', 'fr'] }),
      mapping: { preset: 'tryton' },
      state: { path: join(dir, 'ferry.db') },
      export: {
        sku: { mode: 'generate', pattern: 'FER{seq:7}' },
        fields: { name: { attribute: 'marketing_title', locales: { en: 'en_US', fr: 'fr_FR', de: 'de_DE' } } },
      },
    });
    source = createTrytonSource({ ...(config.erp as object), deltaSkewSeconds: 0 } as Parameters<typeof createTrytonSource>[0]);
    await bootstrapPim(client, config.mapping, source);
    await prepareJuliasPim(client, config.export!, 'tryton_product');
    uuid = await createJuliasProduct(client, 'Linen shirt', {}, 'tryton_product');
  }, 180_000);

  afterAll(async () => {
    await source?.close();
    await client?.close();
    await sandbox?.close();
    await tryton?.close();
  });

  it('gives the product a SKU, creates template and product in Tryton with every language, marks it exported', async () => {
    const report = await runExport(config, { logger: silent });
    expect(report.error).toBeUndefined();
    expect(report.rejects).toEqual([]);
    expect(report.counts).toMatchObject({ read: 1, created: 1 });
    sku = report.products[0]!.sku!;
    expect(sku).toMatch(/^FER\d{7}$/);

    const conn = source.connection;
    const [template] = (await conn.model('product.template', 'search_read', [[['code', '=', sku]], 0, 2, null, ['name', 'products']])) as { id: number; name: string; products: number[] }[];
    expect(template).toBeDefined();
    expect(template!.name).toBe('Linen shirt');
    expect(template!.products).toHaveLength(1);
    for (const [lang, text] of [['fr', 'Linen shirt (fr)'], ['de', 'Linen shirt (de)']] as const) {
      const [t] = (await conn.model('product.template', 'read', [[template!.id], ['name']], { language: lang })) as { name: string }[];
      expect(t!.name).toBe(text);
    }
    const [variant] = (await conn.model('product.product', 'read', [template!.products, ['code']])) as { id: number; code: string }[];
    expect(variant!.code).toBe(sku);

    const p = await productByUuid(client, uuid);
    expect(plain(p, 'sku')).toBe(sku);
    expect(plain(p, 'erp_status')).toBe('exported');
    expect(plain(p, 'erp_id')).toBe(`product_${variant!.id}`);
  });

  it('a second export creates no second record in Tryton', async () => {
    await runExport(config, { logger: silent, keys: [uuid] });
    const found = (await source.connection.model('product.template', 'search', [[['code', '=', sku]], 0, null, null])) as number[];
    expect(found).toHaveLength(1);
  });

  it('weight and category set in Tryton come back with ferry sync; the PIM shows in_erp; Julia’s text is unchanged', async () => {
    const conn = source.connection;
    const [templateId] = (await conn.model('product.template', 'search', [[['code', '=', sku]], 0, 1, null])) as number[];
    const [kg] = (await conn.model('product.uom', 'search', [[['symbol', '=', 'kg']], 0, 1, null])) as number[];
    const [category] = (await conn.model('product.category', 'create', [[{ name: 'Shirts' }]])) as number[];
    await conn.model('product.template', 'write', [[templateId], { weight: 0.4, weight_uom: kg, categories: [['add', [category]]] }]);

    const report = await runSync(config, { client, source, logger: silent });
    expect(report.error).toBeUndefined();
    expect(report.rejects).toEqual([]);
    const p = await productByUuid(client, uuid);
    expect(plain(p, 'erp_status')).toBe('in_erp');
    const weight = plain(p, 'weight') as { amount: string; unit: string };
    expect(Number(weight.amount) * (weight.unit === 'GRAM' ? 0.001 : 1)).toBeCloseTo(0.4);
    expect(p.categories).toContain(`tryton_category_${category}`);
    expect(p.values?.marketing_description?.[0]?.data).toBe(JULIA_DESCRIPTION);
    expect(p.values?.marketing_title?.find((v) => v.locale === 'en_US')?.data).toBe('Linen shirt');
  });

  it('Tryton refuses a product without a name → error with the field and the fix; fixed in the PIM → the next export succeeds', async () => {
    const nameless = await createJuliasProduct(client, 'x', { marketing_title: [] }, 'tryton_product');
    await client.products.upsert({ uuid: nameless, values: { marketing_title: [{ locale: 'en_US', scope: null, data: null }, { locale: 'fr_FR', scope: null, data: null }, { locale: 'de_DE', scope: null, data: null }] } });
    const failed = await runExport(config, { logger: silent });
    expect(failed.status).toBe('rejects');
    expect(failed.counts.rejected).toBe(1);
    expect(failed.rejects[0]!.message).toMatch(/name/);
    expect(failed.rejects[0]!.fix).toBeTruthy();
    let p = await productByUuid(client, nameless);
    expect(plain(p, 'erp_status')).toBe('error');
    expect(String(plain(p, 'erp_message'))).toMatch(/name/);
    const givenSku = String(plain(p, 'sku'));
    expect(givenSku).toMatch(/^FER\d{7}$/);

    await client.products.upsert({ uuid: nameless, values: { marketing_title: [{ locale: 'en_US', scope: null, data: 'Named at last' }] } });
    const fixed = await runExport(config, { logger: silent });
    expect(fixed.rejects).toEqual([]);
    expect(fixed.products.find((x) => x.pimId === nameless)).toMatchObject({ outcome: 'created', sku: givenSku });
    p = await productByUuid(client, nameless);
    expect(plain(p, 'erp_status')).toBe('exported');
    expect(plain(p, 'erp_message')).toBeUndefined();
    const found = (await source.connection.model('product.template', 'search_read', [[['code', '=', givenSku]], 0, null, null, ['name']])) as { name: string }[];
    expect(found).toEqual([expect.objectContaining({ name: 'Named at last' })]);
  });

  /** Tryton numbers new templates TRY-00001, TRY-00002, … (Product > Configuration). */
  async function productSequence(): Promise<void> {
    const conn = source.connection;
    const [current] = (await conn.model('product.configuration', 'read', [[1], ['template_sequence']])) as { template_sequence: number | null }[];
    if (current?.template_sequence) return;
    const [typeRef] = (await conn.model('ir.model.data', 'search_read', [[['module', '=', 'product'], ['fs_id', '=', 'sequence_type_template']], 0, 1, null, ['db_id']])) as { db_id: number }[];
    const [sequence] = (await conn.model('ir.sequence', 'create', [[{ name: 'Products', sequence_type: typeRef!.db_id, prefix: 'TRY-', padding: 5 }]])) as number[];
    await conn.model('product.configuration', 'write', [[1], { template_sequence: sequence }]);
  }

  it('sku.mode erp: Tryton numbers the product from its Product Sequence; Ferry writes the number into the PIM identifier', async () => {
    const conn = source.connection;
    await productSequence();
    const numbered = await createJuliasProduct(client, 'Cotton cap', {}, 'tryton_product');
    const erpConfig = ferryConfigSchema.parse({ ...config, export: { ...config.export, sku: { mode: 'erp' } } });
    const report = await runExport(erpConfig, { logger: silent });
    expect(report.rejects).toEqual([]);
    const mine = report.products.find((x) => x.pimId === numbered)!;
    expect(mine).toMatchObject({ outcome: 'created', sku: 'TRY-00001', generatedSku: true });
    const p = await productByUuid(client, numbered);
    expect(plain(p, 'sku')).toBe('TRY-00001');
    expect(plain(p, 'erp_status')).toBe('exported');
    const [template] = (await conn.model('product.template', 'search_read', [[['code', '=', 'TRY-00001']], 0, null, null, ['name', 'products']])) as { name: string; products: number[] }[];
    expect(template).toMatchObject({ name: 'Cotton cap' });
    expect(template!.products).toHaveLength(1);
    // Exported again by its SKU now: the same template, no second one.
    await runExport(erpConfig, { logger: silent, keys: [numbered] });
    expect(await conn.model('product.template', 'search_count', [[['name', '=', 'Cotton cap']]])).toBe(1);
  });

  it('sku.mode erp: an export killed after Tryton numbered the product → the next export adopts it (one Tryton product, the PIM has its code)', async () => {
    const conn = source.connection;
    await productSequence();
    const uuidOf = await createJuliasProduct(client, 'Crash-window beanie', {}, 'tryton_product');
    const erpConfig = ferryConfigSchema.parse({ ...config, export: { ...config.export, sku: { mode: 'erp' } } });
    // The first export runs in a process that SIGKILLs itself right after Tryton's answer.
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./crash-after-numbering.ts', import.meta.url)), JSON.stringify(erpConfig)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, s) => resolve(s)));
    expect(signal, `${out}\n${err}`).toBe('SIGKILL');
    const [answer] = JSON.parse(out.split('\n')[0]!) as { outcome: string; assignedKey: string }[];
    expect(answer).toMatchObject({ outcome: 'created' });
    const code = answer!.assignedKey;
    // Tryton has the product; the PIM does not know its number, and still says "to export".
    const before = await productByUuid(client, uuidOf);
    expect(plain(before, 'sku')).toBeUndefined();
    expect(plain(before, 'erp_status')).toBe('to_export');
    // Tryton products made for this PIM product: found by the identifier the export keeps with them.
    const madeFor = async () => conn.model('product.product', 'search_count', [[['identifiers.code', '=', `akeneo:${uuidOf}`]]], { active_test: false });
    expect(await madeFor()).toBe(1);

    const report = await runExport(erpConfig, { logger: silent });
    expect(report.status, report.error ?? JSON.stringify(report.rejects)).toBe('succeeded');
    const mine = report.products.find((x) => x.pimId === uuidOf)!;
    expect(mine).toMatchObject({ outcome: 'updated', sku: code });
    expect(mine.message).toMatch(/adopted Tryton product .*stopped before the PIM had its number/);
    expect(await madeFor()).toBe(1);
    expect(await conn.model('product.template', 'search_count', [[['code', '=', code]]])).toBe(1);
    const after = await productByUuid(client, uuidOf);
    expect(plain(after, 'sku')).toBe(code);
    expect(plain(after, 'erp_status')).toBe('exported');
    // And a third export finds it by its SKU: still one.
    await runExport(erpConfig, { logger: silent, keys: [uuidOf] });
    expect(await madeFor()).toBe(1);
  }, 120_000);

  it('a variant product of a PIM model goes under the model’s template in Tryton (one template, one product per variant)', async () => {
    await client.familyVariants('tryton_product').upsert({
      code: 'tryton_product_by_season',
      variant_attribute_sets: [{ level: 1, axes: ['marketing_season'], attributes: ['sku', 'marketing_season', 'erp_status', 'erp_message', 'erp_id'] }],
    } as never);
    await client.productModels.upsert({
      code: 'JACKET',
      family: 'tryton_product',
      family_variant: 'tryton_product_by_season',
      values: { marketing_title: [{ locale: 'en_US', scope: null, data: 'Rain jacket' }, { locale: 'fr_FR', scope: null, data: 'Veste de pluie' }] },
    } as never);
    const skus = ['JACKET-SS', 'JACKET-AW'];
    for (const [i, season] of ['spring_summer', 'autumn_winter'].entries()) {
      await client.products.upsert({
        uuid: randomUUID(),
        parent: 'JACKET',
        family: 'tryton_product',
        values: { sku: [{ locale: null, scope: null, data: skus[i]! }], marketing_season: [{ locale: null, scope: null, data: season }], erp_status: [{ locale: null, scope: null, data: 'to_export' }] },
      });
    }
    const report = await runExport(config, { logger: silent });
    expect(report.rejects).toEqual([]);
    expect(report.products.filter((x) => skus.includes(x.sku ?? '')).map((x) => x.outcome)).toEqual(['created', 'created']);
    const conn = source.connection;
    const templates = (await conn.model('product.template', 'search_read', [[['code', '=', 'JACKET']], 0, null, null, ['name', 'products']])) as { id: number; name: string; products: number[] }[];
    expect(templates).toHaveLength(1);
    expect(templates[0]!.name).toBe('Rain jacket');
    const variants = (await conn.model('product.product', 'read', [templates[0]!.products, ['code']])) as { code: string }[];
    expect(variants.map((v) => v.code).sort()).toEqual([...skus].sort());
    const [fr] = (await conn.model('product.template', 'read', [[templates[0]!.id], ['name']], { language: 'fr' })) as { name: string }[];
    expect(fr!.name).toBe('Veste de pluie');
  });
});
