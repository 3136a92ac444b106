/** number: exact decimal strings when decimals are allowed, integers otherwise; never a float round-trip. */
import type { Attribute } from '../../akeneo/model.js';
import { compare, exactDecimalString, isInteger, isTerminating, parseDecimal, toDecimalString, type Rational } from '../decimal.js';
import { fail, ok, scalarText, show, type ConvertResult, type Converter } from './common.js';

/** Texts that are already in Akeneo's canonical form (no leading zeros, no trailing fractional zeros). */
export const CANONICAL_DECIMAL = /^-?(?:0|[1-9]\d*)(?:\.\d*[1-9])?$/;
export const CANONICAL_INTEGER = /^-?(?:0|[1-9]\d*)$/;

/**
 * CANONICAL_DECIMAL.test(text) && text !== '-0', by hand: it runs for every number and quantity the
 * ERP sends, where a regular expression costs several times more (test/mapping/converters.test.ts
 * checks both agree).
 */
export function isCanonicalDecimal(text: string): boolean {
  const n = text.length;
  let i = text.charCodeAt(0) === 45 ? 1 : 0; // '-'
  if (i >= n) return false;
  let c = text.charCodeAt(i);
  if (c === 48) {
    i++;
    if (i === n) return text !== '-0';
  } else if (c >= 49 && c <= 57) {
    i++;
    while (i < n && (c = text.charCodeAt(i)) >= 48 && c <= 57) i++;
    if (i === n) return true;
  } else return false;
  if (text.charCodeAt(i) !== 46) return false; // '.'
  i++;
  if (i === n) return false;
  for (; i < n; i++) {
    c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return c !== 48;
}

export interface NumberOptions {
  decimals?: boolean;
  negativeAllowed?: boolean;
}

/** The largest magnitude accepted: a double's range. */
const HUGE = 10n ** 308n * 2n;

/** Numbers as the ERP writes them: "1 234,5" stays invalid (ambiguous); "1234.5", 1234.5, "1.2e3" are fine. */
export function readNumber(value: unknown): Rational | null {
  if (typeof value === 'number') return parseDecimal(value);
  if (typeof value === 'string') return parseDecimal(value);
  if (value && typeof value === 'object' && (value as { kind?: string }).kind === 'decimal') {
    return parseDecimal((value as { value: string }).value);
  }
  return null;
}

/** Akeneo `data` for an amount: an integer when decimals are not allowed, else an exact decimal string. */
export function amountData(r: Rational, decimals: boolean): number | string {
  if (!decimals) {
    const n = Number(r.n);
    return n;
  }
  return exactDecimalString(r);
}

export interface BoundsCheck {
  decimals: boolean;
  negativeAllowed: boolean;
  min: Rational | null;
  max: Rational | null;
}

export function boundsFor(attribute: Attribute, options: NumberOptions): BoundsCheck {
  const min = attribute.number_min != null ? parseDecimal(String(attribute.number_min)) : null;
  const max = attribute.number_max != null ? parseDecimal(String(attribute.number_max)) : null;
  return {
    decimals: options.decimals ?? attribute.decimals_allowed ?? true,
    negativeAllowed: options.negativeAllowed ?? attribute.negative_allowed ?? true,
    min,
    max,
  };
}

/** Shared by number, metric and price: decimals, sign, bounds. Returns null when the amount is acceptable. */
export function checkAmount(r: Rational, shownLazy: string | (() => string), bounds: BoundsCheck, expected: string): ConvertResult | null {
  // Past a double's range (1e999 from a broken export) the PIM would get hundreds of digits.
  // One BigInt compare in the common case; the division only for an already huge numerator.
  if ((r.n > HUGE || r.n < -HUGE) && (r.n / r.d > HUGE || r.n / r.d < -HUGE)) {
    const shown = typeof shownLazy === 'string' ? shownLazy : shownLazy();
    return fail('out_of_range', `${shown} is too large (beyond 1e308)`, expected, 'Correct the value in the ERP (a broken export or an exponent typo).');
  }
  // Messages are built only on failure: this runs for every number the ERP sends.
  if (bounds.decimals && bounds.negativeAllowed && !bounds.min && !bounds.max && isTerminating(r)) return null;
  const shown = typeof shownLazy === 'string' ? shownLazy : shownLazy();
  if (!isTerminating(r)) {
    return fail('not_a_number', `${shown} has no exact decimal form`, expected, 'Send the amount as a decimal number.');
  }
  if (!bounds.decimals && !isInteger(r)) {
    return fail(
      'decimals_not_allowed',
      `${shown} has decimals but the attribute accepts whole numbers only`,
      expected,
      'Round the value in the ERP, or allow decimals on the attribute in the PIM.',
    );
  }
  if (!bounds.decimals && (r.n > BigInt(Number.MAX_SAFE_INTEGER) || r.n < -BigInt(Number.MAX_SAFE_INTEGER))) {
    return fail('out_of_range', `${shown} is too large for a whole-number attribute`, expected, 'Correct the value in the ERP.');
  }
  if (!bounds.negativeAllowed && r.n < 0n) {
    return fail('out_of_range', `${shown} is negative but the attribute refuses negative values`, expected, 'Correct the value in the ERP, or allow negative values on the attribute.');
  }
  if (bounds.min && compare(r, bounds.min) < 0) {
    return fail('out_of_range', `${shown} is below the attribute's minimum ${toDecimalString(bounds.min).text}`, expected, 'Correct the value in the ERP or lower the minimum in the PIM.');
  }
  if (bounds.max && compare(r, bounds.max) > 0) {
    return fail('out_of_range', `${shown} is above the attribute's maximum ${toDecimalString(bounds.max).text}`, expected, 'Correct the value in the ERP or raise the maximum in the PIM.');
  }
  return null;
}

export function numberConverter(attribute: Attribute, options: NumberOptions = {}): Converter {
  const bounds = boundsFor(attribute, options);
  const expected = bounds.decimals ? 'a decimal number like 12 or 12.5' : 'a whole number like 12';
  const plain = bounds.negativeAllowed && !bounds.min && !bounds.max;
  return (value) => {
    // Fast path: an already canonical decimal text needs no arithmetic.
    const text0 = typeof value === 'string' ? value : value && typeof value === 'object' && !Array.isArray(value) && value.kind === 'decimal' ? value.value : null;
    if (plain && text0 !== null) {
      if (bounds.decimals && isCanonicalDecimal(text0)) return ok(text0);
      if (!bounds.decimals && CANONICAL_INTEGER.test(text0) && text0.length < 16 && text0 !== '-0') return ok(Number(text0));
    }
    const r = readNumber(value);
    if (!r) {
      const text = scalarText(value);
      return fail('not_a_number', `${show(text ?? value)} is not a number`, expected, 'Correct the value in the ERP, or map the field to a text attribute.');
    }
    const problem = checkAmount(r, () => show(scalarText(value) ?? value), bounds, expected);
    if (problem) return problem;
    return ok(amountData(r, bounds.decimals));
  };
}
