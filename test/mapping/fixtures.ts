/** A small PIM shaped like the demo catalog after `ferry pim bootstrap`, and ERP record builders. */
import type { Attribute, FamilyVariant, MeasurementFamily } from '../../src/akeneo/model.js';
import type { ErpRecord, FieldValue } from '../../src/erp/port.js';
import { buildPimStructure, type PimStructureParts } from '../../src/mapping/pim-structure.js';
import type { PimStructure } from '../../src/mapping/types.js';

const mf = (code: string, standard: string, units: Record<string, string>): MeasurementFamily => ({
  code,
  standard_unit_code: standard,
  units: Object.fromEntries(
    Object.entries(units).map(([u, factor]) => [u, { code: u, convert_from_standard: [{ operator: 'mul', value: factor }] }]),
  ),
});

export const MEASUREMENT_FAMILIES: MeasurementFamily[] = [
  mf('Weight', 'KILOGRAM', { MILLIGRAM: '0.000001', GRAM: '0.001', KILOGRAM: '1', POUND: '0.45359237', OUNCE: '0.028349523125' }),
  mf('Length', 'METER', { MILLIMETER: '0.001', CENTIMETER: '0.01', METER: '1', INCH: '0.0254', FEET: '0.3048' }),
  // A restricted family on purpose: no POUND, so lb must be converted.
  mf('ShippingWeight', 'KILOGRAM', { GRAM: '0.001', KILOGRAM: '1' }),
];

const erp = (a: Partial<Attribute> & Pick<Attribute, 'code' | 'type'>): Attribute => ({ group: 'erp', localizable: false, scopable: false, ...a });

export const ATTRIBUTES: Attribute[] = [
  erp({ code: 'sku', type: 'pim_catalog_identifier', unique: true }),
  erp({ code: 'name', type: 'pim_catalog_text', localizable: true }),
  erp({ code: 'description', type: 'pim_catalog_textarea', localizable: true }),
  erp({ code: 'brand', type: 'pim_catalog_simpleselect' }),
  erp({ code: 'color', type: 'pim_catalog_simpleselect' }),
  erp({ code: 'size', type: 'pim_catalog_simpleselect' }),
  erp({ code: 'weight', type: 'pim_catalog_metric', metric_family: 'Weight', default_metric_unit: 'KILOGRAM', decimals_allowed: true }),
  erp({ code: 'length', type: 'pim_catalog_metric', metric_family: 'Length', default_metric_unit: 'CENTIMETER', decimals_allowed: true }),
  erp({ code: 'ship_weight', type: 'pim_catalog_metric', metric_family: 'ShippingWeight', default_metric_unit: 'KILOGRAM', decimals_allowed: true }),
  erp({ code: 'ean', type: 'pim_catalog_text', max_characters: 14 }),
  erp({ code: 'pack_count', type: 'pim_catalog_number', decimals_allowed: false, negative_allowed: false }),
  erp({ code: 'rating', type: 'pim_catalog_number', decimals_allowed: true, number_min: '0', number_max: '5' }),
  erp({ code: 'organic', type: 'pim_catalog_boolean' }),
  erp({ code: 'launch_date', type: 'pim_catalog_date' }),
  erp({ code: 'materials', type: 'pim_catalog_multiselect' }),
  erp({ code: 'list_price', type: 'pim_catalog_price_collection', decimals_allowed: true }),
  erp({ code: 'picture', type: 'pim_catalog_image', allowed_extensions: ['jpg', 'png'] }),
  erp({ code: 'web_title', type: 'pim_catalog_text', localizable: true, scopable: true }),
  { code: 'marketing_description', type: 'pim_catalog_textarea', group: 'marketing', localizable: true, scopable: true },
];

export const FAMILY_ATTRS = ATTRIBUTES.map((a) => a.code);

export const FAMILY_VARIANTS: (FamilyVariant & { family: string })[] = [
  {
    code: 'erp_product_color_size',
    family: 'erp_product',
    variant_attribute_sets: [
      { level: 1, axes: ['color'], attributes: ['picture'] },
      { level: 2, axes: ['size'], attributes: ['sku', 'ean', 'weight'] },
    ],
  },
  { code: 'erp_product_color', family: 'erp_product', variant_attribute_sets: [{ level: 1, axes: ['color'], attributes: ['sku', 'size', 'ean', 'weight'] }] },
  { code: 'erp_product_size', family: 'erp_product', variant_attribute_sets: [{ level: 1, axes: ['size'], attributes: ['sku', 'color', 'ean', 'weight'] }] },
];

export function demoPim(overrides: Partial<PimStructureParts> = {}): PimStructure {
  return buildPimStructure({
    version: '7.0.0',
    edition: 'CE',
    attributes: ATTRIBUTES,
    attributeGroups: ['erp', 'marketing', 'other'],
    families: [
      { code: 'erp_product', attribute_as_label: 'name', attributes: FAMILY_ATTRS },
      { code: 'plain', attribute_as_label: 'sku', attributes: ['sku', 'name', 'ean'] },
    ],
    familyVariants: FAMILY_VARIANTS,
    channels: [
      { code: 'ecommerce', currencies: ['EUR', 'USD'], locales: ['en_US', 'fr_FR', 'de_DE'], category_tree: 'master' },
      { code: 'mobile', currencies: ['EUR'], locales: ['en_US', 'fr_FR'], category_tree: 'master' },
    ],
    locales: ['en_US', 'fr_FR', 'de_DE'],
    currencies: ['EUR', 'USD'],
    measurementFamilies: MEASUREMENT_FAMILIES,
    options: [
      { code: 'red', attribute: 'color', labels: { en_US: 'Red' } },
      { code: 'blue', attribute: 'color', labels: { en_US: 'Blue' } },
      { code: 'S', attribute: 'size' },
      { code: 'M', attribute: 'size' },
      { code: 'L', attribute: 'size' },
      { code: 'acme', attribute: 'brand' },
      { code: 'cotton', attribute: 'materials' },
      { code: 'wool', attribute: 'materials' },
    ],
    categories: ['master'],
    ...overrides,
  });
}

export const loc = (values: Record<string, string>): FieldValue => ({ kind: 'localized', values });
export const qty = (amount: string, unit: string): FieldValue => ({ kind: 'quantity', amount, unit });

export function item(key: string, fields: Record<string, FieldValue>, extra: Partial<ErpRecord> = {}): ErpRecord {
  return { stream: 'items', key, updatedAt: '2026-01-01T00:00:00Z', fields, ...extra };
}
