import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseBoolean, parseDate, parseDateTime, parseDecimalText, parseInteger, zoneOffset } from '../../../src/erp/files/values.js';
import { globToRegExp } from '../../../src/erp/files/glob.js';

const dot = { decimalSeparator: '.' as const, thousandsSeparator: '' };
const comma = { decimalSeparator: ',' as const, thousandsSeparator: '.' };

describe('files adapter: value parsing', () => {
  it('rejects numbers with an absurd exponent or past a double\'s range, instead of writing hundreds of digits', () => {
    expect(() => parseDecimalText('1e999', dot)).toThrow(/absurd exponent.*fix the export/);
    expect(() => parseDecimalText('-2.5E-400', dot)).toThrow(/absurd exponent/);
    expect(() => parseDecimalText('9e308', dot)).toThrow(/overflows to infinity/);
    expect(() => parseDecimalText('9'.repeat(400), dot)).toThrow(/overflows to infinity/);
    expect(parseDecimalText('1.5e3', dot)).toBe('1500');
    expect(parseDecimalText('1e-3', dot)).toBe('0.001');
  });

  it('keeps decimals exact, as written', () => {
    expect(parseDecimalText('12.50', dot)).toBe('12.50');
    expect(parseDecimalText(' +0012.5 ', dot)).toBe('12.5');
    expect(parseDecimalText('.5', dot)).toBe('0.5');
    expect(parseDecimalText('-0', dot)).toBe('0');
    expect(parseDecimalText('1.5e3', dot)).toBe('1500');
    expect(parseDecimalText('125E-4', dot)).toBe('0.0125');
    expect(parseDecimalText('12345678901234567890.123456789', dot)).toBe('12345678901234567890.123456789');
    expect(parseDecimalText('1.234,50', comma)).toBe('1234.50');
    expect(() => parseDecimalText('1.5', comma)).toThrow(/thousands are grouped in threes/);
    expect(() => parseDecimalText('1.5', { decimalSeparator: ',', thousandsSeparator: '' })).toThrow(/decimal separator is ","/);
    expect(parseDecimalText("1'234'567.8", { decimalSeparator: '.', thousandsSeparator: "'" })).toBe('1234567.8');
    for (const bad of ['', '.', 'abc', '1.2.3', '12a', '--1', '1e']) expect(() => parseDecimalText(bad, dot)).toThrow(/is not a number/);
  });

  it('round-trips any finite double through its text exactly (property)', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (d) => {
        const text = String(d);
        expect(Number(parseDecimalText(text, dot))).toBe(d === 0 ? 0 : d);
      }),
    );
  });

  it('integers: whole numbers only, floats with .0 accepted, unsafe ones refused', () => {
    expect(parseInteger('19.0', dot)).toBe(19);
    expect(parseInteger('-7', dot)).toBe(-7);
    expect(() => parseInteger('1.5', dot)).toThrow(/not a whole number/);
    expect(() => parseInteger('9007199254740993', dot)).toThrow(/too large.*decimal/);
  });

  it('booleans in several languages and spellings', () => {
    for (const t of ['1', 'TRUE', 'yes', 'Oui', 'ja', 'x', '1.0']) expect(parseBoolean(t)).toBe(true);
    for (const f of ['0', 'false', 'No', 'non', 'nein', '0.0']) expect(parseBoolean(f)).toBe(false);
    expect(() => parseBoolean('maybe')).toThrow(/not a yes\/no value/);
  });

  it('dates and date-times, with formats, offsets and time zones', () => {
    expect(parseDate('2024-02-29', 'iso')).toBe('2024-02-29');
    expect(parseDate('2024-02-29 10:00:00', 'iso')).toBe('2024-02-29');
    expect(parseDate('31/12/2024', 'dmy')).toBe('2024-12-31');
    expect(parseDate('12/31/2024', 'mdy')).toBe('2024-12-31');
    expect(() => parseDate('2023-02-29', 'iso')).toThrow(/not a valid calendar date/);
    expect(() => parseDate('31/12/2024', 'iso')).toThrow(/expected YYYY-MM-DD/);
    const utc = zoneOffset('UTC');
    expect(parseDateTime('2014-02-08 10:01:36.827000000', 'iso', utc)).toBe('2014-02-08T10:01:36.827Z');
    expect(parseDateTime('2024-06-01T12:00:00+02:00', 'iso', utc)).toBe('2024-06-01T10:00:00.000Z');
    expect(parseDateTime('2024-06-01 12:00', 'iso', zoneOffset('+05:30'))).toBe('2024-06-01T06:30:00.000Z');
    const paris = zoneOffset('Europe/Paris');
    expect(parseDateTime('2024-01-15 12:00:00', 'iso', paris)).toBe('2024-01-15T11:00:00.000Z');
    expect(parseDateTime('2024-07-15 12:00:00', 'iso', paris)).toBe('2024-07-15T10:00:00.000Z');
    expect(() => zoneOffset('Mars/Olympus')).toThrow(/unknown time zone/);
  });

  it('globs: *, ?, classes, alternatives; case-insensitive; nothing else is special', () => {
    expect(globToRegExp('items*.csv').test('ITEMS-2024.CSV')).toBe(true);
    expect(globToRegExp('items*.csv').test('items.csv.bak')).toBe(false);
    expect(globToRegExp('export-{items,articles}-??.tsv').test('export-articles-01.tsv')).toBe(true);
    expect(globToRegExp('[ab]*.xml').test('c.xml')).toBe(false);
    expect(globToRegExp('a+b(1).csv').test('a+b(1).csv')).toBe(true);
  });

  it('globs (picomatch): [!a] and [^a] are negated classes; extglobs; literal parentheses; dots are dots', () => {
    expect(globToRegExp('[!a]*.csv').test('a.csv')).toBe(false);
    expect(globToRegExp('[!a]*.csv').test('b.csv')).toBe(true);
    expect(globToRegExp('[!a]*.csv').test('!.csv')).toBe(true);
    expect(globToRegExp('[^a]*.csv').test('A.CSV')).toBe(false);
    expect(globToRegExp('!(old)*.csv').test('new-items.csv')).toBe(true);
    expect(globToRegExp('!(old)*.csv').test('old-items.csv')).toBe(false);
    expect(globToRegExp('items (1).csv').test('items (1).csv')).toBe(true);
    expect(globToRegExp('items.csv').test('itemsXcsv')).toBe(false);
  });
});
