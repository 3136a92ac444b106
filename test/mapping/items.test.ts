import { describe, expect, it } from 'vitest';
import type { ErpRecord } from '../../src/erp/port.js';
import { item, loc } from './fixtures.js';
import { stages } from './stages.js';

describe('ItemPreparer: an ERP item ready to be grouped', () => {
  it('SKU, family (the default), category codes, group key; no value converted yet', () => {
    const { items, fields } = stages();
    const p = items.prepare(item(' A-1 ', { name: loc({ en: 'Shirt' }) }, { group: 'SHIRT', categories: ['tops'] }));
    expect(p.sku).toBe('A-1');
    expect(p.acc.identifier).toEqual([{ locale: null, scope: null, data: 'A-1' }]);
    expect(p.family).toBe('erp_product');
    expect(p.categories).toEqual(['erp_tops']);
    expect(p.groupKey).toBe('SHIRT');
    expect(p.acc.blocked).toBe(false);
    expect(fields.valueOf(p.acc, 'name')).toBeUndefined();
  });

  it('inherits the fields its group record has and it lacks, keeping its own', () => {
    const { items } = stages();
    const group: ErpRecord = { stream: 'groups', key: 'SHIRT', updatedAt: null, fields: { description: 'Soft', name: 'Template' } };
    const p = items.prepare(item('A', { name: 'Own' }, { group: 'SHIRT' }), group);
    expect(p.rec.fields).toEqual({ name: 'Own', description: 'Soft' });
  });

  it('an item without a usable SKU is held back, naming the field and the fix', () => {
    const { items } = stages({ preset: 'demo', identifier: { from: 'code' } });
    const missing = items.prepare(item('K1', { code: '  ' }));
    expect(missing.acc.blocked).toBe(true);
    expect(missing.acc.errors).toMatchObject([{ kind: 'missing_required', erpField: 'code', attribute: 'sku', recordLabel: 'SKU "K1"' }]);
    expect(missing.acc.errors[0]!.fix).toContain('field code');
    const comma = items.prepare(item('K2', { code: 'A,B' }));
    expect(comma.acc.errors).toMatchObject([{ kind: 'invalid_code', value: 'A,B', blocksRecord: true }]);
  });

  it('family from an ERP field, mapped or as a code; one the PIM lacks is an unknown_family error', () => {
    const { items } = stages({ preset: 'demo', structure: { families: { field: 'kind', map: { Basic: 'plain' } } } });
    expect(items.prepare(item('A', { kind: 'Basic' })).family).toBe('plain');
    expect(items.prepare(item('B', { kind: 'erp_product' })).family).toBe('erp_product');
    const unknown = items.prepare(item('C', { kind: 'gadgets' }));
    expect(unknown.family).toBe('gadgets');
    expect(unknown.acc.errors).toMatchObject([{ kind: 'unknown_family', erpField: 'kind', value: 'gadgets' }]);
  });

  it('group key by SKU pattern', () => {
    const { items } = stages({ preset: 'demo', structure: { variants: { groupBy: 'sku', skuPattern: '^(?<model>[A-Z]+)-' } } });
    expect(items.prepare(item('TEE-RED-M', {})).groupKey).toBe('TEE');
    expect(items.prepare(item('123', {})).groupKey).toBeNull();
  });
});
