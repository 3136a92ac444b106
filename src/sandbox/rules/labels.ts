/** Translations (labels, guidelines): merged per locale; null or '' removes a locale. */
import type { Labels } from '../../akeneo/model.js';
import type { CatalogView } from './contract.js';
import { documented, fieldViolation } from './errors.js';
import type { ValidationErrorItem } from '../../akeneo/model.js';
import { gettype, isPlainObject } from './php.js';

/** Akeneo resolves locale codes case-insensitively (`en_uS` → `en_US`). */
export function canonicalLocale(view: CatalogView, code: string): string | undefined {
  const all = view.locales?.();
  if (all) return all.find((l) => l.code.toLowerCase() === code.toLowerCase())?.code;
  const m = /^([a-zA-Z]{2,3})_([a-zA-Z0-9]{2,4})$/.exec(code);
  const guess = m ? `${(m[1] ?? '').toLowerCase()}_${(m[2] ?? '').length === 4 ? (m[2] ?? '') : (m[2] ?? '').toUpperCase()}` : code;
  return view.locale(guess)?.code ?? view.locale(code)?.code;
}

export function mergeLabels(
  view: CatalogView,
  field: string,
  current: Labels | undefined,
  raw: unknown,
  anchor: string,
  errors: ValidationErrorItem[],
): Record<string, string> {
  if (!isPlainObject(raw)) {
    if (Array.isArray(raw) && raw.length === 0) return { ...(current as Record<string, string>) };
    throw documented(`Property "${field}" expects an array as data, "${gettype(raw)}" given.`, anchor);
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(current ?? {})) if (typeof v === 'string' && v !== '') out[k] = v;
  for (const [code, value] of Object.entries(raw)) {
    const locale = canonicalLocale(view, code);
    if (!locale) {
      errors.push(fieldViolation(field, `The locale "${code}" does not exist.`));
      continue;
    }
    if (value === null || value === '') {
      delete out[locale];
      continue;
    }
    if (typeof value !== 'string') {
      throw documented(`Property "${field}" expects a string as data, "${gettype(value)}" given.`, anchor);
    }
    out[locale] = value;
  }
  return out;
}
