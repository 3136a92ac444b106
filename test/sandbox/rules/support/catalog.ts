/**
 * An in-memory CatalogView over the technical catalog (../shared/akeneo/catalogs/technical/api-json)
 * plus Akeneo's standard measurement families, for unit-testing the rules without the server.
 * `commit*` helpers store what the rules return, like the server's store would.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
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
  Product,
  ProductModel,
} from '../../../../src/akeneo/model.js';
import type { CatalogView, ProductGroup } from '../../../../src/sandbox/rules/contract.js';
import { standardMeasurementFamilies } from '../../../../src/sandbox/measurement-families.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '../../../..');
export const sharedDir = path.resolve(repoRoot, '../shared');
export const technicalDir = path.join(sharedDir, 'akeneo/catalogs/technical/api-json');
export const hasShared = existsSync(path.join(technicalDir, 'attributes.json'));

/** describe.skipIf helper: skip with a note, but fail under CI where the folder must exist. */
export function sharedMissing(what: string): boolean {
  if (hasShared) return false;
  if (process.env.CI === 'true') throw new Error(`${technicalDir} is missing: CI must provide ../shared (${what})`);
  console.warn(`[skip] ${what}: ../shared/akeneo is not present next to the repository`);
  return true;
}

function read<T>(name: string): T[] {
  return JSON.parse(readFileSync(path.join(technicalDir, name), 'utf8')) as T[];
}

export class MemoryCatalog implements CatalogView {
  attributesByCode = new Map<string, Attribute>();
  options = new Map<string, AttributeOption[]>();
  families = new Map<string, Family>();
  variants = new Map<string, FamilyVariant>();
  channelsByCode = new Map<string, Channel>();
  localesList: Locale[] = [];
  currencies = new Map<string, Currency>();
  measurement = new Map(standardMeasurementFamilies().map((f) => [f.code, f]));
  categories = new Map<string, Category>();
  associationTypesByCode = new Map<string, AssociationType>();
  groups = new Map<string, ProductGroup>();
  attributeGroups = new Map<string, AttributeGroup>();
  models = new Map<string, ProductModel>();
  products = new Map<string, Product>();
  media = new Map<string, { code: string; original_filename: string }>();

  static technical(): MemoryCatalog {
    const c = new MemoryCatalog();
    for (const a of read<Attribute>('attributes.json')) c.attributesByCode.set(a.code, a);
    for (const o of read<AttributeOption>('attribute_options.json')) {
      c.options.set(o.attribute, [...(c.options.get(o.attribute) ?? []), o]);
    }
    for (const f of read<Family>('families.json')) c.families.set(f.code, f);
    for (const v of read<FamilyVariant>('family_variants.json')) c.variants.set(v.code, v);
    for (const ch of read<Channel>('channels.json')) c.channelsByCode.set(ch.code, ch);
    c.localesList = read<Locale>('locales.json');
    for (const cur of read<Currency>('currencies.json')) c.currencies.set(cur.code, cur);
    for (const cat of read<Category>('categories.json')) c.categories.set(cat.code, cat);
    for (const t of read<AssociationType>('association_types.json')) c.associationTypesByCode.set(t.code, t);
    for (const g of read<ProductGroup>('groups.json')) c.groups.set(g.code, g);
    for (const g of read<AttributeGroup>('attribute_groups.json')) c.attributeGroups.set(g.code, g);
    return c;
  }

  attribute(code: string) {
    return this.attributesByCode.get(code);
  }
  attributes() {
    return [...this.attributesByCode.values()];
  }
  attributeOptions(attribute: string) {
    return [...(this.options.get(attribute) ?? [])].sort((a, b) => (a.sort_order ?? 0) - (b.sort_order ?? 0));
  }
  option(attribute: string, code: string) {
    return this.options.get(attribute)?.find((o) => o.code.toLowerCase() === code.toLowerCase());
  }
  family(code: string) {
    return this.families.get(code) ?? [...this.families.values()].find((f) => f.code.toLowerCase() === code.toLowerCase());
  }
  familyVariant(family: string, code: string) {
    const v = this.familyVariantByCode(code);
    return v && v.family?.toLowerCase() === family.toLowerCase() ? v : undefined;
  }
  familyVariantByCode(code: string) {
    return [...this.variants.values()].find((v) => v.code.toLowerCase() === code.toLowerCase());
  }
  variantsOfFamily(family: string) {
    return [...this.variants.values()].filter((v) => v.family?.toLowerCase() === family.toLowerCase());
  }
  channel(code: string) {
    return this.channelsByCode.get(code);
  }
  channels() {
    return [...this.channelsByCode.values()];
  }
  locale(code: string) {
    return this.localesList.find((l) => l.code === code);
  }
  locales() {
    return this.localesList;
  }
  activeLocales() {
    return this.localesList.filter((l) => l.enabled).map((l) => l.code);
  }
  currency(code: string) {
    return this.currencies.get(code);
  }
  measurementFamily(code: string) {
    return this.measurement.get(code);
  }
  category(code: string) {
    return this.categories.get(code);
  }
  associationType(code: string) {
    return this.associationTypesByCode.get(code);
  }
  associationTypes() {
    return [...this.associationTypesByCode.values()];
  }
  group(code: string) {
    return this.groups.get(code);
  }
  productModel(code: string) {
    return this.models.get(code) ?? [...this.models.values()].find((m) => m.code.toLowerCase() === code.toLowerCase());
  }
  productByUuid(uuid: string) {
    return this.products.get(uuid);
  }
  productByIdentifier(identifier: string) {
    return [...this.products.values()].find((p) => p.identifier?.toLowerCase() === identifier.toLowerCase());
  }
  identifierAttribute() {
    return 'sku';
  }
  productModelsChildren(code: string) {
    return [...this.models.values()].filter((m) => m.parent === code);
  }
  productsOfModel(code: string) {
    return [...this.products.values()].filter((p) => p.parent === code);
  }
  attributeGroup(code: string) {
    return this.attributeGroups.get(code);
  }
  uniqueValueOwner(attribute: string, data: unknown) {
    const key = String(data).toLowerCase();
    for (const p of this.products.values()) {
      const v = p.values?.[attribute]?.[0]?.data;
      if (v !== undefined && String(v).toLowerCase() === key) return p.uuid;
    }
    return undefined;
  }
  referenceEntityRecord() {
    return undefined;
  }
  asset() {
    return undefined;
  }
  mediaFile(code: string) {
    return this.media.get(code);
  }

  commitProduct(p: Product): void {
    if (p.uuid) this.products.set(p.uuid, p);
  }
  commitModel(m: ProductModel): void {
    this.models.set(m.code, m);
  }
}

let counter = 0;
export function uuidFor(): string {
  counter += 1;
  return `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`;
}
export const NOW = '2024-04-08T10:00:00+00:00';
