/**
 * Variant axes from the data (issue 16). For one ERP group (the items of one future product model),
 * find the smallest set of varying select-like fields whose values tell every item apart; order it
 * into one level, or two when another field is constant within the sub-groups of the first axis
 * (colour then size: each colour's picture lives on the colour sub-model). Pure: values in, layout
 * out. `AxisSampler` collects, record by record and by the mapper's own placement rules, what
 * bootstrap and `ferry check` feed to it.
 */
import type { ErpRecord, FieldValue } from '../erp/port.js';
import { CodeTable, normaliseCode } from './codes.js';
import { ItemPlacement, skuText, withGroupFields } from './items.js';
import type { ResolvedMapping } from './resolve.js';

/** One item's values by field; null or missing: the item has no value there. */
export type AxisValues = Readonly<Record<string, string | null | undefined>>;

export type AxisInference =
  | {
      ok: true;
      /** Axis fields per level: [] (a single item), [[a, b]] (one level) or [[a], [b, …]] (two). */
      levels: string[][];
      /** Two levels: the fields constant within each level-1 sub-group (they live on the sub-model). */
      subModelFields: string[];
    }
  | {
      ok: false;
      /** Fields that vary and have a value on every item: every set of them was tried. */
      tried: string[];
      /** Fields that vary but are empty on some item (an axis needs a value on every item). */
      incomplete: string[];
      /** Two items no tried set tells apart (indices into the input). */
      clash: [number, number];
    };

/** Akeneo's limit of axes per variant level. */
export const MAX_AXES_PER_LEVEL = 5;

const present = (v: string | null | undefined): v is string => v !== null && v !== undefined && v !== '';

/** Whether the values of `fields` differ between every two items. */
export function distinguishes(items: readonly AxisValues[], fields: readonly string[]): boolean {
  const seen = new Set<string>();
  for (const item of items) {
    let key = '';
    for (const f of fields) {
      const v = item[f];
      if (!present(v)) return false;
      key += `${v}\u0001`;
    }
    if (seen.has(key)) return false;
    seen.add(key);
  }
  return true;
}

function* combinations(fields: readonly string[], k: number, start = 0, prefix: string[] = []): Generator<string[]> {
  if (prefix.length === k) {
    yield prefix;
    return;
  }
  for (let i = start; i <= fields.length - (k - prefix.length); i++) yield* combinations(fields, k, i + 1, [...prefix, fields[i]!]);
}

export interface InferOptions {
  /** Fields whose constancy within sub-groups suggests a second level (non-axis item fields). */
  otherFields?: readonly string[];
  /** Axis sets earlier groups chose: among sets of the same size, one of these wins (fewer family variants). */
  preferred?: readonly (readonly string[])[];
  maxAxes?: number;
}

/**
 * The smallest set of `axisFields` (in their order, ties broken by `preferred`) that tells the items
 * apart, laid out in one or two levels; or, when no set does, the fields tried and two items that clash.
 */
export function inferAxes(items: readonly AxisValues[], axisFields: readonly string[], options: InferOptions = {}): AxisInference {
  if (items.length <= 1) return { ok: true, levels: [], subModelFields: [] };
  const varies = (f: string) => new Set(items.map((i) => i[f] ?? null)).size > 1;
  const usable = axisFields.filter((f) => items.every((i) => present(i[f])) && varies(f));
  const incomplete = axisFields.filter((f) => !usable.includes(f) && varies(f) && items.some((i) => present(i[f])));
  const max = Math.min(options.maxAxes ?? MAX_AXES_PER_LEVEL, usable.length);
  const preferred = new Set((options.preferred ?? []).map((p) => [...p].sort().join('\u0001')));
  for (let k = 1; k <= max; k++) {
    let first: string[] | null = null;
    let chosen: string[] | null = null;
    for (const combo of combinations(usable, k)) {
      if (!distinguishes(items, combo)) continue;
      first ??= combo;
      if (preferred.has([...combo].sort().join('\u0001'))) {
        chosen = combo;
        break;
      }
    }
    chosen ??= first;
    if (chosen) return layOut(items, chosen, options.otherFields ?? []);
  }
  return { ok: false, tried: usable, incomplete, clash: firstClash(items, usable) };
}

/** One level, or two: the first axis whose sub-groups keep another varying field constant goes first. */
function layOut(items: readonly AxisValues[], axes: string[], otherFields: readonly string[]): AxisInference {
  if (axes.length < 2) return { ok: true, levels: [axes], subModelFields: [] };
  const others = otherFields.filter((f) => !axes.includes(f) && new Set(items.map((i) => i[f] ?? null)).size > 1);
  for (const first of axes) {
    const groups = new Map<string, AxisValues[]>();
    for (const item of items) {
      const k = item[first]!;
      groups.set(k, [...(groups.get(k) ?? []), item]);
    }
    // A second level only pays when some sub-group holds more than one item.
    if (![...groups.values()].some((g) => g.length > 1)) continue;
    const constant = others.filter((f) => [...groups.values()].every((g) => new Set(g.map((i) => i[f] ?? null)).size === 1));
    if (constant.length) return { ok: true, levels: [[first], axes.filter((a) => a !== first)], subModelFields: constant };
  }
  return { ok: true, levels: [axes], subModelFields: [] };
}

function firstClash(items: readonly AxisValues[], fields: readonly string[]): [number, number] {
  const seen = new Map<string, number>();
  for (let i = 0; i < items.length; i++) {
    const key = fields.map((f) => items[i]![f] ?? '').join('\u0001');
    const j = seen.get(key);
    if (j !== undefined) return [j, i];
    seen.set(key, i);
  }
  return [0, 1];
}

/** Family variant code for a layout: `<family>_by_color_size`, or `<family>_by_color_then_size` for two levels. */
export function familyVariantCode(family: string, levels: readonly (readonly string[])[]): string {
  return `${family}_by_${levels.map((l) => l.join('_')).join('_then_')}`.slice(0, 100);
}

// ------------------------------------------------------------------ samples from the ERP

export interface GroupSample {
  /** The model key the mapper will group by. */
  key: string;
  family: string | null;
  skus: string[];
  /** Per item: comparable text per ERP field (selects as codes, translated text in the default language). */
  items: Record<string, string | null>[];
}

/** A comparable text for a field value (lower-case; normalised like option codes when the mapping normalises). */
export function valueKey(v: FieldValue | undefined, mapping: ResolvedMapping): string | null {
  if (v === null || v === undefined) return null;
  let text: string;
  if (typeof v === 'string') text = v.trim();
  else if (typeof v === 'number' || typeof v === 'boolean') text = String(v);
  else if (Array.isArray(v)) text = v.map(String).join(',');
  else if (typeof v === 'object' && 'kind' in v && v.kind === 'localized') text = (v.values[mapping.defaultLanguage] ?? Object.values(v.values)[0] ?? '').trim();
  else text = JSON.stringify(v);
  if (text === '') return null;
  const code = mapping.codes.normalise ? normaliseCode(text, mapping.codes.case) : text;
  return (code || text).toLowerCase().slice(0, 200);
}

/**
 * Collects the ERP items by the key the mapper groups them by, with their model's family, keeping
 * only comparable texts. The grouping, SKU and family rules are the mapper's own (items.ts
 * ItemPlacement), run without a PIM so bootstrap can sample before any attribute exists; items the
 * mapper would hold back (no SKU, a family other than their model's) are left out of the sample.
 */
export class AxisSampler {
  private readonly groups = new Map<string, GroupSample>();
  private readonly placement: ItemPlacement;

  constructor(private readonly mapping: ResolvedMapping) {
    this.placement = new ItemPlacement(mapping, new CodeTable(mapping.codes.normalise, mapping.codes.case), null);
  }

  add(original: ErpRecord, groupRecord?: ErpRecord): void {
    const rec = withGroupFields(original, groupRecord);
    const sku = skuText(this.placement.rawSku(rec));
    if (sku === '') return;
    const key = this.placement.groupKeyOf(rec, sku);
    if (key === null) return;
    const family = this.placement.familyOf(rec, null);
    let g = this.groups.get(key);
    if (!g) {
      const groupFamily = groupRecord ? this.placement.familyOf(groupRecord, null) : null;
      g = { key, family: this.placement.modelFamily(family, groupFamily), skus: [], items: [] };
      this.groups.set(key, g);
    }
    if (family !== g.family) return;
    const values: Record<string, string | null> = {};
    for (const [f, v] of Object.entries(rec.fields)) values[f] = valueKey(v as FieldValue, this.mapping);
    g.skus.push(sku);
    g.items.push(values);
  }

  samples(): GroupSample[] {
    return [...this.groups.values()];
  }
}
