/**
 * What an upsert would actually change. Tryton bumps write_date on every write, so writing
 * values that are already there would make the records look changed to the next delta read
 * (and ping-pong between PIM and ERP). The sink writes only the fields that differ.
 */
import type { ErpRecord, FieldValue } from '../port.js';

function sameNumber(a: string, b: string): boolean {
  const x = Number(a);
  const y = Number(b);
  return Number.isFinite(x) && Number.isFinite(y) ? x === y : a === b;
}

/** Whether `wanted` (what the PIM sends) already holds in `current` (what Tryton has). */
export function sameValue(wanted: FieldValue, current: FieldValue | undefined): boolean {
  if (current === undefined) return wanted === null;
  if (wanted === null || current === null) {
    // An empty localized text is null on our side.
    return wanted === current || (wanted !== null && typeof wanted === 'object' && !Array.isArray(wanted) && wanted.kind === 'localized' && Object.keys(wanted.values).length === 0);
  }
  if (Array.isArray(wanted) || Array.isArray(current)) {
    return Array.isArray(wanted) && Array.isArray(current) && wanted.length === current.length && wanted.every((w, i) => sameValue(w, current[i]));
  }
  if (typeof wanted !== 'object' || typeof current !== 'object') {
    if (typeof wanted === 'object' && wanted.kind === 'localized' && typeof current === 'string') return false;
    return wanted === current;
  }
  switch (wanted.kind) {
    case 'localized':
      // Only the languages sent are compared: the PIM may not manage every Tryton language.
      return current.kind === 'localized' && Object.entries(wanted.values).every(([lang, text]) => current.values[lang] === text);
    case 'quantity':
      return current.kind === 'quantity' && current.unit === wanted.unit && sameNumber(wanted.amount, current.amount);
    case 'decimal':
      return current.kind === 'decimal' && sameNumber(wanted.value, current.value);
    case 'money':
      return current.kind === 'money' && sameNumber(wanted.amount, current.amount);
  }
}

/** The record reduced to what differs from `current` (fields, categories, active); null when nothing does. */
export function changedPart(record: ErpRecord, current: ErpRecord): ErpRecord | null {
  const fields: Record<string, FieldValue> = {};
  for (const [name, value] of Object.entries(record.fields)) {
    if (!sameValue(value, current.fields[name])) fields[name] = value;
  }
  const categoriesChanged =
    record.categories !== undefined && [...record.categories].sort().join('\n') !== [...(current.categories ?? [])].sort().join('\n');
  const activeChanged = record.active !== undefined && record.active !== current.active;
  if (!Object.keys(fields).length && !categoriesChanged && !activeChanged) return null;
  const out: ErpRecord = { ...record, fields };
  if (!categoriesChanged) delete out.categories;
  if (!activeChanged) delete out.active;
  return out;
}
