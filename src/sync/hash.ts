/**
 * Fingerprints of what Ferry writes, so the next run can tell changed values from unchanged
 * ones without asking the PIM. A value's key is `attribute|locale|scope`; fields outside
 * `values` use `@field` keys (`@family`, `@parent`, `@categories`, `@label:fr_FR`, …).
 *
 * Short canonical texts are stored as they are (exact, and readable when debugging);
 * longer ones as a SHA-1 digest. Either way equal data gives an equal fingerprint.
 */
import { hash } from 'node:crypto';

/**
 * JSON with sorted object keys, and arrays sorted where Akeneo ignores the order (option lists,
 * prices). Runs for every value of every entity a sync maps, so it builds the text directly
 * instead of through filter/map/join arrays (those were a large share of a run's garbage).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (Array.isArray(value)) {
        if (value.length === 0) return '[]';
        if (value.length === 1) return `[${canonicalJson(value[0])}]`;
        const parts = value.map(canonicalJson);
        // Akeneo treats multi-select lists, category lists and price collections as sets.
        parts.sort();
        return `[${parts.join(',')}]`;
      }
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj);
      if (keys.length > 1) keys.sort();
      let out = '{';
      for (const k of keys) {
        const v = obj[k];
        if (v === undefined) continue;
        out += `${out.length > 1 ? ',' : ''}${JSON.stringify(k)}:${canonicalJson(v)}`;
      }
      return `${out}}`;
    }
    default:
      return JSON.stringify(String(value));
  }
}

const INLINE_MAX = 40;

export function fingerprint(value: unknown): string {
  const text = canonicalJson(value);
  if (text.length <= INLINE_MAX) return `=${text}`;
  // One-shot hash(): this runs for every long value of every entity, and skips a Hash object each time.
  return `#${hash('sha1', text, 'base64').slice(0, 27)}`;
}

/** The fingerprint of "no value": what Ferry records after sending an explicit null. */
export const NULL_FINGERPRINT = fingerprint(null);

export function valueKey(attribute: string, locale: string | null, scope: string | null): string {
  return `${attribute}|${locale ?? ''}|${scope ?? ''}`;
}

export function parseValueKey(key: string): { attribute: string; locale: string | null; scope: string | null } | null {
  if (key.startsWith('@')) return null;
  const [attribute = '', locale = '', scope = ''] = key.split('|');
  return { attribute, locale: locale === '' ? null : locale, scope: scope === '' ? null : scope };
}
