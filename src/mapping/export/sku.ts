/**
 * Ferry's SKU generator patterns: `FER{seq:7}` → FER0000042, `{family:3}-{seq:6}` → SHO-000042.
 * `{seq:N}` is a sequence number zero-padded to N digits (kept in the state store, one sequence per
 * pattern and family prefix); `{family:N}` the first N letters of the family code, upper case.
 */

const PLACEHOLDER = /\{(seq|family)(?::(\d+))?\}/g;

/** The sequence a product draws from: one per pattern with its non-sequence parts filled in. */
export function sequenceName(pattern: string, family: string | null): string {
  return `sku:${fillPattern(pattern, family, null)}`;
}

/** The pattern with its placeholders filled; `seq` null leaves `{seq}` in place (for naming the sequence). */
export function fillPattern(pattern: string, family: string | null, seq: number | null): string {
  return pattern.replace(PLACEHOLDER, (whole, name: string, width?: string) => {
    const n = width ? Number(width) : 0;
    if (name === 'family') {
      const code = (family ?? 'X').replace(/[^A-Za-z0-9]/g, '').toUpperCase();
      return n ? code.slice(0, n).padEnd(n, 'X') : code;
    }
    return seq === null ? whole : String(seq).padStart(n, '0');
  });
}
