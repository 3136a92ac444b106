import { existsSync, mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/index.js';
import { loadCatalog, emptyStructure, CatalogError } from '../../src/sandbox/catalog.js';
import { Api, openSandbox } from './helpers.js';

const dir = mkdtempSync(path.join(tmpdir(), 'ferry-sandbox-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('reset and stats', () => {
  it('reset restores the loaded catalog and drops products, models and media', async () => {
    const { sb, api } = await openSandbox({ catalog: 'demo' });
    try {
      await api.call('POST', '/api/rest/v1/attributes', { code: 'extra', type: 'pim_catalog_text', group: 'other' });
      await api.call('POST', '/api/rest/v1/products', { identifier: 'r1' });
      expect(sb.stats().products).toBe(1);
      const r = await api.raw('POST', '/_sandbox/reset', { headers: { 'x-ferry-sandbox': '1' } });
      expect(r.status).toBe(204);
      expect(sb.stats().products).toBe(0);
      expect((await api.get('/api/rest/v1/attributes/extra')).status).toBe(404);
      expect((await api.get('/api/rest/v1/attributes/marketing_description')).status).toBe(200);
      // tokens survive a reset
      expect((await api.get('/api/rest/v1/products')).status).toBe(200);
    } finally {
      await sb.close();
    }
  });

  it('stats count requests by route and status', async () => {
    const { sb, api } = await openSandbox({ catalog: 'empty' });
    try {
      await api.get('/api/rest/v1/products/nope');
      await api.call('POST', '/api/rest/v1/products', { identifier: 's1' });
      const stats = (await api.raw('GET', '/_sandbox/stats')).json<{
        requests: Record<string, Record<string, number>>;
        products: number;
        productModels: number;
        peakConcurrent: { instance: number };
      }>();
      expect(stats.requests['GET /api/rest/v1/products/:key']).toEqual({ '404': 1 });
      expect(stats.requests['POST /api/rest/v1/products']).toEqual({ '201': 1 });
      expect(stats.requests['POST /api/oauth/v1/token']).toEqual({ '200': 1 });
      expect(stats.products).toBe(1);
      expect(stats.productModels).toBe(0);
      expect(stats.peakConcurrent.instance).toBeGreaterThanOrEqual(1);
    } finally {
      await sb.close();
    }
  });
});

describe('SQLite persistence', () => {
  it('a restart with the same data file keeps products, structure and media', async () => {
    const dataFile = path.join(dir, 'state.sqlite');
    const first = await startSandbox({ catalog: 'demo', dataFile });
    const api = new Api(first);
    await api.login();
    await api.call('POST', '/api/rest/v1/attributes', { code: 'kept_attr', type: 'pim_catalog_text', group: 'other' });
    await api.ndjson('/api/rest/v1/products', [{ identifier: 'kept-1', values: { kept_attr: [{ locale: null, scope: null, data: 'hello' }] } }, { identifier: 'kept-2' }]);
    await api.call('DELETE', '/api/rest/v1/products/kept-2');
    const uuid = (await api.get('/api/rest/v1/products/kept-1')).json()['uuid'];
    // product models, EE records and structure built through the API
    await api.ndjson('/api/rest/v1/attributes', [{ code: 'axis', type: 'pim_catalog_simpleselect', group: 'other' }]);
    await api.ndjson('/api/rest/v1/attributes/axis/options', [{ code: 'one' }]);
    await api.call('POST', '/api/rest/v1/families', { code: 'fam', attributes: ['sku', 'axis', 'kept_attr'], attribute_as_label: 'sku' });
    await api.call('POST', '/api/rest/v1/families/fam/variants', { code: 'fam_axis', variant_attribute_sets: [{ level: 1, axes: ['axis'], attributes: ['axis'] }] });
    expect((await api.call('POST', '/api/rest/v1/product-models', { code: 'model-1', family_variant: 'fam_axis' })).status).toBe(201);
    await api.call('PATCH', '/api/rest/v1/reference-entities/brands', { code: 'brands' });
    await api.call('PATCH', '/api/rest/v1/reference-entities/brands/records/acme', { code: 'acme' });
    await first.close();

    const second = await startSandbox({ catalog: 'demo', dataFile });
    try {
      expect(second.catalogReport.restored).toBe(true);
      const api2 = new Api(second);
      await api2.login();
      const p = (await api2.get('/api/rest/v1/products/kept-1')).json<{ uuid: string; values: Record<string, unknown> }>();
      expect(p.uuid).toBe(uuid);
      expect(p.values['kept_attr']).toEqual([{ locale: null, scope: null, data: 'hello' }]);
      expect((await api2.get('/api/rest/v1/products/kept-2')).status).toBe(404);
      expect((await api2.get('/api/rest/v1/attributes/kept_attr')).status).toBe(200);
      expect((await api2.get('/api/rest/v1/product-models/model-1')).json()).toMatchObject({ code: 'model-1', family: 'fam', family_variant: 'fam_axis' });
      expect((await api2.get('/api/rest/v1/attributes/axis/options/one')).status).toBe(200);
      expect((await api2.get('/api/rest/v1/reference-entities/brands/records/acme')).status).toBe(200);
      await second.reset();
    } finally {
      await second.close();
    }
    const third = await startSandbox({ catalog: 'demo', dataFile });
    try {
      expect(third.stats().products).toBe(0);
    } finally {
      await third.close();
    }
  });
});

describe('catalog loading', () => {
  it('empty catalog: one channel, one locale, sku', () => {
    const s = emptyStructure();
    expect(s.channels).toHaveLength(1);
    expect(s.locales.filter((l) => l.enabled)).toHaveLength(1);
    expect(s.attributes.map((a) => a.code)).toEqual(['sku']);
  });

  it('demo catalog: channels, locales, currencies, marketing attributes, master tree', () => {
    const c = loadCatalog('demo').structure;
    expect(c.channels.map((x) => x.code)).toEqual(['ecommerce', 'mobile']);
    expect(c.locales.filter((l) => l.enabled).map((l) => l.code).sort()).toEqual(['de_DE', 'en_US', 'fr_FR']);
    expect(c.currencies.filter((x) => x.enabled).map((x) => x.code).sort()).toEqual(['EUR', 'USD']);
    const md = c.attributes.find((a) => a.code === 'marketing_description');
    expect(md).toMatchObject({ type: 'pim_catalog_textarea', localizable: true, scopable: true, group: 'marketing' });
    expect(c.categories.find((x) => x.parent === null)?.code).toBe('master');
    expect(c.measurementFamilies.length).toBeGreaterThan(10);
  });

  it('a directory catalog loads structure and seeds products through the rules', async () => {
    const cat = path.join(dir, 'cat');
    mkdirSync(cat, { recursive: true });
    const s = emptyStructure();
    writeFileSync(path.join(cat, 'locales.json'), JSON.stringify(s.locales));
    writeFileSync(path.join(cat, 'channels.json'), JSON.stringify(s.channels));
    writeFileSync(path.join(cat, 'attributes.json'), JSON.stringify(s.attributes));
    writeFileSync(path.join(cat, 'attribute_groups.json'), JSON.stringify(s.attributeGroups));
    writeFileSync(path.join(cat, 'categories.json'), JSON.stringify(s.categories));
    writeFileSync(path.join(cat, 'products.ndjson'), '{"identifier":"d1"}\n{"identifier":"d2","family":"missing"}\n');
    const sb = await startSandbox({ catalog: cat });
    try {
      expect(sb.catalogReport.products).toEqual({ loaded: 1, failed: 1 });
      expect(sb.catalogReport.errors[0]).toMatchObject({ file: 'products.ndjson', line: 2, key: 'd2', status: 422 });
    } finally {
      await sb.close();
    }
  });

  const technical = path.resolve(process.cwd(), '../shared/akeneo/catalogs/technical/api-json');
  const haveShared = existsSync(technical);
  if (!haveShared && process.env.CI !== 'true') console.warn(`skipping technical catalog test: ${technical} not found`);
  it.skipIf(!haveShared && process.env.CI !== 'true')('technical catalog: channels, active locales, identifier, variants', () => {
    const c = loadCatalog('technical').structure;
    expect(c.channels.map((x) => x.code).sort()).toEqual(['ecommerce', 'ecommerce_china', 'tablet']);
    expect(c.locales.filter((l) => l.enabled).map((l) => l.code).sort()).toEqual(['de_DE', 'en_US', 'fr_FR', 'zh_CN']);
    expect(c.attributes.find((a) => a.type === 'pim_catalog_identifier')?.code).toBe('sku');
    expect(c.familyVariants.map((f) => [f.code, f.family])).toEqual([
      ['familyVariantA1', 'familyA'],
      ['familyVariantA2', 'familyA'],
    ]);
  });

  it('broken cross-file references are reported with record, field and fix', async () => {
    const cat = path.join(dir, 'broken');
    mkdirSync(cat, { recursive: true });
    const s = emptyStructure();
    writeFileSync(path.join(cat, 'locales.json'), JSON.stringify(s.locales));
    writeFileSync(path.join(cat, 'channels.json'), JSON.stringify([{ ...s.channels[0], category_tree: 'nope_tree' }]));
    writeFileSync(path.join(cat, 'attributes.json'), JSON.stringify([...s.attributes, { ...s.attributes[0], code: 'x', type: 'pim_catalog_text', group: 'ghost' }]));
    writeFileSync(path.join(cat, 'attribute_groups.json'), JSON.stringify(s.attributeGroups));
    writeFileSync(path.join(cat, 'categories.json'), JSON.stringify(s.categories));
    const loaded = loadCatalog(cat);
    expect(loaded.warnings).toEqual([
      'attributes.json: attribute "x" has group "ghost", which attribute_groups.json does not define.',
      'channels.json: channel "ecommerce" uses category tree "nope_tree", which categories.json does not define.',
    ]);
    const sb = await startSandbox({ catalog: cat });
    try {
      expect(sb.catalogReport.structureWarnings).toHaveLength(2);
    } finally {
      await sb.close();
    }
  });

  it('a missing catalog names the fix', () => {
    expect(() => loadCatalog(path.join(dir, 'nope'))).toThrow(CatalogError);
    expect(() => loadCatalog(path.join(dir, 'nope'))).toThrow(/Use demo, empty, technical/);
  });
});
