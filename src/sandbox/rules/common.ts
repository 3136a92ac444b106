/** Field readers shared by product and product-model updaters (documented errors). */
import type { CatalogView } from './contract.js';
import { documented } from './errors.js';
import { gettype, isPhpArray, isScalar, phpArrayValues } from './php.js';

export function readStringList(field: string, raw: unknown, anchor: string): string[] {
  if (!isPhpArray(raw)) {
    throw documented(`Property "${field}" expects an array as data, "${gettype(raw)}" given.`, anchor);
  }
  const items = phpArrayValues(raw);
  for (const item of items) {
    if (!isScalar(item)) {
      throw documented(`Property "${field}" expects an array with valid data, one of the ${field} is not a scalar.`, anchor);
    }
  }
  return [...new Set(items.map((i) => String(i)))];
}

/** A scalar field (family, parent...): null or '' clear it. */
export function readScalar(field: string, raw: unknown, anchor: string): string | null {
  if (raw === null || raw === '') return null;
  if (!isScalar(raw)) {
    throw documented(`Property "${field}" expects a scalar as data, "${gettype(raw)}" given.`, anchor);
  }
  return String(raw);
}

export function readCategories(
  view: CatalogView,
  raw: unknown,
  anchor: string,
  unknownMessage: (code: string) => string,
): string[] {
  const out: string[] = [];
  for (const code of readStringList('categories', raw, anchor)) {
    const category = view.category(code);
    if (!category) throw documented(unknownMessage(code), anchor);
    if (!out.includes(category.code)) out.push(category.code);
  }
  return out;
}

/** A value's data that counts as no value: null, absent, '' or an empty list (axes, identifier, filters). */
export function isEmptyData(d: unknown): boolean {
  return d === null || d === undefined || d === '' || (Array.isArray(d) && d.length === 0);
}

/**
 * JSON equality ignoring key order (to detect "nothing changed"); undefined keys = absent.
 * Not node's isDeepStrictEqual, nor the mapper's deepEqual: both tell { a: undefined } from {},
 * and the rules compare built objects whose optional keys may hold undefined (stripTimes sets
 * identifier: undefined), so "nothing changed" would turn into an update. Not shared with the
 * mapper either: the sandbox may share only src/akeneo/model.ts with the client.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let count = 0;
  for (const k in x) {
    if (x[k] === undefined) continue;
    count++;
    if (!sameJson(x[k], y[k])) return false;
  }
  for (const k in y) if (y[k] !== undefined) count--;
  return count === 0;
}

/** Fields a GET returns that Akeneo never lets a client set: tolerated and ignored. */
export const READ_ONLY_FIELDS = new Set([
  'created',
  'updated',
  'metadata',
  'quality_scores',
  'completenesses',
  '_links',
  'linked_data',
]);
