/**
 * Exact decimal arithmetic on BigInt rationals. ERP quantities and prices are exact decimal
 * strings; converting them through floats would turn 0.1 lb into 0.045359236999999996 kg.
 */

export interface Rational {
  /** Numerator (sign lives here). */
  n: bigint;
  /** Denominator, always > 0. */
  d: bigint;
}

const DECIMAL_PATTERN = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d{1,4}))?$/;

function gcd(a: bigint, b: bigint): bigint {
  if (a < 0n) a = -a;
  if (b < 0n) b = -b;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

function reduce(n: bigint, d: bigint): Rational {
  if (d < 0n) {
    n = -n;
    d = -d;
  }
  const g = gcd(n, d);
  return g > 1n ? { n: n / g, d: d / g } : { n, d };
}

/** Parses "12", "-0.5", ".5", "1e3", "1.25E-2" exactly; also accepts a finite JS number. Returns null when it is not a number. */
export function parseDecimal(input: string | number): Rational | null {
  let text: string;
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) return null;
    // String(n) is the shortest round-trip form, so 0.1 stays "0.1".
    text = String(input);
  } else {
    text = input.trim();
  }
  const m = DECIMAL_PATTERN.exec(text);
  if (!m) return null;
  const intPart = m[2] ?? '';
  const fracPart = m[3] ?? '';
  if (intPart === '' && fracPart === '') return null;
  let n = BigInt((intPart || '0') + fracPart);
  let d = 10n ** BigInt(fracPart.length);
  const exp = m[4] ? Number(m[4]) : 0;
  if (exp > 0) n *= 10n ** BigInt(exp);
  else if (exp < 0) d *= 10n ** BigInt(-exp);
  if (m[1] === '-') n = -n;
  return reduce(n, d);
}

export function mul(a: Rational, b: Rational): Rational {
  return reduce(a.n * b.n, a.d * b.d);
}

export function div(a: Rational, b: Rational): Rational {
  if (b.n === 0n) throw new RangeError('division by zero');
  return reduce(a.n * b.d, a.d * b.n);
}

export function add(a: Rational, b: Rational): Rational {
  return reduce(a.n * b.d + b.n * a.d, a.d * b.d);
}

export function sub(a: Rational, b: Rational): Rational {
  return reduce(a.n * b.d - b.n * a.d, a.d * b.d);
}

export function compare(a: Rational, b: Rational): number {
  const l = a.n * b.d;
  const r = b.n * a.d;
  return l < r ? -1 : l > r ? 1 : 0;
}

export function isInteger(r: Rational): boolean {
  return r.d === 1n;
}

/** True when the rational has a finite decimal expansion (denominator made of 2s and 5s only). */
export function isTerminating(r: Rational): boolean {
  let d = r.d;
  while (d % 2n === 0n) d /= 2n;
  while (d % 5n === 0n) d /= 5n;
  return d === 1n;
}

/**
 * Canonical decimal string: no exponent, no leading zeros, no trailing fractional zeros ("12.50" → "12.5", "-0" → "0").
 * A non-terminating value is rounded half-to-even at `maxScale` digits; `exact` tells whether rounding happened.
 */
export function toDecimalString(r: Rational, maxScale = 12): { text: string; exact: boolean } {
  const negative = r.n < 0n;
  const absN = negative ? -r.n : r.n;
  const scale = 10n ** BigInt(maxScale);
  const scaled = absN * scale;
  let q = scaled / r.d;
  const rem = scaled % r.d;
  const exact = rem === 0n;
  if (!exact) {
    const twice = rem * 2n;
    if (twice > r.d || (twice === r.d && q % 2n === 1n)) q += 1n;
  }
  let digits = q.toString().padStart(maxScale + 1, '0');
  let intPart = digits.slice(0, digits.length - maxScale);
  let frac = maxScale > 0 ? digits.slice(digits.length - maxScale) : '';
  frac = frac.replace(/0+$/, '');
  intPart = intPart.replace(/^0+(?=\d)/, '');
  digits = frac ? `${intPart}.${frac}` : intPart;
  const isZero = /^0(\.0*)?$/.test(digits);
  return { text: negative && !isZero ? `-${digits}` : digits, exact };
}

/** Canonicalises an exact decimal string, or returns null when it is not a number. */
export function canonicalDecimal(input: string | number): string | null {
  const r = parseDecimal(input);
  if (!r) return null;
  if (!isTerminating(r)) return null;
  return toDecimalString(r, decimalPlacesNeeded(r)).text;
}

function decimalPlacesNeeded(r: Rational): number {
  let d = r.d;
  let twos = 0;
  let fives = 0;
  while (d % 2n === 0n) {
    d /= 2n;
    twos++;
  }
  while (d % 5n === 0n) {
    d /= 5n;
    fives++;
  }
  return Math.max(twos, fives);
}

/** The exact text of a terminating rational (every digit), or rounded half-even at `fallbackScale` otherwise. */
export function exactDecimalString(r: Rational, fallbackScale = 12): string {
  return isTerminating(r) ? toDecimalString(r, decimalPlacesNeeded(r)).text : toDecimalString(r, fallbackScale).text;
}
