/**
 * Cell text → typed values. Every parser returns the value or throws CellError with a
 * message that says what was expected; decimals stay exact strings, never floats.
 */

export class CellError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CellError';
  }
}

export interface NumberFormat {
  decimalSeparator: '.' | ',';
  thousandsSeparator: string;
}

const PLAIN_DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** Text of a cell: numbers from XLSX/JSON become their shortest exact text, dates ISO. */
export function cellText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : null;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    // XML element with attributes: its text; XLSX rich text / formula / hyperlink cells.
    if ('#text' in o) return cellText(o['#text']);
    if (Array.isArray(o.richText)) return (o.richText as { text?: string }[]).map((r) => r.text ?? '').join('');
    if ('result' in o) return cellText(o.result);
    if ('text' in o) return cellText(o.text);
  }
  return null;
}

/** Largest exponent accepted in `1.5e3`-style numbers: a double's own range (5e-324 .. 1.8e308). */
const MAX_EXPONENT = 324;

/** `12.50` stays `12.50`; `,`-decimals and thousands separators are normalised; `1.5e3` becomes `1500`. */
export function parseDecimalText(raw: string, fmt: NumberFormat): string {
  let s = raw.trim();
  const ts = fmt.thousandsSeparator;
  if (ts && s.includes(ts)) {
    // "1.234,50" is grouped in threes; "1.5" with "." as thousands separator is a mistake, not 15.
    const intPart = s.split(fmt.decimalSeparator)[0]!.replace(/^[+-]/, '');
    const groups = intPart.split(ts);
    if (!/^\d{1,3}$/.test(groups[0]!) || groups.slice(1).some((g) => !/^\d{3}$/.test(g))) {
      throw new CellError(`"${raw}" is not a number (thousands are grouped in threes with "${ts}")`);
    }
    s = s.split(ts).join('');
  }
  if (fmt.decimalSeparator === ',') {
    if (s.includes('.')) throw new CellError(`"${raw}" is not a number (the decimal separator is ",")`);
    s = s.replace(',', '.');
  }
  const m = PLAIN_DECIMAL.exec(s);
  if (!m || (m[2] === '' && (m[3] === undefined || m[3] === ''))) throw new CellError(`"${raw}" is not a number`);
  const sign = m[1] === '-' ? '-' : '';
  let int = m[2] ?? '';
  let frac = m[3] ?? '';
  const hadPoint = m[3] !== undefined;
  if (m[4] !== undefined) {
    // Shift the point exactly, on the digits, without going through a float.
    const exp = Number(m[4]);
    // Past a double's range (1.8e308 / 5e-324) no ERP measures anything: such a value is a broken export,
    // and shifting the point would send the PIM a number hundreds of digits long.
    if (!Number.isSafeInteger(exp) || Math.abs(exp) > MAX_EXPONENT) {
      throw new CellError(`"${raw}" has an absurd exponent (beyond ±${MAX_EXPONENT}); write the plain number or fix the export`);
    }
    let digits = int + frac;
    let point = int.length + exp;
    if (point < 0) {
      digits = '0'.repeat(-point) + digits;
      point = 0;
    } else if (point > digits.length) digits = digits + '0'.repeat(point - digits.length);
    int = digits.slice(0, point);
    frac = digits.slice(point).replace(/0+$/, '');
    return finite(raw, finishDecimal(sign, int, frac, frac.length > 0));
  }
  return finite(raw, finishDecimal(sign, int, frac, hadPoint && frac.length > 0));
}

/** A number past a double's range is a broken export, not a measure: the PIM would get hundreds of digits. */
function finite(raw: string, decimal: string): string {
  if (!Number.isFinite(Number(decimal))) throw new CellError(`"${raw}" is too large (it overflows to infinity); write the plain number or fix the export`);
  return decimal;
}

function finishDecimal(sign: string, int: string, frac: string, withFrac: boolean): string {
  int = int.replace(/^0+(?=\d)/, '');
  if (int === '') int = '0';
  const out = withFrac ? `${int}.${frac}` : int;
  return sign && /[1-9]/.test(out) ? `-${out}` : out;
}

export function parseInteger(raw: string, fmt: NumberFormat): number {
  const d = parseDecimalText(raw, fmt);
  const dot = d.indexOf('.');
  if (dot !== -1 && !/^0*$/.test(d.slice(dot + 1))) throw new CellError(`"${raw}" is not a whole number`);
  const n = Number(dot === -1 ? d : d.slice(0, dot));
  if (!Number.isSafeInteger(n)) throw new CellError(`"${raw}" is too large for an integer; declare the field as decimal`);
  return n;
}

const TRUE = new Set(['1', 'true', 'yes', 'y', 't', 'x', 'on', 'oui', 'ja', 'si', 'vrai', 'wahr']);
const FALSE = new Set(['0', 'false', 'no', 'n', 'f', 'off', 'non', 'nein', 'faux', 'falsch', '-']);

export function parseBoolean(raw: string): boolean {
  const s = raw.trim().toLowerCase();
  if (TRUE.has(s)) return true;
  if (FALSE.has(s)) return false;
  // Exports from SQL often write flags as 1.0 / 0.0.
  if (/^[01]\.0*$/.test(s)) return s[0] === '1';
  throw new CellError(`"${raw}" is not a yes/no value (expected 1/0, true/false, yes/no)`);
}

export type DateFormat = 'iso' | 'dmy' | 'mdy';

const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?$/;
const SLASH_DATE_TIME = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?$/;

interface DateParts {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
  s: number;
  ms: number;
  offset: string | undefined;
  hasTime: boolean;
}

function splitDate(raw: string, format: DateFormat): DateParts {
  const s = raw.trim();
  let y: number, mo: number, d: number, rest: (string | undefined)[];
  let m = ISO_DATE_TIME.exec(s);
  if (m) {
    y = Number(m[1]);
    mo = Number(m[2]);
    d = Number(m[3]);
    rest = m.slice(4);
  } else if (format !== 'iso' && (m = SLASH_DATE_TIME.exec(s))) {
    const a = Number(m[1]);
    const b = Number(m[2]);
    y = Number(m[3]);
    [d, mo] = format === 'dmy' ? [a, b] : [b, a];
    rest = m.slice(4);
  } else {
    const expected = format === 'iso' ? 'YYYY-MM-DD' : format === 'dmy' ? 'DD/MM/YYYY or YYYY-MM-DD' : 'MM/DD/YYYY or YYYY-MM-DD';
    throw new CellError(`"${raw}" is not a date (expected ${expected})`);
  }
  const days = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (mo < 1 || mo > 12 || d < 1 || d > days) throw new CellError(`"${raw}" is not a valid calendar date`);
  const h = rest[0] ? Number(rest[0]) : 0;
  const mi = rest[1] ? Number(rest[1]) : 0;
  const sec = rest[2] ? Number(rest[2]) : 0;
  if (h > 23 || mi > 59 || sec > 60) throw new CellError(`"${raw}" has an invalid time of day`);
  const ms = rest[3] ? Number(rest[3].slice(0, 3).padEnd(3, '0')) : 0;
  return { y, mo, d, h, mi, s: sec, ms, offset: rest[4], hasTime: rest[0] !== undefined };
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

export function parseDate(raw: string, format: DateFormat): string {
  const p = splitDate(raw, format);
  return `${pad(p.y, 4)}-${pad(p.mo)}-${pad(p.d)}`;
}

/** Minutes east of UTC for a zone setting at a given UTC instant. */
export type ZoneOffset = (utcMs: number) => number;

export function zoneOffset(timezone: string): ZoneOffset {
  if (timezone === 'UTC' || timezone === 'Z') return () => 0;
  const fixed = /^([+-])(\d{2}):?(\d{2})$/.exec(timezone);
  if (fixed) {
    const mins = (Number(fixed[2]) * 60 + Number(fixed[3])) * (fixed[1] === '-' ? -1 : 1);
    return () => mins;
  }
  let fmt: Intl.DateTimeFormat;
  try {
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch {
    throw new Error(`unknown time zone "${timezone}" (use UTC, an offset like +02:00, or an IANA name like Europe/Paris)`);
  }
  return (utcMs) => {
    const parts: Record<string, number> = {};
    for (const part of fmt.formatToParts(new Date(utcMs))) if (part.type !== 'literal') parts[part.type] = Number(part.value);
    const asUtc = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
    return Math.round((asUtc - Math.floor(utcMs / 1000) * 1000) / 60000);
  };
}

/** A date-time as ISO-8601 in UTC (`…Z`). Without an offset in the text, the configured zone applies. */
export function parseDateTime(raw: string, format: DateFormat, zone: ZoneOffset): string {
  const p = splitDate(raw, format);
  const local = Date.UTC(p.y, p.mo - 1, p.d, p.h, p.mi, p.s, p.ms);
  let offsetMin: number;
  if (p.offset === undefined) {
    // Two passes settle DST transitions: the offset at the guessed instant.
    const guess = local - zone(local) * 60000;
    offsetMin = zone(guess);
  } else if (p.offset === 'Z') offsetMin = 0;
  else {
    const sign = p.offset[0] === '-' ? -1 : 1;
    const digits = p.offset.slice(1).replace(':', '');
    offsetMin = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0'));
  }
  return new Date(local - offsetMin * 60000).toISOString();
}
