/**
 * Small pure edits of a draft `mapping:` section (the editor changes one key of one attribute, of
 * the structure or of the settings) and the edits a save sends. No imports, so tests load it alone.
 */
/** The `mapping:` section as the user would write it (api/mapping.ts's Draft). */
type Draft = Record<string, unknown>;

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

/**
 * Sets (or, for an empty value, removes) the value at a key path of the draft, e.g.
 * ['structure', 'families', 'definitions', 'erp_product', 'variants', 'by_size']; maps left empty
 * on the way up are removed, so clearing a field leaves no `{}` behind in ferry.yaml.
 */
export function setDraftPath(draft: Draft, path: readonly string[], value: unknown): Draft {
  const [key, ...rest] = path;
  if (key === undefined) return draft;
  const next: Draft = { ...draft };
  const child = rest.length ? setDraftPath(((draft[key] && typeof draft[key] === 'object' && !Array.isArray(draft[key]) ? draft[key] : {}) as Draft), rest, value) : value;
  if (empty(child)) delete next[key];
  else next[key] = child;
  return next;
}

/** Sets one key of `structure.<part>` (categories, families, variants). */
export function setStructureKey(draft: Draft, part: 'categories' | 'families' | 'variants', key: string, value: unknown): Draft {
  return setDraftPath(draft, ['structure', part, key], value);
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

/**
 * The edits a save sends to PUT /config: the deepest keys that changed (`mapping.structure.variants.
 * familyVariant.erp_product`, `mapping.locales.de`), so the byte-preserving editor leaves every
 * other line of ferry.yaml, comments included, as it was. A map holding a key the key-path syntax
 * cannot spell (a dot or a bracket) is written whole.
 */
export function draftChanges(saved: Draft, draft: Draft): { path: string; value?: unknown; remove?: true }[] {
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  const isMap = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
  const spellable = (m: Record<string, unknown>) => Object.keys(m).every((k) => k.length > 0 && !/[.[\]]/.test(k));
  const changes: { path: string; value?: unknown; remove?: true }[] = [];
  const walk = (path: string, before: Record<string, unknown>, after: Record<string, unknown>) => {
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
      if (same(before[key], after[key])) continue;
      const at = `${path}.${key}`;
      const [b, a] = [before[key], after[key]];
      if (!(key in after)) changes.push({ path: at, remove: true });
      else if (isMap(b) && isMap(a) && spellable(b) && spellable(a)) walk(at, b, a);
      else changes.push({ path: at, value: a });
    }
  };
  walk('mapping', saved, draft);
  return changes;
}
