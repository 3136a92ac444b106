/**
 * describe(): the fields of a stream, from the field map (declared types) plus the
 * columns of the newest waiting file and a sample of its rows (inferred types).
 */
import type { ErpRecord, FieldDescription, FieldType, FieldValue } from '../port.js';

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+\.\d*|\.\d+|\d+)$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/;
const BOOLEAN = new Set(['true', 'false', 'yes', 'no']);
const URL_LIKE = /^https?:\/\//i;

interface Seen {
  type: FieldType | null;
  nulls: number;
  units: Set<string>;
  languages: Set<string>;
  count: number;
}

function textType(s: string): FieldType {
  if (INTEGER.test(s)) return 'integer';
  if (DECIMAL.test(s)) return 'decimal';
  if (DATE.test(s)) return 'date';
  if (DATETIME.test(s)) return 'datetime';
  if (BOOLEAN.has(s.toLowerCase())) return 'boolean';
  if (URL_LIKE.test(s)) return 'url';
  if (s.length > 255 || s.includes('\n')) return 'text';
  return 'string';
}

/** The wider of two inferred types (integer + decimal = decimal, anything + string = string). */
function widen(a: FieldType | null, b: FieldType): FieldType {
  if (a === null || a === b) return b;
  const pair = new Set([a, b]);
  if (pair.has('integer') && pair.has('decimal')) return 'decimal';
  if (pair.has('date') && pair.has('datetime')) return 'datetime';
  if (pair.has('text')) return 'text';
  return 'string';
}

function valueType(v: FieldValue, seen: Seen): FieldType | null {
  if (v === null) return null;
  if (Array.isArray(v)) return 'multiselect';
  switch (typeof v) {
    case 'boolean':
      return 'boolean';
    case 'number':
      return Number.isInteger(v) ? 'integer' : 'decimal';
    case 'string':
      return textType(v);
    default:
      switch (v.kind) {
        case 'localized':
          for (const l of Object.keys(v.values)) seen.languages.add(l);
          return 'localized';
        case 'quantity':
          seen.units.add(v.unit);
          return 'quantity';
        case 'money':
          seen.units.add(v.currency);
          return 'money';
        case 'decimal':
          return 'decimal';
      }
  }
  return 'string';
}

const HOT = /price|cost|stock|qty|quantity|inventory|available/i;

export function inferFields(records: ErpRecord[], declared: Map<string, FieldType>): FieldDescription[] {
  const seen = new Map<string, Seen>();
  for (const r of records) {
    for (const [name, v] of Object.entries(r.fields)) {
      let s = seen.get(name);
      if (!s) seen.set(name, (s = { type: null, nulls: 0, units: new Set(), languages: new Set(), count: 0 }));
      s.count++;
      const t = valueType(v, s);
      if (t === null) s.nulls++;
      else s.type = widen(s.type, t);
    }
  }
  const out: FieldDescription[] = [];
  for (const [name, s] of seen) {
    const type = declared.get(name) ?? s.type ?? 'string';
    const d: FieldDescription = { name, type, nullable: s.nulls > 0 || s.count < records.length };
    if (s.units.size) d.units = [...s.units].sort();
    if (s.languages.size) d.languages = [...s.languages].sort();
    if (HOT.test(name)) d.hot = true;
    out.push(d);
  }
  for (const [name, type] of declared) if (!seen.has(name)) out.push({ name, type, nullable: true });
  return out;
}
