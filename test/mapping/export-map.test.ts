/** The pure PIM → ERP mapping of `ferry export`: converters, family and category maps, SKU patterns. */
import { describe, expect, it } from 'vitest';
import type { Product } from '../../src/akeneo/model.js';
import { exportConfigSchema } from '../../src/mapping/export/config.js';
import { convertMetric, mapProductForExport, type ExportContext } from '../../src/mapping/export/map.js';
import { fillPattern, sequenceName } from '../../src/mapping/export/sku.js';

const attributes = new Map(
  [
    ['title', 'pim_catalog_text'],
    ['weight', 'pim_catalog_metric'],
    ['color', 'pim_catalog_simpleselect'],
    ['tags', 'pim_catalog_multiselect'],
    ['price', 'pim_catalog_price_collection'],
    ['stock_item', 'pim_catalog_boolean'],
  ].map(([code, type]) => [code!, { code: code!, type: type! }]),
) as ExportContext['attributes'];
const labels: Record<string, string> = { 'color:red:de_DE': 'Rot' };
const ctx = (templates: boolean): ExportContext => ({ attributes, templates, stream: 'items', optionLabel: (a, o, l) => labels[`${a}:${o}:${l}`] });
const v = (data: unknown, locale: string | null = null) => ({ locale, scope: null, data });

const product: Product = {
  uuid: 'u-1',
  family: 'shirts',
  parent: null,
  categories: ['summer', 'unmapped'],
  values: {
    title: [v('Shirt', 'en_US'), v('Hemd', 'de_DE')],
    weight: [v({ amount: '1250', unit: 'GRAM' })],
    color: [v('red')],
    tags: [v(['a', 'b'])],
    price: [v([{ amount: '12.50', currency: 'EUR' }])],
    stock_item: [v(true)],
  },
};

const config = exportConfigSchema.parse({
  fields: {
    name: { attribute: 'title', locales: { en: 'en_US', de: 'de_DE', fr: 'fr_FR' } },
    weight: { attribute: 'weight', unit: 'kg' },
    colour: { attribute: 'color', select: 'label', labelLocale: 'de_DE' },
    tags: { attribute: 'tags', map: { a: 'A1' } },
    list_price: { attribute: 'price' },
    stocked: { attribute: 'stock_item', target: 'item' },
  },
  family: { field: 'type', map: { shirts: 'goods' } },
  categories: { summer: 'category_7' },
});

describe('mapProductForExport', () => {
  it('converts each value the other way: languages, units, labels, maps, money', () => {
    const { item, group, problems } = mapProductForExport(product, 'SKU-1', config, ctx(false));
    expect(problems).toEqual([]);
    expect(group).toBeNull();
    expect(item).toEqual({
      stream: 'items',
      key: 'SKU-1',
      updatedAt: null,
      categories: ['category_7'],
      fields: {
        // fr_FR is empty: the ERP gets no French text rather than an empty one.
        name: { kind: 'localized', values: { en: 'Shirt', de: 'Hemd' } },
        weight: { kind: 'quantity', amount: '1.25', unit: 'kg' },
        colour: 'Rot',
        tags: ['A1', 'b'],
        list_price: { kind: 'money', amount: '12.50', currency: 'EUR' },
        stocked: true,
        type: 'goods',
      },
    });
  });

  it('with templates, the group takes the fields and categories and the item names its group', () => {
    const { item, group } = mapProductForExport({ ...product, parent: 'shirt_model' }, 'SKU-1', config, ctx(true));
    expect(group).toMatchObject({ stream: 'groups', key: 'shirt_model', categories: ['category_7'] });
    expect(Object.keys(group!.fields).sort()).toEqual(['colour', 'list_price', 'name', 'tags', 'type', 'weight']);
    expect(item).toMatchObject({ key: 'SKU-1', group: 'shirt_model', fields: { stocked: true } });
  });

  it('names the attribute and the fix when a value cannot be sent', () => {
    const bad = exportConfigSchema.parse({ fields: { weight: { attribute: 'weight', unit: 'cm' }, ghost: { attribute: 'nope' } }, family: { field: 'type', map: {} } });
    const { problems } = mapProductForExport(product, 'SKU-1', bad, ctx(false));
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/^weight: GRAM cannot be converted to cm/);
    expect(problems[1]).toMatch(/export.fields.ghost: the PIM has no attribute nope/);
    expect(problems[2]).toMatch(/family shirts has no ERP value in export.family.map/);
  });
});

describe('convertMetric', () => {
  it('converts exactly between units of one family', () => {
    expect(convertMetric('1', 'POUND', 'kg')).toBe('0.45359237');
    expect(convertMetric('1', 'KILOGRAM', 'lb')).toBe('2.204623');
    expect(convertMetric('250', 'GRAM', 'kg')).toBe('0.25');
    expect(convertMetric('2', 'KILOGRAM', 'kg')).toBe('2');
    expect(() => convertMetric('2', 'KILOGRAM', 'parsec')).toThrow(/not one Ferry can convert/);
  });
});

describe('SKU patterns', () => {
  it('fills {family:N} and {seq:N}; one sequence per filled-in prefix', () => {
    expect(fillPattern('{family:3}-{seq:6}', 'shoes', 42)).toBe('SHO-000042');
    expect(fillPattern('FER{seq:7}', null, 7)).toBe('FER0000007');
    expect(fillPattern('{family:3}{seq}', 'a', 12)).toBe('AXX12');
    expect(sequenceName('{family:3}-{seq:6}', 'shoes')).toBe('sku:SHO-{seq:6}');
    expect(sequenceName('{family:3}-{seq:6}', 'shirts')).not.toBe(sequenceName('{family:3}-{seq:6}', 'shoes'));
    expect(() => exportConfigSchema.parse({ sku: { mode: 'generate', pattern: 'FER' } })).toThrow(/seq/);
  });
});
