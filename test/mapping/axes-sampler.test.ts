/**
 * AxisSampler places items by the mapper's own rules (items.ts ItemPlacement): the same group key,
 * the same model family, and the items the mapper would hold back left out of the sample.
 */
import { describe, expect, it } from 'vitest';
import type { ErpRecord } from '../../src/erp/port.js';
import { AxisSampler, buildPimStructure, createMapper, mappingConfigSchema, type MappedProduct } from '../../src/mapping/index.js';
import { resolveMapping } from '../../src/mapping/resolve.js';
import { item } from './fixtures.js';

const config = mappingConfigSchema.parse({
  codes: { normalise: true },
  identifier: { from: 'code' },
  structure: {
    categories: { mode: 'ignore' },
    families: { field: 'kind', default: 'misc' },
    variants: { groupBy: 'sku', skuPattern: '^(?<model>[A-Z]+)-' },
  },
});

describe('AxisSampler: the mapper placement rules', () => {
  it('groups by the SKU pattern, takes the model family from the first item, leaves out items without SKU or of another family', () => {
    const sampler = new AxisSampler(resolveMapping(config));
    const add = (key: string, fields: ErpRecord['fields']) => sampler.add(item(key, fields));
    add('1', { code: 'TEE-RED', kind: 'Shirts & Tops', color: 'Red' });
    add('2', { code: 'TEE-BLUE', kind: 'Shirts & Tops', color: 'Blue' });
    add('3', { code: 'TEE-GREEN', kind: 'Hats', color: 'Green' });
    add('4', { kind: 'Shirts & Tops', color: 'Pink' });
    add('5', { code: 'nomatch', kind: 'Hats', color: 'Red' });
    const samples = sampler.samples();
    expect(samples.map((s) => [s.key, s.family, s.skus])).toEqual([['TEE', 'shirts_tops', ['TEE-RED', 'TEE-BLUE']]]);
    expect(samples[0]!.items.map((i) => i['color'])).toEqual(['red', 'blue']);
  });

  it("takes the group record's fields an item lacks, and the family the group record names", () => {
    const sampler = new AxisSampler(resolveMapping(config));
    const group: ErpRecord = { stream: 'groups', key: 'TEE', updatedAt: null, fields: { kind: 'Hats', fabric: 'Wool' } };
    sampler.add(item('1', { code: 'TEE-RED', color: 'Red' }, { group: 'TEE' }), group);
    sampler.add(item('2', { code: 'TEE-BLUE', color: 'Blue' }, { group: 'TEE' }), group);
    const [sample] = sampler.samples();
    expect(sample!.family).toBe('hats');
    expect(sample!.items.map((i) => i['fabric'])).toEqual(['wool', 'wool']);
  });

  it("agrees with the mapper: the family it samples is the one the mapper gives the model", () => {
    const mapping = resolveMapping(config);
    const sampler = new AxisSampler(mapping);
    const records = [item('1', { code: 'TEE-RED', kind: 'Shirts & Tops', color: 'Red' }), item('2', { code: 'TEE-BLUE', kind: 'Shirts & Tops', color: 'Blue' })];
    for (const r of records) sampler.add(r);
    const pim = buildPimStructure({
      edition: 'CE',
      attributes: [
        { code: 'sku', type: 'pim_catalog_identifier', group: 'other' },
        { code: 'color', type: 'pim_catalog_simpleselect', group: 'other' },
      ],
      attributeGroups: ['other'],
      families: [{ code: 'shirts_tops', attributes: ['sku', 'color'], attribute_as_label: 'sku', attribute_requirements: {} }],
      channels: [{ code: 'ecommerce', locales: ['en_US'], currencies: ['USD'], category_tree: 'master' }],
      locales: ['en_US'],
      categories: ['master'],
    });
    // The family has no family variant yet (bootstrap has not run): the mapper sends simple products of that family.
    const out = createMapper(mapping, pim).mapItems(records, new Map());
    const products = out.entities.filter((e): e is MappedProduct => e.kind === 'product');
    expect(products.map((p) => p.family)).toEqual(['shirts_tops', 'shirts_tops']);
    expect(sampler.samples()[0]!.family).toBe('shirts_tops');
  });
});
