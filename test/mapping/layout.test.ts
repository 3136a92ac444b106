import { describe, expect, it } from 'vitest';
import type { PreparedItem } from '../../src/mapping/items.js';
import { axisKey, comboOf } from '../../src/mapping/layout.js';
import { item } from './fixtures.js';
import { stages } from './stages.js';

const shirts = (s: ReturnType<typeof stages>, rows: [string, string | null, string | null][]): PreparedItem[] =>
  rows.map(([sku, color, size]) => s.items.prepare(item(sku, { color, size }, { group: 'SHIRT' })));

describe('FamilyLayouts: family and variant layout', () => {
  it('chooses the family variant that places every item, fewest axes first, and gives each item its axis keys', () => {
    const s = stages();
    const axed: PreparedItem[] = [];
    const members = shirts(s, [
      ['A', 'Red', 'S'],
      ['B', 'Red', 'M'],
    ]);
    const layout = s.layouts.chooseFamilyVariant('erp_product', members, axed);
    if (layout === null || layout === 'simple' || 'error' in layout) throw new Error(`no layout: ${JSON.stringify(layout)}`);
    // Only sizes vary: one level on size; color goes to the variants.
    expect(layout.fv.code).toBe('erp_product_size');
    expect(layout.levels).toBe(1);
    expect(layout.axes).toEqual([['size']]);
    expect(layout.levelOf.get('color')).toBe(1);
    expect(layout.keepVariant('sku')).toBe(true);
    expect(layout.wantAtLevel[0]!('name')).toBe(true);
    expect(axed).toEqual(members);
    expect(axed.map((p) => comboOf(p.axisKeys!, layout.flatSlots))).toEqual(['s', 'm']);
  });

  it('both axes vary: the two-level color → size family variant', () => {
    const s = stages();
    const layout = s.layouts.chooseFamilyVariant(
      'erp_product',
      shirts(s, [
        ['A', 'Red', 'S'],
        ['B', 'Red', 'M'],
        ['C', 'Blue', 'S'],
      ]),
      [],
    );
    expect(layout).toMatchObject({ fv: { code: 'erp_product_color_size' }, levels: 2, axes: [['color'], ['size']] });
  });

  it('the configured family variant, or an error when the PIM lacks it; "simple" for a family without variants', () => {
    const configured = stages({ preset: 'demo', structure: { variants: { familyVariant: { erp_product: 'erp_product_color' } } } });
    expect(configured.layouts.chooseFamilyVariant('erp_product', shirts(configured, [['A', 'Red', 'S']]), [])).toMatchObject({ fv: { code: 'erp_product_color' } });
    const missing = stages({ preset: 'demo', structure: { variants: { familyVariant: { erp_product: 'nope' } } } });
    expect(missing.layouts.chooseFamilyVariant('erp_product', shirts(missing, [['A', 'Red', 'S']]), [])).toEqual({
      error: 'family variant "nope" of family erp_product does not exist in the PIM',
    });
    const s = stages();
    expect(s.layouts.chooseFamilyVariant('plain', shirts(s, [['A', 'Red', 'S']]), [])).toBe('simple');
  });

  it('familyFilter: the family’s attributes plus the identifier; null without a family', () => {
    const { layouts } = stages();
    const plain = layouts.familyFilter('plain')!;
    expect(['sku', 'name', 'ean', 'color'].map(plain)).toEqual([true, true, true, false]);
    expect(layouts.familyFilter(null)).toBeNull();
    expect(layouts.familyFilter('plain')).toBe(plain);
  });

  it('axisKey: comparable text per value kind; null when missing', () => {
    expect(axisKey([{ locale: null, scope: null, data: 'Red' }])).toBe('red');
    expect(axisKey([{ locale: null, scope: null, data: { amount: '1.5', unit: 'KILOGRAM' } }])).toBe('1.5 KILOGRAM');
    expect(axisKey([{ locale: null, scope: null, data: ['b', 'A'] }])).toBe('a,b');
    expect(axisKey([{ locale: null, scope: null, data: null }])).toBeNull();
    expect(axisKey(undefined)).toBeNull();
  });
});
