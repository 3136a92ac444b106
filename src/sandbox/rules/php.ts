/**
 * PHP semantics that leak into Akeneo's messages: type names come from gettype(), JSON objects
 * and lists are both "arrays", and numeric strings follow is_numeric().
 */

export function gettype(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'double';
  if (typeof v === 'string') return 'string';
  return 'array';
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A JSON list or object: what PHP's is_array() accepts after json_decode(..., true). */
export function isPhpArray(v: unknown): v is unknown[] | Record<string, unknown> {
  return Array.isArray(v) || isPlainObject(v);
}

export function phpArrayValues(v: unknown[] | Record<string, unknown>): unknown[] {
  return Array.isArray(v) ? v : Object.values(v);
}

export function isScalar(v: unknown): v is string | number | boolean {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

/** PHP is_numeric(): optional leading whitespace, sign, digits, decimals, exponent. */
export function isNumeric(v: unknown): boolean {
  if (typeof v === 'number') return Number.isFinite(v);
  if (typeof v !== 'string') return false;
  return /^[ \t\n\r\v\f]*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?[ \t\n\r\v\f]*$/.test(v);
}

/** How PHP would print a scalar inside a message ((string) cast). */
export function phpString(v: unknown): string {
  if (v === true) return '1';
  if (v === false || v === null || v === undefined) return '';
  if (typeof v === 'number' || typeof v === 'string') return String(v);
  return 'Array';
}

export function sameCode(a: string | null | undefined, b: string | null | undefined): boolean {
  if (a == null || b == null) return a == b;
  return a.toLowerCase() === b.toLowerCase();
}
