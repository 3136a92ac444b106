import { describe, expect, it } from 'vitest';
import { createMapper } from '../../src/mapping/index.js';
import { mappingConfigSchema, type MappingConfig } from '../../src/mapping/config.js';
import type { MappedProduct, MappedProductModel } from '../../src/mapping/types.js';
import type { ErpRecord } from '../../src/erp/port.js';
import { demoPim, item, loc, qty } from './fixtures.js';

const cfg = (c: unknown): MappingConfig => mappingConfigSchema.parse(c);
const products = (entities: unknown[]) => entities.filter((e): e is MappedProduct => (e as MappedProduct).kind === 'product');
const models = (entities: unknown[]) => entities.filter((e): e is MappedProductModel => (e as MappedProductModel).kind === 'product_model');

describe('createMapper: simple products', () => {
  const mapper = createMapper(
    cfg({ preset: 'demo', structure: { variants: { groupBy: 'none' } } }),
    demoPim(),
  );

  it('maps identity fields, localized texts to locales, quantities to metrics, options to codes', () => {
    const r = mapper.mapItems(
      [
        item('SKU-1', {
          name: loc({ en: 'Shirt', fr: 'Chemise', de: 'Hemd' }),
          description: loc({ en: 'Soft', fr: 'Doux' }),
          color: 'Red',
          weight: qty('1.5', 'lb'),
          ean: '4006381333931',
          pack_count: 3,
          organic: 'Y',
        }),
      ],
      new Map(),
    );
    expect(r.errors).toEqual([]);
    const [p] = products(r.entities);
    expect(p!.identifier).toBe('SKU-1');
    expect(p!.family).toBe('erp_product');
    expect(p!.parent).toBeNull();
    expect(p!.values.sku).toEqual([{ locale: null, scope: null, data: 'SKU-1' }]);
    expect(p!.values.name).toEqual([
      { locale: 'en_US', scope: null, data: 'Shirt' },
      { locale: 'fr_FR', scope: null, data: 'Chemise' },
      { locale: 'de_DE', scope: null, data: 'Hemd' },
    ]);
    // de missing in the ERP → explicit null (sync only sends it over a value Ferry wrote)
    expect(p!.values.description).toContainEqual({ locale: 'de_DE', scope: null, data: null });
    expect(p!.values.color).toEqual([{ locale: null, scope: null, data: 'red' }]);
    expect(p!.values.weight).toEqual([{ locale: null, scope: null, data: { amount: '1.5', unit: 'POUND' } }]);
    expect(p!.values.pack_count).toEqual([{ locale: null, scope: null, data: 3 }]);
    expect(p!.values.organic).toEqual([{ locale: null, scope: null, data: true }]);
  });

  it('never writes attributes outside the ERP ownership, even when a field has their code', () => {
    const r = mapper.mapItems([item('SKU-2', { marketing_description: 'ERP text', name: 'x' })], new Map());
    const [p] = products(r.entities);
    expect(p!.values.marketing_description).toBeUndefined();
    expect(mapper.ownedAttributes.has('marketing_description')).toBe(false);
    expect(mapper.ownedAttributes.has('name')).toBe(true);
  });

  it('refuses hot-looking fields by identity (stock, cost) without an error per record', () => {
    const r = createMapper(cfg({}), demoPim()).mapItems([item('S', { stock_qty: 4, cost_price: '3.20' })], new Map());
    const [p] = products(r.entities);
    expect(Object.keys(p!.values)).toEqual(['sku']);
  });

  it('emits null for an owned attribute the ERP emptied', () => {
    const r = mapper.mapItems([item('SKU-3', { name: loc({ en: 'A' }), ean: '' })], new Map());
    const [p] = products(r.entities);
    expect(p!.values.ean).toEqual([{ locale: null, scope: null, data: null }]);
    expect(p!.values.brand).toEqual([{ locale: null, scope: null, data: null }]);
  });

  it('collects a missing option once, with labels per locale from a localized value', () => {
    const m = createMapper(cfg({ preset: 'demo', structure: { variants: { groupBy: 'none' } } }), demoPim());
    const r1 = m.mapItems([item('A', { color: loc({ en: 'Dark Green', fr: 'Vert foncé' }) }), item('B', { color: 'dark green' })], new Map());
    expect(r1.missingOptions).toEqual([
      { kind: 'option', attribute: 'color', code: 'dark_green', labels: { en_US: 'Dark Green', fr_FR: 'Vert foncé' }, erpValue: 'Dark Green' },
    ]);
    expect(products(r1.entities).map((p) => p.values.color![0]!.data)).toEqual(['dark_green', 'dark_green']);
    expect(m.mapItems([item('C', { color: 'Dark Green' })], new Map()).missingOptions).toEqual([]);
  });

  it('reports normalised codes original ↔ normalised', () => {
    const m = createMapper(cfg({ preset: 'demo', structure: { variants: { groupBy: 'none' } } }), demoPim());
    const r = m.mapItems([item('A', { brand: 'Über Brand' })], new Map());
    expect(r.codeChanges).toContainEqual({ kind: 'option', attribute: 'brand', original: 'Über Brand', normalised: 'uber_brand' });
  });

  it('writes scopable attributes to the configured channels, only in the locales each channel has', () => {
    const m = createMapper(cfg({ attributes: { web_title: { from: 'name' } }, locales: { en: 'en_US', de: 'de_DE' } }), demoPim());
    const r = m.mapItems([item('A', { name: loc({ en: 'Hi', de: 'Hallo' }) })], new Map());
    const [p] = products(r.entities);
    expect(p!.values.web_title).toEqual([
      { locale: 'en_US', scope: 'ecommerce', data: 'Hi' },
      { locale: 'en_US', scope: 'mobile', data: 'Hi' },
      { locale: 'de_DE', scope: 'ecommerce', data: 'Hallo' },
    ]);
  });

  it('evaluates expressions over several fields, per language', () => {
    const m = createMapper(cfg({ attributes: { name: { expression: '{brand} {name}' } }, locales: { en: 'en_US', fr: 'fr_FR' } }), demoPim());
    const r = m.mapItems([item('A', { brand: 'Acme', name: loc({ en: 'Shirt', fr: 'Chemise' }) })], new Map());
    expect(products(r.entities)[0]!.values.name).toEqual([
      { locale: 'en_US', scope: null, data: 'Acme Shirt' },
      { locale: 'fr_FR', scope: null, data: 'Acme Chemise' },
    ]);
  });

  it('converts when the target measurement family lacks the ERP unit, exactly', () => {
    const m = createMapper(cfg({ attributes: { ship_weight: { from: 'weight' } } }), demoPim());
    const r = m.mapItems([item('A', { weight: qty('2', 'lb') })], new Map());
    expect(products(r.entities)[0]!.values.ship_weight).toEqual([{ locale: null, scope: null, data: { amount: '0.90718474', unit: 'KILOGRAM' } }]);
  });

  it('sends a media value it already knows by code, and asks sync to upload the others', () => {
    const m = createMapper(cfg({}), demoPim(), { media: { lookup: (s) => (s === 'known.jpg' ? 'a/b/c/known.jpg' : undefined) } });
    const r = m.mapItems([item('A', { picture: 'known.jpg' }), item('B', { picture: 'img/new.png' })], new Map());
    const [a, b] = products(r.entities);
    expect(a!.values.picture).toEqual([{ locale: null, scope: null, data: 'a/b/c/known.jpg' }]);
    expect(b!.values.picture).toBeUndefined();
    expect(r.mediaUploads).toEqual([
      { owner: { kind: 'product', identifier: 'B' }, attribute: 'picture', locale: null, scope: null, source: 'img/new.png', origin: { stream: 'items', key: 'B', updatedAt: '2026-01-01T00:00:00Z' } },
    ]);
  });
});

describe('createMapper: variants', () => {
  const config = cfg({ preset: 'demo' });
  const shirt = (sku: string, color: string | null, size: string | null, extra: Record<string, unknown> = {}): ErpRecord =>
    item(sku, { name: loc({ en: 'Shirt' }), color, size, ean: `E${sku}`, weight: qty('0.2', 'kg'), picture: `${color}.jpg`, ...extra } as never, {
      group: 'SHIRT',
      categories: ['tops'],
    });

  it('builds root model → sub-models per color → variant products per size, each value at its level', () => {
    const mapper = createMapper(config, demoPim());
    const r = mapper.mapItems([shirt('S-R-S', 'red', 'S'), shirt('S-R-M', 'red', 'M'), shirt('S-B-S', 'blue', 'S')], new Map());
    expect(r.errors).toEqual([]);
    const [root, ...subs] = models(r.entities);
    expect(root).toMatchObject({ code: 'SHIRT', family: 'erp_product', familyVariant: 'erp_product_color_size', parent: null, categories: ['erp_tops'] });
    // common attributes at the root only
    expect(root!.values.name).toBeDefined();
    expect(root!.values.color).toBeUndefined();
    expect(root!.values.sku).toBeUndefined();
    expect(root!.values.weight).toBeUndefined();
    expect(subs.map((s) => [s.code, s.parent, s.values.color?.[0]?.data])).toEqual([
      ['SHIRT_red', 'SHIRT', 'red'],
      ['SHIRT_blue', 'SHIRT', 'blue'],
    ]);
    expect(subs[0]!.values.name).toBeUndefined();
    const ps = products(r.entities);
    expect(ps.map((p) => [p.identifier, p.parent])).toEqual([
      ['S-R-S', 'SHIRT_red'],
      ['S-R-M', 'SHIRT_red'],
      ['S-B-S', 'SHIRT_blue'],
    ]);
    expect(Object.keys(ps[0]!.values).sort()).toEqual(['ean', 'size', 'sku', 'weight']);
    expect(ps[0]!.categories).toEqual([]);
    // Entities come parents first.
    const kinds = r.entities.map((e) => (e.kind === 'product_model' ? (e.parent ? 'sub' : 'root') : 'product'));
    expect(kinds.join(',')).toBe('root,sub,sub,product,product,product');
    // The picture lives at level 1: uploaded once per sub-model.
    expect(r.mediaUploads!.map((u) => u.owner)).toEqual([
      { kind: 'product_model', code: 'SHIRT_red' },
      { kind: 'product_model', code: 'SHIRT_blue' },
    ]);
  });

  it('picks the one-level family variant when only sizes vary', () => {
    const r = createMapper(config, demoPim()).mapItems([shirt('A', null, 'S'), shirt('B', null, 'M')], new Map());
    const [root] = models(r.entities);
    expect(root!.familyVariant).toBe('erp_product_size');
    expect(models(r.entities)).toHaveLength(1);
    expect(products(r.entities).every((p) => p.parent === 'SHIRT')).toBe(true);
  });

  it('catches two items with the same axis combination, naming both SKUs; the first still goes', () => {
    const r = createMapper(cfg({ preset: 'demo', structure: { variants: { familyVariant: { erp_product: 'erp_product_color_size' } } } }), demoPim()).mapItems(
      [shirt('A', 'red', 'S'), shirt('B', 'red', 'S'), shirt('C', 'red', 'M')],
      new Map(),
    );
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ kind: 'duplicate_axis_combination', blocksRecord: true, recordLabel: 'SKU "B"' });
    expect(r.errors[0]!.message).toContain('SKU "A"');
    expect(products(r.entities).map((p) => p.identifier)).toEqual(['A', 'C']);
  });

  it('holds back an item missing an axis value, naming the axis and the ERP field', () => {
    const r = createMapper(cfg({ preset: 'demo', structure: { variants: { familyVariant: { erp_product: 'erp_product_color_size' } } } }), demoPim()).mapItems(
      [shirt('A', 'red', 'S'), shirt('B', 'red', null), shirt('C', 'blue', 'M')],
      new Map(),
    );
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ kind: 'missing_axis_value', attribute: 'size', erpField: 'size', blocksRecord: true });
    expect(products(r.entities).map((p) => p.identifier)).toEqual(['A', 'C']);
  });

  it('keeps a single-item group a simple product (configurable)', () => {
    const one = [shirt('ONLY', 'red', 'S')];
    expect(products(createMapper(config, demoPim()).mapItems(one, new Map()).entities)[0]!.parent).toBeNull();
    const r = createMapper(cfg({ preset: 'demo', structure: { variants: { singleGroupAsSimpleProduct: false } } }), demoPim()).mapItems(one, new Map());
    expect(models(r.entities)).toHaveLength(1);
    expect(products(r.entities)[0]!.parent).toBe('SHIRT');
  });

  it('takes model-level values from the group record first', () => {
    const group: ErpRecord = { stream: 'groups', key: 'SHIRT', updatedAt: '2026-02-01T00:00:00Z', categories: ['men'], fields: { name: loc({ en: 'Shirt line' }) } };
    const r = createMapper(config, demoPim()).mapItems([shirt('A', 'red', 'S'), shirt('B', 'blue', 'S')], new Map([['SHIRT', group]]));
    const [root] = models(r.entities);
    expect(root!.values.name).toContainEqual({ locale: 'en_US', scope: null, data: 'Shirt line' });
    expect(root!.origin).toEqual({ stream: 'groups', key: 'SHIRT', updatedAt: '2026-02-01T00:00:00Z' });
    expect(root!.categories).toEqual(['erp_men']);
  });

  it('groups by a SKU pattern', () => {
    const m = createMapper(cfg({ preset: 'demo', structure: { variants: { groupBy: 'sku', skuPattern: '^(?<model>[A-Z]+)-' } } }), demoPim());
    const r = m.mapItems(
      [item('TEE-1', { size: 'S' }), item('TEE-2', { size: 'M' }), item('CAP-1', { size: 'S' })],
      new Map(),
    );
    expect(models(r.entities).map((x) => x.code)).toEqual(['TEE']);
    expect(products(r.entities).map((p) => [p.identifier, p.parent])).toEqual([
      ['TEE-1', 'TEE'],
      ['TEE-2', 'TEE'],
      ['CAP-1', null],
    ]);
  });

  it('other records are never affected by one bad record', () => {
    const r = createMapper(config, demoPim()).mapItems([shirt('A', 'red', 'S', { picture: 'shirt.jpg' }), item('', { name: 'no sku' }), shirt('C', 'blue', 'S', { picture: 'shirt.jpg' })], new Map());
    expect(r.errors.map((e) => e.kind)).toEqual(['missing_required']);
    expect(products(r.entities).map((p) => p.identifier)).toEqual(['A', 'C']);
  });
});

describe('createMapper: categories', () => {
  it('returns parents before children under the configured root, labels per locale', () => {
    const m = createMapper(cfg({ preset: 'demo' }), demoPim());
    const cat = (key: string, parent: string | null, name: Record<string, string>): ErpRecord => ({ stream: 'categories', key, parent, updatedAt: null, fields: { name: loc(name) } });
    const r = m.mapCategories([cat('Shirts', 'Clothing', { en: 'Shirts', fr: 'Chemises' }), cat('Clothing', null, { en: 'Clothing' }), cat('Polo Shirts', 'Shirts', { en: 'Polos' })]);
    expect(r.errors).toEqual([]);
    expect(r.entities.map((e) => [e.kind === 'category' && e.code, e.kind === 'category' && e.parent])).toEqual([
      ['erp_clothing', 'master'],
      ['erp_shirts', 'erp_clothing'],
      ['erp_polo_shirts', 'erp_shirts'],
    ]);
    expect(r.entities[1]).toMatchObject({ labels: { en_US: 'Shirts', fr_FR: 'Chemises' } });
  });

  it('refuses a cycle, keeping the rest', () => {
    const m = createMapper(cfg({ preset: 'demo' }), demoPim());
    const c = (key: string, parent: string | null): ErpRecord => ({ stream: 'categories', key, parent, updatedAt: null, fields: {} });
    const r = m.mapCategories([c('a', 'b'), c('b', 'a'), c('ok', null)]);
    expect(r.entities.map((e) => (e.kind === 'category' ? e.code : ''))).toEqual(['erp_ok']);
    expect(r.errors.some((e) => e.message.includes('cycle'))).toBe(true);
  });

  it('families mode: the item category picks the family, no categories are written', () => {
    const m = createMapper(cfg({ structure: { categories: { mode: 'families', families: { Tees: 'erp_product' } }, variants: { groupBy: 'none' } } }), demoPim());
    const r = m.mapItems([item('A', {}, { categories: ['Tees'] }), item('B', {}, { categories: ['Hats'] })], new Map());
    expect(products(r.entities).map((p) => [p.identifier, p.family, p.categories])).toEqual([['A', 'erp_product', undefined]]);
    expect(r.errors[0]).toMatchObject({ kind: 'unknown_family', blocksRecord: true });
    expect(m.mapCategories([{ stream: 'categories', key: 'x', updatedAt: null, fields: {} }]).entities).toEqual([]);
  });
});

describe('createMapper: model-level values of every item are looked at', () => {
  // pack_count, brand, organic and launch_date live on the root model of every demo family variant.
  const tee = (sku: string, size: string, extra: Record<string, unknown> = {}): ErpRecord =>
    item(sku, { name: loc({ en: 'Tee', fr: 'T-shirt' }), size, ean: `E${sku}`, pack_count: 3, brand: 'Acme', ...extra } as never, { group: 'TEE' });
  const config = cfg({ preset: 'demo' });

  it('equal values (equal copies, or values that convert alike) raise nothing', () => {
    const r = createMapper(config, demoPim()).mapItems(
      [tee('A', 'S', { rating: '4.5' }), tee('B', 'M', { brand: 'ACME', rating: '4.50' }), tee('C', 'L', { pack_count: '3', name: loc({ en: 'Tee', fr: 'T-shirt' }) })],
      new Map(),
    );
    expect(r.errors).toEqual([]);
    expect(models(r.entities)[0]!.values.pack_count).toEqual([{ locale: null, scope: null, data: 3 }]);
  });

  it('an item without its own value inherits the model value silently', () => {
    const r = createMapper(config, demoPim()).mapItems([tee('A', 'S', { organic: 'Y' }), tee('B', 'M', { organic: '' }), tee('C', 'L', { organic: null })], new Map());
    expect(r.errors).toEqual([]);
    expect(models(r.entities)[0]!.values.organic).toEqual([{ locale: null, scope: null, data: true }]);
  });

  it('a later item with a different clean value gets a model_value_conflict naming both SKUs, both values and the fix; it still goes', () => {
    const r = createMapper(config, demoPim()).mapItems([tee('A', 'S'), tee('B', 'M'), tee('C', 'L', { pack_count: 6 })], new Map());
    expect(r.errors).toHaveLength(1);
    const e = r.errors[0]!;
    expect(e).toMatchObject({ kind: 'model_value_conflict', recordLabel: 'SKU "C"', erpField: 'pack_count', attribute: 'pack_count', value: 6, blocksRecord: false });
    expect(e.message).toContain('SKU "C": ERP field "pack_count" value 6 differs from SKU "A"\'s value 3');
    expect(e.message).toContain('product model "TEE"');
    expect(e.message).toMatch(/Expected .+\.$/);
    expect(e.fix).toContain('Make pack_count equal on all items of TEE');
    expect(e.fix).toContain('variant level of family variant erp_product_size');
    expect(models(r.entities)[0]!.values.pack_count).toEqual([{ locale: null, scope: null, data: 3 }]);
    expect(products(r.entities).map((p) => p.identifier)).toEqual(['A', 'B', 'C']);
    expect(products(r.entities)[2]!.values.pack_count).toBeUndefined();
  });

  it('a localized value differing in one language is a conflict; a missing translation is not', () => {
    const r = createMapper(cfg({ preset: 'demo' }), demoPim()).mapItems(
      [
        tee('A', 'S', { description: loc({ en: 'Soft', fr: 'Doux' }) }),
        tee('B', 'M', { description: loc({ en: 'Soft' }) }),
        tee('C', 'L', { description: loc({ en: 'Soft', fr: 'Rêche' }) }),
      ],
      new Map(),
    );
    expect(r.errors.map((e) => [e.kind, e.recordLabel, e.attribute])).toEqual([['model_value_conflict', 'SKU "C"', 'description']]);
  });

  it('a bad value on a later item is reported on that item, with the documented choice of its kind', () => {
    const r = createMapper(config, demoPim()).mapItems([tee('A', 'S'), tee('B', 'M', { pack_count: 'three' }), tee('C', 'L')], new Map());
    expect(r.errors.map((e) => [e.kind, e.recordLabel, e.erpField, e.blocksRecord])).toEqual([['not_a_number', 'SKU "B"', 'pack_count', false]]);
    // C's date is its own value where A and B have none: C's date becomes the model's, and is refused there.
    const r2 = createMapper(config, demoPim()).mapItems([tee('A', 'S', { launch_date: '2024-02-01' }), tee('B', 'M'), tee('C', 'L', { launch_date: '2024-02-30' })], new Map());
    expect(r2.errors.map((e) => [e.kind, e.recordLabel, e.erpField])).toEqual([['invalid_date', 'SKU "C"', 'launch_date']]);
    expect(r2.errors[0]!.message).toContain('"2024-02-30"');
    expect(products(r2.entities).map((p) => p.identifier)).toEqual(['A', 'B', 'C']);
  });

  it('a bad value on the first item is reported and the next item feeds the model', () => {
    const r = createMapper(config, demoPim()).mapItems([tee('A', 'S', { pack_count: 'x' }), tee('B', 'M', { pack_count: 4 }), tee('C', 'L', { pack_count: 4 })], new Map());
    expect(r.errors.map((e) => [e.kind, e.recordLabel])).toEqual([['not_a_number', 'SKU "A"']]);
    expect(models(r.entities)[0]!.values.pack_count).toEqual([{ locale: null, scope: null, data: 4 }]);
  });

  it('compares with the group record when it feeds the model', () => {
    const group: ErpRecord = { stream: 'groups', key: 'TEE', updatedAt: null, fields: { brand: 'Acme', pack_count: 3 } };
    const r = createMapper(config, demoPim()).mapItems([tee('A', 'S'), tee('B', 'M', { brand: 'Zenith' })], new Map([['TEE', group]]));
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]!.message).toContain('SKU "B": ERP field "brand" value "Zenith" differs from product model "TEE"\'s value "Acme"');
  });

  it('checks sub-model values among the items of one sub-model', () => {
    const shirt = (sku: string, color: string, size: string, picture: string) => item(sku, { color, size, picture }, { group: 'SHIRT' });
    const m = createMapper(cfg({ preset: 'demo', structure: { variants: { familyVariant: { erp_product: 'erp_product_color_size' } } } }), demoPim(), { media: { lookup: (s) => `m/${s}` } });
    const r = m.mapItems([shirt('R-S', 'red', 'S', 'red.jpg'), shirt('R-M', 'red', 'M', 'red2.jpg'), shirt('B-S', 'blue', 'S', 'blue.jpg')], new Map());
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ kind: 'model_value_conflict', recordLabel: 'SKU "R-M"', attribute: 'picture' });
    expect(r.errors[0]!.message).toContain('sub-model "SHIRT_red"');
  });

  it('ignoreItemDifferences silences an attribute; errors.blockRecord can hold the item back instead', () => {
    const items = [tee('A', 'S'), tee('B', 'M', { pack_count: 6 }), tee('C', 'L')];
    const quiet = createMapper(cfg({ preset: 'demo', structure: { variants: { ignoreItemDifferences: ['pack_count'] } } }), demoPim()).mapItems(items, new Map());
    expect(quiet.errors).toEqual([]);
    const strict = createMapper(cfg({ preset: 'demo', errors: { blockRecord: { model_value_conflict: true } } }), demoPim()).mapItems(items, new Map());
    expect(strict.errors).toMatchObject([{ kind: 'model_value_conflict', recordLabel: 'SKU "B"', blocksRecord: true }]);
    expect(strict.errors[0]!.message).toContain('held back');
    expect(products(strict.entities).map((p) => p.identifier)).toEqual(['A', 'C']);
  });
});

describe('createMapper: hot data met by identity', () => {
  const pimWithStock = () =>
    demoPim({
      attributes: [
        ...demoPim().attributes.values(),
        { code: 'stock_qty', type: 'pim_catalog_number', group: 'erp', localizable: false, scopable: false, decimals_allowed: false },
      ],
    });

  it('a hot field matching an ERP-owned attribute is reported once per run (on the first record that has it) and never sent', () => {
    const m = createMapper(cfg({ structure: { variants: { groupBy: 'none' } } }), pimWithStock());
    const r1 = m.mapItems([item('A', { stock_qty: 4, name: loc({ en: 'A' }) }), item('B', { stock_qty: 5 })], new Map());
    expect(r1.errors).toHaveLength(1);
    expect(r1.errors[0]).toMatchObject({ kind: 'hot_data', recordLabel: 'SKU "A"', erpField: 'stock_qty', attribute: 'stock_qty', value: 4, blocksRecord: false });
    expect(r1.errors[0]!.message).toContain('once per run');
    expect(r1.errors[0]!.fix).toContain('mapping.hotData.allow');
    expect(r1.errors[0]!.fix).toContain('mapping.identity.ignore');
    expect(products(r1.entities).every((p) => p.values.stock_qty === undefined)).toBe(true);
    expect(products(r1.entities)[0]!.values.name).toBeDefined();
    // The next batch of the same run: the field is still refused, and not reported again.
    const r2 = m.mapItems([item('C', { stock_qty: 6 })], new Map());
    expect(r2.errors).toEqual([]);
    expect(products(r2.entities)[0]!.values.stock_qty).toBeUndefined();
  });

  it('hotData.allow maps it; identity.ignore silences it', () => {
    const allowed = createMapper(cfg({ hotData: { allow: ['stock_qty'] }, structure: { variants: { groupBy: 'none' } } }), pimWithStock()).mapItems([item('A', { stock_qty: 4 })], new Map());
    expect(allowed.errors).toEqual([]);
    expect(products(allowed.entities)[0]!.values.stock_qty).toEqual([{ locale: null, scope: null, data: 4 }]);
    const ignored = createMapper(cfg({ identity: { ignore: ['stock_qty'] }, structure: { variants: { groupBy: 'none' } } }), pimWithStock()).mapItems([item('A', { stock_qty: 4 })], new Map());
    expect(ignored.errors).toEqual([]);
    expect(products(ignored.entities)[0]!.values.stock_qty).toBeUndefined();
  });
});
