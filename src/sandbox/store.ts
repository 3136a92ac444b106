/**
 * The sandbox's state: catalog structure, products, product models, media and EE entities,
 * all in memory (Maps), with the indexes the routes and rules need. It implements the rules'
 * read-only CatalogView. Stored objects are never cloned on the hot path: the rules return
 * new objects and the store keeps them as they are, so callers must treat them as immutable.
 */
import type {
  AssociationType,
  ValueEntry,
  Values,
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
  Product,
  ProductModel,
} from '../akeneo/model.js';
import { CodeMap } from './code-map.js';
import type { CatalogView, ProductGroup } from './rules/contract.js';

export type StoredFamilyVariant = FamilyVariant & { family: string };

/** Generic EE objects (reference entities, records, asset families, assets): JSON with a code. */
export interface CodedObject {
  code: string;
  [key: string]: unknown;
}

export interface MediaFileRecord {
  code: string;
  original_filename: string;
  mime_type: string;
  size: number;
  extension: string;
  content: Buffer;
  /** Which upload endpoint made it: product media, asset media, reference-entity media. */
  kind: 'media' | 'asset' | 'reference_entity';
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

/**
 * A stored product: the fields lists and filters read on every row, each attribute's value list
 * as its own JSON string, and the remaining fields (associations, …) as one JSON string.
 * Holding JSON instead of object graphs keeps 100,000 products with 30 values in a few hundred
 * MB and keeps GC cheap; an attribute filter parses only that attribute's string.
 */
export interface StoredProduct {
  uuid: string;
  identifier: string | undefined;
  family: string | null;
  parent: string | null;
  enabled: boolean;
  categories: string[];
  groups: string[];
  created: string;
  updated: string;
  /** attribute code → JSON of its value list */
  values: Record<string, string>;
  /** JSON of every other field (associations, quantified_associations, extras) */
  rest: string;
}

const ROW_FIELDS = new Set(['uuid', 'identifier', 'family', 'parent', 'enabled', 'categories', 'groups', 'created', 'updated', 'values']);

/** One attribute's value list of a stored product (undefined when it has none). */
export function rowValue(row: StoredProduct, attribute: string): ValueEntry[] | undefined {
  let text = row.values[attribute];
  if (text === undefined) {
    const l = lower(attribute);
    for (const k in row.values) if (lower(k) === l) text = row.values[k];
  }
  return text === undefined ? undefined : (JSON.parse(text) as ValueEntry[]);
}

/** The product a row stands for (a fresh object: callers may keep or change it). */
export function rowToProduct(row: StoredProduct): Product {
  const values: Values = {};
  for (const k in row.values) values[k] = JSON.parse(row.values[k] as string) as ValueEntry[];
  const p: Product = { uuid: row.uuid };
  if (row.identifier !== undefined) p.identifier = row.identifier;
  p.enabled = row.enabled;
  p.family = row.family;
  p.categories = [...row.categories];
  p.groups = [...row.groups];
  p.parent = row.parent;
  p.values = values;
  p.created = row.created;
  p.updated = row.updated;
  return Object.assign(p, JSON.parse(row.rest) as Record<string, unknown>);
}

export type ChangeKind = 'product' | 'product_model' | 'media' | 'record' | 'asset' | 'structure';
export type ChangeListener = (kind: ChangeKind, key: string, value: unknown | null) => void;

const lower = (s: string): string => s.toLowerCase();

function addToIndex(index: Map<string, Set<string>>, key: string, member: string): void {
  let set = index.get(key);
  if (!set) {
    set = new Set();
    index.set(key, set);
  }
  set.add(member);
}

/** The per-parent code map (options of an attribute, records of an entity, assets of a family), created on first write. */
function childMap<T>(maps: Map<string, CodeMap<T>>, parentKey: string): CodeMap<T> {
  let map = maps.get(parentKey);
  if (!map) {
    map = new CodeMap();
    maps.set(parentKey, map);
  }
  return map;
}

function removeFromIndex(index: Map<string, Set<string>>, key: string, member: string): void {
  const set = index.get(key);
  if (!set) return;
  set.delete(member);
  if (set.size === 0) index.delete(key);
}

/** String form Akeneo compares unique values by. */
function uniqueKey(data: unknown): string | undefined {
  if (data === null || data === undefined || data === '') return undefined;
  if (typeof data === 'object') return lower(JSON.stringify(data));
  return lower(String(data));
}

export class SandboxStore implements CatalogView {
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
  readonly records = new Map<string, CodeMap<CodedObject>>();
  readonly assetFamilies = new CodeMap<CodedObject>();
  readonly assetFamilyAttributes = new Map<string, CodeMap<CodedObject>>();
  readonly assets = new Map<string, CodeMap<CodedObject>>();

  readonly products = new Map<string, StoredProduct>();
  readonly productModels = new CodeMap<ProductModel>();
  readonly media = new Map<string, MediaFileRecord>();

  private readonly identifierIndex = new Map<string, string>();
  private readonly productsByParent = new Map<string, Set<string>>();
  private readonly modelsByParent = new Map<string, Set<string>>();
  private readonly uniqueIndex = new Map<string, Map<string, string>>();
  private uniqueAttributesCache: string[] | undefined;
  private identifierAttributeCache: string | undefined;
  private sortedByUuid: string[] | undefined;
  private sortedByIdentifier: string[] | undefined;
  private sortedIdentifierKeys: string[] = [];
  private sortedModels: ProductModel[] | undefined;
  private categoryOrderCache: { order: Category[]; position: Map<string, number> } | undefined;
  private activeLocalesCache: string[] | undefined;
  private listeners: ChangeListener[] = [];
  /** Bumped on every change that can alter a product or product model list (list caches key on it). */
  version = 0;
  /** Filtered-list positions by query, valid while `version` is unchanged (see routes/products.ts). */
  readonly listCache = new Map<string, { version: number; positions: number[] }>();
  /** `kind/code` → last write time of structure entities (for `updated` filters and category GET). */
  private readonly structureUpdated = new Map<string, string>();
  loadedAt = new Date().toISOString().replace(/\.\d{3}Z$/, '+00:00');

  onChange(listener: ChangeListener): void {
    this.listeners.push(listener);
  }

  private emit(kind: ChangeKind, key: string, value: unknown | null): void {
    for (const l of this.listeners) l(kind, key, value);
  }

  // ---------------------------------------------------------------- CatalogView

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
  productModel(code: string): ProductModel | undefined {
    return this.productModels.get(code);
  }
  productByUuid(uuid: string): Product | undefined {
    const row = this.products.get(lower(uuid));
    return row ? rowToProduct(row) : undefined;
  }
  productByIdentifier(identifier: string): Product | undefined {
    const uuid = this.identifierIndex.get(lower(identifier));
    return uuid === undefined ? undefined : this.productByUuid(uuid);
  }
  /** The stored row (metadata + JSON) without parsing the product. */
  productRow(uuid: string): StoredProduct | undefined {
    return this.products.get(lower(uuid));
  }
  productRowByIdentifier(identifier: string): StoredProduct | undefined {
    const uuid = this.identifierIndex.get(lower(identifier));
    return uuid === undefined ? undefined : this.products.get(uuid);
  }
  identifierAttribute(): string {
    if (this.identifierAttributeCache === undefined) {
      const main = this.attributeMap.values().filter((a) => a.type === 'pim_catalog_identifier');
      const chosen = main.find((a) => a['is_main_identifier'] === true) ?? main[0];
      this.identifierAttributeCache = chosen?.code ?? 'sku';
    }
    return this.identifierAttributeCache;
  }
  productModelsChildren(code: string): readonly ProductModel[] {
    const set = this.modelsByParent.get(lower(code));
    if (!set) return [];
    const out: ProductModel[] = [];
    for (const c of set) {
      const m = this.productModels.get(c);
      if (m) out.push(m);
    }
    return out;
  }
  productsOfModel(code: string, onlyValuesOf?: readonly string[]): readonly Product[] {
    const set = this.productsByParent.get(lower(code));
    if (!set) return [];
    const out: Product[] = [];
    if (onlyValuesOf) {
      const wanted = new Set(onlyValuesOf.map(lower));
      for (const u of set) {
        const row = this.products.get(lower(u));
        if (!row) continue;
        const values: Values = {};
        for (const k in row.values) if (wanted.has(lower(k))) values[k] = JSON.parse(row.values[k] as string) as ValueEntry[];
        const p: Product = { uuid: row.uuid, values };
        if (row.identifier !== undefined) p.identifier = row.identifier;
        out.push(p);
      }
      return out;
    }
    for (const u of set) {
      const p = this.productByUuid(u);
      if (p) out.push(p);
    }
    return out;
  }
  attributeGroup(code: string): AttributeGroup | undefined {
    return this.attributeGroups.get(code);
  }
  uniqueValueOwner(attribute: string, data: unknown): string | undefined {
    const key = uniqueKey(data);
    if (key === undefined) return undefined;
    return this.uniqueIndex.get(lower(attribute))?.get(key);
  }
  referenceEntityRecord(referenceEntity: string, code: string): { code: string } | undefined {
    return this.records.get(lower(referenceEntity))?.get(code);
  }
  asset(assetFamily: string, code: string): { code: string } | undefined {
    return this.assets.get(lower(assetFamily))?.get(code);
  }
  mediaFile(code: string): { code: string; original_filename: string } | undefined {
    return this.media.get(code);
  }

  // ---------------------------------------------------------------- products

  private uniqueAttributes(): string[] {
    this.uniqueAttributesCache ??= this.attributeMap
      .values()
      .filter((a) => a.unique === true && a.type !== 'pim_catalog_identifier')
      .map((a) => lower(a.code));
    return this.uniqueAttributesCache;
  }

  private indexUnique(row: StoredProduct, values: Values | undefined, add: boolean): void {
    const uniques = this.uniqueAttributes();
    if (uniques.length === 0) return;
    const vals = values ?? rowToProduct(row).values;
    if (!vals) return;
    for (const [attr, entries] of Object.entries(vals)) {
      const la = lower(attr);
      if (!uniques.includes(la)) continue;
      for (const e of entries) {
        const key = uniqueKey(e.data);
        if (key === undefined) continue;
        let idx = this.uniqueIndex.get(la);
        if (!idx) {
          idx = new Map();
          this.uniqueIndex.set(la, idx);
        }
        if (add) idx.set(key, row.uuid);
        else if (idx.get(key) === row.uuid) idx.delete(key);
      }
    }
  }

  /** Stores a product as the rules returned it (uuid required). */
  putProduct(p: Product, opts: { silent?: boolean } = {}): void {
    this.version++;
    const uuid = lower(String(p.uuid));
    const values: Record<string, string> = {};
    for (const [attr, list] of Object.entries(p.values ?? {})) values[attr] = JSON.stringify(list);
    const rest: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(p)) if (!ROW_FIELDS.has(k) && v !== undefined) rest[k] = v;
    const row: StoredProduct = {
      uuid,
      identifier: typeof p.identifier === 'string' && p.identifier !== '' ? p.identifier : undefined,
      family: p.family ?? null,
      parent: p.parent ?? null,
      enabled: p.enabled ?? true,
      categories: p.categories ?? [],
      groups: p.groups ?? [],
      created: p.created ?? '',
      updated: p.updated ?? '',
      values,
      rest: JSON.stringify(rest),
    };
    const old = this.products.get(uuid);
    if (old) {
      const oldId = old.identifier !== undefined ? lower(old.identifier) : undefined;
      const newId = row.identifier !== undefined ? lower(row.identifier) : undefined;
      if (oldId !== newId) {
        if (oldId !== undefined && this.identifierIndex.get(oldId) === uuid) this.identifierIndex.delete(oldId);
        this.sortedByIdentifier = undefined;
      }
      if (old.parent && old.parent !== row.parent) removeFromIndex(this.productsByParent, lower(old.parent), uuid);
      this.indexUnique(old, undefined, false);
    } else {
      this.sortedByUuid = undefined;
      this.sortedByIdentifier = undefined;
    }
    if (row.identifier !== undefined) this.identifierIndex.set(lower(row.identifier), uuid);
    if (row.parent) addToIndex(this.productsByParent, lower(row.parent), uuid);
    this.indexUnique(row, p.values, true);
    this.products.set(uuid, row);
    if (!opts.silent) this.emit('product', uuid, row);
  }

  deleteProduct(uuid: string): boolean {
    this.version++;
    const key = lower(uuid);
    const old = this.products.get(key);
    if (!old) return false;
    this.products.delete(key);
    if (old.identifier !== undefined) {
      const id = lower(old.identifier);
      if (this.identifierIndex.get(id) === key) this.identifierIndex.delete(id);
    }
    if (old.parent) removeFromIndex(this.productsByParent, lower(old.parent), key);
    this.indexUnique(old, undefined, false);
    this.sortedByUuid = undefined;
    this.sortedByIdentifier = undefined;
    this.emit('product', key, null);
    return true;
  }

  /** Uuids ordered by uuid (the /products-uuid list order). */
  productUuidsByUuid(): readonly string[] {
    this.sortedByUuid ??= [...this.products.keys()].sort();
    return this.sortedByUuid;
  }

  /** Uuids of products that have an identifier, ordered case-insensitively by it (/products order). */
  productUuidsByIdentifier(): readonly string[] {
    if (!this.sortedByIdentifier) {
      const rows: [string, string][] = [];
      for (const [u, p] of this.products) {
        if (p.identifier !== undefined) rows.push([lower(p.identifier), u]);
      }
      rows.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      this.sortedByIdentifier = rows.map((r) => r[1]);
      this.sortedIdentifierKeys = rows.map((r) => r[0]);
    }
    return this.sortedByIdentifier;
  }

  /** Lower-case identifiers aligned with productUuidsByIdentifier() (search_after keys). */
  productIdentifierKeys(): readonly string[] {
    this.productUuidsByIdentifier();
    return this.sortedIdentifierKeys;
  }

  // ---------------------------------------------------------------- product models

  putProductModel(m: ProductModel, opts: { silent?: boolean } = {}): void {
    this.version++;
    const old = this.productModels.get(m.code);
    if (old?.parent && lower(old.parent) !== lower(m.parent ?? '')) {
      removeFromIndex(this.modelsByParent, lower(old.parent), lower(old.code));
    }
    if (!old) this.sortedModels = undefined;
    else if (old !== m) this.sortedModels = undefined;
    if (m.parent) addToIndex(this.modelsByParent, lower(m.parent), lower(m.code));
    this.productModels.set(m.code, m);
    if (!opts.silent) this.emit('product_model', lower(m.code), m);
  }

  deleteProductModel(code: string): boolean {
    this.version++;
    const old = this.productModels.get(code);
    if (!old) return false;
    // Akeneo deletes the whole subtree: sub-models and variant products.
    for (const child of this.productModelsChildren(old.code)) this.deleteProductModel(child.code);
    for (const u of [...(this.productsByParent.get(lower(old.code)) ?? [])]) this.deleteProduct(u);
    this.productModels.delete(code);
    if (old.parent) removeFromIndex(this.modelsByParent, lower(old.parent), lower(old.code));
    this.sortedModels = undefined;
    this.emit('product_model', lower(old.code), null);
    return true;
  }

  productModelsSorted(): readonly ProductModel[] {
    this.sortedModels ??= this.productModels
      .values()
      .sort((a, b) => (lower(a.code) < lower(b.code) ? -1 : lower(a.code) > lower(b.code) ? 1 : 0));
    return this.sortedModels;
  }

  /** The chain of ancestors of a product or product model, nearest first. */
  ancestors(parent: string | null | undefined): ProductModel[] {
    const out: ProductModel[] = [];
    let code = parent;
    while (code) {
      const m = this.productModels.get(code);
      if (!m || out.includes(m)) break;
      out.push(m);
      code = m.parent ?? null;
    }
    return out;
  }

  // ---------------------------------------------------------------- categories

  /** Categories in tree (nested-set) order, and each one's 1-based position among its siblings. */
  categoryTree(): { order: Category[]; position: Map<string, number> } {
    if (!this.categoryOrderCache) {
      const children = new Map<string, Category[]>();
      const roots: Category[] = [];
      for (const c of this.categories) {
        if (c.parent && this.categories.has(c.parent)) {
          const k = lower(c.parent);
          const list = children.get(k) ?? [];
          list.push(c);
          children.set(k, list);
        } else roots.push(c);
      }
      const order: Category[] = [];
      const position = new Map<string, number>();
      const walk = (list: Category[]): void => {
        list.forEach((c, i) => {
          position.set(lower(c.code), i + 1);
          order.push(c);
          walk(children.get(lower(c.code)) ?? []);
        });
      };
      walk(roots);
      this.categoryOrderCache = { order, position };
    }
    return this.categoryOrderCache;
  }

  /** A category and all its descendants (lower-case codes). */
  categorySubtree(code: string): Set<string> {
    const out = new Set<string>([lower(code)]);
    let grew = true;
    while (grew) {
      grew = false;
      for (const c of this.categories) {
        if (c.parent && out.has(lower(c.parent)) && !out.has(lower(c.code))) {
          out.add(lower(c.code));
          grew = true;
        }
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- structure writes

  markUpdated(kind: string, code: string): void {
    this.structureUpdated.set(`${kind}/${lower(code)}`, new Date().toISOString().replace(/\.\d{3}Z$/, '+00:00'));
  }

  updatedAt(kind: string, code: string): string {
    return this.structureUpdated.get(`${kind}/${lower(code)}`) ?? this.loadedAt;
  }

  /** Call after any structure write: drops derived caches and tells persistence. */
  structureChanged(): void {
    this.version++;
    this.uniqueAttributesCache = undefined;
    this.identifierAttributeCache = undefined;
    this.categoryOrderCache = undefined;
    this.activeLocalesCache = undefined;
    this.emit('structure', 'all', null);
  }

  putOption(o: AttributeOption): void {
    childMap(this.options, lower(o.attribute)).set(o.code, o);
  }

  putRecord(entity: string, record: CodedObject, opts: { silent?: boolean } = {}): void {
    const k = lower(entity);
    childMap(this.records, k).set(record.code, record);
    if (!opts.silent) this.emit('record', `${k}\u0000${lower(record.code)}`, { entity, record });
  }

  deleteRecord(entity: string, code: string): boolean {
    const map = this.records.get(lower(entity));
    if (!map?.delete(code)) return false;
    this.emit('record', `${lower(entity)}\u0000${lower(code)}`, null);
    return true;
  }

  putAsset(family: string, asset: CodedObject, opts: { silent?: boolean } = {}): void {
    const k = lower(family);
    childMap(this.assets, k).set(asset.code, asset);
    if (!opts.silent) this.emit('asset', `${k}\u0000${lower(asset.code)}`, { family, asset });
  }

  deleteAsset(family: string, code: string): boolean {
    const map = this.assets.get(lower(family));
    if (!map?.delete(code)) return false;
    this.emit('asset', `${lower(family)}\u0000${lower(code)}`, null);
    return true;
  }

  putMedia(m: MediaFileRecord, opts: { silent?: boolean } = {}): void {
    this.media.set(m.code, m);
    if (!opts.silent) this.emit('media', m.code, m);
  }

  deleteMedia(code: string): void {
    if (this.media.delete(code)) this.emit('media', code, null);
  }

  // ---------------------------------------------------------------- snapshots

  loadStructure(s: StructureSnapshot): void {
    this.version++;
    const fill = <T extends { code: string }>(map: CodeMap<T>, list: T[]): void => {
      map.clear();
      for (const item of list) map.set(item.code, item);
    };
    fill(this.localeMap, s.locales);
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
    this.referenceEntityAttributes.clear();
    for (const [entity, attrs] of Object.entries(s.referenceEntityAttributes)) {
      const m = new CodeMap<CodedObject>();
      for (const a of attrs) m.set(a.code, a);
      this.referenceEntityAttributes.set(lower(entity), m);
    }
    fill(this.assetFamilies, s.assetFamilies);
    this.assetFamilyAttributes.clear();
    for (const [family, attrs] of Object.entries(s.assetFamilyAttributes)) {
      const m = new CodeMap<CodedObject>();
      for (const a of attrs) m.set(a.code, a);
      this.assetFamilyAttributes.set(lower(family), m);
    }
    this.uniqueAttributesCache = undefined;
    this.identifierAttributeCache = undefined;
    this.categoryOrderCache = undefined;
    this.activeLocalesCache = undefined;
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

  /** Drops products, product models, media, records and assets (the content a reset removes). */
  clearContent(): void {
    this.version++;
    this.products.clear();
    this.productModels.clear();
    this.media.clear();
    this.records.clear();
    this.assets.clear();
    this.identifierIndex.clear();
    this.productsByParent.clear();
    this.modelsByParent.clear();
    this.uniqueIndex.clear();
    this.sortedByUuid = undefined;
    this.sortedByIdentifier = undefined;
    this.sortedModels = undefined;
  }
}
