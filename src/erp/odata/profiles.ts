/**
 * Profiles: the streams of a standard service, so the user gives only a URL and credentials.
 * `s4` reads SAP S/4HANA's API_PRODUCT_SRV (field names as SAP documents them); `generic` is
 * whatever erp.streams says. A user's erp.streams overrides a profile's stream key by key and
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


export interface ResolvedStream extends OdataStream {
  stream: StreamName;
  /** Field names that came from the profile (a missing property drops them instead of failing). */
  fromProfile: Set<string>;
}

/** The streams a config reads: the profile's, overridden by erp.streams. */
export function resolveStreams(config: OdataConfig): ResolvedStream[] {
  const base = config.profile === 's4' ? S4_STREAMS : {};
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
