/**
 * Akeneo code rules and the explicit, reversible normalisation of ERP codes to them.
 * Attribute, option, family and category codes may contain only letters, digits and
 * underscores; product identifiers and model codes only refuse separators and line breaks.
 */
import type { CodeNormalisation } from './types.js';

export const CODE_PATTERN = /^[a-zA-Z0-9_]+$/;
export const MAX_CODE_LENGTH = 100;
export const MAX_IDENTIFIER_LENGTH = 255;
/** Characters Akeneo refuses in identifiers and product model codes. */
export const IDENTIFIER_FORBIDDEN = /[,;\r\n]/;

export type CodeCase = 'lower' | 'preserve';

/** C0 controls but tab and line breaks, DEL, and C1 controls (NUL included). */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
export const CONTROL_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

/**
 * "the control character U+0000 at position 4" for the first control character of a text, or null.
 * Such a character would be stored as is by the PIM and break exports and screens: Ferry refuses it
 * in values, identifiers, codes and labels alike.
 */
export function controlCharIn(text: string): string | null {
  const m = CONTROL_CHARS.exec(text);
  if (!m) return null;
  return `the control character U+${m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')} at position ${m.index + 1}`;
}

export const CONTROL_FIX = 'Remove the control character in the ERP (often a stray byte from an export).';

/**
 * Turns "Dark Red / XL" into "dark_red_xl": strips accents, replaces every run of other
 * characters with one underscore, trims underscores, optionally lower-cases, caps the length.
 * Returns '' when nothing usable remains.
 */
export function normaliseCode(input: string, codeCase: CodeCase = 'lower', maxLength = MAX_CODE_LENGTH): string {
  let s = input.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
  s = s.replace(/ß/g, 'ss').replace(/[^a-zA-Z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  if (codeCase === 'lower') s = s.toLowerCase();
  if (s.length > maxLength) s = s.slice(0, maxLength).replace(/_+$/, '');
  return s;
}

export function isValidCode(code: string, maxLength = MAX_CODE_LENGTH): boolean {
  return code.length > 0 && code.length <= maxLength && CODE_PATTERN.test(code);
}

export function isValidIdentifier(value: string): boolean {
  return value.length > 0 && value.length <= MAX_IDENTIFIER_LENGTH && !IDENTIFIER_FORBIDDEN.test(value) && value.trim() === value;
}

/**
 * The key under which the PIM finds a product identifier or an entity code: Akeneo keeps them in
 * MySQL under the utf8mb4_unicode_ci collation, which compares without case (`ABC-1` = `abc-1`),
 * without accents (`CAFÉ` = `cafe`), with `ß` = `ss`, and ignores trailing spaces. Two ERP keys
 * with one PIM key are one product (or model) for the PIM: the second write would overwrite the
 * first.
 */
export function pimCodeKey(code: string): string {
  return code
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/ß/g, 'ss')
    .toLowerCase()
    .replace(/ +$/, '');
}

export type CodeKind = CodeNormalisation['kind'];

export type CodeOutcome =
  | { ok: true; code: string; changed: boolean }
  | { ok: false; reason: 'empty' | 'pattern' | 'collision'; other?: string }
  | { ok: false; reason: 'control'; control: string };

/**
 * Keeps the table normalised ↔ original per kind (and attribute, for options) so every change
 * is reported once and can be reversed, and two ERP codes never silently collapse into one.
 */
export class CodeTable {
  /** Per kind (and attribute, for options): lower-cased code → the ERP code that took it. */
  private readonly byNormalised = new Map<string, Map<string, string>>();
  private readonly cache = new Map<string, CodeOutcome>();
  private pending: CodeNormalisation[] = [];

  constructor(
    readonly normalise: boolean,
    readonly codeCase: CodeCase,
  ) {}

  /** Akeneo code for an ERP code. With normalisation off, a code outside the pattern is refused. */
  code(kind: CodeKind, original: string, attribute?: string): CodeOutcome {
    // Model codes are asked once per group: caching them would only grow memory with the catalog.
    if (kind === 'product_model') return this.compute(kind, original, attribute);
    const key = `${kind}\u0000${attribute ?? ''}\u0000${original}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const outcome = this.compute(kind, original, attribute);
    this.cache.set(key, outcome);
    return outcome;
  }

  private compute(kind: CodeKind, original: string, attribute: string | undefined): CodeOutcome {
    // Refused before normalisation, which would otherwise turn the character into '_' silently.
    const control = controlCharIn(original);
    if (control) return { ok: false, reason: 'control', control };
    const validator: (c: string) => boolean = kind === 'product_model' ? isValidIdentifier : isValidCode;
    if (validator(original) && !this.normalise) return { ok: true, code: original, changed: false };
    let code = original;
    if (this.normalise) {
      // Most model codes (ERP template codes) are already fine: no rewrite, no new string.
      code = kind === 'product_model' ? (validator(original) && !/\s/.test(original) ? original : normaliseModelCode(original)) : normaliseCode(original, this.codeCase);
    }
    if (code === '') return { ok: false, reason: 'empty' };
    if (!validator(code)) return { ok: false, reason: 'pattern' };
    // Akeneo compares codes without case (and accents), so collisions are too.
    const taken = this.scope(kind, attribute);
    const lower = kind === 'product_model' ? pimCodeKey(code) : code.toLowerCase();
    const owner = taken.get(lower);
    // Option values are values, not keys: "Dark Green" and "dark green" are the same option.
    if (owner !== undefined && owner !== original && kind !== 'option') return { ok: false, reason: 'collision', other: owner };
    if (owner === undefined) taken.set(lower, original);
    const changed = code !== original;
    if (changed) this.pending.push(attribute ? { kind, attribute, original, normalised: code } : { kind, original, normalised: code });
    return { ok: true, code, changed };
  }

  /** The ERP code a normalised code came from (the reverse direction). */
  original(kind: CodeKind, code: string, attribute?: string): string | undefined {
    return this.byNormalised.get(attribute === undefined ? kind : `${kind}\u0000${attribute}`)?.get(code.toLowerCase());
  }

  private scope(kind: CodeKind, attribute: string | undefined): Map<string, string> {
    const key = attribute === undefined ? kind : `${kind}\u0000${attribute}`;
    let taken = this.byNormalised.get(key);
    if (!taken) this.byNormalised.set(key, (taken = new Map()));
    return taken;
  }

  /** Changes made since the last call (each distinct change once). */
  hasChanges(): boolean {
    return this.pending.length > 0;
  }

  drainChanges(): CodeNormalisation[] {
    const out = this.pending;
    this.pending = [];
    return out;
  }
}

/** Model codes keep their case and hyphens; only separators, line breaks and spaces go. */
export function normaliseModelCode(input: string): string {
  return input
    .trim()
    .replace(/[,;\r\n\s]+/g, '_')
    .slice(0, MAX_IDENTIFIER_LENGTH);
}
