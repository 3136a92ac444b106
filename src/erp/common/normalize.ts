/**
 * Turning raw ERP values into the port's field values (docs/erp-records.md): exact decimal
 * strings, ISO dates, localized texts without empty languages, quantities with their unit.
 * Every converter throws RecordProblem on a value it cannot read, so the adapter can reject
 * the row with its location instead of guessing.
 */
import type { ErpRecord, FieldValue, LocalizedText, Money, Quantity } from '../port.js';
import { RecordProblem } from './rejects.js';

export function isBlank(value: unknown): value is null | undefined | '' {
  return value === null || value === undefined || (typeof value === 'string' && value.trim() === '');
}

/** Expands a JS number's exponent form ("1e-7") into plain digits without going through float arithmetic. */
function expandExponent(text: string): string {
  const m = /^([+-]?)(\d+)(?:\.(\d+))?e([+-]?\d+)$/i.exec(text);
  if (!m) return text;
  const [, sign, int, frac = '', expText] = m;
  const exp = Number(expText);
  const digits = int! + frac;
  const point = int!.length + exp;
  let out: string;
  if (point <= 0) out = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) out = digits + '0'.repeat(point - digits.length);
  else out = `${digits.slice(0, point)}.${digits.slice(point)}`;
  out = out.replace(/^0+(?=\d)/, '');
  return `${sign === '-' ? '-' : ''}${out}`;
}

const DECIMAL_RE = /^[+-]?(\d+\.?\d*|\.\d+)$/;

/**
 * An exact decimal string from what a driver returned. Strings keep their digits (so "12.50"
 * stays "12.50"); a leading "+" or "." is tidied. Numbers only arrive from drivers that cannot
 * return text (SQLite REAL, tedious): their shortest round-trip form is used.
 */
export function toExactDecimal(value: unknown, field?: string): string | null {
  if (isBlank(value)) return null;
  let text: string;
  if (typeof value === 'string') text = value.trim();
  else if (typeof value === 'bigint') text = value.toString();
  else if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RecordProblem(`${field ?? 'value'}: ${value} is not a finite decimal`, field);
    text = expandExponent(String(value));
  } else throw new RecordProblem(`${field ?? 'value'}: expected a decimal number, got ${describe(value)}`, field);
  // A decimal comma ("12,50", as European exports write it) is unambiguous when it is the only separator.
  if (/^[+-]?\d+,\d+$/.test(text)) text = text.replace(',', '.');
  if (/^[+-]?\d+(\.\d+)?e[+-]?\d+$/i.test(text)) text = expandExponent(text);
  if (!DECIMAL_RE.test(text)) throw new RecordProblem(`${field ?? 'value'}: "${clip(text)}" is not a decimal number`, field);
  if (text.startsWith('+')) text = text.slice(1);
  if (text.startsWith('.')) text = `0${text}`;
  if (text.startsWith('-.')) text = `-0${text.slice(1)}`;
  if (text.endsWith('.')) text = text.slice(0, -1);
  return text;
}

/** An integer: a JS number when it is safe, else its exact digits as a string. */
export function toInteger(value: unknown, field?: string): number | string | null {
  if (isBlank(value)) return null;
  if (typeof value === 'number') {
    if (Number.isInteger(value)) return value;
    throw new RecordProblem(`${field ?? 'value'}: ${value} is not an integer`, field);
  }
  const text = typeof value === 'bigint' ? value.toString() : typeof value === 'string' ? value.trim() : null;
  if (text === null || !/^[+-]?\d+$/.test(text)) {
    throw new RecordProblem(`${field ?? 'value'}: "${clip(String(value))}" is not an integer`, field);
  }
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : text.replace(/^\+/, '');
}

const TRUE_WORDS = new Set(['1', 't', 'true', 'y', 'yes', 'on']);
const FALSE_WORDS = new Set(['0', 'f', 'false', 'n', 'no', 'off']);

/** A boolean from the many ways ERPs store one (0/1 on SQLite and MySQL, 't'/'f', 'Y'/'N', …). */
export function toBoolean(value: unknown, field?: string): boolean | null {
  if (isBlank(value)) return null;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number' || typeof value === 'bigint') {
    if (Number(value) === 1) return true;
    if (Number(value) === 0) return false;
  }
  if (value instanceof Uint8Array && value.length === 1) return value[0] !== 0; // MySQL BIT(1)
  if (typeof value === 'string') {
    const w = value.trim().toLowerCase();
    if (TRUE_WORDS.has(w)) return true;
    if (FALSE_WORDS.has(w)) return false;
  }
  throw new RecordProblem(`${field ?? 'value'}: "${clip(String(value))}" is not a boolean (expected 0/1, true/false, yes/no)`, field);
}

const NAIVE_DATETIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$/;
const WITH_OFFSET = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(Z|[+-]\d{2}(?::?\d{2})?)$/i;

/**
 * An ISO-8601 timestamp in UTC ("2024-05-01T12:00:00.000Z"). A date-time without offset is read
 * as UTC: ERP databases usually store naive UTC, and guessing the server's zone would make
 * watermarks drift. Numbers are epoch seconds or milliseconds.
 */
export function toIsoTimestamp(value: unknown, field?: string): string | null {
  if (isBlank(value)) return null;
  if (typeof value === 'string') {
    // ERP tables repeat stamps (batch imports, a group's stamp on each of its items): remember recent ones.
    const cached = timestampCache.get(value);
    if (cached !== undefined) return cached;
    const iso = parseTimestamp(value, field);
    if (timestampCache.size >= TIMESTAMP_CACHE_SIZE) timestampCache.clear();
    timestampCache.set(value, iso);
    return iso;
  }
  return parseTimestamp(value, field);
}

const TIMESTAMP_CACHE_SIZE = 4096;
const timestampCache = new Map<string, string>();

function parseTimestamp(value: unknown, field?: string): string {
  let date: Date;
  if (value instanceof Date) date = value;
  else if (typeof value === 'number' || typeof value === 'bigint') {
    const n = Number(value);
    date = new Date(Math.abs(n) < 1e11 ? n * 1000 : n);
  } else if (typeof value === 'string') {
    const text = value.trim();
    let m: RegExpExecArray | null;
    if ((m = NAIVE_DATETIME.exec(text))) date = new Date(`${m[1]}T${fixFraction(m[2]!)}Z`);
    else if ((m = WITH_OFFSET.exec(text))) {
      const off = m[3]!.toUpperCase() === 'Z' ? 'Z' : normalizeOffset(m[3]!);
      date = new Date(`${m[1]}T${fixFraction(m[2]!)}${off}`);
    } else if (/^\d{4}-\d{2}-\d{2}$/.test(text)) date = new Date(`${text}T00:00:00Z`);
    else date = new Date(NaN);
  } else date = new Date(NaN);
  if (Number.isNaN(date.getTime())) {
    throw new RecordProblem(`${field ?? 'value'}: "${clip(String(value))}" is not a date-time (expected ISO-8601)`, field);
  }
  return date.toISOString();
}

/** A calendar date "YYYY-MM-DD". */
export function toIsoDate(value: unknown, field?: string): string | null {
  if (isBlank(value)) return null;
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value.trim())) {
    const d = new Date(`${value.trim()}T00:00:00Z`);
    if (!Number.isNaN(d.getTime()) && d.toISOString().startsWith(value.trim())) return value.trim();
    throw new RecordProblem(`${field ?? 'value'}: "${clip(value)}" is not a calendar date`, field);
  }
  const ts = toIsoTimestamp(value, field);
  return ts === null ? null : ts.slice(0, 10);
}

function fixFraction(time: string): string {
  // JS Date accepts at most milliseconds; AdventureWorks stamps carry nanoseconds.
  const m = /^(\d{2}:\d{2}(?::\d{2})?)(?:\.(\d+))?$/.exec(time);
  if (!m) return time;
  return m[2] ? `${m[1]}.${m[2].slice(0, 3).padEnd(3, '0')}` : m[1]!;
}

function normalizeOffset(off: string): string {
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(off);
  return m ? `${m[1]}${m[2]}:${m[3] ?? '00'}` : off;
}

/** A plain string field: trimmed of CHAR padding; empty becomes null. */
export function toText(value: unknown, trim = true): string | null {
  if (value === null || value === undefined) return null;
  let text: string;
  if (typeof value === 'string') text = value;
  else if (value instanceof Date) text = value.toISOString();
  else if (value instanceof Uint8Array) text = Buffer.from(value).toString('utf8');
  else text = String(value);
  if (trim) text = text.trim();
  return text === '' ? null : text;
}

/** A localized text with only the languages that really have a value; null when none has. */
export function localized(values: Record<string, unknown>, trim = true): LocalizedText | null {
  const out: Record<string, string> = {};
  for (const [lang, v] of Object.entries(values)) {
    const text = toText(v, trim);
    if (text !== null) out[lang] = text;
  }
  return Object.keys(out).length === 0 ? null : { kind: 'localized', values: out };
}

/** Unit symbols are compared case-insensitively downstream; CHAR padding ("LB ") is noise. */
export function normalizeUnit(unit: unknown): string | null {
  const text = toText(unit);
  return text === null ? null : text.toLowerCase();
}

/** A quantity; null when there is no amount. An amount without unit is a problem, not a guess. */
export function quantity(amount: unknown, unit: unknown, field?: string): Quantity | null {
  const exact = toExactDecimal(amount, field);
  if (exact === null) return null;
  const u = normalizeUnit(unit);
  if (u === null) throw new RecordProblem(`${field ?? 'quantity'}: amount ${exact} has no unit`, field);
  return { kind: 'quantity', amount: exact, unit: u };
}

export function money(amount: unknown, currency: unknown, field?: string): Money | null {
  const exact = toExactDecimal(amount, field);
  if (exact === null) return null;
  const c = toText(currency);
  if (c === null) throw new RecordProblem(`${field ?? 'money'}: amount ${exact} has no currency`, field);
  return { kind: 'money', amount: exact, currency: c.toUpperCase() };
}

/** A multi-value field stored as one delimited text ("red|blue"). */
export function splitList(value: unknown, separator: string): string[] | null {
  const text = toText(value);
  if (text === null) return null;
  const parts = text
    .split(separator)
    .map((p) => p.trim())
    .filter((p) => p !== '');
  return parts.length === 0 ? null : parts;
}

/**
 * A record in canonical form: fields sorted by name, categories sorted and deduplicated,
 * optional members present only when meaningful. Two reads of the same data print the same text.
 */
export function normalizeRecord(record: ErpRecord): ErpRecord {
  const fields: Record<string, FieldValue> = {};
  for (const name of Object.keys(record.fields).sort()) {
    const v = record.fields[name];
    if (v !== undefined) fields[name] = v;
  }
  const out: ErpRecord = { stream: record.stream, key: record.key, updatedAt: record.updatedAt, fields: {} };
  if (record.group !== undefined) out.group = record.group;
  if (record.parent !== undefined) out.parent = record.parent;
  if (record.categories !== undefined) out.categories = [...new Set(record.categories)].sort();
  if (record.active !== undefined) out.active = record.active;
  // Re-inserted last so `fields` prints after the record's identity.
  delete (out as Partial<ErpRecord>).fields;
  out.fields = fields;
  return out;
}

function clip(text: string, max = 80): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

function describe(value: unknown): string {
  if (value instanceof Uint8Array) return `${value.length} bytes of binary`;
  return typeof value === 'object' ? 'an object' : typeof value;
}
