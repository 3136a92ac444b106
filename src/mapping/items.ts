/**
 * Item preparation: an ERP item → what the later stages need to place it. Its fields merged with its
 * group record's (an item inherits the template's fields it lacks), the SKU (checked: present, no
 * control characters, a valid identifier), its family, its category codes and its group key
 * (structure.variants.groupBy). Values are not converted here: the field planner does that lazily.
 */
import type { ErpRecord, FieldValue } from '../erp/port.js';
import { CONTROL_FIX, controlCharIn, isValidIdentifier, type CodeTable } from './codes.js';
import type { CategoryMapper } from './categories.js';
import { show } from './converters/common.js';
import { recordError } from './errors.js';
import type { FieldPlanner } from './fields.js';
import { isLocalized, newAcc, type RecordAcc } from './plans.js';
import type { ResolvedMapping } from './resolve.js';
import type { Origin, PimStructure } from './types.js';

export interface PreparedItem {
  rec: ErpRecord;
  sku: string;
  acc: RecordAcc;
  family: string | null;
  groupKey: string | null;
  categories: string[] | undefined;
  /** Comparable text of each axis of its family (FamilyAxes.codes order), null when missing. */
  axisKeys: (string | null)[] | null;
  /** The product model (root or sub-model) a variant goes under. */
  parentCode: string | null;
}

export class ItemPreparer {
  readonly placement: ItemPlacement;

  constructor(
    private readonly mapping: ResolvedMapping,
    pim: PimStructure,
    codes: CodeTable,
    private readonly fields: FieldPlanner,
    private readonly categories: CategoryMapper,
  ) {
    this.placement = new ItemPlacement(mapping, codes, pim);
  }

  /** An item ready to be grouped; identifier errors hold it back (acc.blocked). */
  prepare(original: ErpRecord, groupRec?: ErpRecord): PreparedItem {
    const rec = withGroupFields(original, groupRec);
    const rawSku = this.placement.rawSku(rec);
    const sku = skuText(rawSku);
    const origin: Origin = { stream: 'items', key: rec.key, updatedAt: rec.updatedAt };
    const acc = newAcc(origin, 'SKU', sku || rec.key, this.fields.planCount);
    const idField = this.mapping.identifier.from ?? '(record key)';
    const identifier = this.fields.identifierAttribute;
    const block = this.mapping.blockRecord;
    if (sku === '') {
      recordError(block, acc, 'missing_required', idField, rawSku, identifier, 'the item has no SKU', 'a non-empty SKU', `Fill the SKU in the ERP${this.mapping.identifier.from ? ` (field ${this.mapping.identifier.from})` : ''}.`, true);
    } else if (controlCharIn(sku)) {
      recordError(block, acc, 'invalid_code', idField, sku, identifier, `SKU ${show(sku)} contains ${controlCharIn(sku)!}`, 'an identifier without control characters', CONTROL_FIX, true);
    } else if (!isValidIdentifier(sku)) {
      recordError(block, acc, 'invalid_code', idField, sku, identifier, `SKU ${show(sku)} is longer than 255 characters or contains a comma, semicolon or line break`, 'an identifier of at most 255 characters without , ; or line breaks', 'Correct the SKU in the ERP.', true);
    }
    acc.identifier = [{ locale: null, scope: null, data: sku }];
    const family = this.placement.familyOf(rec, acc);
    const categories = this.categories.itemCategories(rec, acc);
    return { rec, sku, acc, family, groupKey: this.placement.groupKeyOf(rec, sku), categories, axisKeys: null, parentCode: null };
  }

  /** The family of a record (an item or a group record); one the PIM lacks is an unknown_family error. */
  familyOf(rec: ErpRecord, acc: RecordAcc): string | null {
    return this.placement.familyOf(rec, acc);
  }
}

/** An item's SKU as text ('' when it has none). */
export function skuText(raw: unknown): string {
  return typeof raw === 'string' ? raw.trim() : typeof raw === 'number' ? String(raw) : '';
}

/**
 * Where an item goes: its SKU, its group key (structure.variants.groupBy) and its family, and a
 * model's family from its items and group record. The mapper places items with these rules and
 * AxisSampler (axes.ts) samples the ERP with the same ones before the PIM has any attribute.
 * With a null `acc` a record's code error is not reported; its family is just null.
 */
export class ItemPlacement {
  constructor(
    private readonly mapping: ResolvedMapping,
    private readonly codes: CodeTable,
    /** null before the PIM is known (bootstrap): no unknown_family check. */
    private readonly pim: PimStructure | null,
  ) {}

  rawSku(rec: ErpRecord): unknown {
    const from = this.mapping.identifier.from;
    return from ? rec.fields[from] : rec.key;
  }

  /** The family of a record (an item or a group record); one the PIM lacks is an unknown_family error. */
  familyOf(rec: ErpRecord, acc: RecordAcc | null): string | null {
    const s = this.mapping.structure;
    let family: string | null = null;
    let source = 'mapping.structure.families.default';
    let erpValue: unknown;
    if (s.categories.mode === 'families' && rec.categories?.length) {
      const cat = rec.categories[0]!;
      erpValue = cat;
      source = `category ${JSON.stringify(cat)}`;
      family = s.categories.families[cat] ?? this.codeOrError(acc, 'family', cat, 'categories');
    } else if (s.families.field) {
      const v = rec.fields[s.families.field];
      const text = typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : isLocalized(v) ? (v.values[this.mapping.defaultLanguage] ?? '') : '';
      if (text) {
        erpValue = text;
        source = `ERP field ${JSON.stringify(s.families.field)}`;
        family = s.families.map[text] ?? this.codeOrError(acc, 'family', text, s.families.field);
      }
    }
    family ??= s.families.default;
    if (acc && family && this.pim && this.pim.families.size > 0 && !this.pim.families.has(family)) {
      recordError(
        this.mapping.blockRecord,
        acc,
        'unknown_family',
        s.families.field ?? undefined,
        erpValue ?? family,
        undefined,
        `family ${JSON.stringify(family)} (from ${source}) does not exist in the PIM`,
        'an existing family',
        'Run `ferry pim bootstrap` to create it, map the value in mapping.structure.families.map, or create the family in the PIM.',
      );
    }
    return family;
  }

  /** A model's family: its first item's, unless its group record names one (families from a field or from categories). */
  modelFamily(firstItemFamily: string | null, groupRecordFamily: string | null): string | null {
    const s = this.mapping.structure;
    return groupRecordFamily && (s.families.field || s.categories.mode === 'families') ? groupRecordFamily : firstItemFamily;
  }

  groupKeyOf(rec: ErpRecord, sku: string): string | null {
    const v = this.mapping.structure.variants;
    const by = this.mapping.structure.categories.mode === 'models' ? 'category' : v.groupBy;
    switch (by) {
      case 'group':
        return rec.group ?? null;
      case 'field': {
        const f = v.field ? rec.fields[v.field] : undefined;
        return typeof f === 'string' && f.trim() ? f.trim() : typeof f === 'number' ? String(f) : null;
      }
      case 'sku': {
        const m = v.skuPattern?.exec(sku);
        return m ? (m.groups?.['model'] ?? m[1] ?? null) : null;
      }
      case 'category':
        return rec.categories?.[0] ?? null;
      default:
        return null;
    }
  }

  private codeOrError(acc: RecordAcc | null, kind: 'family' | 'category', original: string, field: string): string | null {
    const outcome = this.codes.code(kind, original);
    if (outcome.ok) return outcome.code;
    if (!acc) return null;
    recordError(
      this.mapping.blockRecord,
      acc,
      'invalid_code',
      field,
      original,
      undefined,
      outcome.reason === 'control'
        ? `${kind} ${show(original)} contains ${outcome.control}`
        : outcome.reason === 'collision'
          ? `${kind} ${show(original)} normalises to the same code as ${show(outcome.other)}`
          : `${kind} ${show(original)} is not a valid Akeneo code (letters, digits and _ only)`,
      'a code of letters, digits and underscores',
      outcome.reason === 'control' ? CONTROL_FIX : outcome.reason === 'pattern' ? 'Turn on mapping.codes.normalise, or map it explicitly.' : 'Map one of them explicitly.',
    );
    return null;
  }
}

/** An item inherits the fields its group (template) has and it lacks, e.g. the template's description. */
export function withGroupFields(rec: ErpRecord, groupRec: ErpRecord | undefined): ErpRecord {
  if (!groupRec) return rec;
  let fields: Record<string, FieldValue> | null = null;
  for (const k in groupRec.fields) {
    if (rec.fields[k] !== undefined) continue;
    fields ??= { ...rec.fields };
    fields[k] = groupRec.fields[k]!;
  }
  return fields ? { ...rec, fields } : rec;
}
