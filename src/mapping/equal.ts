/**
 * Structural equality of ERP field values and Akeneo value data (plain JSON: scalars, arrays,
 * objects). The mapper compares every later item of a product model with the value the model took,
 * so the common case (the same text, or an equal copy of a small object) must be cheap.
 */
import type { ValueEntry } from '../akeneo/model.js';
import type { FieldValue } from '../erp/port.js';

/** Equality of two ERP field values by kind: no generic walk for the usual texts and small objects. */
export function sameFieldValue(a: FieldValue | undefined, b: FieldValue | undefined): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameFieldValue(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b) || a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'quantity':
      return b.kind === 'quantity' && a.amount === b.amount && a.unit === b.unit;
    case 'decimal':
      return b.kind === 'decimal' && a.value === b.value;
    case 'money':
      return b.kind === 'money' && a.amount === b.amount && a.currency === b.currency;
    case 'localized': {
      if (b.kind !== 'localized') return false;
      let count = 0;
      for (const lang in a.values) {
        if (a.values[lang] !== b.values[lang]) return false;
        count++;
      }
      for (const _ in b.values) count--;
      return count === 0;
    }
    default:
      return deepEqual(a, b);
  }
}

/**
 * JSON equality, key order ignored; a key holding undefined is a key. Not node's isDeepStrictEqual,
 * which agrees on plain JSON (test/mapping/equal-json.test.ts) but also compares prototypes, so a
 * null-prototype record (fast-check's records, an adapter's dictionary) would differ from an equal
 * plain one, and tells -0 from 0, which JSON sends alike. Not shared with the sandbox's sameJson:
 * the sandbox may share only src/akeneo/model.ts with the client.
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let count = 0;
  for (const k in x) {
    if (!(k in y) || !deepEqual(x[k], y[k])) return false;
    count++;
  }
  for (const _ in y) count--;
  return count === 0;
}

/**
 * Whether every (locale, channel) an item fills agrees with the model's value. Entries the item
 * leaves empty (null) are not disagreements: the variant simply inherits the model's value there.
 */
export function agreesWith(item: readonly ValueEntry[] | undefined, model: readonly ValueEntry[] | undefined): boolean {
  if (!item) return true;
  for (const e of item) {
    if (e.data === null || e.data === undefined) continue;
    const m = model?.find((x) => x.locale === e.locale && x.scope === e.scope);
    if (!m || !deepEqual(e.data, m.data)) return false;
  }
  return true;
}
