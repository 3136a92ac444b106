/**
 * Akeneo's catalog model as the REST API exchanges it.
 *
 * This is the one module shared by the REST client (src/akeneo) and the PIM sandbox
 * (src/sandbox): plain data types, no behaviour. Add types here append-only; keep
 * them faithful to the API's JSON (snake_case keys as Akeneo sends them).
 */

export type AttributeType =
  | 'pim_catalog_identifier'
  | 'pim_catalog_text'
  | 'pim_catalog_textarea'
  | 'pim_catalog_number'
  | 'pim_catalog_metric'
  | 'pim_catalog_price_collection'
  | 'pim_catalog_boolean'
  | 'pim_catalog_date'
  | 'pim_catalog_simpleselect'
  | 'pim_catalog_multiselect'
  | 'pim_catalog_file'
  | 'pim_catalog_image'
  | 'pim_reference_data_simpleselect'
  | 'pim_reference_data_multiselect'
  | 'akeneo_reference_entity'
  | 'akeneo_reference_entity_collection'
  | 'pim_catalog_asset_collection'
  | 'pim_catalog_table'
  | 'pim_catalog_product_link';

export type Labels = Record<string, string | null>;

/** One entry of a product value list: `values.<attr>[i]`. */
export interface ValueEntry<D = unknown> {
  locale: string | null;
  scope: string | null;
  data: D;
}
export type Values = Record<string, ValueEntry[]>;

export interface MetricData {
  amount: number | string | null;
  unit: string | null;
}
export interface PriceData {
  amount: number | string | null;
  currency: string;
}

export interface Channel {
  code: string;
  currencies: string[];
  locales: string[];
  category_tree: string;
  conversion_units?: Record<string, string>;
  labels?: Labels;
}
export interface Locale {
  code: string;
  enabled: boolean;
}
export interface Currency {
  code: string;
  enabled: boolean;
  label?: string;
}
export interface MeasurementUnit {
  code: string;
  labels?: Labels;
  convert_from_standard: { operator: string; value: string }[];
  symbol?: string;
}
export interface MeasurementFamily {
  code: string;
  labels?: Labels;
  standard_unit_code: string;
  units: Record<string, MeasurementUnit>;
}
export interface AttributeGroup {
  code: string;
  sort_order?: number;
  attributes?: string[];
  labels?: Labels;
}
export interface Attribute {
  code: string;
  type: AttributeType;
  group: string;
  labels?: Labels;
  localizable?: boolean;
  scopable?: boolean;
  unique?: boolean;
  sort_order?: number;
  available_locales?: string[];
  useable_as_grid_filter?: boolean;
  max_characters?: number | null;
  validation_rule?: string | null;
  validation_regexp?: string | null;
  wysiwyg_enabled?: boolean | null;
  number_min?: string | null;
  number_max?: string | null;
  decimals_allowed?: boolean | null;
  negative_allowed?: boolean | null;
  metric_family?: string | null;
  default_metric_unit?: string | null;
  date_min?: string | null;
  date_max?: string | null;
  allowed_extensions?: string[];
  max_file_size?: string | null;
  reference_data_name?: string | null;
  default_value?: unknown;
  /** EE/SaaS: read-only attributes cannot be edited in the PIM UI. */
  is_read_only?: boolean;
  [extra: string]: unknown;
}
export interface AttributeOption {
  code: string;
  attribute: string;
  sort_order?: number;
  labels?: Labels;
}
export interface Family {
  code: string;
  attribute_as_label: string;
  attribute_as_image?: string | null;
  attributes: string[];
  attribute_requirements?: Record<string, string[]>;
  labels?: Labels;
}
export interface VariantAttributeSet {
  level: number;
  axes: string[];
  attributes: string[];
}
export interface FamilyVariant {
  code: string;
  family?: string;
  labels?: Labels;
  variant_attribute_sets: VariantAttributeSet[];
}
export interface Category {
  code: string;
  parent: string | null;
  labels?: Labels;
  updated?: string;
  position?: number;
}
export interface AssociationType {
  code: string;
  labels?: Labels;
  is_quantified?: boolean;
  is_two_way?: boolean;
}
export type Associations = Record<
  string,
  { products?: string[]; product_uuids?: string[]; product_models?: string[]; groups?: string[] }
>;

/** A product as written through /products-uuid (uuid) or /products (identifier). */
export interface Product {
  uuid?: string;
  identifier?: string;
  enabled?: boolean;
  family?: string | null;
  categories?: string[];
  groups?: string[];
  parent?: string | null;
  values?: Values;
  associations?: Associations;
  quantified_associations?: Record<string, unknown>;
  created?: string;
  updated?: string;
  [extra: string]: unknown;
}
export interface ProductModel {
  code: string;
  family?: string;
  family_variant: string;
  parent?: string | null;
  categories?: string[];
  values?: Values;
  associations?: Associations;
  created?: string;
  updated?: string;
  [extra: string]: unknown;
}
export interface MediaFile {
  code: string;
  original_filename: string;
  mime_type: string;
  size: number;
  extension: string;
  _links?: { download: { href: string } };
}
export interface SystemInformation {
  version: string;
  edition: string;
}

/** One item of the `errors` list in a 422 body. */
export interface ValidationErrorItem {
  property?: string;
  message: string;
  attribute?: string;
  locale?: string | null;
  scope?: string | null;
  [extra: string]: unknown;
}
/** Akeneo's error envelopes: plain `{code,message}`, documented (+`_links`), violation (+`errors`). */
export interface ErrorBody {
  code: number;
  message: string;
  errors?: ValidationErrorItem[];
  _links?: { documentation?: { href: string } };
}
/** One line of a collection PATCH response. */
export interface BatchResponseLine {
  line: number;
  uuid?: string;
  identifier?: string;
  code?: string;
  status_code: number;
  message?: string;
  errors?: ValidationErrorItem[];
}
export interface PageLinks {
  self: { href: string };
  first?: { href: string };
  previous?: { href: string };
  next?: { href: string };
}
export interface Page<T> {
  _links: PageLinks;
  current_page?: number;
  items_count?: number;
  _embedded: { items: T[] };
}
