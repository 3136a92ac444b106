/** Small pure edits of a draft `mapping:` section: the editor changes one key of one attribute or of the structure. */
import type { Draft } from '../../api/mapping';

/** The file's own entry for an attribute as an object (a shorthand "field" becomes { from: field }). */
export function ownEntry(draft: Draft, code: string): Record<string, unknown> {
  const e = (draft.attributes as Record<string, unknown> | undefined)?.[code];
  if (typeof e === 'string') return { from: e };
  return e && typeof e === 'object' ? { ...(e as Record<string, unknown>) } : {};
}

const empty = (v: unknown) => v === undefined || v === '' || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0);

/** Sets (or, for an empty value, removes) one key of an attribute's entry; an entry left empty is removed. */
export function setAttributeKey(draft: Draft, code: string, key: string, value: unknown): Draft {
  const entry = ownEntry(draft, code);
  if (empty(value)) delete entry[key];
  else entry[key] = value;
  const attributes = { ...((draft.attributes as Record<string, unknown> | undefined) ?? {}) };
  if (Object.keys(entry).length === 0) delete attributes[code];
  else attributes[code] = entry;
  const next = { ...draft, attributes };
  if (Object.keys(attributes).length === 0) delete (next as Record<string, unknown>).attributes;
  return next;
}

/** Sets one key of `structure.<part>` (categories, families, variants). */
export function setStructureKey(draft: Draft, part: 'categories' | 'families' | 'variants', key: string, value: unknown): Draft {
  const structure = { ...((draft.structure as Record<string, Record<string, unknown>> | undefined) ?? {}) };
  const section = { ...(structure[part] ?? {}) };
  if (empty(value)) delete section[key];
  else section[key] = value;
  if (Object.keys(section).length === 0) delete structure[part];
  else structure[part] = section;
  const next: Draft = { ...draft, structure };
  if (Object.keys(structure).length === 0) delete next.structure;
  return next;
}

/** "lb = POUND" lines ↔ { lb: "POUND" }. */
export function pairsToText(v: unknown): string {
  return v && typeof v === 'object' ? Object.entries(v as Record<string, unknown>).map(([k, x]) => `${k} = ${String(x)}`).join('\n') : '';
}
export function textToPairs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const i = line.indexOf('=');
    if (i <= 0) continue;
    const k = line.slice(0, i).trim();
    const v = line.slice(i + 1).trim();
    if (k && v) out[k] = v;
  }
  return out;
}

/** "a, b" ↔ ["a", "b"]. */
export function listToText(v: unknown): string {
  return Array.isArray(v) ? v.join(', ') : typeof v === 'string' ? v : '';
}
export function textToList(text: string): string[] {
  return text.split(',').map((s) => s.trim()).filter(Boolean);
}
