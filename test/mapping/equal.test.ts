import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { agreesWith, deepEqual, sameFieldValue } from '../../src/mapping/equal.js';
import type { FieldValue } from '../../src/erp/port.js';

const text = fc.constantFrom('', 'a', 'b', 'Red', '12.5');
const fieldValue: fc.Arbitrary<FieldValue> = fc.letrec<{ v: FieldValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    text,
    fc.constantFrom(0, 1, 12.5),
    fc.boolean(),
    fc.constant(null),
    fc.record({ kind: fc.constant('quantity' as const), amount: text, unit: fc.constantFrom('kg', 'g') }),
    fc.record({ kind: fc.constant('decimal' as const), value: text }),
    fc.record({ kind: fc.constant('money' as const), amount: text, currency: fc.constantFrom('EUR', 'USD') }),
    fc.record({ kind: fc.constant('localized' as const), values: fc.dictionary(fc.constantFrom('en', 'fr', 'de'), text, { noNullPrototype: true }) }),
    fc.array(tie('v'), { maxLength: 3 }),
  ),
})).v;

describe('value equality', () => {
  it('an equal copy is equal; equality agrees with comparing the JSON of key-sorted values', () => {
    const canonical = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort()) : x));
    fc.assert(
      fc.property(fieldValue, fieldValue, (a, b) => {
        expect(sameFieldValue(a, structuredClone(a))).toBe(true);
        expect(sameFieldValue(a, b)).toBe(canonical(a) === canonical(b));
        expect(deepEqual(a, b)).toBe(canonical(a) === canonical(b));
      }),
      { numRuns: 500 },
    );
  });

  it('an item agrees with its model where it has data; its empty entries are no disagreement', () => {
    const model = [
      { locale: 'en_US', scope: null, data: 'Soft' },
      { locale: 'fr_FR', scope: null, data: 'Doux' },
    ];
    expect(agreesWith([{ locale: 'en_US', scope: null, data: 'Soft' }, { locale: 'fr_FR', scope: null, data: null }], model)).toBe(true);
    expect(agreesWith([{ locale: 'fr_FR', scope: null, data: 'Rêche' }], model)).toBe(false);
    expect(agreesWith([{ locale: 'de_DE', scope: null, data: 'Weich' }], model)).toBe(false);
    expect(agreesWith(undefined, model)).toBe(true);
  });
});
