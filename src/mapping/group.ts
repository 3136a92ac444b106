/**
 * Group → model and variants: the items of one ERP group become a root product model, its sub-models
 * (two-level family variants) and variant products, each value at the level its family variant gives
 * it; or simple products. Items that cannot be placed (another family, missing or duplicate axis
 * values, a bad model code) are held back, each with an error saying why and how to fix it. No caches
 * of its own: it composes the field planner, the family layouts, the categories and the model values.
 */
import type { Values } from '../akeneo/model.js';
import type { ErpRecord } from '../erp/port.js';
import { CONTROL_FIX, type CodeOutcome, type CodeTable } from './codes.js';
import { ownCategories, type CategoryMapper } from './categories.js';
import { show } from './converters/common.js';
import { recordError } from './errors.js';
import type { FieldPlanner, Want } from './fields.js';
import type { ItemPreparer, PreparedItem } from './items.js';
import { axisCodePart, comboOf, type FamilyLayouts, type VariantLayout } from './layout.js';
import type { ModelValues } from './model-values.js';
import { newAcc, type RecordAcc } from './plans.js';
import type { ResolvedMapping } from './resolve.js';
import type { MappedProduct, MappedProductModel, MappingErrorKind, MediaUploadRequest, Origin } from './types.js';

/** Where a group's entities go (parents first when the caller concatenates them) and the group records' accumulators. */
export interface GroupOutput {
  roots: MappedProductModel[];
  subs: MappedProductModel[];
  products: MappedProduct[];
  uploads: MediaUploadRequest[];
  groupAccs: RecordAcc[];
}

export class GroupMapper {
  constructor(
    private readonly mapping: ResolvedMapping,
    private readonly codes: CodeTable,
    private readonly fields: FieldPlanner,
    private readonly items: ItemPreparer,
    private readonly layouts: FamilyLayouts,
    private readonly categories: CategoryMapper,
    private readonly modelValues: ModelValues,
  ) {}

  /** Maps every remaining field and adds the simple product, unless a value error holds the record back. */
  simpleProduct(p: PreparedItem, products: MappedProduct[], uploads: MediaUploadRequest[]): void {
    this.fields.mapFields(p.rec, p.acc);
    if (p.acc.blocked) return;
    const keep = this.layouts.familyFilter(p.family);
    const values = this.outputValues(p, this.layouts.productOutKey(p.family), keep);
    for (const u of p.acc.uploads) if (!keep || keep(u.attribute)) uploads.push({ owner: { kind: 'product', identifier: p.sku }, ...u, origin: p.acc.origin });
    const product: MappedProduct = { kind: 'product', origin: p.acc.origin, identifier: p.sku, family: p.family, parent: null, values };
    if (p.categories !== undefined) product.categories = p.categories;
    products.push(product);
  }

  /**
   * The values a product sends: the identifier, then the record's plans `keep` accepts (looked up per
   * plan, so a variant carries only its level's attributes).
   */
  private outputValues(p: PreparedItem, key: string, keep: Want): Values {
    const acc = p.acc;
    const values: Values = {};
    if (acc.identifier !== undefined) values[this.fields.identifierAttribute] = acc.identifier;
    for (const e of this.fields.select(key, keep, this.fields.identityOf(p.rec, acc))) {
      const v = acc.byPlan[e.plan.id];
      if (v !== undefined) values[e.plan.code] = v;
    }
    return values;
  }

  /**
   * The items of one ERP group (and its group record, if any) → a root model, its sub-models and the
   * variant products; or simple products when the group is one item (singleGroupAsSimpleProduct) or
   * the family has no family variant. Items that cannot be placed are held back, each saying why.
   */
  mapGroup(key: string, bucket: PreparedItem[], groupRec: ErpRecord | undefined, out: GroupOutput): void {
    const v = this.mapping.structure.variants;
    let groupAcc: RecordAcc | null = null;
    let family = bucket[0]!.family;
    if (groupRec) {
      groupAcc = newAcc({ stream: 'groups', key: groupRec.key, updatedAt: groupRec.updatedAt }, 'product model', key, this.fields.planCount);
      out.groupAccs.push(groupAcc);
      family = this.items.placement.modelFamily(family, this.items.familyOf(groupRec, groupAcc));
    }
    // Items of another family cannot share the model.
    const members: PreparedItem[] = [];
    for (const p of bucket) {
      if (p.family !== family) {
        this.blockItem(p, 'invalid_value', undefined, `its family ${p.family ?? '(none)'} differs from the family ${family ?? '(none)'} of its product model ${JSON.stringify(key)}`, 'all items of a model in one family', 'Put the items of one ERP group in the same family.');
      } else members.push(p);
    }
    if (members.length === 0) return;
    if ((members.length === 1 && v.singleGroupAsSimpleProduct) || family === null) {
      for (const p of members) this.simpleProduct(p, out.products, out.uploads);
      return;
    }
    const axed: PreparedItem[] = [];
    const layout = this.layouts.chooseFamilyVariant(family, members, axed);
    if (layout === null) return;
    if (layout === 'simple') {
      for (const p of members) this.simpleProduct(p, out.products, out.uploads);
      return;
    }
    if ('error' in layout) {
      for (const p of members) this.blockItem(p, 'unknown_family', undefined, layout.error, 'an existing family variant', 'Run `ferry pim bootstrap`, or correct mapping.structure.variants.familyVariant.');
      return;
    }
    const modelOutcome = this.codes.code('product_model', v.modelPrefix + key);
    if (!modelOutcome.ok) {
      this.blockBadModelCode(members, key, modelOutcome);
      return;
    }
    const rootCode = modelOutcome.code;
    let placed = this.placeItems(axed, layout, rootCode, family);
    // Then each variant's own values; a value error configured to block holds that item back.
    for (const p of placed) this.fields.mapFields(p.rec, p.acc, layout.variantKey, layout.wantVariant);
    if (placed.some(isBlocked)) placed = placed.filter((p) => !p.acc.blocked);
    if (placed.length === 0) return;
    if (placed.length === 1 && v.singleGroupAsSimpleProduct) {
      this.simpleProduct(placed[0]!, out.products, out.uploads);
      return;
    }
    const origin: Origin = groupRec
      ? { stream: 'groups', key: groupRec.key, updatedAt: groupRec.updatedAt }
      : { stream: 'groups', key, updatedAt: maxUpdated(placed) };
    // Root model: the group record's values first, then the first item that has the value.
    const rootCategories = this.categories.modelCategories(groupRec, placed);
    const root: MappedProductModel = {
      kind: 'product_model',
      origin,
      code: rootCode,
      family,
      familyVariant: layout.fv.code,
      parent: null,
      values: this.modelValues.levelValues(0, layout, groupRec && groupAcc ? [{ rec: groupRec, acc: groupAcc }, ...placed] : placed, rootCode, out.uploads),
    };
    if (rootCategories !== undefined) root.categories = rootCategories;
    out.roots.push(root);
    for (const p of placed) p.parentCode = rootCode;
    if (layout.levels === 2) this.addSubModels(placed, layout, rootCode, family, out);
    this.addVariantProducts(placed, layout, family, rootCategories, out);
  }

  /** A group key that cannot be a product model code holds back every item of the group. */
  private blockBadModelCode(members: readonly PreparedItem[], key: string, outcome: Exclude<CodeOutcome, { ok: true }>): void {
    for (const p of members) {
      if (outcome.reason === 'collision') {
        // Akeneo compares model codes without case or accents: the second group would overwrite the first.
        this.blockItem(
          p,
          'invalid_code',
          undefined,
          `its product model key ${show(key)} and the key ${show(outcome.other)} of another ERP group are one product model code for the PIM (it compares codes without case or accents), so this group would overwrite that one; group ${show(outcome.other)} is sent, group ${show(key)} is held back`,
          'group keys that differ by more than case or accents',
          `Rename group ${show(key)} or group ${show(outcome.other)} in the ERP (or give one a different mapping.structure.variants.modelPrefix).`,
        );
      } else if (outcome.reason === 'control') {
        this.blockItem(p, 'invalid_code', undefined, `its product model key ${show(key)} contains ${outcome.control}`, 'a model code without control characters', CONTROL_FIX);
      } else {
        this.blockItem(p, 'invalid_code', undefined, `its product model key ${show(key)} is not a valid model code`, 'a model code without commas, semicolons or line breaks', 'Turn on mapping.codes.normalise, or fix the group code in the ERP.');
      }
    }
  }

  /** The items that can be placed: every axis filled, no two with the same combination (the first one goes). */
  private placeItems(axed: readonly PreparedItem[], layout: VariantLayout, rootCode: string, family: string): PreparedItem[] {
    const familyAxes = layout.familyAxes;
    // Axis values: each item must have them all, and no two items the same combination.
    const placed: PreparedItem[] = [];
    const seen = new Map<string, PreparedItem>();
    for (const p of axed) {
      const comboKey = comboOf(p.axisKeys!, layout.flatSlots);
      if (comboKey === null) {
        const missing = layout.flatSlots.map((i) => familyAxes.codes[i]!).find((a) => p.axisKeys![familyAxes.slot.get(a)!] === null)!;
        const plan = this.fields.explicitPlan(missing);
        this.blockItem(
          p,
          'missing_axis_value',
          plan ? plan.sources.join(' | ') : missing,
          `variant axis ${missing} of family variant ${layout.fv.code} has no value, so the item cannot be placed in product model ${JSON.stringify(rootCode)}`,
          `a value for every axis (${layout.axes.flat().join(', ')})`,
          `Fill ${missing} in the ERP for this item, or set mapping.structure.variants.familyVariant.${family} to a variant without this axis.`,
          missing,
        );
        continue;
      }
      const other = seen.get(comboKey);
      if (other !== undefined) {
        const combo = layout.flatSlots.map((i) => `${familyAxes.codes[i]}=${p.axisKeys![i]}`).join(', ');
        this.blockItem(
          p,
          'duplicate_axis_combination',
          undefined,
          `it has the same variant axis values (${combo}) as SKU ${JSON.stringify(other.sku)} in product model ${JSON.stringify(rootCode)}; SKU ${JSON.stringify(other.sku)} is sent, SKU ${JSON.stringify(p.sku)} is held back`,
          'a distinct axis combination per item of a model',
          `Correct the ${layout.axes.flat().join('/')} values of SKU ${p.sku} or SKU ${other.sku} in the ERP.`,
        );
        continue;
      }
      seen.set(comboKey, p);
      placed.push(p);
    }
    return placed;
  }

  /** Two-level family variants: one sub-model per level-1 axis combination, under the root; each item goes under its sub-model. */
  private addSubModels(placed: readonly PreparedItem[], layout: VariantLayout, rootCode: string, family: string, out: GroupOutput): void {
    const level1 = layout.slots[0]!;
    const subBuckets = new Map<string, PreparedItem[]>();
    for (const p of placed) {
      const subKey = comboOf(p.axisKeys!, level1)!;
      const b = subBuckets.get(subKey);
      if (b) b.push(p);
      else subBuckets.set(subKey, [p]);
    }
    for (const members2 of subBuckets.values()) {
      const first = members2[0]!;
      let suffix = '';
      for (const a of layout.axes[0]!) suffix += (suffix ? '_' : '') + axisCodePart(this.fields.valueOf(first.acc, a));
      const subOutcome = this.codes.code('product_model', `${rootCode}_${suffix}`);
      const subCode = subOutcome.ok ? subOutcome.code : `${rootCode}_${suffix}`;
      for (const m of members2) m.parentCode = subCode;
      out.subs.push({
        kind: 'product_model',
        origin: { stream: 'groups', key: subCode, updatedAt: maxUpdated(members2) },
        code: subCode,
        family,
        familyVariant: layout.fv.code,
        parent: rootCode,
        values: this.modelValues.levelValues(1, layout, members2, subCode, out.uploads),
      });
    }
  }

  /** The variant products, each with its own level's values and the categories its model does not have. */
  private addVariantProducts(placed: readonly PreparedItem[], layout: VariantLayout, family: string, rootCategories: string[] | undefined, out: GroupOutput): void {
    const rootCats = rootCategories?.length ? new Set(rootCategories) : null;
    for (const p of placed) {
      // A model-level value configured to block (errors.blockRecord) holds the item back.
      if (p.acc.blocked) continue;
      const values = this.outputValues(p, layout.variantOutKey, layout.keepVariant);
      for (const u of p.acc.uploads) {
        if (layout.keepVariant(u.attribute)) out.uploads.push({ owner: { kind: 'product', identifier: p.sku }, ...u, origin: p.acc.origin });
      }
      const product: MappedProduct = { kind: 'product', origin: p.acc.origin, identifier: p.sku, family, parent: p.parentCode, values };
      if (p.categories !== undefined) product.categories = rootCats ? ownCategories(p.categories, rootCats) : p.categories;
      out.products.push(product);
    }
  }

  private blockItem(p: PreparedItem, kind: MappingErrorKind, field: string | undefined, what: string, expected: string, fix: string, attribute?: string): void {
    recordError(this.mapping.blockRecord, p.acc, kind, field, field ? p.rec.fields[field.split(' | ')[0]!] : undefined, attribute, what, expected, fix, true);
  }
}

function isBlocked(p: PreparedItem): boolean {
  return p.acc.blocked;
}

/** The last timestamp parsed: the items of a model often share it, and Date.parse is not cheap. */
let lastParsed: { text: string; ms: number } = { text: '', ms: NaN };

function maxUpdated(items: readonly PreparedItem[]): string | null {
  let max: string | null = null;
  let maxMs = -Infinity;
  for (const item of items) {
    const s = item.rec.updatedAt;
    if (!s) continue;
    if (s === max) continue;
    if (s !== lastParsed.text) lastParsed = { text: s, ms: Date.parse(s) };
    const ms = lastParsed.ms;
    if (ms > maxMs) {
      maxMs = ms;
      max = s;
    }
  }
  return max;
}

