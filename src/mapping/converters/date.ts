/**
 * date: ERP dates and date-times in the formats they come in → Akeneo's `YYYY-MM-DD`.
 * A date-time with an offset is first moved to the configured time zone, so "2024-03-01T23:30:00-05:00"
 * is 2024-03-02 in Europe/Paris. Impossible calendar dates are refused, never rolled over.
 */
import type { Attribute } from '../../akeneo/model.js';
import type { FieldValue } from '../../erp/port.js';
import { fail, ok, scalarText, show, type ConvertResult, type Converter } from './common.js';

export interface DateOptions {
  formats?: string[];
  timeZone?: string;
}

interface Parts {
  y: number;
  m: number;
  d: number;
  hh: number;
  mm: number;
  ss: number;
  /** Offset from UTC in minutes, or null for a local (naive) value. */
  offset: number | null;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?)?$/i;
const ODATA = /^\/Date\((-?\d+)([+-]\d{4})?\)\/$/;

function offsetMinutes(text: string | undefined): number | null {
  if (!text) return null;
  if (text.toUpperCase() === 'Z') return 0;
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(text)!;
  const v = Number(m[2]) * 60 + Number(m[3]);
  return m[1] === '-' ? -v : v;
}

/** Compiles "DD.MM.YYYY HH:mm" into a parser. */
function compileFormat(format: string): (text: string) => Parts | null {
  const tokens: string[] = [];
  const source = format.replace(/YYYY|MM|DD|HH|mm|ss|Z|[.*+?^${}()|[\]\\]/g, (t) => {
    switch (t) {
      case 'YYYY':
        tokens.push('y');
        return '(\\d{4})';
      case 'MM':
        tokens.push('m');
        return '(\\d{1,2})';
      case 'DD':
        tokens.push('d');
        return '(\\d{1,2})';
      case 'HH':
        tokens.push('hh');
        return '(\\d{1,2})';
      case 'mm':
        tokens.push('mm');
        return '(\\d{2})';
      case 'ss':
        tokens.push('ss');
        return '(\\d{2})';
      case 'Z':
        tokens.push('z');
        return '(Z|[+-]\\d{2}:?\\d{2})';
      default:
        return `\\${t}`;
    }
  });
  const re = new RegExp(`^${source}$`, 'i');
  return (text) => {
    const m = re.exec(text);
    if (!m) return null;
    const p: Parts = { y: 0, m: 1, d: 1, hh: 0, mm: 0, ss: 0, offset: null };
    tokens.forEach((t, i) => {
      const v = m[i + 1]!;
      if (t === 'z') p.offset = offsetMinutes(v);
      else p[t as 'y'] = Number(v);
    });
    return p;
  };
}

function parseIso(text: string): Parts | null {
  const m = ISO.exec(text);
  if (!m) return null;
  return {
    y: Number(m[1]),
    m: Number(m[2]),
    d: Number(m[3]),
    hh: m[4] ? Number(m[4]) : 0,
    mm: m[5] ? Number(m[5]) : 0,
    ss: m[6] ? Number(m[6]) : 0,
    offset: offsetMinutes(m[7]),
  };
}

function parseOData(text: string): Parts | null {
  const m = ODATA.exec(text);
  if (!m) return null;
  const d = new Date(Number(m[1]));
  return { y: d.getUTCFullYear(), m: d.getUTCMonth() + 1, d: d.getUTCDate(), hh: d.getUTCHours(), mm: d.getUTCMinutes(), ss: d.getUTCSeconds(), offset: 0 };
}

const DEFAULT_PARSERS = [parseIso, compileFormat('YYYYMMDD'), parseOData, compileFormat('DD.MM.YYYY'), compileFormat('DD/MM/YYYY')];

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
function daysInMonth(y: number, m: number): number {
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return m === 2 && leap ? 29 : MONTH_DAYS[m - 1]!;
}

/** Epoch ms of a UTC wall-clock time; setUTCFullYear keeps years below 100 literal (Date.UTC maps them to 19xx). */
function utcEpoch(p: Parts): number {
  const dt = new Date(0);
  dt.setUTCFullYear(p.y, p.m - 1, p.d);
  dt.setUTCHours(p.hh, p.mm, p.ss, 0);
  return dt.getTime();
}

function valid(p: Parts): boolean {
  return (
    p.y >= 1 && p.y <= 9999 && p.m >= 1 && p.m <= 12 && p.d >= 1 && p.d <= daysInMonth(p.y, p.m) && p.hh <= 24 && p.mm <= 59 && p.ss <= 60
  );
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Calendar date of an instant in a time zone. */
function dateInZone(epochMs: number, formatter: Intl.DateTimeFormat): string {
  const parts = formatter.formatToParts(new Date(epochMs));
  const get = (t: string) => parts.find((x) => x.type === t)!.value;
  return `${get('year')}-${get('month')}-${get('day')}`;
}

export function dateConverter(attribute: Attribute, options: DateOptions = {}): Converter {
  const parsers = options.formats?.length ? options.formats.map((f) => (f.toUpperCase() === 'ISO' ? parseIso : compileFormat(f))) : DEFAULT_PARSERS;
  const zone = options.timeZone ?? 'UTC';
  const formatter = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' });
  const min = attribute.date_min ? attribute.date_min.slice(0, 10) : null;
  const max = attribute.date_max ? attribute.date_max.slice(0, 10) : null;
  const expected = `a date (${options.formats?.join(', ') ?? 'YYYY-MM-DD, ISO date-time, YYYYMMDD, DD.MM.YYYY, DD/MM/YYYY'})`;
  // ERP text → result, bounded: a catalog repeats a limited set of dates (launches, seasons).
  const cache = new Map<string, ConvertResult>();
  return (value) => {
    if (typeof value === 'string') {
      const hit = cache.get(value);
      if (hit) return hit;
      const res = convert(value);
      if (cache.size >= 5000) cache.clear();
      cache.set(value, res);
      return res;
    }
    return convert(value);
  };

  function convert(value: FieldValue): ConvertResult {
    const text = scalarText(value)?.trim() ?? null;
    if (text === null || typeof value === 'number' || typeof value === 'boolean') {
      return fail('invalid_date', `${show(value)} is not a date`, expected, 'Send the date as text in one of the accepted formats.');
    }
    let parts: Parts | null = null;
    for (const parse of parsers) {
      parts = parse(text);
      if (parts) break;
    }
    if (!parts) return fail('invalid_date', `${show(text)} is not in a known date format`, expected, 'Correct the date in the ERP, or list its format in mapping.attributes.<attr>.formats.');
    if (!valid(parts)) return fail('invalid_date', `${show(text)} is not a real calendar date`, expected, 'Correct the date in the ERP.');
    let date: string;
    if (parts.offset === null) {
      date = `${pad(parts.y, 4)}-${pad(parts.m)}-${pad(parts.d)}`;
    } else {
      const epoch = utcEpoch(parts) - parts.offset * 60_000;
      date = dateInZone(epoch, formatter);
    }
    if (min && date < min) return fail('out_of_range', `${date} is before the attribute's earliest date ${min}`, expected, 'Correct the date in the ERP or widen the date range in the PIM.');
    if (max && date > max) return fail('out_of_range', `${date} is after the attribute's latest date ${max}`, expected, 'Correct the date in the ERP or widen the date range in the PIM.');
    return ok(date);
  }
}
