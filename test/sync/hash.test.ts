import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, fingerprint, NULL_FINGERPRINT } from '../../src/sync/hash.js';

/** The definition, written the plain way: the fast canonicalJson must always agree with it. */
function plainCanonical(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(plainCanonical).sort().join(',')}]`;
  if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${plainCanonical(obj[k])}`).join(',')}}`;
  }
  return JSON.stringify(String(value));
}

const anyValue = fc.anything({ withBigInt: false, withBoxedValues: false, withMap: false, withSet: false, withTypedArray: false, withDate: false, withSparseArray: false });

describe('canonicalJson and fingerprint', () => {
  it('agree with the plain definition on any JSON-like value', () => {
    fc.assert(
      fc.property(anyValue, (v) => {
        expect(canonicalJson(v)).toBe(plainCanonical(v));
      }),
      { numRuns: 2000 },
    );
  });

  it('ignore key order and the order of list items; see every other difference', () => {
    expect(canonicalJson({ unit: 'KILOGRAM', amount: '0.2' })).toBe('{"amount":"0.2","unit":"KILOGRAM"}');
    expect(fingerprint(['blue', 'red'])).toBe(fingerprint(['red', 'blue']));
    expect(fingerprint({ amount: '0.2', unit: 'KILOGRAM' })).not.toBe(fingerprint({ amount: '0.20', unit: 'KILOGRAM' }));
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
    expect(canonicalJson([undefined])).toBe('[null]');
    expect(NULL_FINGERPRINT).toBe('=null');
  });

  it('keeps short texts readable and digests long ones to a fixed size', () => {
    expect(fingerprint('red')).toBe('="red"');
    const long = fingerprint('x'.repeat(500));
    expect(long).toMatch(/^#[A-Za-z0-9+/]{27}$/);
    expect(fingerprint('x'.repeat(500))).toBe(long);
    expect(fingerprint('x'.repeat(501))).not.toBe(long);
  });
});
