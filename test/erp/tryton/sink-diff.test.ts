import { describe, expect, it } from 'vitest';
import type { ErpRecord } from '../../../src/erp/port.js';
import { changedPart, sameValue } from '../../../src/erp/tryton/sink-diff.js';

describe('Tryton sink: what an upsert changes', () => {
  it('compares quantities, decimals and money by value, localized texts by the languages sent', () => {
    expect(sameValue({ kind: 'quantity', amount: '1.250', unit: 'kg' }, { kind: 'quantity', amount: '1.25', unit: 'kg' })).toBe(true);
    expect(sameValue({ kind: 'quantity', amount: '1250', unit: 'g' }, { kind: 'quantity', amount: '1.25', unit: 'kg' })).toBe(false);
    expect(sameValue({ kind: 'decimal', value: '12.50' }, { kind: 'decimal', value: '12.5' })).toBe(true);
    expect(sameValue({ kind: 'money', amount: '9.9900', currency: 'EUR' }, { kind: 'money', amount: '9.99', currency: 'EUR' })).toBe(true);
    const current = { kind: 'localized' as const, values: { en: 'Tent', de: 'Zelt' } };
    expect(sameValue({ kind: 'localized', values: { de: 'Zelt' } }, current)).toBe(true);
    expect(sameValue({ kind: 'localized', values: { fr: 'Tente' } }, current)).toBe(false);
    expect(sameValue(null, undefined)).toBe(true);
    expect(sameValue('red', undefined)).toBe(false);
    expect(sameValue(['a', 'b'], ['a', 'b'])).toBe(true);
    expect(sameValue(['a'], ['a', 'b'])).toBe(false);
  });

  it('keeps only the changed fields, categories and active flag', () => {
    const current: ErpRecord = { stream: 'items', key: 'A', updatedAt: null, categories: ['category_1'], active: true, fields: { color: 'red', size: 'm' } };
    expect(changedPart({ stream: 'items', key: 'A', updatedAt: null, categories: ['category_1'], active: true, fields: { color: 'red' } }, current)).toBeNull();
    const part = changedPart({ stream: 'items', key: 'A', updatedAt: null, categories: ['category_2'], active: true, fields: { color: 'red', size: 'l' } }, current)!;
    expect(part.fields).toEqual({ size: 'l' });
    expect(part.categories).toEqual(['category_2']);
    expect('active' in part).toBe(false);
  });
});
