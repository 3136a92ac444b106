import { describe, expect, it } from 'vitest';
import { newAcc } from '../../src/mapping/plans.js';
import { demoPim, item, loc } from './fixtures.js';
import { stages } from './stages.js';

const accOf = (key: string, plans: number) => newAcc({ stream: 'items', key, updatedAt: null }, 'SKU', key, plans);

describe('FieldPlanner: which plans run on a record', () => {
  it('maps explicit plans and identity fields of ERP-owned attributes, never an attribute outside the ownership', () => {
    const { fields } = stages();
    const rec = item('A', { name: loc({ en: 'Shirt' }), pack_count: 3, marketing_description: 'ERP text', unknown_field: 'x' });
    const acc = accOf('A', fields.planCount);
    fields.mapFields(rec, acc);
    expect(fields.valueOf(acc, 'name')).toEqual([
      { locale: 'en_US', scope: null, data: 'Shirt' },
      { locale: 'fr_FR', scope: null, data: null },
      { locale: 'de_DE', scope: null, data: null },
    ]);
    // pack_count is not in mapping.attributes: identity maps it, the field and the attribute share the code.
    expect(fields.valueOf(acc, 'pack_count')).toEqual([{ locale: null, scope: null, data: 3 }]);
    expect(fields.valueOf(acc, 'marketing_description')).toBeUndefined();
    expect(fields.identityOf(rec, acc)!.map((e) => e.field)).toEqual(['pack_count']);
    expect(fields.ownedAttributes.has('marketing_description')).toBe(false);
    expect(acc.errors).toEqual([]);
  });

  it('converts each plan at most once per record, and only what `want` asks for', () => {
    const { fields } = stages();
    const rec = item('A', { color: 'Green', size: 'M', pack_count: -1 });
    const acc = accOf('A', fields.planCount);
    const axes = (code: string) => code === 'color';
    fields.mapFields(rec, acc, 'test-axes', axes);
    expect(fields.valueOf(acc, 'color')).toEqual([{ locale: null, scope: null, data: 'green' }]);
    expect(fields.valueOf(acc, 'size')).toBeUndefined();
    expect(acc.options.map((o) => o.code)).toEqual(['green']);
    // Everything else now; color does not run again (no second missing option), pack_count's bad value is one error.
    fields.mapFields(rec, acc);
    fields.mapFields(rec, acc);
    expect(fields.valueOf(acc, 'size')).toEqual([{ locale: null, scope: null, data: 'M' }]);
    expect(acc.options.map((o) => o.code)).toEqual(['green']);
    expect(acc.errors.map((e) => e.attribute)).toEqual(['pack_count']);
  });

  it('select: one cached list per key and identity list; records with the same field names share it', () => {
    const { fields } = stages();
    const a = item('A', { pack_count: 1, organic: 'Y' });
    const b = item('B', { pack_count: 2, organic: 'N' });
    const idA = fields.identityOf(a, accOf('A', fields.planCount));
    const idB = fields.identityOf(b, accOf('B', fields.planCount));
    expect(idB).toBe(idA);
    const want = (code: string) => code !== 'organic';
    const list = fields.select('k', want, idA);
    expect(fields.select('k', want, idB)).toBe(list);
    expect(list.map((e) => e.plan.code)).toContain('pack_count');
    expect(list.map((e) => e.plan.code)).not.toContain('organic');
  });

  it('hot-data guard: a hot-looking field matching an owned attribute is refused, reported once, on the first record that has it', () => {
    const pim = demoPim({
      attributes: [...demoPim().attributes.values(), { code: 'stock_qty', type: 'pim_catalog_number', group: 'erp', localizable: false, scopable: false, decimals_allowed: false }],
    });
    const { fields } = stages({ structure: { variants: { groupBy: 'none' } } }, pim);
    const first = accOf('A', fields.planCount);
    fields.mapFields(item('A', { stock_qty: 4 }), first);
    expect(first.errors).toMatchObject([{ kind: 'hot_data', erpField: 'stock_qty', attribute: 'stock_qty', value: 4, blocksRecord: false }]);
    expect(fields.valueOf(first, 'stock_qty')).toBeUndefined();
    const second = accOf('B', fields.planCount);
    fields.mapFields(item('B', { stock_qty: 5 }), second);
    expect(second.errors).toEqual([]);
    expect(fields.valueOf(second, 'stock_qty')).toBeUndefined();
  });

  it('localeOf: the table, an active locale, or the one active <lang>_XX', () => {
    const { fields } = stages({ preset: 'demo', locales: { nl: 'de_DE' } });
    expect(fields.localeOf('fr')).toBe('fr_FR');
    expect(fields.localeOf('en_US')).toBe('en_US');
    expect(fields.localeOf('nl')).toBe('de_DE');
    expect(fields.localeOf('es')).toBeNull();
  });
});
