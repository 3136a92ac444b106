/**
 * Exact decimal formatting for amounts. Akeneo stores numbers as DECIMAL(…,4) and prices with 2
 * decimals; doing it in floating point would corrupt values such as "987654321987.1234".
 */

const FAST = /^([+-]?)(\d{1,15})(?:\.(\d*))?$/;

interface Parsed {
  negative: boolean;
  int: string;
  frac: string;
}

function parse(input: string | number): Parsed | null {
  let s = typeof input === 'number' ? numberToPlain(input) : input.trim();
  if (s === '') return null;
  let negative = false;
  if (s[0] === '+' || s[0] === '-') {
    negative = s[0] === '-';
    s = s.slice(1);
  }
  const exp = /^(\d*)(?:\.(\d*))?[eE]([+-]?\d+)$/.exec(s);
  if (exp) {
    const digits = (exp[1] ?? '') + (exp[2] ?? '');
    let point = (exp[1] ?? '').length + Number(exp[3]);
    let all = digits;
    if (point < 0) {
      all = '0'.repeat(-point) + all;
      point = 0;
    }
    if (point > all.length) all = all + '0'.repeat(point - all.length);
    return { negative, int: all.slice(0, point) || '0', frac: all.slice(point) };
  }
  const m = /^(\d*)(?:\.(\d*))?$/.exec(s);
  if (!m || ((m[1] ?? '') === '' && (m[2] ?? '') === '')) return null;
  return { negative, int: m[1] || '0', frac: m[2] ?? '' };
}

function numberToPlain(n: number): string {
  const s = String(n);
  return s;
}

/** Rounds half away from zero to `places` decimals (PHP number_format semantics). */
export function formatDecimal(input: string | number, places: number): string | null {
  // Fast path (the common case): a plain decimal that needs padding, not rounding.
  if (typeof input === 'string' || Number.isInteger(input)) {
    const s = typeof input === 'string' ? input : String(input);
    const m = FAST.exec(s);
    if (m) {
      const frac = m[3] ?? '';
      if (frac.length <= places) {
        const int = (m[2] ?? '0').replace(/^0+(?=\d)/, '');
        const negative = m[1] === '-' && (/[1-9]/.test(int) || /[1-9]/.test(frac));
        const sign = negative ? '-' : '';
        return places === 0 ? sign + int : `${sign}${int}.${frac.padEnd(places, '0')}`;
      }
    }
  }
  const p = parse(input);
  if (!p) return null;
  const frac = p.frac.padEnd(places + 1, '0');
  const kept = BigInt(p.int + frac.slice(0, places));
  const roundUp = Number(frac[places] ?? '0') >= 5;
  const scaled = (kept + (roundUp ? 1n : 0n)).toString().padStart(places + 1, '0');
  const intPart = places === 0 ? scaled : scaled.slice(0, -places);
  const fracPart = places === 0 ? '' : scaled.slice(-places);
  const isZero = /^0*$/.test(intPart + fracPart);
  const sign = p.negative && !isZero ? '-' : '';
  const normalisedInt = intPart.replace(/^0+(?=\d)/, '');
  return places === 0 ? sign + normalisedInt : `${sign}${normalisedInt}.${fracPart}`;
}

/** True when the number has a non-zero fractional part ("12.000" is an integer). */
export function hasDecimals(input: string | number): boolean {
  const p = parse(input);
  if (!p) return false;
  return /[1-9]/.test(p.frac);
}

/** Compares two decimal strings/numbers: -1, 0, 1. */
export function compareDecimal(a: string | number, b: string | number): number {
  const x = formatDecimal(a, 12);
  const y = formatDecimal(b, 12);
  if (x === null || y === null) return 0;
  const scale = (s: string): bigint => BigInt(s.replace('.', ''));
  const d = scale(x) - scale(y);
  return d === 0n ? 0 : d > 0n ? 1 : -1;
}

/** Integer value of a numeric input without decimals, as a JS number. */
export function toInteger(input: string | number): number {
  const f = formatDecimal(input, 0);
  return f === null ? NaN : Number(f);
}
