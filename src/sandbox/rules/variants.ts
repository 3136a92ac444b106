/**
 * Family-variant geometry: which attributes live at which level, and how Akeneo renders axis
 * values in its "axis combination already exists" messages.
 */
import type { Attribute, FamilyVariant, ProductModel, Values, VariantAttributeSet } from '../../akeneo/model.js';
import type { CatalogView } from './contract.js';

/** 0 for a root product model, 1 for a sub product model. */
export function modelLevel(model: ProductModel): number {
  return model.parent ? 1 : 0;
}

export function variantSet(fv: FamilyVariant, level: number): VariantAttributeSet | undefined {
  return fv.variant_attribute_sets.find((s) => s.level === level);
}

export function levelCount(fv: FamilyVariant): number {
  return fv.variant_attribute_sets.length;
}

/** Attribute codes owned by `level` (0 = common attributes of the root model). */
export function attributesOfLevel(view: CatalogView, fv: FamilyVariant, familyCode: string | undefined, level: number): Set<string> {
  if (level > 0) return new Set(variantSet(fv, level)?.attributes ?? []);
  const family = view.family(familyCode ?? fv.family ?? '');
  const inLevels = new Set(fv.variant_attribute_sets.flatMap((s) => s.attributes));
  return new Set((family?.attributes ?? []).filter((a) => !inLevels.has(a)));
}

/** Axis values rendered as Akeneo's value __toString(): option "[code]", boolean "1"/"0". */
export function axisValueString(attr: Attribute | undefined, data: unknown): string {
  if (data === null || data === undefined) return '';
  switch (attr?.type) {
    case 'pim_catalog_simpleselect':
      return `[${String(data)}]`;
    case 'pim_catalog_boolean':
      return data ? '1' : '0';
    case 'pim_catalog_metric': {
      const m = data as { amount: unknown; unit: unknown };
      return `${String(m.amount)} ${String(m.unit)}`;
    }
    default:
      return typeof data === 'object' ? JSON.stringify(data) : String(data);
  }
}

/** The (non-localizable, non-scopable) data of an axis attribute in a value map. */
export function axisData(values: Values | undefined, axis: string): unknown {
  const entry = (values?.[axis] ?? []).find((e) => e.locale === null && e.scope === null) ?? values?.[axis]?.[0];
  return entry?.data ?? null;
}

/** Comparable key of an axis combination (option codes are case-insensitive). */
export function axisKey(view: CatalogView, axes: string[], values: Values | undefined): string {
  return axes
    .map((a) => {
      const s = axisValueString(view.attribute(a), axisData(values, a));
      return s.toLowerCase();
    })
    .join('\u0000');
}

export function axisCombination(view: CatalogView, axes: string[], values: Values | undefined): string {
  return axes.map((a) => axisValueString(view.attribute(a), axisData(values, a))).join(',');
}

/** Values of a product model and all its ancestors, nearest level winning. */
export function inheritedValues(view: CatalogView, model: ProductModel | undefined): Values {
  const chain: ProductModel[] = [];
  let current = model;
  while (current && chain.length < 3) {
    chain.unshift(current);
    current = current.parent ? view.productModel(current.parent) : undefined;
  }
  const out: Values = {};
  for (const m of chain) for (const [code, list] of Object.entries(m.values ?? {})) out[code] = list.map((e) => ({ ...e }));
  return out;
}

/** Categories of a product model and its ancestors. */
export function inheritedCategories(view: CatalogView, model: ProductModel | undefined): string[] {
  const out = new Set<string>();
  let current = model;
  let guard = 0;
  while (current && guard++ < 3) {
    for (const c of current.categories ?? []) out.add(c);
    current = current.parent ? view.productModel(current.parent) : undefined;
  }
  return [...out];
}
