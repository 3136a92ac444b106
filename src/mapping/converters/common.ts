/**
 * What every converter shares: one pure function per Akeneo attribute type turning one ERP value
 * (never empty, never a per-language text: the mapper splits those) into Akeneo `data`.
 */
import type { FieldValue } from '../../erp/port.js';
import type { MappedOption, MappingErrorKind } from '../types.js';

export interface ConvertProblem {
  kind: MappingErrorKind;
  /** What is wrong with the value, e.g. `"12 parsecs" is not a quantity`. */
  message: string;
  /** What the attribute accepts, e.g. `a decimal number like 12 or 12.5`. */
  expected: string;
  fix: string;
}

export type ConvertResult =
  | { ok: true; data: unknown; newOptions?: MappedOption[]; upload?: string }
  | { ok: false; problem: ConvertProblem };

export type Converter = (value: FieldValue) => ConvertResult;

export function ok(data: unknown): ConvertResult {
  return { ok: true, data };
}

export function fail(kind: MappingErrorKind, message: string, expected: string, fix: string): ConvertResult {
  return { ok: false, problem: { kind, message, expected, fix } };
}

/** Shows a value in a message: quoted text, truncated so an error never carries a whole document. */
export function show(value: unknown): string {
  let text: string;
  if (typeof value === 'string') text = JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  else if (value === null || value === undefined) text = 'empty';
  else if (typeof value === 'object' && 'kind' in (value as object)) {
    const v = value as { kind: string; amount?: string; unit?: string; currency?: string; value?: string };
    if (v.kind === 'quantity') text = `"${v.amount} ${v.unit}"`;
    else if (v.kind === 'money') text = `"${v.amount} ${v.currency}"`;
    else if (v.kind === 'decimal') text = `"${v.value}"`;
    else if (v.kind === 'localized') {
      // Per language, each text shortened: {en: "Soft", fr: "Doux"}.
      const texts = (value as { values: Record<string, string> }).values;
      text = `{${Object.keys(texts)
        .map((lang) => `${lang}: ${JSON.stringify(texts[lang]!.length > 40 ? `${texts[lang]!.slice(0, 37)}...` : texts[lang])}`)
        .join(', ')}}`;
    }
    else text = JSON.stringify(value).slice(0, 80);
  } else text = JSON.stringify(value).slice(0, 80);
  return text;
}

/** The text form of a scalar ERP value, or null for values that have none (objects, arrays). */
export function scalarText(value: FieldValue): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : null;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value && typeof value === 'object' && !Array.isArray(value) && value.kind === 'decimal') return value.value;
  return null;
}

export function typeName(value: FieldValue): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'empty';
  if (typeof value === 'object') return `a ${value.kind}`;
  return `a ${typeof value}`;
}
