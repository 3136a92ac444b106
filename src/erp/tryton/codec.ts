/**
 * Tryton's JSON-RPC encodes non-JSON Python values as objects tagged with `__class__`
 * (trytond/protocols/jsonrpc.py). We decode them into exact representations: decimals stay
 * strings, datetimes keep their microseconds, and the reverse encoding is used in domains.
 */

/** An exact decimal as Tryton sent it (`"12.5000"`). Never converted to a float. */
export class TrytonDecimal {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** A naive UTC datetime with microseconds, as Tryton stores `create_date`/`write_date`. */
export class TrytonDateTime {
  /** Microseconds since the Unix epoch (fits a double exactly until the year 2255). */
  readonly micros: number;
  constructor(micros: number) {
    this.micros = micros;
  }
  static fromParts(p: { year: number; month: number; day: number; hour?: number; minute?: number; second?: number; microsecond?: number }): TrytonDateTime {
    const ms = Date.UTC(p.year, p.month - 1, p.day, p.hour ?? 0, p.minute ?? 0, p.second ?? 0);
    return new TrytonDateTime(ms * 1000 + (p.microsecond ?? 0));
  }
  /** Parses ISO-8601 with an offset or Z (a missing offset is read as UTC); keeps up to 6 fractional digits. */
  static parseIso(text: string): TrytonDateTime | null {
    const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(text.trim());
    if (!m) return null;
    const [, y, mo, d, h, mi, s, frac, zone] = m;
    const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h ?? 0), Number(mi ?? 0), Number(s ?? 0));
    if (Number.isNaN(ms)) return null;
    const check = new Date(ms);
    if (check.getUTCDate() !== Number(d) || check.getUTCMonth() !== Number(mo) - 1) return null;
    let offsetMinutes = 0;
    if (zone && zone.toUpperCase() !== 'Z') {
      const sign = zone.startsWith('-') ? -1 : 1;
      const digits = zone.slice(1).replace(':', '');
      offsetMinutes = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)));
    }
    const micro = frac ? Number((frac + '000000').slice(0, 6)) : 0;
    return new TrytonDateTime((ms - offsetMinutes * 60_000) * 1000 + micro);
  }
  minusSeconds(seconds: number): TrytonDateTime {
    return new TrytonDateTime(this.micros - seconds * 1_000_000);
  }
  /** `2024-06-11T10:01:36.827000Z`: always six fractional digits, so strings sort like instants. */
  toIso(): string {
    const ms = Math.floor(this.micros / 1000);
    const micro = this.micros - ms * 1000;
    const base = new Date(ms).toISOString(); // …SS.mmmZ
    return `${base.slice(0, 23)}${String(micro).padStart(3, '0')}Z`;
  }
  toJSON(): Record<string, unknown> {
    const ms = Math.floor(this.micros / 1_000_000) * 1000;
    const d = new Date(ms);
    return {
      __class__: 'datetime',
      year: d.getUTCFullYear(),
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      hour: d.getUTCHours(),
      minute: d.getUTCMinutes(),
      second: d.getUTCSeconds(),
      microsecond: this.micros - ms * 1000,
    };
  }
}

/** A calendar date (no time, no zone). */
export class TrytonDate {
  constructor(readonly iso: string) {}
  toJSON(): Record<string, unknown> {
    const [year, month, day] = this.iso.split('-').map(Number);
    return { __class__: 'date', year, month, day };
  }
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** Recursively replaces `__class__` objects; everything else is returned as parsed. */
export function decodeValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decodeValue);
  if (value === null || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  const cls = obj.__class__;
  if (typeof cls === 'string') {
    switch (cls) {
      case 'Decimal':
        return new TrytonDecimal(String(obj.decimal));
      case 'datetime':
        return TrytonDateTime.fromParts(obj as never);
      case 'date':
        return new TrytonDate(`${pad(Number(obj.year), 4)}-${pad(Number(obj.month))}-${pad(Number(obj.day))}`);
      case 'time':
        return `${pad(Number(obj.hour))}:${pad(Number(obj.minute))}:${pad(Number(obj.second))}`;
      case 'timedelta':
        return Number(obj.seconds);
      case 'bytes':
        return Buffer.from(String(obj.base64), 'base64');
      default:
        return obj;
    }
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) out[k] = decodeValue(v);
  return out;
}

/** JSON.stringify replacer: Buffers travel as Tryton `bytes`, our classes via their toJSON. */
export function encodeForTryton(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof TrytonDecimal) return { __class__: 'Decimal', decimal: v.value };
    if (v && typeof v === 'object' && (v as { type?: string }).type === 'Buffer' && Array.isArray((v as { data?: unknown }).data)) {
      return { __class__: 'bytes', base64: Buffer.from((v as { data: number[] }).data).toString('base64') };
    }
    return v;
  });
}

/**
 * A Tryton Float (weights, dimensions) as an exact decimal string. Python's float repr and
 * JavaScript's Number#toString both print the shortest text that round-trips, so the text
 * is the value the user typed in Tryton (`6.48`, not `6.4800000000000004`).
 */
export function floatToDecimalString(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`not a finite number: ${n}`);
  const s = String(n);
  if (!/e/i.test(s)) return s;
  // Exponent form (1e-7, 1e21): expand without losing digits.
  const [mantissa, expText] = s.toLowerCase().split('e') as [string, string];
  const exp = Number(expText);
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  const pointAt = (mantissa.replace('-', '').indexOf('.') === -1 ? mantissa.replace('-', '').length : mantissa.replace('-', '').indexOf('.')) + exp;
  let out: string;
  if (pointAt <= 0) out = '0.' + '0'.repeat(-pointAt) + digits;
  else if (pointAt >= digits.length) out = digits + '0'.repeat(pointAt - digits.length);
  else out = digits.slice(0, pointAt) + '.' + digits.slice(pointAt);
  return (negative ? '-' : '') + out;
}
