/**
 * Profiles: the streams of a standard service, so the user gives only a URL and credentials.
 * `s4` reads SAP S/4HANA's API_PRODUCT_SRV (field names as SAP documents them); `bc` reads
 * Business Central's API v2.0 under one company (bc.ts turns item variants into groups);
 * `generic` is whatever erp.streams says. A user's erp.streams overrides a profile's stream key by key and
 * field by field. See docs/erp-odata.md.
 */
import type { StreamName } from '../port.js';
import type { OdataConfig, OdataStream } from './config.js';

/** A_Product's fields under Ferry's standard names (docs/erp-records.md). */
const S4_PRODUCT_FIELDS: OdataStream['fields'] = {
  name: { localized: { navigation: 'to_Description', language: 'Language', text: 'ProductDescription' } },
  description: { localized: { navigation: 'to_ProductBasicText', language: 'Language', text: 'LongText' } },
  weight: { quantity: { amount: 'GrossWeight', unit: 'WeightUnit' } },
  net_weight: { quantity: { amount: 'NetWeight', unit: 'WeightUnit' } },
  size: 'SizeOrDimensionText',
  ean: 'ProductStandardID',
  // The material number as a field: the variant axis that always tells a configurable material's variants apart.
  variant: 'Product',
  product_group: 'ProductGroup',
  product_type: 'ProductType',
  product_hierarchy: 'ProductHierarchy',
  base_unit: 'BaseUnit',
  division: 'Division',
  old_product_id: 'ProductOldID',
};

/** Configurable materials (KMAT) are the groups; every other material is an item. */
export const S4_STREAMS: Partial<Record<StreamName, OdataStream>> = {
  items: {
    entitySet: 'A_Product',
    key: 'Product',
    changeField: 'LastChangeDateTime',
    deletionFlag: 'IsMarkedForDeletion',
    group: 'CrossPlantConfigurableProduct',
    filter: "ProductType ne 'KMAT'",
    fields: S4_PRODUCT_FIELDS,
  },
  groups: {
    entitySet: 'A_Product',
    key: 'Product',
    changeField: 'LastChangeDateTime',
    deletionFlag: 'IsMarkedForDeletion',
    filter: "ProductType eq 'KMAT'",
    fields: {
      name: S4_PRODUCT_FIELDS.name!,
      description: S4_PRODUCT_FIELDS.description!,
      product_group: 'ProductGroup',
    },
  },
};

/** Business Central API v2.0 `items` under Ferry's standard names. The API has no weights or translations. */
const BC_ITEM_FIELDS: OdataStream['fields'] = {
  name: 'displayName',
  name_2: 'displayName2',
  ean: 'gtin',
  item_type: 'type',
  base_unit: 'baseUnitOfMeasureCode',
};

/**
 * `items` and `groups` both read BC `items`: an item with item variants is a group (a product
 * model) and its variants are the Ferry items; an item without variants is a Ferry item (bc.ts).
 */
export const BC_STREAMS: Partial<Record<StreamName, OdataStream>> = {
  items: {
    entitySet: 'items',
    key: 'number',
    changeField: 'lastModifiedDateTime',
    deletionFlag: 'blocked',
    categories: 'itemCategoryCode',
    fields: BC_ITEM_FIELDS,
  },
  groups: {
    entitySet: 'items',
    key: 'number',
    changeField: 'lastModifiedDateTime',
    deletionFlag: 'blocked',
    categories: 'itemCategoryCode',
    fields: { name: 'displayName', name_2: 'displayName2', item_type: 'type', base_unit: 'baseUnitOfMeasureCode' },
  },
  categories: {
    entitySet: 'itemCategories',
    key: 'code',
    changeField: 'lastModifiedDateTime',
    fields: { name: 'displayName' },
  },
};

/** BC `itemVariants`: not a Ferry stream of its own; bc.ts reads them for items and groups. */
export const BC_VARIANTS: OdataStream = {
  entitySet: 'itemVariants',
  key: 'code',
  group: 'itemNumber',
  changeField: 'lastModifiedDateTime',
  fields: { variant: 'code', variant_description: 'description' },
};

const PROFILE_STREAMS: Record<OdataConfig['profile'], Partial<Record<StreamName, OdataStream>>> = { s4: S4_STREAMS, bc: BC_STREAMS, generic: {} };

export interface ResolvedStream extends OdataStream {
  stream: StreamName;
  /** Field names that came from the profile (a missing property drops them instead of failing). */
  fromProfile: Set<string>;
}

/** The streams a config reads: the profile's, overridden by erp.streams. */
export function resolveStreams(config: OdataConfig): ResolvedStream[] {
  const base = PROFILE_STREAMS[config.profile];
  const out: ResolvedStream[] = [];
  for (const stream of ['items', 'groups', 'categories', 'attributes'] as const) {
    const profile = base[stream];
    const user = config.streams?.[stream];
    if (!profile && !user) continue;
    const fromProfile = new Set(Object.keys(profile?.fields ?? {}).filter((f) => !user?.fields || !(f in user.fields)));
    out.push({
      ...(profile ?? {}),
      ...(user ?? {}),
      fields: { ...(profile?.fields ?? {}), ...(user?.fields ?? {}) },
      stream,
      fromProfile,
    } as ResolvedStream);
  }
  return out;
}
