/**
 * What the mapping produces and the sync engine consumes: Akeneo-shaped payloads that
 * still know which ERP record they came from, plus per-record errors in business words.
 * Owned by src/mapping; src/sync depends on it, never the reverse.
 */
import type { Labels, Values } from '../akeneo/model.js';

/** Where a mapped entity came from: the ERP stream and key. */
export interface Origin {
  stream: 'items' | 'groups' | 'categories' | 'attributes';
  key: string;
  updatedAt: string | null;
}

export interface MappedOption {
  kind: 'option';
  attribute: string;
  code: string;
  labels: Labels;
  /** The ERP value that produced it (for reports). */
  erpValue: string;
}

export interface MappedCategory {
  kind: 'category';
  origin: Origin;
  code: string;
  parent: string | null;
  labels: Labels;
}

export interface MappedProductModel {
  kind: 'product_model';
  origin: Origin;
  code: string;
  family: string;
  familyVariant: string;
  /** null for a root model, the root's code for a sub-model. */
  parent: string | null;
  categories?: string[];
  /** Only the values that live at this model's level, only ERP-owned attributes. */
  values: Values;
}

export interface MappedProduct {
  kind: 'product';
  origin: Origin;
  /** The identifier attribute's value (the SKU). */
  identifier: string;
  family: string | null;
  /** Parent product model code for a variant, null for a simple product. */
  parent: string | null;
  categories?: string[];
  enabled?: boolean;
  /** Only ERP-owned attributes, at the variant level; includes the identifier attribute. */
  values: Values;
}

export type MappedEntity = MappedCategory | MappedProductModel | MappedProduct;

export type MappingErrorKind =
  | 'not_a_number'
  | 'decimals_not_allowed'
  | 'out_of_range'
  | 'unknown_unit'
  | 'invalid_date'
  | 'too_long'
  | 'invalid_code'
  | 'missing_option'
  | 'invalid_boolean'
  | 'hot_data'
  | 'missing_required'
  | 'duplicate_axis_combination'
  | 'missing_axis_value'
  | 'unknown_attribute'
  | 'invalid_value';

/** A value that could not be mapped. Names the record, the field, the value and the fix. */
export interface MappingError {
  kind: MappingErrorKind;
  origin: Origin;
  /** SKU or code the user knows the record by. */
  recordLabel: string;
  erpField?: string;
  attribute?: string;
  locale?: string | null;
  scope?: string | null;
  value?: unknown;
  message: string;
  fix: string;
  /** true: the whole record is held back; false: only this value is dropped and the rest is sent. */
  blocksRecord: boolean;
}
