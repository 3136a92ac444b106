import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Values } from '../../../src/akeneo/model.js';
import { compareDecimal, formatDecimal } from '../../../src/sandbox/rules/decimal.js';
import { mergeValues, type BuiltValue } from '../../../src/sandbox/rules/values.js';

const attr = fc.constantFrom('a', 'b', 'c');
const locale = fc.constantFrom(null, 'en_US', 'fr_FR');
const scope = fc.constantFrom(null, 'ecommerce');
const change = fc.record({ attribute: attr, locale, scope, data: fc.oneof(fc.constant(null), fc.string({ minLength: 1, maxLength: 4 })) });

const lookup = (v: Values, c: { attribute: string; locale: string | null; scope: string | null }) =>
  v[c.attribute]?.find((e) => e.locale === c.locale && e.scope === c.scope)?.data;

/** Entry order inside one attribute is irrelevant (the cases compare it sorted by scope/locale). */
function canonical(v: Values): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, list] of Object.entries(v)) out[k] = list.map((e) => JSON.stringify([e.scope, e.locale, e.data])).sort();
  return out;
}

describe('value merge rules (properties)', () => {
  it('the last change of each (attribute, locale, scope) wins; null removes; others are kept', () => {
    fc.assert(
      fc.property(fc.array(change, { maxLength: 12 }), fc.array(change, { maxLength: 12 }), (first, second) => {
        const base = mergeValues({}, first as BuiltValue[]);
        const merged = mergeValues(base, second as BuiltValue[]);
        const keys = [...first, ...second].map((c) => ({ attribute: c.attribute, locale: c.locale, scope: c.scope }));
        for (const k of keys) {
          const last = [...second].reverse().find((c) => c.attribute === k.attribute && c.locale === k.locale && c.scope === k.scope);
          const expected = last ? (last.data ?? undefined) : lookup(base, k);
          expect(lookup(merged, k)).toBe(expected);
        }
        for (const list of Object.values(merged)) expect(list.length).toBeGreaterThan(0);
      }),
    );
  });

  it('is idempotent and does not mutate its input', () => {
    fc.assert(
      fc.property(fc.array(change, { maxLength: 12 }), fc.array(change, { maxLength: 12 }), (first, second) => {
        const base = mergeValues({}, first as BuiltValue[]);
        const snapshot = JSON.stringify(base);
        const once = mergeValues(base, second as BuiltValue[]);
        expect(JSON.stringify(base)).toBe(snapshot);
        expect(canonical(mergeValues(once, second as BuiltValue[]))).toEqual(canonical(once));
      }),
    );
  });
});

describe('decimal formatting (properties)', () => {
  it('matches an exact BigInt reference for 4-decimal rounding (half away from zero)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.integer({ min: 0, max: 8 }), (n, scale) => {
        const neg = n < 0n;
        const abs = neg ? -n : n;
        const digits = abs.toString().padStart(scale + 1, '0');
        const input = `${neg ? '-' : ''}${scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`}`;
        // Reference: scale to 4 decimals with half-up on the absolute value.
        const factor = 10n ** BigInt(scale);
        const scaled = abs * 10000n;
        let q = scaled / factor;
        if ((scaled % factor) * 2n >= factor) q += 1n;
        const s = q.toString().padStart(5, '0');
        const ref = `${neg && q !== 0n ? '-' : ''}${s.slice(0, -4)}.${s.slice(-4)}`;
        expect(formatDecimal(input, 4)).toBe(ref);
        // The rounded value differs from the input by less than half a unit of the 4th decimal.
        expect(Math.abs(compareDecimal(input, ref))).toBeLessThanOrEqual(1);
        if (scale <= 4) expect(compareDecimal(input, ref)).toBe(0);
      }),
    );
  });

  it('keeps large amounts exact', () => {
    expect(formatDecimal('987654321987.1234', 4)).toBe('987654321987.1234');
    expect(formatDecimal('-99.873200000000', 4)).toBe('-99.8732');
    expect(formatDecimal(56, 2)).toBe('56.00');
    expect(formatDecimal('13.111111111111', 4)).toBe('13.1111');
    expect(formatDecimal('1e3', 2)).toBe('1000.00');
  });
});
