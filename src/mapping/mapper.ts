/**
 * createMapper(config, pim) → Mapper: ERP records → Akeneo categories, product models (root and
 * sub-models) and products, each value at the level its family variant assigns it. Pure: no I/O;
 * the only state is the code table and the options already reported, both bounded by distinct codes.
 *
 * Size (~1,200 lines): one class on purpose until issue 12's mapper split (field planning, family
 * and variant layout, categories, group → model/variants) moves each job to its own module; the
 * hot path's caches are shared across those jobs today, so splitting it needs its own benchmarked change.
 */
import type { FamilyVariant, Labels, ValueEntry, Values } from '../akeneo/model.js';
import type { ErpRecord, FieldValue } from '../erp/port.js';
import { CodeTable, CONTROL_FIX, controlCharIn, isValidCode, isValidIdentifier, MAX_CODE_LENGTH } from './codes.js';
import { looksHot, type MappingConfig } from './config.js';
import { show } from './converters/common.js';
import { agreesWith, sameFieldValue } from './equal.js';
import { compilePlan, isEmptyValue, mapValue, newAcc, readPlanValue, type AttributePlan, type PlanContext, type PlanRead, type RecordAcc } from './plans.js';
import { resolveMapping, type ResolvedMapping } from './resolve.js';
import type {
  MappedCategory,
  MappedEntity,
  MappedOption,
  MappedProduct,
  MappedProductModel,
  Mapper,
  MappingError,
  MappingErrorKind,
  MappingResult,
  MediaResolver,
  MediaUploadRequest,
  Origin,
  PimStructure,
} from './types.js';

export interface CreateMapperOptions {
  media?: MediaResolver;
}

interface PreparedItem {
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

/** The variant axes of a family's candidate family variants, and their mapping filter. */
interface FamilyAxes {
  codes: string[];
  slot: Map<string, number>;
  want: (code: string) => boolean;
  /** Selection key of the axis plans. */
  key: string;
}

type FV = FamilyVariant & { family: string };

/** An identity-mapped ERP field and the plan of the attribute with its code. */
interface IdentityEntry {
  plan: AttributePlan;
  field: string;
  direct?: string;
}

/** A plan to run for a record: `field` null for explicit plans (readPlanValue), else the identity field. */
interface PlanEntry {
  plan: AttributePlan;
  field: string | null;
  /** The one ERP field the plan reads as is (identity, or a single `from`), for cheap comparisons; else null. */
  direct?: string | null;
}

/** A record a model takes values from: the group record or one of its items. */
interface ValueSource {
  rec: ErpRecord;
  acc: RecordAcc;
}

interface VariantLayout {
  fv: FV;
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
  /** Selection keys (see select): variant-level plans, variant output, each model level. */
  variantKey: string;
  variantOutKey: string;
  levelKeys: string[];
  /** Per level (1-based index - 1): the slots of its axes in the family's axis list; flat: all levels. */
  slots: number[][];
  flatSlots: number[];
}

export function createMapper(config: MappingConfig | ResolvedMapping, pim: PimStructure, options: CreateMapperOptions = {}): Mapper {
  const mapping = isResolved(config) ? config : resolveMapping(config);
  return new MappingEngine(mapping, pim, options);
}

function isResolved(c: MappingConfig | ResolvedMapping): c is ResolvedMapping {
  return (c as ResolvedMapping).blockRecord !== undefined && (c as ResolvedMapping).attributes instanceof Map;
}

function isLocalizedValue(v: FieldValue | undefined): v is { kind: 'localized'; values: Record<string, string> } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && v.kind === 'localized';
}

class MappingEngine implements Mapper {
  readonly ownedAttributes: ReadonlySet<string>;
  readonly identifierAttribute: string;
  private readonly codes: CodeTable;
  private readonly ctx: PlanContext;
  private readonly plans: AttributePlan[];
  private readonly consumed = new Set<string>();
  private readonly identityPlans = new Map<string, AttributePlan | null>();
  private readonly reportedOptions = new Set<string>();
  private readonly localeCache = new Map<string, string | null>();
  private readonly layouts = new Map<string, VariantLayout>();
  private readonly familyVariantsByFamily = new Map<string, FV[]>();
  private readonly familyFilters = new Map<string, ((attr: string) => boolean) | null>();
  private readonly familyAxesCache = new Map<string, FamilyAxes>();
  private readonly outKeys = new Map<string | null, string>();
  private readonly categoryCodes = new Map<string, ReturnType<MappingEngine['computeCategoryCode']>>();
  private readonly explicitEntries: PlanEntry[] = [];
  /** Plan lists per purpose (axes of a family, a level of a family variant, …), rebuilt when the identity list changes. */
  private readonly selections = new Map<string, { identity: readonly IdentityEntry[] | null; list: PlanEntry[] }>();
  /** Hot-looking fields identity would have mapped to an owned attribute, to report on the next record (once per run). */
  private readonly pendingHot: { field: string; code: string }[] = [];
  private planCount = 0;
  /** Attribute code → the id of the plan that feeds it (explicit, or identity once met). */
  private readonly planIds = new Map<string, number>();
  private readonly recentIdentityLists: { names: string[]; list: IdentityEntry[] }[] = [];
  private readonly scratchPlanRead: PlanRead = { value: undefined, field: '', present: false };

  constructor(
    readonly mapping: ResolvedMapping,
    readonly pim: PimStructure,
    options: CreateMapperOptions,
  ) {
    this.identifierAttribute = mapping.identifier.attribute ?? pim.identifierAttribute;
    this.codes = new CodeTable(mapping.codes.normalise, mapping.codes.case);
    const owned = new Set<string>([this.identifierAttribute, ...mapping.ownership.attributes]);
    for (const [code, a] of pim.attributes) if (mapping.ownership.groups.includes(a.group)) owned.add(code);
    for (const [code, spec] of mapping.attributes) if (spec.owned) owned.add(code);
    this.ownedAttributes = owned;
    const defaultLocaleHolder: { v: string | null } = { v: null };
    this.ctx = {
      mapping,
      pim,
      codes: this.codes,
      media: options.media,
      localeOf: (lang) => this.localeOf(lang),
      get defaultLocale() {
        return defaultLocaleHolder.v;
      },
      claimOption: (o) => {
        const key = `${o.attribute}\u0000${o.code.toLowerCase()}`;
        if (this.reportedOptions.has(key)) return false;
        this.reportedOptions.add(key);
        return true;
      },
    };
    defaultLocaleHolder.v = this.localeOf(mapping.defaultLanguage);
    this.plans = [];
    for (const [code, spec] of mapping.attributes) {
      if (code === this.identifierAttribute) continue;
      const plan = compilePlan(code, spec, null, this.ctx);
      plan.id = this.planCount++;
      this.plans.push(plan);
      this.planIds.set(code, plan.id);
      this.explicitEntries.push({ plan, field: null, direct: plan.template === null && plan.sources.length === 1 ? plan.sources[0]! : null });
      for (const f of plan.sources) this.consumed.add(f);
    }
    if (mapping.identifier.from) this.consumed.add(mapping.identifier.from);
    for (const fv of pim.familyVariants.values()) {
      const list = this.familyVariantsByFamily.get(fv.family) ?? [];
      list.push(fv);
      this.familyVariantsByFamily.set(fv.family, list);
    }
    for (const list of this.familyVariantsByFamily.values()) {
      list.sort((a, b) => axisCount(a) - axisCount(b) || a.variant_attribute_sets.length - b.variant_attribute_sets.length || a.code.localeCompare(b.code));
    }
  }

  /** ERP language → Akeneo locale: the table, the code itself when it is an active locale, or the unique active `<lang>_XX`. */
  private localeOf(lang: string): string | null {
    const cached = this.localeCache.get(lang);
    if (cached !== undefined) return cached;
    let locale: string | null = this.mapping.locales[lang] ?? null;
    if (!locale) {
      if (this.pim.locales.has(lang)) locale = lang;
      else {
        const prefix = `${lang.toLowerCase().split(/[-_]/)[0]}_`;
        const matches = [...this.pim.locales].filter((l) => l.toLowerCase().startsWith(prefix));
        locale = matches.length === 1 ? matches[0]! : null;
      }
    }
    this.localeCache.set(lang, locale);
    return locale;
  }

  private identityPlan(field: string): AttributePlan | null {
    const cached = this.identityPlans.get(field);
    if (cached !== undefined) return cached;
    let plan: AttributePlan | null = null;
    if (!this.mapping.identity.ignore.has(field)) {
      const outcome = this.codes.code('attribute', field);
      const code = outcome.ok ? outcome.code : null;
      if (code && code !== this.identifierAttribute && this.ownedAttributes.has(code) && this.pim.attributes.has(code) && !this.mapping.attributes.has(code)) {
        if (looksHot(field, this.mapping.hotData.patterns) && !this.mapping.hotData.allow.has(field)) {
          // Identity would write hot data into an ERP-owned attribute: refused, and said once per run.
          this.pendingHot.push({ field, code });
        } else {
          plan = compilePlan(code, undefined, field, this.ctx);
          plan.id = this.planCount++;
          this.planIds.set(code, plan.id);
        }
      }
    }
    this.identityPlans.set(field, plan);
    return plan;
  }

  // ---------------------------------------------------------------- records → values

  /** A record's mapped value of an attribute, by code. */
  private valueOf(acc: RecordAcc, code: string): ValueEntry[] | undefined {
    if (code === this.identifierAttribute) return acc.identifier;
    const id = this.planIds.get(code);
    return id === undefined ? undefined : acc.byPlan[id];
  }

  /** The record's identity-mapped fields (null when identity is off), found once per record. */
  private identityOf(rec: ErpRecord, acc: RecordAcc): readonly IdentityEntry[] | null {
    if (!this.mapping.identity.enabled) return null;
    let identity = acc.identity;
    if (!identity) {
      identity = acc.identity = this.identityListFor(rec.fields);
      if (this.pendingHot.length) this.reportHotFields(rec, acc);
    }
    return identity;
  }

  /**
   * The explicit plans and identity entries `want` accepts (all when null), cached under `key`: the
   * same few lists serve every record of a run, so filtering costs nothing per record.
   */
  private select(key: string, want: ((code: string) => boolean) | null, identity: readonly IdentityEntry[] | null): PlanEntry[] {
    const hit = this.selections.get(key);
    if (hit && hit.identity === identity) return hit.list;
    const list: PlanEntry[] = [];
    for (const e of this.explicitEntries) if (!want || want(e.plan.code)) list.push(e);
    if (identity) for (const e of identity) if (!want || want(e.plan.code)) list.push(e);
    this.selections.set(key, { identity, list });
    return list;
  }

  /**
   * Maps the record's fields into acc.byPlan, each attribute at most once per record. `want` limits
   * the work to some attributes (cached under `key`): a model's common values are converted from one
   * member, not all.
   */
  private mapFields(rec: ErpRecord, acc: RecordAcc, key = '*', want: ((code: string) => boolean) | null = null): void {
    const list = this.select(key, want, this.identityOf(rec, acc));
    const done = acc.done;
    // One bit per plan: allocation-free bookkeeping (the mapper runs for every item).
    while (done.length * 32 < this.planCount) done.push(0);
    for (const entry of list) {
      const plan = entry.plan;
      const w = plan.id >>> 5;
      const bit = 1 << (plan.id & 31);
      if (done[w]! & bit) continue;
      done[w] = done[w]! | bit;
      const read = this.readEntry(entry, rec);
      if (read) mapValue(plan, read, acc, this.ctx);
    }
  }

  /**
   * The ERP value an entry reads from a record, in a scratch object (mapValue never keeps it); null
   * when the record does not carry the field at all, which is not the same as "emptied".
   */
  private readEntry(entry: PlanEntry, rec: ErpRecord): PlanRead | null {
    if (entry.field === null) {
      const read = readPlanValue(entry.plan, rec.fields, this.mapping.defaultLanguage, this.scratchPlanRead);
      // Explicit plans: an item without the field clears the value; a group record just lacks it.
      return !read.present && entry.plan.template === null && rec.stream === 'groups' ? null : read;
    }
    const value = rec.fields[entry.field];
    if (value === undefined) return null;
    const read = this.scratchPlanRead;
    read.value = value;
    read.field = entry.field;
    read.present = true;
    return read;
  }

  /** hot_data, once per run: on the first record that carries a hot field matching an ERP-owned attribute. */
  private reportHotFields(rec: ErpRecord, acc: RecordAcc): void {
    for (const { field, code } of this.pendingHot.splice(0)) {
      acc.errors.push({
        kind: 'hot_data',
        origin: acc.origin,
        recordLabel: acc.label,
        erpField: field,
        attribute: code,
        locale: null,
        scope: null,
        value: typeof rec.fields[field] === 'object' && rec.fields[field] !== null ? show(rec.fields[field]) : rec.fields[field],
        message:
          `${acc.label}: ERP field ${JSON.stringify(field)} looks like hot data (price, cost, stock or quantity) and matches the ERP-owned attribute ${code}, ` +
          'so identity mapping would write it; Ferry sends it for no record (reported once per run, on the first record that has it). ' +
          'Akeneo keeps cold product data; hot data goes from the ERP straight to e-commerce. Expected cold product data.',
        expected: 'cold product data',
        fix:
          `If ${field} only looks hot, add it to mapping.hotData.allow; if it is a reference price, map it: attributes.${code}: { type: price, referencePrice: true }; ` +
          `otherwise add it to mapping.identity.ignore (and consider taking ${code} out of the ERP attribute group).`,
        // The value never goes, whatever the configuration; holding back only the first record would be arbitrary.
        blocksRecord: false,
      });
    }
  }

  /**
   * The identity-mapped fields of a record. Records of one ERP stream share their field names, so the
   * lists of the last few field-name sets are kept (items and group records alternate) and reused when
   * the names match in order. Object.keys, not for-in: records of 20+ fields are dictionary objects,
   * which for-in walks several times slower.
   */
  private identityListFor(fields: Record<string, FieldValue>): IdentityEntry[] {
    const names = Object.keys(fields);
    const recent = this.recentIdentityLists;
    for (let c = 0; c < recent.length; c++) {
      const entry = recent[c]!;
      if (!sameNames(entry.names, names)) continue;
      if (c > 0) {
        recent.splice(c, 1);
        recent.unshift(entry);
      }
      return entry.list;
    }
    const list: IdentityEntry[] = [];
    for (const field of names) {
      if (this.consumed.has(field)) continue;
      const plan = this.identityPlan(field);
      if (plan) list.push({ plan, field, direct: field });
    }
    recent.unshift({ names, list });
    if (recent.length > 4) recent.pop();
    return list;
  }

  private skuOf(rec: ErpRecord): unknown {
    const from = this.mapping.identifier.from;
    return from ? rec.fields[from] : rec.key;
  }

  /** An item inherits the fields its group (template) has and it lacks, e.g. the template's description. */
  private withGroupFields(rec: ErpRecord, groupRec: ErpRecord | undefined): ErpRecord {
    if (!groupRec) return rec;
    let fields: Record<string, FieldValue> | null = null;
    for (const k in groupRec.fields) {
      if (rec.fields[k] !== undefined) continue;
      fields ??= { ...rec.fields };
      fields[k] = groupRec.fields[k]!;
    }
    return fields ? { ...rec, fields } : rec;
  }

  private prepareItem(original: ErpRecord, groupRec?: ErpRecord): PreparedItem {
    const rec = this.withGroupFields(original, groupRec);
    const rawSku = this.skuOf(rec);
    const sku = typeof rawSku === 'string' ? rawSku.trim() : typeof rawSku === 'number' ? String(rawSku) : '';
    const origin: Origin = { stream: 'items', key: rec.key, updatedAt: rec.updatedAt };
    const acc = newAcc(origin, 'SKU', sku || rec.key, this.planCount);
    const idField = this.mapping.identifier.from ?? '(record key)';
    if (sku === '') {
      this.recordError(acc, 'missing_required', idField, rawSku, this.identifierAttribute, 'the item has no SKU', 'a non-empty SKU', `Fill the SKU in the ERP${this.mapping.identifier.from ? ` (field ${this.mapping.identifier.from})` : ''}.`, true);
    } else if (controlCharIn(sku)) {
      this.recordError(acc, 'invalid_code', idField, sku, this.identifierAttribute, `SKU ${show(sku)} contains ${controlCharIn(sku)!}`, 'an identifier without control characters', CONTROL_FIX, true);
    } else if (!isValidIdentifier(sku)) {
      this.recordError(acc, 'invalid_code', idField, sku, this.identifierAttribute, `SKU ${show(sku)} is longer than 255 characters or contains a comma, semicolon or line break`, 'an identifier of at most 255 characters without , ; or line breaks', 'Correct the SKU in the ERP.', true);
    }
    acc.identifier = [{ locale: null, scope: null, data: sku }];
    const family = this.familyOf(rec, acc);
    const categories = this.itemCategories(rec, acc);
    return { rec, sku, acc, family, groupKey: this.groupKeyOf(rec, sku), categories, axisKeys: null, parentCode: null };
  }

  private recordError(acc: RecordAcc, kind: MappingErrorKind, field: string | undefined, value: unknown, attribute: string | undefined, what: string, expected: string, fix: string, force?: boolean): void {
    const block = force ?? this.mapping.blockRecord[kind];
    acc.errors.push({
      kind,
      origin: acc.origin,
      recordLabel: acc.label,
      erpField: field,
      attribute,
      locale: null,
      scope: null,
      value: typeof value === 'object' && value !== null ? show(value) : value,
      message: `${acc.label}: ${what}.${expected ? ` Expected ${expected}.` : ''}`,
      expected,
      fix,
      blocksRecord: block,
    });
    if (block) acc.blocked = true;
  }

  private familyOf(rec: ErpRecord, acc: RecordAcc): string | null {
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
      const text = typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : isLocalizedValue(v) ? (v.values[this.mapping.defaultLanguage] ?? '') : '';
      if (text) {
        erpValue = text;
        source = `ERP field ${JSON.stringify(s.families.field)}`;
        family = s.families.map[text] ?? this.codeOrError(acc, 'family', text, s.families.field);
      }
    }
    family ??= s.families.default;
    if (family && this.pim.families.size > 0 && !this.pim.families.has(family)) {
      this.recordError(
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

  private codeOrError(acc: RecordAcc, kind: 'family' | 'category', original: string, field: string): string | null {
    const outcome = this.codes.code(kind, original);
    if (outcome.ok) return outcome.code;
    this.recordError(
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

  /** Cached per ERP key: items repeat a few categories over the whole catalog. */
  private categoryCode(key: string): ReturnType<MappingEngine['computeCategoryCode']> {
    let c = this.categoryCodes.get(key);
    if (c === undefined) {
      c = this.computeCategoryCode(key);
      if (this.categoryCodes.size >= 10_000) this.categoryCodes.clear();
      this.categoryCodes.set(key, c);
    }
    return c;
  }

  private computeCategoryCode(key: string): { ok: true; code: string } | { ok: false; why: string; fix: string } {
    const prefix = this.mapping.structure.categories.prefix;
    const outcome = this.codes.code('category', key);
    if (!outcome.ok) {
      if (outcome.reason === 'control') return { ok: false, why: `category ${show(key)} contains ${outcome.control}`, fix: CONTROL_FIX };
      return {
        ok: false,
        why:
          outcome.reason === 'collision'
            ? `category ${show(key)} normalises to the same code as ${show(outcome.other)}`
            : `category ${show(key)} is not a valid Akeneo code (letters, digits and _ only)`,
        fix: outcome.reason === 'pattern' ? 'Turn on mapping.codes.normalise, or rename the category in the ERP.' : 'Rename one of the categories in the ERP.',
      };
    }
    const code = prefix + outcome.code;
    if (!isValidCode(code, MAX_CODE_LENGTH)) return { ok: false, why: `category code ${show(code)} is longer than ${MAX_CODE_LENGTH} characters or invalid`, fix: 'Shorten mapping.structure.categories.prefix or the ERP code.' };
    return { ok: true, code };
  }

  private itemCategories(rec: ErpRecord, acc: RecordAcc): string[] | undefined {
    if (this.mapping.structure.categories.mode !== 'tree' || rec.categories === undefined) return undefined;
    if (rec.categories.length === 1) {
      // The usual case, without an array grown by push.
      const c = this.categoryCode(rec.categories[0]!);
      if (c.ok) return [c.code];
    }
    const out: string[] = [];
    for (const key of rec.categories) {
      const c = this.categoryCode(key);
      if (c.ok) {
        if (!out.includes(c.code)) out.push(c.code);
      } else this.recordError(acc, 'invalid_code', 'categories', key, undefined, c.why, 'a category code of letters, digits and underscores', c.fix);
    }
    return out;
  }

  private groupKeyOf(rec: ErpRecord, sku: string): string | null {
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

  // ---------------------------------------------------------------- categories

  mapCategories(records: ErpRecord[]): MappingResult {
    const result = emptyResult();
    const c = this.mapping.structure.categories;
    if (c.mode !== 'tree') return result;
    const byCode = new Map<string, { cat: MappedCategory; acc: RecordAcc }>();
    const order: string[] = [];
    for (const rec of records) {
      const acc = newAcc({ stream: 'categories', key: rec.key, updatedAt: rec.updatedAt }, 'category', rec.key);
      const code = this.categoryCode(rec.key);
      if (!code.ok) {
        this.recordError(acc, 'invalid_code', '(record key)', rec.key, undefined, code.why, 'a category code of letters, digits and underscores', code.fix, true);
        result.errors.push(...acc.errors);
        continue;
      }
      if (code.code === c.root) continue;
      let parent: string | null = c.root;
      if (rec.parent) {
        const p = this.categoryCode(rec.parent);
        if (!p.ok) {
          this.recordError(acc, 'invalid_code', 'parent', rec.parent, undefined, p.why, 'a category code', p.fix, true);
          result.errors.push(...acc.errors);
          continue;
        }
        parent = p.code;
      }
      const labels = this.labelsFrom(rec.fields[c.labelField]);
      const badLabel = Object.entries(labels).find(([, text]) => typeof text === 'string' && controlCharIn(text));
      if (badLabel) {
        const [locale, text] = badLabel as [string, string];
        this.recordError(acc, 'invalid_value', c.labelField, text, undefined, `the ${locale} label ${show(text)} contains ${controlCharIn(text)!}`, 'a label without control characters', CONTROL_FIX, true);
        result.errors.push(...acc.errors);
        continue;
      }
      byCode.set(code.code, { cat: { kind: 'category', origin: acc.origin, code: code.code, parent, labels }, acc });
      order.push(code.code);
    }
    // Parents first: depth-first over the batch; parents outside the batch are assumed to exist.
    const state = new Map<string, 'visiting' | 'done'>();
    const emitted: MappedCategory[] = [];
    const visit = (code: string, path: string[]): boolean => {
      const s = state.get(code);
      if (s === 'done') return true;
      const entry = byCode.get(code)!;
      if (s === 'visiting') {
        this.recordError(entry.acc, 'invalid_value', 'parent', entry.cat.parent, undefined, `the category tree has a cycle (${[...path, code].join(' → ')})`, 'a tree', 'Fix the parent links in the ERP.', true);
        return false;
      }
      state.set(code, 'visiting');
      const parent = entry.cat.parent;
      if (parent !== null && byCode.has(parent) && !visit(parent, [...path, code])) {
        state.set(code, 'done');
        entry.acc.blocked = true;
        return false;
      }
      state.set(code, 'done');
      if (!entry.acc.blocked) emitted.push(entry.cat);
      return !entry.acc.blocked;
    };
    for (const code of order) visit(code, []);
    for (const code of order) result.errors.push(...byCode.get(code)!.acc.errors);
    result.entities.push(...emitted);
    result.codeChanges = this.codes.drainChanges();
    return result;
  }

  private labelsFrom(v: FieldValue | undefined): Labels {
    const labels: Labels = {};
    if (isLocalizedValue(v)) {
      for (const [lang, text] of Object.entries(v.values)) {
        const l = this.localeOf(lang);
        if (l && text.trim()) labels[l] = text.trim();
      }
    } else if (typeof v === 'string' && v.trim() && this.ctx.defaultLocale) labels[this.ctx.defaultLocale] = v.trim();
    return labels;
  }

  // ---------------------------------------------------------------- items

  mapItems(items: ErpRecord[], groups: ReadonlyMap<string, ErpRecord>): MappingResult {
    const result = emptyResult();
    const roots: MappedProductModel[] = [];
    const subs: MappedProductModel[] = [];
    const products: MappedProduct[] = [];
    const buckets = new Map<string, PreparedItem[]>();
    const singles: PreparedItem[] = [];
    const prepared: PreparedItem[] = [];
    const groupAccs: RecordAcc[] = [];
    for (const rec of items) {
      const p = this.prepareItem(rec, rec.group ? groups.get(rec.group) : undefined);
      prepared.push(p);
      if (p.acc.blocked) continue;
      if (p.groupKey === null) singles.push(p);
      else {
        const b = buckets.get(p.groupKey);
        if (b) b.push(p);
        else buckets.set(p.groupKey, [p]);
      }
    }
    const uploads: MediaUploadRequest[] = [];
    for (const p of singles) this.simpleProduct(p, products, uploads);
    for (const [key, bucket] of buckets) this.mapGroup(key, bucket, groups.get(key), { roots, subs, products, uploads, groupAccs });
    // Errors and options come from every record's accumulator once all the lazy mapping is done.
    for (const p of prepared) collect(p.acc, result);
    for (const acc of groupAccs) collect(acc, result);
    // Parents first. The sync engine calls this once per group: no spread of three lists as arguments.
    const entities = result.entities;
    for (const m of roots) entities.push(m);
    for (const m of subs) entities.push(m);
    for (const x of products) entities.push(x);
    if (uploads.length) result.mediaUploads = uploads;
    if (this.codes.hasChanges()) result.codeChanges = this.codes.drainChanges();
    return result;
  }

  /** Values of attributes the family has (plus the identifier); everything else would be refused by the PIM. */
  private familyFilter(family: string | null): ((attr: string) => boolean) | null {
    if (!family) return null;
    const cached = this.familyFilters.get(family);
    if (cached !== undefined) return cached;
    const f = this.pim.families.get(family);
    let filter: ((attr: string) => boolean) | null = null;
    if (f) {
      const set = new Set(f.attributes);
      set.add(this.identifierAttribute);
      filter = (a) => set.has(a);
    }
    this.familyFilters.set(family, filter);
    return filter;
  }

  /** Maps every remaining field and adds the simple product, unless a value error holds the record back. */
  private simpleProduct(p: PreparedItem, products: MappedProduct[], uploads: MediaUploadRequest[]): void {
    this.mapFields(p.rec, p.acc);
    if (p.acc.blocked) return;
    const keep = this.familyFilter(p.family);
    let key = this.outKeys.get(p.family);
    if (key === undefined) this.outKeys.set(p.family, (key = `out\u0000${p.family ?? ''}`));
    const values = this.outputValues(p, key, keep);
    for (const u of p.acc.uploads) if (!keep || keep(u.attribute)) uploads.push({ owner: { kind: 'product', identifier: p.sku }, ...u, origin: p.acc.origin });
    const product: MappedProduct = { kind: 'product', origin: p.acc.origin, identifier: p.sku, family: p.family, parent: null, values };
    if (p.categories !== undefined) product.categories = p.categories;
    products.push(product);
  }

  /**
   * The values a product sends: the identifier, then the record's plans `keep` accepts (looked up per
   * plan, so a variant carries only its level's attributes).
   */
  private outputValues(p: PreparedItem, key: string, keep: ((code: string) => boolean) | null): Values {
    const acc = p.acc;
    const values: Values = {};
    if (acc.identifier !== undefined) values[this.identifierAttribute] = acc.identifier;
    for (const e of this.select(key, keep, this.identityOf(p.rec, acc))) {
      const v = acc.byPlan[e.plan.id];
      if (v !== undefined) values[e.plan.code] = v;
    }
    return values;
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
    levelOf.set(this.identifierAttribute, sets.length);
    for (const [code, a] of this.pim.attributes) if (a.unique) levelOf.set(code, sets.length);
    const levels = sets.length;
    const keep = this.familyFilter(fv.family);
    const wantAtLevel: ((code: string) => boolean)[] = [];
    for (let level = 0; level < levels; level++) wantAtLevel.push((code) => (levelOf.get(code) ?? 0) === level && (!keep || keep(code)));
    const slots = sets.map((set) => set.axes.map((a) => axes.slot.get(a)!));
    layout = {
      fv,
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

  private mapGroup(
    key: string,
    bucket: PreparedItem[],
    groupRec: ErpRecord | undefined,
    out: { roots: MappedProductModel[]; subs: MappedProductModel[]; products: MappedProduct[]; uploads: MediaUploadRequest[]; groupAccs: RecordAcc[] },
  ): void {
    const v = this.mapping.structure.variants;
    let groupAcc: RecordAcc | null = null;
    let family = bucket[0]!.family;
    if (groupRec) {
      groupAcc = newAcc({ stream: 'groups', key: groupRec.key, updatedAt: groupRec.updatedAt }, 'product model', key, this.planCount);
      out.groupAccs.push(groupAcc);
      const gf = this.familyOf(groupRec, groupAcc);
      if (gf && (this.mapping.structure.families.field || this.mapping.structure.categories.mode === 'families')) family = gf;
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
    const candidates = this.candidatesFor(family);
    if ('error' in candidates) {
      for (const p of members) this.blockItem(p, 'unknown_family', undefined, candidates.error, 'an existing family variant', 'Run `ferry pim bootstrap`, or correct mapping.structure.variants.familyVariant.');
      return;
    }
    if (candidates.length === 0) {
      // The family has no variants: the items stay simple products.
      for (const p of members) this.simpleProduct(p, out.products, out.uploads);
      return;
    }
    // Axis values first: they choose the family variant and place each item.
    const familyAxes = this.familyAxes(family, candidates);
    const axed: PreparedItem[] = [];
    for (const p of members) {
      this.mapFields(p.rec, p.acc, familyAxes.key, familyAxes.want);
      if (p.acc.blocked) continue;
      const codes = familyAxes.codes;
      const keys = new Array<string | null>(codes.length);
      for (let i = 0; i < codes.length; i++) keys[i] = axisKey(this.valueOf(p.acc, codes[i]!));
      p.axisKeys = keys;
      axed.push(p);
    }
    if (axed.length === 0) return;
    const layout = this.chooseLayout(candidates, familyAxes, axed);
    const modelOutcome = this.codes.code('product_model', v.modelPrefix + key);
    if (!modelOutcome.ok) {
      for (const p of members) {
        if (modelOutcome.reason === 'collision') {
          // Akeneo compares model codes without case or accents: the second group would overwrite the first.
          this.blockItem(
            p,
            'invalid_code',
            undefined,
            `its product model key ${show(key)} and the key ${show(modelOutcome.other)} of another ERP group are one product model code for the PIM (it compares codes without case or accents), so this group would overwrite that one; group ${show(modelOutcome.other)} is sent, group ${show(key)} is held back`,
            'group keys that differ by more than case or accents',
            `Rename group ${show(key)} or group ${show(modelOutcome.other)} in the ERP (or give one a different mapping.structure.variants.modelPrefix).`,
          );
        } else if (modelOutcome.reason === 'control') {
          this.blockItem(p, 'invalid_code', undefined, `its product model key ${show(key)} contains ${modelOutcome.control}`, 'a model code without control characters', CONTROL_FIX);
        } else {
          this.blockItem(p, 'invalid_code', undefined, `its product model key ${show(key)} is not a valid model code`, 'a model code without commas, semicolons or line breaks', 'Turn on mapping.codes.normalise, or fix the group code in the ERP.');
        }
      }
      return;
    }
    const rootCode = modelOutcome.code;
    // Axis values: each item must have them all, and no two items the same combination.
    let placed: PreparedItem[] = [];
    const seen = new Map<string, PreparedItem>();
    for (const p of axed) {
      const comboKey = comboOf(p, layout.flatSlots);
      if (comboKey === null) {
        const missing = layout.flatSlots.map((i) => familyAxes.codes[i]!).find((a) => p.axisKeys![familyAxes.slot.get(a)!] === null)!;
        const plan = this.plans.find((pl) => pl.code === missing);
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
    // Then each variant's own values; a value error configured to block holds that item back.
    for (const p of placed) this.mapFields(p.rec, p.acc, layout.variantKey, layout.wantVariant);
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
    const rootCategories = this.rootCategories(groupRec, placed);
    const root: MappedProductModel = {
      kind: 'product_model',
      origin,
      code: rootCode,
      family,
      familyVariant: layout.fv.code,
      parent: null,
      values: this.levelValues(0, layout, groupRec && groupAcc ? [{ rec: groupRec, acc: groupAcc }, ...placed] : placed, rootCode, out.uploads),
    };
    if (rootCategories !== undefined) root.categories = rootCategories;
    out.roots.push(root);
    for (const p of placed) p.parentCode = rootCode;
    if (layout.levels === 2) {
      const level1 = layout.slots[0]!;
      const subBuckets = new Map<string, PreparedItem[]>();
      for (const p of placed) {
        const subKey = comboOf(p, level1)!;
        const b = subBuckets.get(subKey);
        if (b) b.push(p);
        else subBuckets.set(subKey, [p]);
      }
      for (const members2 of subBuckets.values()) {
        const first = members2[0]!;
        let suffix = '';
        for (const a of layout.axes[0]!) suffix += (suffix ? '_' : '') + axisCodePart(this.valueOf(first.acc, a));
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
          values: this.levelValues(1, layout, members2, subCode, out.uploads),
        });
      }
    }
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

  /** The family variant that places the most items: every axis filled, combinations unique; fewest axes first. */
  private chooseLayout(candidates: FV[], familyAxes: FamilyAxes, members: PreparedItem[]): VariantLayout {
    if (candidates.length === 1) return this.layoutFor(candidates[0]!, familyAxes);
    let best: VariantLayout | null = null;
    let bestPlaced = -1;
    const seen = new Set<string>();
    for (const fv of candidates) {
      const layout = this.layoutFor(fv, familyAxes);
      seen.clear();
      let placed = 0;
      for (const p of members) {
        const key = comboOf(p, layout.flatSlots);
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

  private rootCategories(groupRec: ErpRecord | undefined, members: PreparedItem[]): string[] | undefined {
    if (this.mapping.structure.categories.mode !== 'tree') return undefined;
    if (groupRec?.categories) {
      const out: string[] = [];
      for (const k of groupRec.categories) {
        const c = this.categoryCode(k);
        if (c.ok && !out.includes(c.code)) out.push(c.code);
      }
      return out;
    }
    // Without a group record: the categories every item shares live on the model.
    const shared: string[] = [];
    for (const c of members[0]!.categories ?? []) {
      let everywhere = true;
      for (let i = 1; i < members.length && everywhere; i++) everywhere = members[i]!.categories?.includes(c) ?? false;
      if (everywhere) shared.push(c);
    }
    return shared;
  }

  /**
   * A model's values at `level`, from `sources` in order (the group record first, then the items):
   * per attribute, the first source whose value converts to data wins; when none has data, the first
   * all-null entries, so an emptied value still clears. Every later item's raw ERP value is compared
   * with the winner's (no conversion when equal): a different value is converted, so a bad value is
   * reported on that item, and a good one that differs is a model_value_conflict on that item.
   */
  private levelValues(level: number, layout: VariantLayout, sources: readonly ValueSource[], modelCode: string, uploads: MediaUploadRequest[]): Values {
    const values: Values = {};
    const list = this.levelPlans(level, layout, sources);
    const ignored = this.mapping.structure.variants.ignoreItemDifferences;
    for (let pi = 0; pi < list.length; pi++) {
      const entry = list[pi]!;
      const plan = entry.plan;
      const code = plan.code;
      const w = plan.id >>> 5;
      const bit = 1 << (plan.id & 31);
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
        const read = this.readEntry(entry, src.rec);
        if (!read) continue;
        const acc = src.acc;
        if (used === null) {
          const done = acc.done;
          while (done.length * 32 < this.planCount) done.push(0);
          if (!(done[w]! & bit)) {
            done[w] = done[w]! | bit;
            mapValue(plan, read, acc, this.ctx);
          }
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
    const first = this.identityOf(sources[0]!.rec, sources[0]!.acc);
    let list = this.select(key, want, first);
    let merged: Set<number> | null = null;
    for (let i = 1; i < sources.length; i++) {
      const identity = this.identityOf(sources[i]!.rec, sources[i]!.acc);
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
    const done = acc.done;
    while (done.length * 32 < this.planCount) done.push(0);
    const w = plan.id >>> 5;
    const bit = 1 << (plan.id & 31);
    if (!(done[w]! & bit)) {
      done[w] = done[w]! | bit;
      const errorsBefore = acc.errors.length;
      mapValue(plan, { value: raw, field }, acc, this.ctx);
      if (acc.errors.length > errorsBefore) return;
    }
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

  private blockItem(p: PreparedItem, kind: MappingErrorKind, field: string | undefined, what: string, expected: string, fix: string, attribute?: string): void {
    this.recordError(p.acc, kind, field, field ? p.rec.fields[field.split(' | ')[0]!] : undefined, attribute, what, expected, fix, true);
  }
}

function collect(acc: RecordAcc, result: MappingResult): void {
  for (const e of acc.errors) result.errors.push(e);
  for (const o of acc.options) result.missingOptions.push(o);
}

function emptyResult(): MappingResult {
  return { entities: [], missingOptions: [], errors: [] };
}

function axisCount(fv: FamilyVariant): number {
  return fv.variant_attribute_sets.reduce((n, s) => n + s.axes.length, 0);
}

/** A comparable text for an axis value; null when missing. */
function axisKey(entries: ValueEntry[] | undefined): string | null {
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

function axisCodePart(entries: ValueEntry[] | undefined): string {
  const k = axisKey(entries) ?? 'none';
  return k.replace(/[^a-zA-Z0-9]+/g, '_');
}

function hasData(entries: ValueEntry[]): boolean {
  for (const e of entries) if (e.data !== null) return true;
  return false;
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
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

/** A variant's categories beyond its model's (usually none). */
function isBlocked(p: PreparedItem): boolean {
  return p.acc.blocked;
}

function ownCategories(categories: readonly string[], modelCategories: ReadonlySet<string>): string[] {
  const own: string[] = [];
  for (const c of categories) if (!modelCategories.has(c)) own.push(c);
  return own;
}

/** One text per axis combination (the axes at `slots`), null when an axis has no value. */
function comboOf(p: PreparedItem, slots: readonly number[]): string | null {
  const keys = p.axisKeys!;
  if (slots.length === 1) return keys[slots[0]!]!;
  let out = '';
  for (let i = 0; i < slots.length; i++) {
    const k = keys[slots[i]!];
    if (k === null || k === undefined) return null;
    out = i === 0 ? k : `${out}\u0001${k}`;
  }
  return out;
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

export type { MappedEntity, MappedOption, MappingError };
