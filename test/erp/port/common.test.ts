/** The helpers every adapter shares: exact values, the delta window, rejects and counters. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  RecordProblem,
  RejectCollector,
  countedRead,
  deltaWindow,
  inWindow,
  laterOf,
  localized,
  normalizeRecord,
  parseSince,
  quantity,
  toBoolean,
  toExactDecimal,
  toInteger,
  toIsoDate,
  toIsoTimestamp,
  truncateRaw,
} from '../../../src/erp/common/index.js';
import { ErpError, type ErpRecord, type ErpSource, type RejectedRecord } from '../../../src/erp/port.js';

describe('exact values', () => {
  it('keeps decimal digits as written and refuses what is not a number', () => {
    expect(toExactDecimal('12.50')).toBe('12.50');
    expect(toExactDecimal(' +.5 ')).toBe('0.5');
    expect(toExactDecimal('-.25')).toBe('-0.25');
    expect(toExactDecimal('12,50')).toBe('12.50');
    expect(toExactDecimal(1e-7)).toBe('0.0000001');
    expect(toExactDecimal(1.5e21)).toBe('1500000000000000000000');
    expect(toExactDecimal(12345678901234567890n)).toBe('12345678901234567890');
    expect(toExactDecimal('')).toBeNull();
    expect(() => toExactDecimal('1.2.3', 'price')).toThrow(RecordProblem);
    expect(() => toExactDecimal('abc', 'price')).toThrow(/price: "abc" is not a decimal/);
    expect(() => toExactDecimal(Number.NaN)).toThrow(RecordProblem);
  });

  it('round-trips any decimal text exactly', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), fc.integer({ min: 0, max: 12 }), (n, scale) => {
        const digits = (n < 0n ? -n : n).toString().padStart(scale + 1, '0');
        const text = `${n < 0n ? '-' : ''}${scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`}`;
        expect(toExactDecimal(text)).toBe(text);
      }),
    );
  });

  it('reads integers exactly, big ones as text', () => {
    expect(toInteger('42')).toBe(42);
    expect(toInteger(9007199254740993n)).toBe('9007199254740993');
    expect(() => toInteger('4.2', 'qty')).toThrow(/qty/);
  });

  it('reads the usual boolean spellings', () => {
    for (const t of [true, 1, '1', 't', 'TRUE', 'yes', 'Y', 1n]) expect(toBoolean(t)).toBe(true);
    for (const f of [false, 0, '0', 'f', 'false', 'No', 'n']) expect(toBoolean(f)).toBe(false);
    expect(toBoolean(null)).toBeNull();
    expect(() => toBoolean('maybe', 'active')).toThrow(/active/);
  });

  it('turns timestamps into UTC ISO, naive ones read as UTC, and refuses impossible dates', () => {
    expect(toIsoTimestamp('2024-05-01 12:00:00')).toBe('2024-05-01T12:00:00.000Z');
    expect(toIsoTimestamp('2014-02-08 10:01:36.827000000')).toBe('2014-02-08T10:01:36.827Z');
    expect(toIsoTimestamp('2024-05-01 14:00:00.123456+02')).toBe('2024-05-01T12:00:00.123Z');
    expect(toIsoTimestamp('2024-05-01T12:00:00-0130')).toBe('2024-05-01T13:30:00.000Z');
    expect(toIsoTimestamp(new Date('2024-05-01T00:00:00Z'))).toBe('2024-05-01T00:00:00.000Z');
    expect(toIsoTimestamp(1714564800)).toBe('2024-05-01T12:00:00.000Z');
    expect(() => toIsoTimestamp('yesterday', 'updated_at')).toThrow(/updated_at/);
    expect(toIsoDate('2024-02-29')).toBe('2024-02-29');
    expect(() => toIsoDate('2023-02-29', 'released')).toThrow(/not a calendar date/);
  });

  it('keeps only real translations and refuses an amount without unit', () => {
    expect(localized({ en: ' Chair ', fr: '', de: null })).toEqual({ kind: 'localized', values: { en: 'Chair' } });
    expect(localized({ en: '' })).toBeNull();
    expect(quantity('1.50', 'KG ')).toEqual({ kind: 'quantity', amount: '1.50', unit: 'kg' });
    expect(quantity(null, 'kg')).toBeNull();
    expect(() => quantity('3', null, 'weight')).toThrow(/weight: amount 3 has no unit/);
  });
});

describe('delta window', () => {
  it('is inclusive and widened by the margin', () => {
    const w = deltaWindow('2024-05-01T12:00:00Z', 120);
    expect(w.from.toISOString()).toBe('2024-05-01T11:58:00.000Z');
    expect(inWindow('2024-05-01T11:58:00.000Z', w)).toBe(true);
    expect(inWindow('2024-05-01T11:57:59.999Z', w)).toBe(false);
    expect(inWindow(null, w)).toBe(true);
    expect(parseSince('2024-05-01').toISOString()).toBe('2024-05-01T00:00:00.000Z');
    expect(() => parseSince('last tuesday')).toThrow(ErpError);
    expect(laterOf('2024-01-01T00:00:00Z', '2024-02-01T00:00:00Z')).toBe('2024-02-01T00:00:00Z');
    expect(laterOf(null, '2024-02-01T00:00:00Z')).toBe('2024-02-01T00:00:00Z');
  });
});

describe('rejects and counters', () => {
  it('forwards each reject with bounded raw content and counts it', () => {
    const seen: RejectedRecord[] = [];
    const c = new RejectCollector('items', (r) => seen.push(r));
    c.reject({ location: 'table items, key A', key: 'A', field: 'weight', raw: { sku: 'A', big: 2n ** 70n }, message: 'bad' });
    expect(c.rejected).toBe(1);
    expect(seen[0]).toMatchObject({ stream: 'items', key: 'A', field: 'weight' });
    expect(seen[0]!.raw).toContain('"big":"1180591620717411303424"');
    expect(truncateRaw('x'.repeat(5000)).length).toBeLessThan(2100);
  });

  it('countedRead counts what was read and rejected, and still calls the caller', async () => {
    const fake: Pick<ErpSource, 'read'> = {
      async *read(_stream, options) {
        yield { stream: 'items', key: 'A', updatedAt: null, fields: {} } as ErpRecord;
        options?.onReject?.({ stream: 'items', location: 'x', raw: '', message: 'bad' });
        yield { stream: 'items', key: 'B', updatedAt: null, fields: {} } as ErpRecord;
      },
    };
    let callerSaw = 0;
    const { records, counts } = countedRead(fake, 'items', { onReject: () => callerSaw++ });
    const keys: string[] = [];
    for await (const r of records) keys.push(r.key);
    expect(keys).toEqual(['A', 'B']);
    expect(counts).toEqual({ read: 2, rejected: 1 });
    expect(callerSaw).toBe(1);
  });

  it('normalizeRecord orders fields and categories deterministically', () => {
    const r = normalizeRecord({ stream: 'items', key: 'A', updatedAt: null, categories: ['b', 'a', 'b'], fields: { z: 1, a: 'x' } });
    expect(JSON.stringify(r)).toBe('{"stream":"items","key":"A","updatedAt":null,"categories":["a","b"],"fields":{"a":"x","z":1}}');
  });
});
