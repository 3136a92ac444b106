/** The Run now page's pickers: the ERP's category tree as a list, pasted SKUs as a list. */
import type { ErpCategory } from '../../src/server/api/contract.js';

/**
 * The ERP's flat category list → picker options in tree order, each labelled with its path
 * ("Apparel › Hoodies") so the tree reads in a plain, searchable, accessible list.
 */
export function categoryOptions(items: readonly ErpCategory[]): { value: string; label: string }[] {
  const byKey = new Map(items.map((c) => [c.key, c]));
  const children = new Map<string | null, ErpCategory[]>();
  for (const c of items) {
    const parent = c.parent && byKey.has(c.parent) && c.parent !== c.key ? c.parent : null;
    children.set(parent, [...(children.get(parent) ?? []), c]);
  }
  const out: { value: string; label: string }[] = [];
  const seen = new Set<string>();
  const walk = (parent: string | null, path: string[]) => {
    for (const c of children.get(parent) ?? []) {
      if (seen.has(c.key)) continue;
      seen.add(c.key);
      const label = [...path, c.label || c.key];
      out.push({ value: c.key, label: label.join(' › ') });
      walk(c.key, label);
    }
  };
  walk(null, []);
  return out;
}

/** "BK-1, BK-2\nBK-3" → ["BK-1", "BK-2", "BK-3"]. */
export function parseKeys(text: string): string[] {
  return [...new Set(text.split(/[\s,;]+/).map((k) => k.trim()).filter(Boolean))];
}

