/**
 * Family and variant layout: which attributes a family has (the filter on what a product sends), the
 * family variants a family's models may use, and for each family variant its layout (the level of
 * every attribute, the axes per level, the plan-selection keys). `chooseFamilyVariant` is the one
 * place a group's family variant is chosen. Caches per family and per family variant, bounded by the
 * PIM's structure.
 */
import type { FamilyVariant, ValueEntry } from '../akeneo/model.js';
import type { FieldPlanner, Want } from './fields.js';
import type { PreparedItem } from './items.js';
import type { ResolvedMapping } from './resolve.js';
import type { PimStructure } from './types.js';

export type FV = FamilyVariant & { family: string };

/** The variant axes of a family's candidate family variants, and their mapping filter. */
export interface FamilyAxes {
  codes: string[];
  slot: Map<string, number>;
  want: (code: string) => boolean;
  /** Selection key of the axis plans. */
  key: string;
}

export interface VariantLayout {
  fv: FV;
  /** The family's axis list the slots below index into. */
  familyAxes: FamilyAxes;
  levels: number;
  /** attribute → level (0 root, 1, 2); absent = root. */
  levelOf: Map<string, number>;
  axes: string[][];
  /** Attributes whose values live on the variant products. */
  wantVariant: (code: string) => boolean;
  /** Per model level (0 root, 1 sub-model): the attributes whose values live there and the family has. */
  wantAtLevel: ((code: string) => boolean)[];
  /** Variant-level attributes the family has: what a variant product carries. */
  keepVariant: (code: string) => boolean;
  /** Selection keys (see FieldPlanner.select): variant-level plans, variant output, each model level. */
  variantKey: string;
  variantOutKey: string;
  levelKeys: string[];
  /** Per level (1-based index - 1): the slots of its axes in the family's axis list; flat: all levels. */
  slots: number[][];
  flatSlots: number[];
}

/**
 * What chooseFamilyVariant decides for a group: a layout; 'simple' when the family has no family
 * variant (the items stay simple products); null when no item has its axis values mapped (each says
 * why); or an error that holds every item back.
 */
export type FamilyVariantChoice = VariantLayout | 'simple' | null | { error: string };

export class FamilyLayouts {
  private readonly familyVariantsByFamily = new Map<string, FV[]>();
  private readonly familyFilters = new Map<string, ((attr: string) => boolean) | null>();
  private readonly familyAxesCache = new Map<string, FamilyAxes>();
  private readonly layouts = new Map<string, VariantLayout>();
  private readonly outKeys = new Map<string | null, string>();

  constructor(
    private readonly mapping: ResolvedMapping,
    private readonly pim: PimStructure,
    private readonly fields: FieldPlanner,
  ) {
    for (const fv of pim.familyVariants.values()) {
      const list = this.familyVariantsByFamily.get(fv.family) ?? [];
      list.push(fv);
      this.familyVariantsByFamily.set(fv.family, list);
    }
    for (const list of this.familyVariantsByFamily.values()) {
      list.sort((a, b) => axisCount(a) - axisCount(b) || a.variant_attribute_sets.length - b.variant_attribute_sets.length || a.code.localeCompare(b.code));
    }
  }

  /** Values of attributes the family has (plus the identifier); everything else would be refused by the PIM. */
  familyFilter(family: string | null): Want {
    if (!family) return null;
    const cached = this.familyFilters.get(family);
    if (cached !== undefined) return cached;
    const f = this.pim.families.get(family);
    let filter: ((attr: string) => boolean) | null = null;
    if (f) {
      const set = new Set(f.attributes);
      set.add(this.fields.identifierAttribute);
      filter = (a) => set.has(a);
    }
    this.familyFilters.set(family, filter);
    return filter;
  }

  /** The selection key of a simple product's output values in `family`. */
  productOutKey(family: string | null): string {
    let key = this.outKeys.get(family);
    if (key === undefined) this.outKeys.set(family, (key = `out\u0000${family ?? ''}`));
    return key;
  }

  /**
   * The family variant a group of `family` goes under, chosen once its items' axis values are mapped:
   * the configured one (structure.variants.familyVariant), else among the family's family variants
   * the one that places the most items. Fills `axed` with the members whose axis values mapped
   * without blocking, each with its axisKeys. The one place a family variant is chosen.
   */
  chooseFamilyVariant(family: string, members: readonly PreparedItem[], axed: PreparedItem[]): FamilyVariantChoice {
    const candidates = this.candidatesFor(family);
    if ('error' in candidates) return candidates;
    // The family has no variants: the items stay simple products.
    if (candidates.length === 0) return 'simple';
    // Axis values first: they choose the family variant and place each item.
    const familyAxes = this.familyAxes(family, candidates);
    const fields = this.fields;
    const codes = familyAxes.codes;
    for (const p of members) {
      fields.mapFields(p.rec, p.acc, familyAxes.key, familyAxes.want);
      if (p.acc.blocked) continue;
      const keys = new Array<string | null>(codes.length);
      for (let i = 0; i < codes.length; i++) keys[i] = axisKey(fields.valueOf(p.acc, codes[i]!));
      p.axisKeys = keys;
      axed.push(p);
    }
    if (axed.length === 0) return null;
    return this.bestLayout(candidates, familyAxes, axed);
  }

  /** The axes of every candidate family variant of a family, in a fixed order (slots). */
  private familyAxes(family: string, candidates: FV[]): FamilyAxes {
    let fa = this.familyAxesCache.get(family);
    if (!fa) {
      const codes = [...new Set(candidates.flatMap((fv) => fv.variant_attribute_sets.flatMap((s) => s.axes)))];
      const slot = new Map(codes.map((c, i) => [c, i]));
      fa = { codes, slot, want: (code: string) => slot.has(code), key: `axes\u0000${family}` };
      this.familyAxesCache.set(family, fa);
    }
    return fa;
  }

  /** The family variants a group of `family` may use: the configured one, or all of the family's, fewest axes first. */
  private candidatesFor(family: string): FV[] | { error: string } {
    const wanted = this.mapping.structure.variants.familyVariant[family];
    const all = this.familyVariantsByFamily.get(family) ?? [];
    if (wanted && wanted !== 'auto') {
      const fv = this.pim.familyVariants.get(wanted);
      if (!fv || fv.family !== family) return { error: `family variant ${JSON.stringify(wanted)} of family ${family} does not exist in the PIM` };
      return [fv];
    }
    return all;
  }

  private layoutFor(fv: FV, axes: FamilyAxes): VariantLayout {
    let layout = this.layouts.get(fv.code);
    if (layout) return layout;
    const sets = [...fv.variant_attribute_sets].sort((a, b) => a.level - b.level);
    const levelOf = new Map<string, number>();
    sets.forEach((set, i) => {
      for (const a of set.axes) levelOf.set(a, i + 1);
      for (const a of set.attributes) levelOf.set(a, i + 1);
    });
    // Akeneo forces the identifier (and unique attributes) to the variant level.
    levelOf.set(this.fields.identifierAttribute, sets.length);
    for (const [code, a] of this.pim.attributes) if (a.unique) levelOf.set(code, sets.length);
    const levels = sets.length;
    const keep = this.familyFilter(fv.family);
    const wantAtLevel: ((code: string) => boolean)[] = [];
    for (let level = 0; level < levels; level++) wantAtLevel.push((code) => (levelOf.get(code) ?? 0) === level && (!keep || keep(code)));
    const slots = sets.map((set) => set.axes.map((a) => axes.slot.get(a)!));
    layout = {
      fv,
      familyAxes: axes,
      levels,
      levelOf,
      axes: sets.map((set) => set.axes),
      wantVariant: (code: string) => (levelOf.get(code) ?? 0) === levels,
      wantAtLevel,
      keepVariant: (code: string) => (levelOf.get(code) ?? 0) === levels && (!keep || keep(code)),
      variantKey: `variant\u0000${fv.code}`,
      variantOutKey: `variantOut\u0000${fv.code}`,
      levelKeys: wantAtLevel.map((_, level) => `level\u0000${fv.code}\u0000${level}`),
      slots,
      flatSlots: slots.flat(),
    };
    this.layouts.set(fv.code, layout);
    return layout;
  }

  /** The family variant that places the most items: every axis filled, combinations unique; fewest axes first. */
  private bestLayout(candidates: FV[], familyAxes: FamilyAxes, members: readonly PreparedItem[]): VariantLayout {
    if (candidates.length === 1) return this.layoutFor(candidates[0]!, familyAxes);
    let best: VariantLayout | null = null;
    let bestPlaced = -1;
    const seen = new Set<string>();
    for (const fv of candidates) {
      const layout = this.layoutFor(fv, familyAxes);
      seen.clear();
      let placed = 0;
      for (const p of members) {
        const key = comboOf(p.axisKeys!, layout.flatSlots);
        if (key === null || seen.has(key)) continue;
        seen.add(key);
        placed++;
      }
      if (placed > bestPlaced) {
        best = layout;
        bestPlaced = placed;
      }
      if (placed === members.length) break;
    }
    return best!;
  }
}

function axisCount(fv: FamilyVariant): number {
  return fv.variant_attribute_sets.reduce((n, s) => n + s.axes.length, 0);
}

/** A comparable text for an axis value; null when missing. */
export function axisKey(entries: ValueEntry[] | undefined): string | null {
  if (!entries) return null;
  let e: ValueEntry | undefined = entries[0];
  for (const x of entries) {
    if (x.locale === null && x.scope === null) {
      e = x;
      break;
    }
  }
  if (!e || e.data === null || e.data === undefined) return null;
  const d = e.data;
  if (typeof d === 'string') return d.toLowerCase();
  if (typeof d === 'boolean' || typeof d === 'number') return String(d);
  if (Array.isArray(d)) return d.length ? [...d].map((x) => String(x).toLowerCase()).sort().join(',') : null;
  if (typeof d === 'object' && 'amount' in d) return `${String((d as { amount: unknown }).amount)} ${String((d as unknown as { unit: unknown }).unit)}`;
  return JSON.stringify(d);
}

/** An axis value as a part of a sub-model code. */
export function axisCodePart(entries: ValueEntry[] | undefined): string {
  const k = axisKey(entries) ?? 'none';
  return k.replace(/[^a-zA-Z0-9]+/g, '_');
}

/** One text per axis combination (the axes at `slots` of an item's axisKeys), null when an axis has no value. */
export function comboOf(keys: readonly (string | null)[], slots: readonly number[]): string | null {
  if (slots.length === 1) return keys[slots[0]!]!;
  let out = '';
  for (let i = 0; i < slots.length; i++) {
    const k = keys[slots[i]!];
    if (k === null || k === undefined) return null;
    out = i === 0 ? k : `${out}\u0001${k}`;
  }
  return out;
}
