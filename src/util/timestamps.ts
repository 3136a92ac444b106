/**
 * The later of two ISO-8601 timestamps, where null and '' both mean "no date" (the other one wins).
 * Used by the sync engine (watermarks: the latest updatedAt seen per stream) and by ERP adapters
 * (an item's effective change time when its group changed later). Two timestamps that do not parse
 * keep the first. src/util: no knowledge of Ferry, any layer may import it.
 */
export function laterOf(a: string | null, b: string | null): string | null {
  if (!b) return a;
  if (!a) return b;
  // Both in the canonical UTC form of toISOString (adapters normalise to it): text order is time order.
  if (a.length === 24 && b.length === 24 && a.endsWith('Z') && b.endsWith('Z') && a[10] === 'T' && b[10] === 'T') return b > a ? b : a;
  return Date.parse(b) > Date.parse(a) ? b : a;
}
