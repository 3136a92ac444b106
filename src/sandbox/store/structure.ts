/**
 * The catalog structure the sandbox holds: locales, channels, attributes and their options,
 * families, categories, EE entities, … — each a case-insensitive code map — with the lookups
 * the rules' CatalogView asks for, the caches derived from them, and plain-JSON snapshots
 * (what a reset goes back to).
 */
import { withAkeneoLocales } from '../locales.js';
import type {
  AssociationType,
  Attribute,
  AttributeGroup,
  AttributeOption,
  Category,
  Channel,
  Currency,
  Family,
  FamilyVariant,
  Locale,
  MeasurementFamily,
} from '../../akeneo/model.js';
import { CodeMap } from '../code-map.js';
import type { ProductGroup } from '../rules/contract.js';
import { CategoryTree, type CategoryOrder } from './category-tree.js';
import { childMap, lower } from './indexes.js';

export type StoredFamilyVariant = FamilyVariant & { family: string };

/** Generic EE objects (reference entities, records, asset families, assets): JSON with a code. */
export interface CodedObject {
  code: string;
  [key: string]: unknown;
}

/** Everything the catalog defines; what a reset goes back to. Plain JSON. */
export interface StructureSnapshot {
  locales: Locale[];
  currencies: Currency[];
  channels: Channel[];
  measurementFamilies: MeasurementFamily[];
  attributeGroups: AttributeGroup[];
  attributes: Attribute[];
  attributeOptions: AttributeOption[];
  families: Family[];
  familyVariants: StoredFamilyVariant[];
  categories: Category[];
  associationTypes: AssociationType[];
  groups: ProductGroup[];
  referenceEntities: CodedObject[];
  /** `${entity}` → attributes of that reference entity. */
  referenceEntityAttributes: Record<string, CodedObject[]>;
  assetFamilies: CodedObject[];
  assetFamilyAttributes: Record<string, CodedObject[]>;
}

const nowSeconds = (): string => new Date().toISOString().replace(/\.\d{3}Z$/, '+00:00');

export class CatalogStructure {
  readonly localeMap = new CodeMap<Locale>();
  readonly currencies = new CodeMap<Currency>();
  readonly channelMap = new CodeMap<Channel>();
  readonly measurementFamilies = new CodeMap<MeasurementFamily>();
  readonly attributeGroups = new CodeMap<AttributeGroup>();
  readonly attributeMap = new CodeMap<Attribute>();
  /** attribute (lower) → options */
  readonly options = new Map<string, CodeMap<AttributeOption>>();
  readonly families = new CodeMap<Family>();
  readonly familyVariants = new CodeMap<StoredFamilyVariant>();
  readonly categories = new CodeMap<Category>();
  readonly associationTypeMap = new CodeMap<AssociationType>();
  readonly groups = new CodeMap<ProductGroup>();
  readonly referenceEntities = new CodeMap<CodedObject>();
  readonly referenceEntityAttributes = new Map<string, CodeMap<CodedObject>>();
  readonly assetFamilies = new CodeMap<CodedObject>();
  readonly assetFamilyAttributes = new Map<string, CodeMap<CodedObject>>();

  private readonly categoryTreeIndex = new CategoryTree(this.categories);
  private uniqueAttributesCache: string[] | undefined;
  private identifierAttributeCache: string | undefined;
  private activeLocalesCache: string[] | undefined;
  /** `kind/code` → last write time of structure entities (for `updated` filters and category GET). */
  private readonly structureUpdated = new Map<string, string>();
  loadedAt = nowSeconds();

  attribute(code: string): Attribute | undefined {
    return this.attributeMap.get(code);
  }
  attributes(): readonly Attribute[] {
    return this.attributeMap.values();
  }
  attributeOptions(attribute: string): readonly AttributeOption[] {
    const opts = this.options.get(lower(attribute));
    if (!opts) return [];
    return opts.values().sort((a, b) => (a.sort_order ?? 0) - (b.sort_order ?? 0));
  }
  option(attribute: string, code: string): AttributeOption | undefined {
    return this.options.get(lower(attribute))?.get(code);
  }
  family(code: string): Family | undefined {
    return this.families.get(code);
  }
  familyVariant(family: string, code: string): FamilyVariant | undefined {
    const fv = this.familyVariants.get(code);
    return fv && lower(fv.family) === lower(family) ? fv : undefined;
  }
  familyVariantByCode(code: string): StoredFamilyVariant | undefined {
    return this.familyVariants.get(code);
  }
  variantsOfFamily(family: string): readonly FamilyVariant[] {
    const wanted = lower(family);
    return this.familyVariants.values().filter((fv) => lower(fv.family) === wanted);
  }
  channel(code: string): Channel | undefined {
    return this.channelMap.get(code);
  }
  channels(): readonly Channel[] {
    return this.channelMap.values();
  }
  locale(code: string): Locale | undefined {
    return this.localeMap.get(code);
  }
  activeLocales(): readonly string[] {
    this.activeLocalesCache ??= this.localeMap.values().filter((l) => l.enabled).map((l) => l.code);
    return this.activeLocalesCache;
  }
  currency(code: string): Currency | undefined {
    return this.currencies.get(code);
  }
  measurementFamily(code: string): MeasurementFamily | undefined {
    return this.measurementFamilies.get(code);
  }
  category(code: string): Category | undefined {
    return this.categories.get(code);
  }
  associationTypes(): readonly AssociationType[] {
    return this.associationTypeMap.values();
  }
  locales(): readonly Locale[] {
    return this.localeMap.values();
  }
  associationType(code: string): AssociationType | undefined {
    return this.associationTypeMap.get(code);
  }
  group(code: string): ProductGroup | undefined {
    return this.groups.get(code);
  }
  attributeGroup(code: string): AttributeGroup | undefined {
    return this.attributeGroups.get(code);
  }
  identifierAttribute(): string {
    if (this.identifierAttributeCache === undefined) {
      const main = this.attributeMap.values().filter((a) => a.type === 'pim_catalog_identifier');
      const chosen = main.find((a) => a['is_main_identifier'] === true) ?? main[0];
      this.identifierAttributeCache = chosen?.code ?? 'sku';
    }
    return this.identifierAttributeCache;
  }

  /** Lower-case codes of the unique attributes other than the identifier (the product index keeps their values unique). */
  uniqueAttributes(): readonly string[] {
    this.uniqueAttributesCache ??= this.attributeMap
      .values()
      .filter((a) => a.unique === true && a.type !== 'pim_catalog_identifier')
      .map((a) => lower(a.code));
    return this.uniqueAttributesCache;
  }

  /** Categories in tree (nested-set) order, and each one's 1-based position among its siblings. */
  categoryTree(): CategoryOrder {
    return this.categoryTreeIndex.order();
  }

  /** A category and all its descendants (lower-case codes). */
  categorySubtree(code: string): Set<string> {
    return this.categoryTreeIndex.subtree(code);
  }

  markUpdated(kind: string, code: string): void {
    this.structureUpdated.set(`${kind}/${lower(code)}`, nowSeconds());
  }

  updatedAt(kind: string, code: string): string {
    return this.structureUpdated.get(`${kind}/${lower(code)}`) ?? this.loadedAt;
  }

  putOption(o: AttributeOption): void {
    childMap(this.options, lower(o.attribute)).set(o.code, o);
  }

  loadStructure(s: StructureSnapshot): void {
    const fill = <T extends { code: string }>(map: CodeMap<T>, list: T[]): void => {
      map.clear();
      for (const item of list) map.set(item.code, item);
    };
    fill(this.localeMap, withAkeneoLocales(s.locales, s.channels.flatMap((c) => c.locales)));
    fill(this.currencies, s.currencies);
    fill(this.channelMap, s.channels);
    fill(this.measurementFamilies, s.measurementFamilies);
    fill(this.attributeGroups, s.attributeGroups);
    fill(this.attributeMap, s.attributes);
    this.options.clear();
    for (const o of s.attributeOptions) this.putOption(o);
    fill(this.families, s.families);
    fill(this.familyVariants, s.familyVariants);
    fill(this.categories, s.categories);
    fill(this.associationTypeMap, s.associationTypes);
    fill(this.groups, s.groups);
    fill(this.referenceEntities, s.referenceEntities);
    fillAttributesOf(this.referenceEntityAttributes, s.referenceEntityAttributes);
    fill(this.assetFamilies, s.assetFamilies);
    fillAttributesOf(this.assetFamilyAttributes, s.assetFamilyAttributes);
    this.dropDerivedStructure();
  }

  snapshotStructure(): StructureSnapshot {
    const attrsOf = (m: Map<string, CodeMap<CodedObject>>): Record<string, CodedObject[]> => {
      const out: Record<string, CodedObject[]> = {};
      for (const [k, v] of m) out[k] = v.values();
      return out;
    };
    return structuredClone({
      locales: this.localeMap.values(),
      currencies: this.currencies.values(),
      channels: this.channelMap.values(),
      measurementFamilies: this.measurementFamilies.values(),
      attributeGroups: this.attributeGroups.values(),
      attributes: this.attributeMap.values(),
      attributeOptions: [...this.options.values()].flatMap((m) => m.values()),
      families: this.families.values(),
      familyVariants: this.familyVariants.values(),
      categories: this.categories.values(),
      associationTypes: this.associationTypeMap.values(),
      groups: this.groups.values(),
      referenceEntities: this.referenceEntities.values(),
      referenceEntityAttributes: attrsOf(this.referenceEntityAttributes),
      assetFamilies: this.assetFamilies.values(),
      assetFamilyAttributes: attrsOf(this.assetFamilyAttributes),
    });
  }

  /** Drops what is derived from the structure (unique and identifier attributes, category order, active locales). */
  protected dropDerivedStructure(): void {
    this.uniqueAttributesCache = undefined;
    this.identifierAttributeCache = undefined;
    this.categoryTreeIndex.invalidate();
    this.activeLocalesCache = undefined;
  }
}

/** The attributes of reference entities or asset families, by (lower-case) owner code. */
function fillAttributesOf(target: Map<string, CodeMap<CodedObject>>, source: Record<string, CodedObject[]>): void {
  target.clear();
  for (const [owner, attrs] of Object.entries(source)) {
    const m = new CodeMap<CodedObject>();
    for (const a of attrs) m.set(a.code, a);
    target.set(lower(owner), m);
  }
}
