import { describe, expect, it } from 'vitest';
import type { PreparedItem } from '../../src/mapping/items.js';
import type { VariantLayout } from '../../src/mapping/layout.js';
import type { MediaUploadRequest } from '../../src/mapping/types.js';
import { item, loc } from './fixtures.js';
import { stages } from './stages.js';

/** Items of one model under the one-level size family variant (the root carries color, brand, description…). */
function sizeModel(config: unknown, rows: Record<string, unknown>[]): { s: ReturnType<typeof stages>; layout: VariantLayout; members: PreparedItem[] } {
  const s = stages(config);
  const members = rows.map((fields, i) => s.items.prepare(item(`A${i}`, fields as never, { group: 'SHIRT' })));
  const layout = s.layouts.chooseFamilyVariant('erp_product', members, []);
  if (layout === null || layout === 'simple' || 'error' in layout) throw new Error('no layout');
  expect(layout.fv.code).toBe('erp_product_size');
  return { s, layout, members };
}

const config = { preset: 'demo', structure: { variants: { familyVariant: { erp_product: 'erp_product_size' } } } };

describe('ModelValues: the values a model takes from its sources', () => {
  it('the first source with data wins, per attribute; an item without the value inherits it silently', () => {
    const { s, layout, members } = sizeModel(config, [
      { size: 'S', description: loc({ en: 'Soft' }) },
      { size: 'M', description: loc({ en: 'Soft' }), pack_count: 2 },
      { size: 'L' },
    ]);
    const uploads: MediaUploadRequest[] = [];
    const values = s.modelValues.levelValues(0, layout, members, 'SHIRT', uploads);
    expect(values.description).toContainEqual({ locale: 'en_US', scope: null, data: 'Soft' });
    // The first item has no pack_count: the second one feeds the model.
    expect(values.pack_count).toEqual([{ locale: null, scope: null, data: 2 }]);
    // Variant-level attributes are not the model's.
    expect(values.size).toBeUndefined();
    expect(members.flatMap((m) => m.acc.errors)).toEqual([]);
    expect(uploads).toEqual([]);
  });

  it('a later item with a different clean value: a model_value_conflict on that item, naming both; the model keeps the first', () => {
    const { s, layout, members } = sizeModel(config, [
      { size: 'S', brand: 'acme' },
      { size: 'M', brand: 'acme' },
      { size: 'L', brand: 'other' },
    ]);
    const values = s.modelValues.levelValues(0, layout, members, 'SHIRT', []);
    expect(values.brand).toEqual([{ locale: null, scope: null, data: 'acme' }]);
    expect(members[0]!.acc.errors).toEqual([]);
    expect(members[1]!.acc.errors).toEqual([]);
    expect(members[2]!.acc.errors).toMatchObject([{ kind: 'model_value_conflict', attribute: 'brand', erpField: 'brand', recordLabel: 'SKU "A2"' }]);
    expect(members[2]!.acc.errors[0]!.message).toContain('SKU "A0"');
    expect(members[2]!.acc.blocked).toBe(false);
  });

  it('ignoreItemDifferences: no comparison at all for that attribute', () => {
    const { s, layout, members } = sizeModel({ ...config, structure: { variants: { ...config.structure.variants, ignoreItemDifferences: ['brand'] } } }, [
      { size: 'S', brand: 'acme' },
      { size: 'M', brand: 'other' },
    ]);
    expect(s.modelValues.levelValues(0, layout, members, 'SHIRT', []).brand).toEqual([{ locale: null, scope: null, data: 'acme' }]);
    expect(members.flatMap((m) => m.acc.errors)).toEqual([]);
  });
});
