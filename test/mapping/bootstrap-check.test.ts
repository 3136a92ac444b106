import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StreamDescription } from '../../src/erp/port.js';
import { buildPimStructure } from '../../src/mapping/pim-structure.js';
import { resolveMapping } from '../../src/mapping/resolve.js';
import { AxisSampler, checkMapping, createMapper, describePlan, mappingConfigSchema, planBootstrap, type MappedProduct, type MappedProductModel } from '../../src/mapping/index.js';
import { demoPim, item, loc, MEASUREMENT_FAMILIES } from './fixtures.js';

const trytonDescription: StreamDescription[] = [
  {
    stream: 'items',
    supportsDelta: true,
    fields: [
      { name: 'name', type: 'localized', languages: ['en', 'fr', 'de'] },
      { name: 'description', type: 'localized', languages: ['en', 'fr', 'de'] },
      { name: 'type', type: 'select', options: ['goods', 'service'] },
      { name: 'uom', type: 'string' },
      { name: 'weight', type: 'quantity', units: ['kg', 'g', 'lb'] },
      { name: 'length', type: 'quantity', units: ['cm', 'm'] },
      { name: 'width', type: 'quantity', units: ['cm'] },
      { name: 'height', type: 'quantity', units: ['cm'] },
      { name: 'volume', type: 'quantity', units: ['l'] },
      { name: 'ean', type: 'string' },
      { name: 'aw_color', type: 'select', options: ['Black', 'Silver', 'Multi'] },
      { name: 'aw_size', type: 'select', options: ['S', 'M', 'L', '38'] },
      { name: 'aw_style', type: 'select', options: ['U', 'W'] },
      { name: 'list_price', type: 'money', hot: true },
      { name: 'cost_price', type: 'decimal' },
    ],
  },
  { stream: 'groups', supportsDelta: true, fields: [{ name: 'name', type: 'localized' }, { name: 'type', type: 'select' }, { name: 'uom', type: 'string' }, { name: 'weight', type: 'quantity', units: ['kg'] }] },
];

const emptyPim = () =>
  buildPimStructure({
    edition: 'Serenity',
    attributes: [{ code: 'sku', type: 'pim_catalog_identifier', group: 'other' }, { code: 'marketing_description', type: 'pim_catalog_textarea', group: 'marketing', localizable: true, scopable: true }],
    attributeGroups: ['other', 'marketing'],
    channels: [{ code: 'ecommerce', locales: ['en_US', 'fr_FR', 'de_DE'], currencies: ['EUR'], category_tree: 'master' }],
    locales: ['en_US', 'fr_FR', 'de_DE'],
    currencies: ['EUR'],
    measurementFamilies: [...MEASUREMENT_FAMILIES, { code: 'Volume', standard_unit_code: 'CUBIC_METER', units: { LITER: { code: 'LITER', convert_from_standard: [{ operator: 'mul', value: '0.001' }] }, CUBIC_METER: { code: 'CUBIC_METER', convert_from_standard: [{ operator: 'mul', value: '1' }] } } }],
    categories: ['master'],
  });

/** Two ERP groups: one told apart by colour and size together, one by size alone. */
const trytonSamples = (() => {
  const sampler = new AxisSampler(resolveMapping(mappingConfigSchema.parse({ preset: 'tryton' })));
  const add = (key: string, group: string, fields: Record<string, string>) => sampler.add(item(key, { ...fields, description: loc({ en: 'x' }), ean: key }, { group }));
  add('TS-R-S', 'TS', { aw_color: 'Black', aw_size: 'S', aw_style: 'U' });
  add('TS-R-M', 'TS', { aw_color: 'Black', aw_size: 'M', aw_style: 'U' });
  add('TS-B-M', 'TS', { aw_color: 'Silver', aw_size: 'M', aw_style: 'U' });
  add('TS-B-L', 'TS', { aw_color: 'Silver', aw_size: 'L', aw_style: 'U' });
  add('CAP-S', 'CAP', { aw_color: 'Black', aw_size: 'S', aw_style: 'U' });
  add('CAP-M', 'CAP', { aw_color: 'Black', aw_size: 'M', aw_style: 'U' });
  return sampler.samples();
})();

describe('planBootstrap (tryton preset)', () => {
  const plan = planBootstrap(mappingConfigSchema.parse({ preset: 'tryton' }), emptyPim(), trytonDescription, { samples: trytonSamples });

  it('creates ERP attributes with types inferred from the ERP field types, read-only on SaaS', () => {
    const byCode = new Map(plan.attributes.map((a) => [a.code, a]));
    expect(byCode.get('aw_color')).toMatchObject({ type: 'pim_catalog_simpleselect', group: 'erp', is_read_only: true });
    expect(byCode.get('description')).toMatchObject({ type: 'pim_catalog_textarea', localizable: true });
    expect(byCode.get('volume')).toMatchObject({ type: 'pim_catalog_metric', metric_family: 'Volume', default_metric_unit: 'LITER' });
    expect(byCode.has('type')).toBe(false);
    expect(byCode.has('list_price')).toBe(false);
    expect(byCode.has('cost_price')).toBe(false);
    expect(plan.notes.some((n) => n.includes('cost_price') && n.includes('hot data'))).toBe(true);
  });
  it('creates the options the ERP declares, normalised', () => {
    expect(plan.options.filter((o) => o.attribute === 'aw_size').map((o) => o.code)).toEqual(['s', 'm', 'l', '38']);
  });
  it('creates exactly the family variants the groups need (from the data); items-only fields live on the variants', () => {
    const fvs = plan.familyVariants.map((f) => f.code);
    expect(fvs.sort()).toEqual(['tryton_product_by_aw_color_aw_size', 'tryton_product_by_aw_size']);
    expect(plan.inferredVariants).toEqual({ tryton_product_by_aw_color_aw_size: 1, tryton_product_by_aw_size: 1 });
    const pair = plan.familyVariants.find((f) => f.code === 'tryton_product_by_aw_color_aw_size')!;
    expect(pair.variant_attribute_sets[0]!.axes).toEqual(['aw_color', 'aw_size']);
    expect(pair.variant_attribute_sets[0]!.attributes).toEqual(expect.arrayContaining(['description', 'ean', 'aw_style']));
    expect(pair.variant_attribute_sets[0]!.attributes).not.toContain('weight');
    expect(plan.families[0]!.family.attributes).toEqual(expect.arrayContaining(['sku', 'aw_color', 'marketing_description']));
    expect(describePlan(plan).join('\n')).toContain('+ attribute group erp "ERP data"');
  });
  it('plans nothing for CE read-only and leaves existing user attributes alone', () => {
    const pim = emptyPim();
    (pim as { edition: string | null }).edition = 'CE';
    (pim.attributes as Map<string, unknown>).set('ean', { code: 'ean', type: 'pim_catalog_text', group: 'marketing' });
    const p = planBootstrap(mappingConfigSchema.parse({ preset: 'tryton' }), pim, trytonDescription);
    expect(p.attributes.every((a) => a.is_read_only === undefined)).toBe(true);
    expect(p.attributes.some((a) => a.code === 'ean')).toBe(false);
  });
});

describe('checkMapping', () => {
  it('lists every problem at once, naming ERP field, PIM attribute and the fix', () => {
    const pim = demoPim({ locales: ['en_US', 'fr_FR'] });
    const config = mappingConfigSchema.parse({
      locales: { en: 'en_US', de: 'de_DE' },
      channels: { default: ['print'] },
      attributes: {
        color: { from: 'colour', type: 'text' },
        weight: { from: 'weight' },
        web_title: { from: 'name' },
        shoe_size: { type: 'number' },
        marketing_description: 'long_text',
        list_price: { type: 'price', referencePrice: true, currencies: { GBP: 'GBP' } },
      },
      structure: { families: { default: 'erp_product' }, variants: { familyVariant: { erp_product: 'by_nothing' } } },
    });
    const description: StreamDescription[] = [
      {
        stream: 'items',
        supportsDelta: true,
        fields: [
          { name: 'colour', type: 'select' },
          { name: 'weight', type: 'quantity', units: ['kg', 'stone'] },
          { name: 'name', type: 'localized', languages: ['en', 'de', 'it'] },
          { name: 'long_text', type: 'text' },
          { name: 'list_price', type: 'money' },
          { name: 'stock_level', type: 'integer' },
        ],
      },
    ];
    const problems = checkMapping(config, pim, description);
    const codes = problems.map((p) => `${p.severity}:${p.code}:${p.attribute ?? ''}`);
    expect(codes).toEqual(
      expect.arrayContaining([
        'error:inactive_locale:',
        'warning:unmapped_language:',
        'error:unknown_channel:',
        'error:wrong_type:color',
        'error:missing_unit:weight',
        'error:unknown_attribute:shoe_size',
        'warning:foreign_attribute:marketing_description',
        'error:missing_currency:list_price',
        'error:unknown_family_variant:',
        'warning:hot_data:',
      ]),
    );
    const unit = problems.find((p) => p.code === 'missing_unit')!;
    expect(unit.message).toContain('"stone"');
    expect(unit.erpField).toBe('weight');
    for (const p of problems) expect(p.fix.length).toBeGreaterThan(10);
  });
});

describe('variant level placement (property)', () => {
  const pim = demoPim();
  const layouts = new Map([...pim.familyVariants.values()].map((fv) => [fv.code, fv]));
  const levelOf = (fvCode: string, attr: string) => {
    const fv = layouts.get(fvCode)!;
    const i = fv.variant_attribute_sets.findIndex((s) => s.axes.includes(attr) || s.attributes.includes(attr));
    return attr === 'sku' ? fv.variant_attribute_sets.length : i + 1;
  };
  it('every value lands exactly at the level its family variant assigns, for any group', () => {
    const groupArb = fc.uniqueArray(fc.tuple(fc.option(fc.constantFrom('red', 'blue', 'green'), { nil: null }), fc.option(fc.constantFrom('S', 'M', 'L', 'XL'), { nil: null })), {
      minLength: 1,
      maxLength: 12,
      selector: ([c, s]) => `${c}|${s}`,
    });
    fc.assert(
      fc.property(groupArb, fc.boolean(), (combos, single) => {
        const mapper = createMapper(mappingConfigSchema.parse({ preset: 'demo', structure: { variants: { singleGroupAsSimpleProduct: single } } }), pim);
        const items = combos.map(([color, size], i) => item(`G-${i}`, { name: loc({ en: `n${i}` }), color, size, ean: `E${i}`, weight: { kind: 'quantity', amount: `${i}`, unit: 'kg' }, pack_count: 2 }, { group: 'G' }));
        const r = mapper.mapItems(items, new Map());
        const models = new Map(r.entities.filter((e): e is MappedProductModel => e.kind === 'product_model').map((m) => [m.code, m]));
        for (const e of r.entities) {
          if (e.kind === 'product_model') {
            const level = e.parent ? 1 : 0;
            for (const a of Object.keys(e.values)) expect(levelOf(e.familyVariant, a)).toBe(level);
          } else if (e.kind === 'product' && e.parent) {
            const parent = models.get(e.parent)!;
            const depth = layouts.get(parent.familyVariant)!.variant_attribute_sets.length;
            for (const a of Object.keys(e.values)) expect(levelOf(parent.familyVariant, a)).toBe(depth);
          }
        }
        // Every item is either sent once or held back with an error naming it (warnings hold nothing
        // back; the items' names differ, which the demo preset expects: ignoreItemDifferences).
        const sent = r.entities.filter((e): e is MappedProduct => e.kind === 'product').map((p) => p.identifier);
        const held = r.errors.filter((e) => e.blocksRecord).map((e) => e.origin.key);
        for (const w of r.errors.filter((e) => !e.blocksRecord)) expect(w).toMatchObject({ kind: 'model_value_conflict', attribute: 'name' });
        expect(new Set([...sent, ...held]).size).toBe(items.length);
        expect(sent.length + held.length).toBe(items.length);
      }),
      { numRuns: 200 },
    );
  });
});

describe('ferry check: localizable mismatches, families lacking attributes, bad axes', () => {
  it('names the ERP field, the PIM attribute and the fix for each', () => {
    const pim = demoPim({
      attributes: [
        ...demoPim().attributes.values(),
        { code: 'material', type: 'pim_catalog_text', group: 'erp', localizable: false, scopable: false },
        { code: 'notes', type: 'pim_catalog_textarea', group: 'erp', localizable: false, scopable: false },
      ],
      families: [{ code: 'erp_product', attribute_as_label: 'name', attributes: ['sku', 'name', 'color', 'size', 'ean'] }],
      familyVariants: [{ code: 'by_notes', family: 'erp_product', variant_attribute_sets: [{ level: 1, axes: ['notes'], attributes: ['sku'] }] }],
    });
    const config = mappingConfigSchema.parse({
      locales: { en: 'en_US', fr: 'fr_FR' },
      attributes: { material: { from: 'material_text' }, name: { from: 'short_name' } },
      structure: { families: { default: 'erp_product' }, variants: { familyVariant: { erp_product: 'by_notes' } } },
    });
    const description: StreamDescription[] = [
      {
        stream: 'items',
        supportsDelta: true,
        fields: [
          { name: 'material_text', type: 'localized', languages: ['en', 'fr'] },
          { name: 'short_name', type: 'string' },
          { name: 'notes', type: 'text' },
          { name: 'weight', type: 'quantity', units: ['kg'] },
        ],
      },
    ];
    const problems = checkMapping(config, pim, description);
    const find = (code: string, attribute: string) => problems.find((p) => p.code === code && (p.attribute ?? '').includes(attribute));
    expect(find('localizable_mismatch', 'material')).toMatchObject({ severity: 'warning', erpField: 'material_text' });
    expect(find('localizable_mismatch', 'name')).toMatchObject({ severity: 'warning', erpField: 'short_name' });
    expect(find('family_lacks_attributes', 'material')).toMatchObject({ severity: 'warning' });
    expect(find('bad_axis', 'notes')).toMatchObject({ severity: 'error' });
    expect(find('bad_axis', 'notes')!.message).toContain('simple select, boolean or metric');
    for (const p of problems) expect(p.fix.length).toBeGreaterThan(10);
  });
});
