import { describe, expect, it } from 'vitest';
import type { ErpRecord } from '../../src/erp/port.js';
import { newAcc } from '../../src/mapping/plans.js';
import { item, loc } from './fixtures.js';
import { stages } from './stages.js';

const cat = (key: string, parent: string | null, name: unknown): ErpRecord => ({ stream: 'categories', key, updatedAt: null, parent, fields: { name } as never });

describe('CategoryMapper', () => {
  it('codes: the prefix before the normalised ERP key; a key that cannot be a code says why and how to fix it', () => {
    const { categories } = stages();
    expect(categories.code('tops')).toEqual({ ok: true, code: 'erp_tops' });
    expect(categories.code('tops')).toBe(categories.code('tops'));
    const bad = categories.code('to\u0007ps');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.why).toContain('contains');
  });

  it('an item: its codes once each; a bad key is an error on it, the others stay', () => {
    const { categories, fields } = stages();
    const acc = newAcc({ stream: 'items', key: 'A', updatedAt: null }, 'SKU', 'A', fields.planCount);
    expect(categories.itemCategories(item('A', {}, { categories: ['tops', 'sale', 'tops'] }), acc)).toEqual(['erp_tops', 'erp_sale']);
    expect(acc.errors).toEqual([]);
    // Keys that differ only in case are one code in the PIM: the second is an error, the first stays.
    expect(categories.itemCategories(item('A', {}, { categories: ['tops', 'TOPS'] }), acc)).toEqual(['erp_tops']);
    expect(acc.errors).toMatchObject([{ kind: 'invalid_code', erpField: 'categories', value: 'TOPS', recordLabel: 'SKU "A"' }]);
    expect(categories.itemCategories(item('A', {}), acc)).toBeUndefined();
  });

  it('a model: the group record’s categories, or those every item shares', () => {
    const { categories } = stages();
    const group: ErpRecord = { stream: 'groups', key: 'G', updatedAt: null, fields: {}, categories: ['tops', 'sale'] };
    expect(categories.modelCategories(group, [{ categories: ['erp_x'] }])).toEqual(['erp_tops', 'erp_sale']);
    expect(categories.modelCategories(undefined, [{ categories: ['erp_tops', 'erp_sale'] }, { categories: ['erp_sale'] }])).toEqual(['erp_sale']);
    expect(stages({ preset: 'demo', structure: { categories: { mode: 'ignore' } } }).categories.modelCategories(group, [])).toBeUndefined();
  });

  it('category records: parents first under the root, labels per locale; a cycle holds back its members only', () => {
    const { categories } = stages();
    const r = categories.mapCategories([
      cat('shirts', 'tops', loc({ en: 'Shirts', fr: 'Chemises' })),
      cat('tops', null, 'Tops'),
      cat('a', 'b', 'A'),
      cat('b', 'a', 'B'),
    ]);
    expect(r.entities).toEqual([
      { kind: 'category', origin: { stream: 'categories', key: 'tops', updatedAt: null }, code: 'erp_tops', parent: 'master', labels: { en_US: 'Tops' } },
      { kind: 'category', origin: { stream: 'categories', key: 'shirts', updatedAt: null }, code: 'erp_shirts', parent: 'erp_tops', labels: { en_US: 'Shirts', fr_FR: 'Chemises' } },
    ]);
    expect(r.errors.map((e) => e.message).join('\n')).toContain('cycle');
  });
});
