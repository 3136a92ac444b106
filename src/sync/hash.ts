/**
 * Fingerprints of what Ferry writes, so the next run can tell changed values from unchanged
 * ones without asking the PIM. A value's key is `attribute|locale|scope`; fields outside
 * `values` use `@field` keys (`@family`, `@parent`, `@categories`, `@label:fr_FR`, …).
 *
 * Short canonical texts are stored as they are (exact, and readable when debugging);
 * longer ones as a SHA-1 digest. Either way equal data gives an equal fingerprint.
 */
import { createHash } from 'node:crypto';

/** JSON with sorted object keys, and arrays sorted where Akeneo ignores the order (option lists, prices). */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (Array.isArray(value)) {
    const parts = value.map(canonicalJson);
    // Akeneo treats multi-select lists, category lists and price collections as sets.
    parts.sort();
    return `[${parts.join(',')}]`;
  }
  if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
  }
  return JSON.stringify(String(value));
}

const INLINE_MAX = 40;

export function fingerprint(value: unknown): string {
  const text = canonicalJson(value);
  if (text.length <= INLINE_MAX) return `=${text}`;
  return `#${createHash('sha1').update(text).digest('base64').slice(0, 27)}`;
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

/** Digest of a whole binary (media content), used to upload each distinct file once. */
export function contentHash(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}
