import { describe, expect, it } from 'vitest';
import { createMapper, mappingConfigSchema } from '../../src/mapping/index.js';
import { rejectMessage } from '../../src/mapping/messages.js';
import { demoPim, FAMILY_VARIANTS, item } from './fixtures.js';

const shirt = (sku: string, color: string, size: string) => item(sku, { name: 'T-shirt', color, size }, { group: 'TS-ORG' });

describe('reject messages name the record once', () => {
  it('the issue-16 case: a duplicate axis combination reads "SKU …: it has …", not "SKU SKU …: SKU …:"', () => {
    // Only the size variant exists, so two M items clash (what the issue saw before bootstrap made colour+size).
    const pim = demoPim({ familyVariants: FAMILY_VARIANTS.filter((f) => f.code === 'erp_product_size') });
    const r = createMapper(mappingConfigSchema.parse({ preset: 'demo' }), pim).mapItems([shirt('TS-ORG-RED-M', 'red', 'M'), shirt('TS-ORG-BLU-M', 'blue', 'M')], new Map());
    expect(r.errors).toHaveLength(1);
    expect(rejectMessage(r.errors[0]!)).toBe(
      'SKU "TS-ORG-BLU-M": it has the same variant axis values (size=m) as SKU "TS-ORG-RED-M" in product model "TS-ORG"; SKU "TS-ORG-RED-M" is sent, SKU "TS-ORG-BLU-M" is held back. Expected a distinct axis combination per item of a model.',
    );
  });

  it('a value error names its field once: the message already says ERP field and attribute', () => {
    const r = createMapper(mappingConfigSchema.parse({ preset: 'demo', structure: { variants: { groupBy: 'none' } } }), demoPim()).mapItems([item('SKU-9', { pack_count: 'abc' })], new Map());
    const text = rejectMessage(r.errors[0]!);
    expect(text.startsWith('SKU "SKU-9": ')).toBe(true);
    expect(text.match(/SKU-9/g)).toHaveLength(1);
    expect(text.match(/pack_count/g)!.length).toBeLessThanOrEqual(2);
  });

  it('a bare key from another producer gets its kind once; places not in the text are added', () => {
    expect(rejectMessage({ origin: { stream: 'items', key: 'pen', updatedAt: null }, recordLabel: 'pen', message: 'weight -1 is negative', attribute: 'size', erpField: 'weight' })).toBe(
      'SKU "pen" (attribute size, ERP field "weight"): weight -1 is negative',
    );
    expect(rejectMessage({ origin: { stream: 'groups', key: 'TEE', updatedAt: null }, recordLabel: 'product model "TEE"', message: 'product model "TEE": it is broken.' })).toBe('Product model "TEE": it is broken.');
  });
});
