/**
 * createMapper(config, pim) → Mapper: ERP records → Akeneo categories, product models (root and
 * sub-models) and products, each value at the level its family variant assigns it. Pure: no I/O;
 * the only state is the caches of its stages, each bounded by distinct codes, fields and families.
 *
 * The stages, each in its own module with the caches it needs:
 *   fields.ts        field planning: explicit and identity plans, plan selections, the hot-data guard
 *   items.ts         item preparation: SKU, family, categories, group key
 *   categories.ts    category records → categories; category codes of items and models
 *   layout.ts        family and variant layout; chooseFamilyVariant picks a group's family variant
 *   group.ts         a group → root model, sub-models, variant products (or simple products)
 *   model-values.ts  the values a model takes from its group record and items
 */
import type { ErpRecord, StreamDescription } from '../erp/port.js';
import { CategoryMapper } from './categories.js';
import { CodeTable } from './codes.js';
import type { MappingConfig } from './config.js';
import { FieldPlanner } from './fields.js';
import { GroupMapper } from './group.js';
import { ItemPreparer, type PreparedItem } from './items.js';
import { FamilyLayouts } from './layout.js';
import { ModelValues } from './model-values.js';
import { describedFieldFor, optionLabelsFrom } from './option-labels.js';
import type { RecordAcc } from './plans.js';
import { resolveMapping, type ResolvedMapping } from './resolve.js';
import type { LabelledOption, MappedProduct, MappedProductModel, Mapper, MappingResult, MediaResolver, MediaUploadRequest, PimStructure } from './types.js';

interface CreateMapperOptions {
  media?: MediaResolver;
}

export function createMapper(config: MappingConfig | ResolvedMapping, pim: PimStructure, options: CreateMapperOptions = {}): Mapper {
  const mapping = isResolved(config) ? config : resolveMapping(config);
  return new MappingEngine(mapping, pim, options);
}

function isResolved(c: MappingConfig | ResolvedMapping): c is ResolvedMapping {
  return (c as ResolvedMapping).blockRecord !== undefined && (c as ResolvedMapping).attributes instanceof Map;
}

class MappingEngine implements Mapper {
  readonly ownedAttributes: ReadonlySet<string>;
  readonly identifierAttribute: string;
  private readonly codes: CodeTable;
  private readonly categories: CategoryMapper;
  private readonly items: ItemPreparer;
  private readonly groups: GroupMapper;
  private readonly fields: FieldPlanner;

  constructor(
    private readonly mapping: ResolvedMapping,
    private readonly pim: PimStructure,
    options: CreateMapperOptions,
  ) {
    this.codes = new CodeTable(mapping.codes.normalise, mapping.codes.case);
    const fields = (this.fields = new FieldPlanner(mapping, pim, this.codes, options.media));
    this.identifierAttribute = fields.identifierAttribute;
    this.ownedAttributes = fields.ownedAttributes;
    this.categories = new CategoryMapper(mapping, this.codes, fields.ctx);
    this.items = new ItemPreparer(mapping, pim, this.codes, fields, this.categories);
    const layouts = new FamilyLayouts(mapping, pim, fields);
    this.groups = new GroupMapper(mapping, this.codes, fields, this.items, layouts, this.categories, new ModelValues(mapping, fields));
  }

  mapCategories(records: ErpRecord[]): MappingResult {
    return this.categories.mapCategories(records);
  }

  mapItems(items: ErpRecord[], groups: ReadonlyMap<string, ErpRecord>): MappingResult {
    const result: MappingResult = { entities: [], missingOptions: [], errors: [] };
    const roots: MappedProductModel[] = [];
    const subs: MappedProductModel[] = [];
    const products: MappedProduct[] = [];
    const buckets = new Map<string, PreparedItem[]>();
    const singles: PreparedItem[] = [];
    const prepared: PreparedItem[] = [];
    const groupAccs: RecordAcc[] = [];
    for (const rec of items) {
      const p = this.items.prepare(rec, rec.group ? groups.get(rec.group) : undefined);
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
    for (const p of singles) this.groups.simpleProduct(p, products, uploads);
    for (const [key, bucket] of buckets) this.groups.mapGroup(key, bucket, groups.get(key), { roots, subs, products, uploads, groupAccs });
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

  mapOptionLabels(description: readonly StreamDescription[]): LabelledOption[] {
    const { mapping, pim } = this;
    const out: LabelledOption[] = [];
    // Akeneo takes an option label in any locale it knows, active or not.
    const accepted = new Set([...pim.locales, ...(pim.knownLocales ?? [])]);
    const attributeCode = (field: string) => {
      const o = this.codes.code('attribute', field);
      return o.ok ? o.code : null;
    };
    for (const code of this.ownedAttributes) {
      const type = pim.attributes.get(code)?.type;
      if (type !== 'pim_catalog_simpleselect' && type !== 'pim_catalog_multiselect') continue;
      const field = describedFieldFor(code, mapping, description, attributeCode);
      if (!field?.optionLabels || !field.options) continue;
      const renames = new Map(Object.entries(mapping.options.renames[code] ?? {}).map(([k, v]) => [k.trim().toLowerCase(), v]));
      const existing = new Map([...(pim.options.get(code)?.values() ?? [])].map((o) => [o.code.toLowerCase(), o]));
      const seen = new Set<string>();
      for (const value of field.options) {
        const labels = optionLabelsFrom(field.optionLabels[value], mapping, (lang) => this.fields.localeOf(lang), accepted);
        if (!Object.keys(labels).length) continue;
        const text = value.trim();
        let optionCode = renames.get(text.toLowerCase());
        if (optionCode === undefined) {
          // A value the select converter refuses (collision, pattern) is reported when an item uses it.
          const outcome = this.codes.code('option', text, code);
          if (!outcome.ok) continue;
          optionCode = outcome.code;
        }
        const key = optionCode.toLowerCase();
        if (seen.has(key)) continue;
        seen.add(key);
        const inPim = existing.get(key);
        out.push({ kind: 'option', attribute: code, code: inPim?.code ?? optionCode, labels, erpValue: text, current: inPim ? (inPim.labels ?? {}) : null });
      }
    }
    return out;
  }
}

function collect(acc: RecordAcc, result: MappingResult): void {
  for (const e of acc.errors) result.errors.push(e);
  for (const o of acc.options) result.missingOptions.push(o);
}
