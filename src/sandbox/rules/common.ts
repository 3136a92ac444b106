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

/** JSON equality ignoring key order (to detect "nothing changed"). */
export function sameJson(a: unknown, b: unknown): boolean {
  return stable(a) === stable(b);
}

function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stable(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
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
