/**
 * Catalog loading: a directory in the layout of Akeneo's `api-json` exports (one JSON array per
 * structure resource in GET format, plus product_models.ndjson / products.ndjson), Ferry's own
 * `demo` catalog, the built-in `empty` one, or `technical` (../shared/akeneo/catalogs/technical).
 * Structure is loaded directly (it is already in GET format; locales and currencies cannot be
 * written through the API anyway); products and models go through the write rules later.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Attribute } from '../akeneo/model.js';
import { standardMeasurementFamilies } from './measurement-families.js';
import { attributeDefaults } from './rules/structure/attribute.js';
import type { StructureSnapshot, StoredFamilyVariant } from './store.js';

export interface LoadedCatalog {
  name: string;
  structure: StructureSnapshot;
  /** Broken references found in the structure files (loaded anyway; the PIM would refuse them). */
  warnings: string[];
  /** Raw NDJSON lines, models roots first, as the catalog ships them. */
  productModelLines: string[];
  productLines: string[];
}

export class CatalogError extends Error {
  override name = 'CatalogError';
}

/** The repository root, from src/sandbox (tsx) or dist/sandbox (built). */
export function repoRoot(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
}

export function resolveCatalogDir(catalog: string): string | undefined {
  if (catalog === 'empty') return undefined;
  if (catalog === 'demo') return path.join(repoRoot(), 'catalogs', 'demo');
  if (catalog === 'technical') return path.resolve(repoRoot(), '..', 'shared', 'akeneo', 'catalogs', 'technical', 'api-json');
  if (catalog === 'icecat' || catalog === 'catalog_modeling') {
    return path.resolve(repoRoot(), '..', 'shared', 'akeneo', 'catalogs', catalog, 'api-json');
  }
  const dir = path.resolve(catalog);
  return existsSync(path.join(dir, 'api-json')) ? path.join(dir, 'api-json') : dir;
}

function readArray<T>(dir: string, file: string): T[] {
  const p = path.join(dir, file);
  if (!existsSync(p)) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(p, 'utf8'));
  } catch (err) {
    throw new CatalogError(`Catalog file ${p} is not valid JSON (${(err as Error).message}); fix or remove it.`);
  }
  if (!Array.isArray(parsed)) throw new CatalogError(`Catalog file ${p} must hold a JSON array of ${file.replace('.json', '')}.`);
  return parsed as T[];
}

function readLines(dir: string, file: string): string[] {
  const p = path.join(dir, file);
  if (!existsSync(p)) return [];
  return readFileSync(p, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
}

function readRecordArrays<T>(dir: string, file: string): Record<string, T[]> {
  const p = path.join(dir, file);
  if (!existsSync(p)) return {};
  const parsed = JSON.parse(readFileSync(p, 'utf8')) as unknown;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new CatalogError(`Catalog file ${p} must hold a JSON object keyed by code.`);
  }
  return parsed as Record<string, T[]>;
}

export function loadCatalog(catalog: string): LoadedCatalog {
  const dir = resolveCatalogDir(catalog);
  if (dir === undefined) return { name: 'empty', structure: emptyStructure(), warnings: [], productModelLines: [], productLines: [] };
  if (!existsSync(dir)) {
    throw new CatalogError(
      `Catalog "${catalog}" not found at ${dir}. Use demo, empty, technical, or a directory holding attributes.json, families.json, … (the api-json layout).`,
    );
  }
  const measurementFamilies = readArray<StructureSnapshot['measurementFamilies'][number]>(dir, 'measurement_families.json');
  const structure: StructureSnapshot = {
    locales: readArray(dir, 'locales.json'),
    currencies: readArray(dir, 'currencies.json'),
    channels: readArray(dir, 'channels.json'),
    measurementFamilies: measurementFamilies.length > 0 ? measurementFamilies : standardMeasurementFamilies(),
    attributeGroups: readArray(dir, 'attribute_groups.json'),
    attributes: readArray(dir, 'attributes.json'),
    attributeOptions: readArray(dir, 'attribute_options.json'),
    families: readArray(dir, 'families.json'),
    familyVariants: readArray<StoredFamilyVariant>(dir, 'family_variants.json'),
    categories: readArray(dir, 'categories.json'),
    associationTypes: readArray(dir, 'association_types.json'),
    groups: readArray(dir, 'groups.json'),
    referenceEntities: readArray(dir, 'reference_entities.json'),
    referenceEntityAttributes: readRecordArrays(dir, 'reference_entity_attributes.json'),
    assetFamilies: readArray(dir, 'asset_families.json'),
    assetFamilyAttributes: readRecordArrays(dir, 'asset_family_attributes.json'),
  };
  for (const fv of structure.familyVariants) {
    if (typeof fv.family !== 'string') {
      throw new CatalogError(`Family variant "${fv.code}" in ${dir}/family_variants.json has no "family" key; add the family code.`);
    }
  }
  if (structure.locales.length === 0) {
    // A catalog without locales.json: every locale a channel uses is active.
    const codes = new Set(structure.channels.flatMap((c) => c.locales));
    structure.locales = [...codes].map((code) => ({ code, enabled: true }));
  }
  if (structure.currencies.length === 0) {
    const codes = new Set(structure.channels.flatMap((c) => c.currencies));
    structure.currencies = [...codes].map((code) => ({ code, enabled: true }));
  }
  return {
    name: catalog,
    structure,
    warnings: checkReferences(structure),
    productModelLines: readLines(dir, 'product_models.ndjson'),
    productLines: readLines(dir, 'products.ndjson'),
  };
}

/**
 * Cross-file references a hand-written catalog easily gets wrong, each reported with the record,
 * the field and what is missing, so the author can fix the file.
 */
export function checkReferences(s: StructureSnapshot): string[] {
  const has = (list: { code: string }[]) => {
    const set = new Set(list.map((x) => x.code.toLowerCase()));
    return (code: string | null | undefined) => typeof code === 'string' && set.has(code.toLowerCase());
  };
  const attr = has(s.attributes);
  const group = has(s.attributeGroups);
  const category = has(s.categories);
  const channel = has(s.channels);
  const family = has(s.families);
  const locale = has(s.locales);
  const currency = has(s.currencies);
  const out: string[] = [];
  for (const a of s.attributes) if (!group(a.group)) out.push(`attributes.json: attribute "${a.code}" has group "${a.group}", which attribute_groups.json does not define.`);
  for (const o of s.attributeOptions) if (!attr(o.attribute)) out.push(`attribute_options.json: option "${o.code}" belongs to attribute "${o.attribute}", which attributes.json does not define.`);
  for (const f of s.families) {
    for (const a of f.attributes ?? []) if (!attr(a)) out.push(`families.json: family "${f.code}" lists attribute "${a}", which attributes.json does not define.`);
    for (const c of Object.keys(f.attribute_requirements ?? {})) if (!channel(c)) out.push(`families.json: family "${f.code}" has requirements for channel "${c}", which channels.json does not define.`);
  }
  for (const fv of s.familyVariants) {
    if (!family(fv.family)) out.push(`family_variants.json: family variant "${fv.code}" belongs to family "${fv.family}", which families.json does not define.`);
    for (const set of fv.variant_attribute_sets ?? []) for (const a of set.attributes ?? []) if (!attr(a)) out.push(`family_variants.json: family variant "${fv.code}" lists attribute "${a}", which attributes.json does not define.`);
  }
  for (const c of s.categories) if (c.parent && !category(c.parent)) out.push(`categories.json: category "${c.code}" has parent "${c.parent}", which categories.json does not define.`);
  for (const ch of s.channels) {
    if (!category(ch.category_tree)) out.push(`channels.json: channel "${ch.code}" uses category tree "${ch.category_tree}", which categories.json does not define.`);
    for (const l of ch.locales) if (!locale(l)) out.push(`channels.json: channel "${ch.code}" uses locale "${l}", which locales.json does not define.`);
    for (const c of ch.currencies) if (!currency(c)) out.push(`channels.json: channel "${ch.code}" uses currency "${c}", which currencies.json does not define.`);
  }
  if (!s.attributes.some((a) => a.type === 'pim_catalog_identifier')) out.push('attributes.json: no attribute of type pim_catalog_identifier; add one (e.g. "sku").');
  return out;
}

/** The `empty` catalog: one channel, one locale, one currency, the `sku` identifier. */
export function emptyStructure(): StructureSnapshot {
  const sku: Attribute = {
    ...attributeDefaults('sku'),
    type: 'pim_catalog_identifier',
    group: 'other',
    unique: true,
    useable_as_grid_filter: true,
    labels: { en_US: 'SKU' },
    group_labels: { en_US: 'Other' },
    is_main_identifier: true,
  };
  return {
    locales: [{ code: 'en_US', enabled: true }],
    currencies: [{ code: 'USD', enabled: true }],
    channels: [
      { code: 'ecommerce', currencies: ['USD'], locales: ['en_US'], category_tree: 'master', conversion_units: {}, labels: { en_US: 'Ecommerce' } },
    ],
    measurementFamilies: standardMeasurementFamilies(),
    attributeGroups: [{ code: 'other', sort_order: 100, attributes: ['sku'], labels: { en_US: 'Other' } }],
    attributes: [sku],
    attributeOptions: [],
    families: [],
    familyVariants: [],
    categories: [{ code: 'master', parent: null, labels: { en_US: 'Master catalog' } }],
    associationTypes: [],
    groups: [],
    referenceEntities: [],
    referenceEntityAttributes: {},
    assetFamilies: [],
    assetFamilyAttributes: {},
  };
}
