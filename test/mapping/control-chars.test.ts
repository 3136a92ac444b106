/**
 * Control characters (C0 but tab and line breaks, DEL, C1, NUL) are refused in identifiers, codes
 * and labels as they are in text values (issue 11): a record-level reject naming record, field and
 * fix, never a code or label stored with the character (or with it silently turned into '_').
 */
import { describe, expect, it } from 'vitest';
import { createMapper } from '../../src/mapping/index.js';
import { mappingConfigSchema } from '../../src/mapping/config.js';
import type { ErpRecord } from '../../src/erp/port.js';
import { demoPim, item, loc } from './fixtures.js';

const simple = () => createMapper(mappingConfigSchema.parse({ preset: 'demo', structure: { variants: { groupBy: 'none' } } }), demoPim());

describe('control characters in identifiers, codes and labels', () => {
  it('a SKU with a NUL is held back, naming the SKU, the character and the fix', () => {
    const r = simple().mapItems([item('A\u0000B', { name: loc({ en: 'Pen' }) }), item('OK-1', { name: loc({ en: 'Cup' }) })], new Map());
    expect(r.entities.filter((e) => e.kind === 'product').map((e) => (e.kind === 'product' ? e.identifier : ''))).toEqual(['OK-1']);
    const e = r.errors.find((x) => x.kind === 'invalid_code')!;
    expect(e.blocksRecord).toBe(true);
    expect(e.message).toContain('control character U+0000 at position 2');
    expect(e.recordLabel).toContain('SKU');
    expect(e.fix).toContain('Remove the control character');
  });

  it('a product model key with a C1 control is held back (not normalised into a code)', () => {
    const mapper = createMapper(mappingConfigSchema.parse({ preset: 'demo' }), demoPim());
    const cap = (sku: string, size: string): ErpRecord => item(sku, { name: loc({ en: 'Cap' }), size, ean: `E${sku}` } as never, { group: 'CAP\u0085X', categories: ['tops'] });
    const r = mapper.mapItems([cap('CAP-S', 'S'), cap('CAP-M', 'M')], new Map());
    expect(r.entities.filter((e) => e.kind === 'product_model')).toEqual([]);
    expect(JSON.stringify(r.entities)).not.toContain('\\u0085');
    expect(r.errors).toHaveLength(2);
    expect(r.errors[0]!.message).toContain('product model key');
    expect(r.errors[0]!.message).toContain('control character U+0085 at position 4');
    expect(r.errors[0]!.blocksRecord).toBe(true);
  });

  it('an option value with a DEL is refused, not turned into an option code', () => {
    const r = simple().mapItems([item('PEN-1', { name: loc({ en: 'Pen' }), color: 'dark\u007fred' } as never)], new Map());
    expect(JSON.stringify(r)).not.toContain('dark_red');
    const e = r.errors.find((x) => x.attribute === 'color')!;
    expect(e.message).toContain('control character U+007F at position 5');
    expect(e.fix).toContain('Remove the control character');
  });

  it('a category code or label with a control character is refused, the others kept', () => {
    const m = simple();
    const cat = (key: string, name: Record<string, string>): ErpRecord => ({ stream: 'categories', key, parent: null, updatedAt: null, fields: { name: loc(name) } });
    const r = m.mapCategories([cat('Shirts\u0001', { en: 'Shirts' }), cat('Hats', { en: 'Ha\u0000ts' }), cat('Cups', { en: 'Cups' })]);
    expect(r.entities.map((e) => (e.kind === 'category' ? e.code : ''))).toEqual(['erp_cups']);
    expect(r.errors).toHaveLength(2);
    expect(r.errors[0]!.message).toContain('control character U+0001 at position 7');
    expect(r.errors[0]!.erpField).toBe('(record key)');
    expect(r.errors[1]!.message).toContain('label "Ha\\u0000ts" contains the control character U+0000 at position 3');
    expect(r.errors[1]!.erpField).toBe('name');
    expect(r.errors.every((e) => e.blocksRecord && e.fix.includes('Remove the control character'))).toBe(true);
  });
});
