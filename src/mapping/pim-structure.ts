/**
 * The live PIM structure the mapper, `ferry check` and the bootstrap planner work against:
 * attributes, families and their variants, channels, active locales, currencies, measurement
 * families, options of the select attributes, category codes. Loaded once per run.
 */
import type { AkeneoClient } from '../akeneo/index.js';
import type {
  Attribute,
  AttributeOption,
  Channel,
  Currency,
  Family,
  FamilyVariant,
  Locale,
  MeasurementFamily,
} from '../akeneo/model.js';
import type { PimStructure } from './types.js';

export interface PimStructureParts {
  version?: string | null;
  edition?: string | null;
  identifierAttribute?: string;
  attributes?: Attribute[];
  attributeGroups?: string[];
  families?: Family[];
  familyVariants?: (FamilyVariant & { family: string })[];
  channels?: Channel[];
  locales?: (Locale | string)[];
  currencies?: (Currency | string)[];
  measurementFamilies?: MeasurementFamily[];
  options?: AttributeOption[];
  categories?: string[];
}

const SELECT_TYPES = new Set(['pim_catalog_simpleselect', 'pim_catalog_multiselect']);

function pickIdentifier(attributes: readonly Attribute[]): string {
  const ids = attributes.filter((a) => a.type === 'pim_catalog_identifier');
  const main = ids.find((a) => a['is_main_identifier'] === true) ?? ids.find((a) => a.code === 'sku') ?? ids[0];
  return main?.code ?? 'sku';
}

/** Builds a PimStructure from plain lists (tests, the sandbox's catalogs, cached structure). */
export function buildPimStructure(parts: PimStructureParts): PimStructure {
  const attributes = new Map((parts.attributes ?? []).map((a) => [a.code, a]));
  const options = new Map<string, Map<string, AttributeOption>>();
  for (const o of parts.options ?? []) {
    let m = options.get(o.attribute);
    if (!m) options.set(o.attribute, (m = new Map()));
    m.set(o.code, o);
  }
  const on = <T extends { code: string; enabled: boolean }>(list: (T | string)[] | undefined) =>
    new Set((list ?? []).filter((x) => typeof x === 'string' || x.enabled).map((x) => (typeof x === 'string' ? x : x.code)));
  return {
    version: parts.version ?? null,
    edition: parts.edition ?? null,
    identifierAttribute: parts.identifierAttribute ?? pickIdentifier(parts.attributes ?? []),
    attributes,
    attributeGroups: new Set(parts.attributeGroups ?? []),
    families: new Map((parts.families ?? []).map((f) => [f.code, f])),
    familyVariants: new Map((parts.familyVariants ?? []).map((fv) => [fv.code, fv])),
    channels: new Map((parts.channels ?? []).map((c) => [c.code, c])),
    locales: on(parts.locales),
    knownLocales: new Set((parts.locales ?? []).map((x) => (typeof x === 'string' ? x : x.code))),
    currencies: on(parts.currencies),
    measurementFamilies: new Map((parts.measurementFamilies ?? []).map((m) => [m.code, m])),
    options,
    categories: new Set(parts.categories ?? []),
  };
}

/**
 * The plain lists a structure was built from (buildPimStructure's input), e.g. to hand a loaded
 * structure to another process as JSON: buildPimStructure(structureParts(s)) equals s.
 */
export function structureParts(s: PimStructure): PimStructureParts {
  const known = new Set([...(s.knownLocales ?? []), ...s.locales]);
  return {
    version: s.version,
    edition: s.edition,
    identifierAttribute: s.identifierAttribute,
    attributes: [...s.attributes.values()],
    attributeGroups: [...s.attributeGroups],
    families: [...s.families.values()],
    familyVariants: [...s.familyVariants.values()],
    channels: [...s.channels.values()],
    locales: [...known].map((code) => ({ code, enabled: s.locales.has(code) })),
    currencies: [...s.currencies],
    measurementFamilies: [...s.measurementFamilies.values()],
    options: [...s.options.values()].flatMap((byCode) => [...byCode.values()]),
    categories: [...s.categories],
  };
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

export interface LoadPimStructureOptions {
  /** Load options only for these select attributes (default: every select attribute). */
  optionAttributes?: readonly string[];
  /** Skip loading category codes (large trees) when the caller does not need them. */
  categories?: boolean;
}

export async function loadPimStructure(client: AkeneoClient, options: LoadPimStructureOptions = {}): Promise<PimStructure> {
  // Every family's variants and every select attribute's options at once, each as soon as its
  // families or attributes are listed, and every list's pages at once after its first (Akeneo's
  // ~210 locales are three pages; a large PIM's attributes or categories, many more): the client's
  // governor keeps the calls within the connection's limits, and a run's start-up costs about
  // three latencies, not one per family, attribute and page.
  const wanted = options.optionAttributes ? new Set(options.optionAttributes) : null;
  const whole = { pagesAtOnce: true } as const;
  const attributesListed = collect(client.attributes.list(whole));
  const familiesListed = collect(client.families.list(whole));
  const [info, attributes, groups, families, channels, locales, currencies, measurementFamilies, categories, variantLists, optionLists] = await Promise.all([
    client.detect().catch(() => null),
    attributesListed,
    collect(client.attributeGroups.list(whole)),
    familiesListed,
    collect(client.channels.list(whole)),
    collect(client.locales.list(whole)),
    collect(client.currencies.list(whole)),
    collect(client.measurementFamilies.list(whole)),
    options.categories === false ? Promise.resolve([]) : collect(client.categories.list(whole)),
    familiesListed.then((families) =>
      Promise.all(families.map(async (family) => (await collect(client.familyVariants(family.code).list(whole))).map((fv) => ({ ...fv, family: family.code })))),
    ),
    attributesListed.then((attributes) =>
      Promise.all(
        attributes
          .filter((a) => SELECT_TYPES.has(a.type) && (!wanted || wanted.has(a.code)))
          .map(async (a) => (await collect(client.attributeOptions(a.code).list(whole))).map((o) => ({ ...o, attribute: o.attribute ?? a.code }))),
      ),
    ),
  ]);
  const familyVariants: (FamilyVariant & { family: string })[] = variantLists.flat();
  const attributeOptions: AttributeOption[] = optionLists.flat();
  return buildPimStructure({
    version: info?.version ?? null,
    edition: info?.edition ?? null,
    attributes,
    attributeGroups: groups.map((g) => g.code),
    families,
    familyVariants,
    channels,
    locales,
    currencies,
    measurementFamilies,
    options: attributeOptions,
    categories: categories.map((c) => c.code),
  });
}

/** Read-only attributes exist on Enterprise and SaaS editions only. */
export function supportsReadOnly(pim: Pick<PimStructure, 'edition'>): boolean {
  const e = (pim.edition ?? '').toLowerCase();
  return e === 'ee' || e === 'serenity' || e === 'ge' || e.includes('enterprise') || e.includes('growth') || e.includes('saas');
}

/**
 * Akeneo's Community Edition: no read-only attributes, no attribute-group permissions, no
 * reference entities and no Asset Manager (all Enterprise / SaaS features).
 */
export function isCommunityEdition(pim: Pick<PimStructure, 'edition'>): boolean {
  return (pim.edition ?? '').toUpperCase() === 'CE';
}

/** Attribute types that exist only on Enterprise Edition and SaaS. */
export const ENTERPRISE_ATTRIBUTE_TYPES: ReadonlySet<string> = new Set(['akeneo_reference_entity', 'akeneo_reference_entity_collection', 'pim_catalog_asset_collection']);
