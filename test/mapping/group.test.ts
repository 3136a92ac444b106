import { describe, expect, it } from 'vitest';
import type { ErpRecord } from '../../src/erp/port.js';
import type { GroupOutput } from '../../src/mapping/group.js';
import { item, loc } from './fixtures.js';
import { stages } from './stages.js';

const emptyOut = (): GroupOutput => ({ roots: [], subs: [], products: [], uploads: [], groupAccs: [] });

describe('GroupMapper: a group → root model, sub-models, variant products', () => {
  it('two axes: root model, one sub-model per color, variants under their sub-model with the variant-level values', () => {
    const s = stages();
    const shirt = (sku: string, color: string, size: string) => s.items.prepare(item(sku, { color, size, ean: `E${sku}`, description: loc({ en: 'Soft' }) }, { group: 'SHIRT', categories: ['tops'] }));
    const bucket = [shirt('A', 'Red', 'S'), shirt('B', 'Red', 'M'), shirt('C', 'Blue', 'S')];
    const out = emptyOut();
    s.groups.mapGroup('SHIRT', bucket, undefined, out);
    expect(out.roots).toMatchObject([{ code: 'SHIRT', parent: null, familyVariant: 'erp_product_color_size', categories: ['erp_tops'] }]);
    expect(out.roots[0]!.values.description).toBeDefined();
    expect(out.roots[0]!.values.color).toBeUndefined();
    expect(out.subs.map((m) => [m.code, m.parent, m.values.color?.[0]?.data])).toEqual([
      ['SHIRT_red', 'SHIRT', 'red'],
      ['SHIRT_blue', 'SHIRT', 'blue'],
    ]);
    expect(out.products.map((p) => [p.identifier, p.parent, p.values.size?.[0]?.data, p.values.ean?.[0]?.data])).toEqual([
      ['A', 'SHIRT_red', 'S', 'EA'],
      ['B', 'SHIRT_red', 'M', 'EB'],
      ['C', 'SHIRT_blue', 'S', 'EC'],
    ]);
    // The variants' categories are the model's: none of their own.
    expect(out.products.map((p) => p.categories)).toEqual([[], [], []]);
    expect(bucket.flatMap((p) => p.acc.errors)).toEqual([]);
  });

  it('holds back what cannot be placed, each saying why: another family, a missing axis, a duplicate combination', () => {
    const s = stages({ preset: 'demo', structure: { families: { field: 'kind' } } });
    const p = (sku: string, fields: Record<string, unknown>) => s.items.prepare(item(sku, { kind: 'erp_product', ...fields } as never, { group: 'G' }));
    const bucket = [p('A', { size: 'S' }), p('B', { size: 'M' }), p('C', { size: 'S' }), p('D', { kind: 'plain', size: 'L' })];
    const out = emptyOut();
    s.groups.mapGroup('G', bucket, undefined, out);
    expect(out.products.map((x) => x.identifier)).toEqual(['A', 'B']);
    expect(bucket[2]!.acc.errors).toMatchObject([{ kind: 'duplicate_axis_combination', blocksRecord: true }]);
    expect(bucket[2]!.acc.errors[0]!.message).toContain('SKU "A"');
    expect(bucket[3]!.acc.errors).toMatchObject([{ kind: 'invalid_value', blocksRecord: true }]);
    expect(bucket[3]!.acc.errors[0]!.message).toContain('family plain differs');
  });

  it('a group record feeds the root first and has its own accumulator; a single item stays a simple product', () => {
    const s = stages();
    const group: ErpRecord = { stream: 'groups', key: 'SHIRT', updatedAt: '2026-02-01T00:00:00Z', fields: { brand: 'acme' } };
    const bucket = ['S', 'M'].map((size) => s.items.prepare(item(`T-${size}`, { size, brand: 'other' }, { group: 'SHIRT' }), group));
    const out = emptyOut();
    s.groups.mapGroup('SHIRT', bucket, group, out);
    expect(out.roots[0]!.origin).toEqual({ stream: 'groups', key: 'SHIRT', updatedAt: '2026-02-01T00:00:00Z' });
    expect(out.roots[0]!.values.brand).toEqual([{ locale: null, scope: null, data: 'acme' }]);
    expect(out.groupAccs).toHaveLength(1);
    const single = emptyOut();
    s.groups.mapGroup('ONE', [s.items.prepare(item('X', { size: 'S' }, { group: 'ONE' }))], undefined, single);
    expect(single.roots).toEqual([]);
    expect(single.products).toMatchObject([{ identifier: 'X', parent: null, family: 'erp_product' }]);
  });
});
