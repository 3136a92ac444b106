/**
 * The values of a product model (root or sub-model), taken from its sources in order: the group
 * record first, then its items. Per attribute the first source with data wins; every later item's
 * value is compared with it raw (no conversion when equal), and a different one that converts
 * cleanly is a model_value_conflict on that item. No caches: the plan lists are the field planner's.
 */
import type { ValueEntry, Values } from '../akeneo/model.js';
import type { ErpRecord, FieldValue } from '../erp/port.js';
import { show } from './converters/common.js';
import { agreesWith, sameFieldValue } from './equal.js';
import type { FieldPlanner, PlanEntry } from './fields.js';
import type { VariantLayout } from './layout.js';
import { isEmptyValue, type RecordAcc } from './plans.js';
import type { ResolvedMapping } from './resolve.js';
import type { MediaUploadRequest } from './types.js';

/** A record a model takes values from: the group record or one of its items. */
export interface ValueSource {
  rec: ErpRecord;
  acc: RecordAcc;
}

export class ModelValues {
  constructor(
    private readonly mapping: ResolvedMapping,
    private readonly fields: FieldPlanner,
  ) {}

  /**
   * A model's values at `level`, from `sources` in order (the group record first, then the items):
   * per attribute, the first source whose value converts to data wins; when none has data, the first
   * all-null entries, so an emptied value still clears. Every later item's raw ERP value is compared
   * with the winner's (no conversion when equal): a different value is converted, so a bad value is
   * reported on that item, and a good one that differs is a model_value_conflict on that item.
   */
  levelValues(level: number, layout: VariantLayout, sources: readonly ValueSource[], modelCode: string, uploads: MediaUploadRequest[]): Values {
    const values: Values = {};
    const list = this.levelPlans(level, layout, sources);
    const ignored = this.mapping.structure.variants.ignoreItemDifferences;
    for (let pi = 0; pi < list.length; pi++) {
      const entry = list[pi]!;
      const plan = entry.plan;
      const code = plan.code;
      let used: ValueSource | null = null;
      let usedRaw: FieldValue | undefined;
      let fallback: ValueEntry[] | undefined;
      const compare = !ignored.has(code);
      const direct = entry.direct ?? null;
      for (let i = 0; i < sources.length; i++) {
        // Past the source the model took, only compare: nothing else is converted for this attribute.
        if (used !== null && !compare) break;
        const src = sources[i]!;
        if (used !== null && direct !== null) {
          // The common case, equal (or no) values, settled on the raw field without reading the plan.
          const raw = src.rec.fields[direct];
          if (raw === undefined || sameFieldValue(raw, usedRaw) || isEmptyValue(raw)) continue;
        }
        const read = this.fields.readEntry(entry, src.rec);
        if (!read) continue;
        const acc = src.acc;
        if (used === null) {
          this.fields.mapOnce(plan, read, acc);
          const entries = acc.byPlan[plan.id];
          if ((entries !== undefined && hasData(entries)) || hasUpload(acc, code)) {
            used = src;
            usedRaw = read.value;
            if (entries !== undefined) values[code] = entries;
          } else if (entries !== undefined && fallback === undefined) fallback = entries;
        } else if (!sameFieldValue(read.value, usedRaw) && !isEmptyValue(read.value)) {
          // An item without its own value inherits the model's; only a different value needs a look.
          this.checkModelValue(entry, read.value, read.field, src, used, usedRaw, level, layout, modelCode);
        }
      }
      if (used === null) {
        if (fallback !== undefined) values[code] = fallback;
        continue;
      }
      for (const u of used.acc.uploads) {
        if (u.attribute === code) uploads.push({ owner: { kind: 'product_model', code: modelCode }, ...u, origin: used.acc.origin });
      }
    }
    return values;
  }

  /** The plans of a model level, over the identity fields of all its sources (usually one shared list). */
  private levelPlans(level: number, layout: VariantLayout, sources: readonly ValueSource[]): PlanEntry[] {
    const key = layout.levelKeys[level]!;
    const want = layout.wantAtLevel[level]!;
    const first = this.fields.identityOf(sources[0]!.rec, sources[0]!.acc);
    let list = this.fields.select(key, want, first);
    let merged: Set<number> | null = null;
    for (let i = 1; i < sources.length; i++) {
      const identity = this.fields.identityOf(sources[i]!.rec, sources[i]!.acc);
      if (identity === first || identity === null) continue;
      // Records with other field names (a group record, another stream): add the plans they bring.
      if (!merged) {
        merged = new Set(list.map((e) => e.plan.id));
        list = list.slice();
      }
      for (const e of identity) {
        if (merged.has(e.plan.id) || !want(e.plan.code)) continue;
        merged.add(e.plan.id);
        list.push(e);
      }
    }
    return list;
  }

  /**
   * A later item of a model has its own value for a model-level attribute, different from the one the
   * model took: convert it (a bad value is an error on that item, as for any value); if it converts
   * cleanly to different data, the model cannot carry both, so say so on that item.
   */
  private checkModelValue(
    entry: PlanEntry,
    raw: FieldValue | undefined,
    field: string,
    src: ValueSource,
    used: ValueSource,
    usedRaw: FieldValue | undefined,
    level: number,
    layout: VariantLayout,
    modelCode: string,
  ): void {
    const plan = entry.plan;
    const acc = src.acc;
    const errorsBefore = acc.errors.length;
    // A bad value is reported on this item like any value error; no conflict on top of it.
    if (this.fields.mapOnce(plan, { value: raw, field }, acc) && acc.errors.length > errorsBefore) return;
    const mine = acc.byPlan[plan.id];
    const theirs = used.acc.byPlan[plan.id];
    if (agreesWith(mine, theirs) && sameUploads(acc, used.acc, plan.code)) return;
    const model = level === 0 ? `product model ${JSON.stringify(modelCode)}` : `sub-model ${JSON.stringify(modelCode)}`;
    const block = this.mapping.blockRecord.model_value_conflict;
    acc.errors.push({
      kind: 'model_value_conflict',
      origin: acc.origin,
      recordLabel: acc.label,
      erpField: field,
      attribute: plan.code,
      locale: null,
      scope: null,
      value: typeof raw === 'object' && raw !== null ? show(raw) : raw,
      message:
        `${acc.label}: ERP field ${JSON.stringify(field)} value ${show(raw)} differs from ${used.acc.label}'s value ${show(usedRaw)} for attribute ${plan.code}, ` +
        `which family variant ${layout.fv.code} keeps on the ${model} shared by both; the model keeps ${used.acc.label}'s value and ${acc.label}'s is ` +
        `${block ? 'held back with the item' : 'not sent'}. Expected the same ${plan.code} on every item of the ${model}.`,
      expected: `the same ${plan.code} on every item of the ${model}`,
      fix:
        `Make ${field} equal on all items of ${modelCode} in the ERP (${used.acc.label} has ${show(usedRaw)}), or, if each variant needs its own value, ` +
        `move ${plan.code} to the variant level of family variant ${layout.fv.code} in the PIM.`,
      blocksRecord: block,
    });
    if (block) acc.blocked = true;
  }
}

function hasData(entries: ValueEntry[]): boolean {
  for (const e of entries) if (e.data !== null) return true;
  return false;
}

function hasUpload(acc: RecordAcc, attribute: string): boolean {
  for (const u of acc.uploads) if (u.attribute === attribute) return true;
  return false;
}

/** Media of one attribute still to upload: the same sources on both records. */
function sameUploads(a: RecordAcc, b: RecordAcc, attribute: string): boolean {
  const key = (acc: RecordAcc) =>
    acc.uploads
      .filter((u) => u.attribute === attribute)
      .map((u) => `${u.locale}\u0000${u.scope}\u0000${u.source}`)
      .sort()
      .join('\u0001');
  return key(a) === key(b);
}
