/**
 * The demo preset end to end against Ferry's sandbox PIM (demo catalog) and the generated demo ERP:
 * bootstrap creates what the mapping needs (and is idempotent), `check` then finds no error, and
 * every payload the mapper makes is accepted by the PIM with every value kept (values sent at the
 * wrong variant level would be dropped, so reading them back proves the placement).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAkeneoClient, type AkeneoClient } from '../../src/akeneo/index.js';
import type { ValueEntry } from '../../src/akeneo/model.js';
import { createDemoSource, type DemoSource } from '../../src/erp/demo/index.js';
import type { ErpRecord, StreamDescription } from '../../src/erp/port.js';
import { startSandbox } from '../../src/sandbox/index.js';
import {
  applyBootstrap,
  buildPimStructure,
  checkMapping,
  createMapper,
  isEmptyPlan,
  loadPimStructure,
  mappingConfigSchema,
  planBootstrap,
  structureParts,
  type MappedProduct,
  type MappedProductModel,
} from '../../src/mapping/index.js';

type Sandbox = Awaited<ReturnType<typeof startSandbox>>;

describe('demo preset against the sandbox and the demo ERP', () => {
  let sandbox: Sandbox;
  let client: AkeneoClient;
  let erp: DemoSource;
  let description: StreamDescription[];
  let dir: string;
  const config = mappingConfigSchema.parse({ preset: 'demo' });

  const read = async (stream: 'items' | 'groups' | 'categories') => {
    const out: ErpRecord[] = [];
    for await (const r of erp.read(stream)) out.push(r);
    return out;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-mapping-'));
    sandbox = await startSandbox({ catalog: 'demo' });
    client = createAkeneoClient({
      url: sandbox.url,
      auth: { kind: 'connection', clientId: sandbox.clientId, secret: sandbox.secret, username: sandbox.username, password: sandbox.password },
    });
    erp = createDemoSource({ type: 'demo', path: join(dir, 'demo.sqlite'), items: 150, seed: 11 });
    description = await erp.describe();
  });
  afterAll(async () => {
    await erp?.close();
    await client?.close();
    await sandbox?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('check reports what is missing before the bootstrap, naming field, attribute and fix', async () => {
    const problems = checkMapping(config, await loadPimStructure(client), description);
    const color = problems.find((p) => p.attribute === 'color' && p.code === 'unknown_attribute');
    expect(color).toMatchObject({ severity: 'error', erpField: 'color' });
    expect(color!.fix).toContain('ferry pim bootstrap');
    expect(problems.some((p) => p.code === 'unknown_family')).toBe(true);
  });

  it('bootstrap creates the ERP group, attributes, family and variants, then has nothing left to do', async () => {
    const plan = planBootstrap(config, await loadPimStructure(client), description);
    expect(plan.attributeGroups.map((g) => [g.code, g.labels?.['en_US']])).toEqual([['erp', 'ERP data']]);
    expect(plan.attributes.map((a) => a.code)).toEqual(expect.arrayContaining(['name', 'description', 'color', 'size', 'weight', 'ean', 'brand']));
    expect(plan.attributes.find((a) => a.code === 'weight')).toMatchObject({ type: 'pim_catalog_metric', metric_family: 'Weight' });
    expect(plan.families[0]!.family.attributes).toEqual(expect.arrayContaining(['sku', 'name', 'marketing_description']));
    const result = await applyBootstrap(plan, client);
    expect(result.failures).toEqual([]);
    expect(result.created.attribute).toBe(plan.attributes.length);
    const after = await loadPimStructure(client);
    expect(isEmptyPlan(planBootstrap(config, after, description))).toBe(true);
    expect(checkMapping(config, after, description).filter((p) => p.severity === 'error')).toEqual([]);
    // A queued run's plan hands its structure to the shards as JSON: nothing may be lost on the way.
    const parts = structureParts(after);
    expect(parts.options!.length).toBeGreaterThan(0);
    expect(parts.locales!.some((l) => typeof l !== 'string' && !l.enabled)).toBe(true);
    expect(buildPimStructure(JSON.parse(JSON.stringify(parts)) as typeof parts)).toEqual(after);
  });

  it('every payload is accepted and every value sent is kept at its level', async () => {
    const pim = await loadPimStructure(client);
    const mapper = createMapper(config, pim);
    const cats = mapper.mapCategories(await read('categories'));
    expect(cats.errors).toEqual([]);
    const catResults = await client.categories.upsertMany(cats.entities.map((c) => (c.kind === 'category' ? { code: c.code, parent: c.parent, labels: c.labels } : (undefined as never))));
    expect(catResults.filter((r) => r.outcome === 'failed')).toEqual([]);

    const items = await read('items');
    const groups = new Map((await read('groups')).map((g) => [g.key, g]));
    const result = mapper.mapItems(items, groups);
    expect(result.errors).toEqual([]);
    const byAttribute = new Map<string, typeof result.missingOptions>();
    for (const o of result.missingOptions) byAttribute.set(o.attribute, [...(byAttribute.get(o.attribute) ?? []), o]);
    for (const [attribute, options] of byAttribute) {
      const res = await client.attributeOptions(attribute).upsertMany(options.map((o) => ({ code: o.code, attribute, labels: o.labels })));
      expect(res.filter((r) => r.outcome === 'failed')).toEqual([]);
    }

    const models = result.entities.filter((e): e is MappedProductModel => e.kind === 'product_model');
    const products = result.entities.filter((e): e is MappedProduct => e.kind === 'product');
    expect(models.some((m) => m.parent !== null)).toBe(true);
    expect(products.some((p) => p.parent === null)).toBe(true);
    expect(products).toHaveLength(items.length);
    const toModel = (m: MappedProductModel) => ({ code: m.code, family: m.family, family_variant: m.familyVariant, parent: m.parent, categories: m.categories, values: m.values });
    for (const level of [models.filter((m) => !m.parent), models.filter((m) => m.parent)]) {
      const out = await client.productModels.upsertMany(level.map(toModel));
      expect(out.filter((r) => r.outcome === 'failed').map((r) => `${r.key}: ${r.message} ${JSON.stringify(r.errors)}`)).toEqual([]);
    }
    const out = await client.products.upsertMany(products.map((p) => ({ family: p.family, parent: p.parent, categories: p.categories, values: p.values })));
    expect(out.filter((r) => r.outcome === 'failed').map((r) => `${r.key}: ${r.message} ${JSON.stringify(r.errors)}`)).toEqual([]);

    // Read a sample back: the PIM kept every non-null value we sent on that entity.
    const kept = (sent: Record<string, ValueEntry[]>, stored: Record<string, ValueEntry[]> | undefined) => {
      for (const [attr, entries] of Object.entries(sent)) {
        for (const e of entries) {
          if (e.data === null) continue;
          const found = stored?.[attr]?.find((s) => s.locale === e.locale && s.scope === e.scope);
          expect(found, `${attr} ${e.locale}/${e.scope}`).toBeDefined();
        }
      }
    };
    for (const m of models.slice(0, 10)) kept(m.values, (await client.productModels.get(m.code)).values as Record<string, ValueEntry[]>);
  });
});
