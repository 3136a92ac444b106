import { describe, expect, it } from 'vitest';
import { TrytonDateTime, TrytonDecimal, decodeValue, encodeForTryton, floatToDecimalString } from '../../../src/erp/tryton/codec.js';
import { describeError } from '../../../src/erp/tryton/rpc.js';

describe('Tryton __class__ codec', () => {
  it('keeps decimals exact as strings', () => {
    const v = decodeValue({ list_price: { __class__: 'Decimal', decimal: '3399.9900' } }) as { list_price: TrytonDecimal };
    expect(v.list_price).toBeInstanceOf(TrytonDecimal);
    expect(v.list_price.value).toBe('3399.9900');
    expect(encodeForTryton([v.list_price])).toBe('[{"__class__":"Decimal","decimal":"3399.9900"}]');
  });

  it('decodes datetimes with microseconds as UTC and encodes them back', () => {
    const raw = { __class__: 'datetime', year: 2024, month: 2, day: 29, hour: 23, minute: 59, second: 58, microsecond: 123456 };
    const d = decodeValue(raw) as TrytonDateTime;
    expect(d.toIso()).toBe('2024-02-29T23:59:58.123456Z');
    expect(JSON.parse(encodeForTryton(d))).toEqual(raw);
  });

  it('decodes dates, bytes and timedeltas', () => {
    expect(decodeValue({ __class__: 'date', year: 2024, month: 6, day: 1 })).toMatchObject({ iso: '2024-06-01' });
    expect((decodeValue({ __class__: 'bytes', base64: 'aGk=' }) as Buffer).toString()).toBe('hi');
    expect(decodeValue({ __class__: 'timedelta', seconds: 90 })).toBe(90);
  });

  it('parses ISO watermarks with offsets and fractions, rejects nonsense', () => {
    expect(TrytonDateTime.parseIso('2024-06-11T12:00:00+02:00')!.toIso()).toBe('2024-06-11T10:00:00.000000Z');
    expect(TrytonDateTime.parseIso('2024-06-11T10:00:00.1234567Z')!.toIso()).toBe('2024-06-11T10:00:00.123456Z');
    expect(TrytonDateTime.parseIso('2024-06-11')!.toIso()).toBe('2024-06-11T00:00:00.000000Z');
    expect(TrytonDateTime.parseIso('2024-02-30T00:00:00Z')).toBeNull();
    expect(TrytonDateTime.parseIso('yesterday')).toBeNull();
    expect(TrytonDateTime.parseIso('2024-06-11T10:00:00Z')!.minusSeconds(300).toIso()).toBe('2024-06-11T09:55:00.000000Z');
  });

  it('prints floats as the shortest exact decimal text', () => {
    expect(floatToDecimalString(6.48)).toBe('6.48');
    expect(floatToDecimalString(0.1 + 0.2)).toBe('0.30000000000000004');
    expect(floatToDecimalString(1e-7)).toBe('0.0000001');
    expect(floatToDecimalString(1.5e21)).toBe('1500000000000000000000');
    expect(floatToDecimalString(-2.5e-8)).toBe('-0.000000025');
  });

  it('turns Tryton error tuples into sentences', () => {
    expect(describeError(['UserError', ['A value is required for field "Default UOM".', '', null]])).toBe('A value is required for field "Default UOM".');
    expect(describeError(['UserError', ['Bad code.', 'Use letters only.', null]])).toBe('Bad code. — Use letters only.');
    expect(describeError(["'nonexistent'", ''])).toBe("unknown field or key 'nonexistent'");
  });
});
