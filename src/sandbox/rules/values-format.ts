/**
 * Step 4-5 of Akeneo's product controllers: the shape of the `values` payload, checked before
 * any attribute is looked up. The first problem wins (documented envelope), as in Akeneo.
 */
import { documented } from './errors.js';
import { gettype, isPhpArray, isPlainObject, phpArrayValues } from './php.js';

export interface RawValue {
  /** Attribute code as sent. */
  code: string;
  locale: string | null;
  scope: string | null;
  data: unknown;
}

/** Parses `values` into a flat list in payload order, or throws the first format error. */
export function readValuesPayload(raw: unknown, anchor: string): RawValue[] {
  if (raw === null || !isPhpArray(raw)) {
    throw documented(`Property "values" expects an array as data, "${gettype(raw)}" given.`, anchor);
  }
  if (Array.isArray(raw)) {
    if (raw.length === 0) return [];
    // A JSON list has no attribute codes: PHP sees integer keys, which are no attribute.
    throw documented(`Property "values" expects an array as data, "array" given.`, anchor);
  }
  const out: RawValue[] = [];
  const seen = new Set<string>();
  for (const [code, entries] of Object.entries(raw)) {
    if (!isPhpArray(entries)) {
      throw documented(`Property "${code}" expect to be an array`, anchor);
    }
    for (const entry of phpArrayValues(entries)) {
      if (!isPlainObject(entry) && !Array.isArray(entry)) {
        throw documented(
          `Property "${code}" expects an array with valid data, one of the values is not an array.`,
          anchor,
        );
      }
      const obj = isPlainObject(entry) ? entry : {};
      for (const key of ['locale', 'scope', 'data'] as const) {
        if (!(key in obj)) {
          throw documented(`Property "${code}" expects an array with the key "${key}".`, anchor);
        }
      }
      for (const key of ['locale', 'scope'] as const) {
        const v = obj[key];
        if (v !== null && typeof v !== 'string') {
          // Akeneo's template already carries the suffix and the controller appends it again.
          throw documented(
            `Property "${code}" expects an array with the key "${key}" as string. Check the expected format on the API documentation.`,
            anchor,
          );
        }
      }
      const locale = (obj.locale as string | null) || null;
      const scope = (obj.scope as string | null) || null;
      const dupKey = `${code}\u0000${scope ?? ''}\u0000${locale ?? ''}`;
      if (seen.has(dupKey)) {
        throw documented(
          `You cannot update the same product value on the "${code}" attribute twice, with the same scope and locale.`,
          anchor,
        );
      }
      seen.add(dupKey);
      out.push({ code, locale, scope, data: obj.data });
    }
  }
  return out;
}
