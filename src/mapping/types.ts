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
  | 'invalid_value'
  /** The family (or family variant) an item resolves to does not exist in the PIM. */
  | 'unknown_family'
  /**
   * A warning: an item's value for a model-level attribute converts cleanly but differs from the one
   * its product model took (the model carries one value for all its variants).
   */
  | 'model_value_conflict';

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
  /** What the attribute accepts, in business words (added by mapping; optional for other producers). */
  expected?: string;
  /** true: the whole record is held back; false: only this value is dropped and the rest is sent. */
  blocksRecord: boolean;
}

// ---------------------------------------------------------------------------
// Added by the mapping module (append-only). The Mapper contract from common.md.
// ---------------------------------------------------------------------------
import type {
  Attribute,
  AttributeOption,
  Channel,
  Family,
  FamilyVariant,
  MeasurementFamily,
} from '../akeneo/model.js';
import type { ErpRecord, StreamDescription } from '../erp/port.js';

/**
 * The live PIM structure the mapper needs, loaded once per run by loadPimStructure(client).
 * Maps keyed by code; `options` only holds select attributes Ferry maps.
 */
export interface PimStructure {
  /** e.g. "7.0" / "20240415"; null when unknown. */
  version: string | null;
  /** "CE", "EE", "Serenity", "GE", … ; null when unknown. Read-only attributes need EE/SaaS. */
  edition: string | null;
  /** Code of the main identifier attribute (usually `sku`). */
  identifierAttribute: string;
  attributes: ReadonlyMap<string, Attribute>;
  attributeGroups: ReadonlySet<string>;
  families: ReadonlyMap<string, Family>;
  /** Family variant code → family variant (with `family` filled in). */
  familyVariants: ReadonlyMap<string, FamilyVariant & { family: string }>;
  channels: ReadonlyMap<string, Channel>;
  /** Active (enabled) locale codes. */
  locales: ReadonlySet<string>;
  /** Every locale the PIM knows, active or not (Akeneo ships ~210, active once a channel uses one); empty when unknown. */
  knownLocales?: ReadonlySet<string>;
  /** Enabled currency codes. */
  currencies: ReadonlySet<string>;
  measurementFamilies: ReadonlyMap<string, MeasurementFamily>;
  /** Attribute code → option code (as stored, canonical case) → option. */
  options: ReadonlyMap<string, ReadonlyMap<string, AttributeOption>>;
  /** Existing category codes (roots included). */
  categories: ReadonlySet<string>;
}

/**
 * A media value the mapper could not resolve to an Akeneo media-file code itself.
 * The sync engine reads the source, hashes it, uploads once per content hash
 * (client.mediaFiles.upload sets the value on the owner) and reuses the code for
 * every other owner with the same hash (see src/mapping/media.ts).
 */
export interface MediaUploadRequest {
  owner: { kind: 'product'; identifier: string } | { kind: 'product_model'; code: string };
  attribute: string;
  locale: string | null;
  scope: string | null;
  /** File path (relative to the ERP's media root) or http(s) URL, as the ERP gave it. */
  source: string;
  origin: Origin;
}

/** A code changed to fit Akeneo's pattern; reported so the change is visible and reversible. */
export interface CodeNormalisation {
  kind: 'attribute' | 'option' | 'category' | 'family' | 'product_model';
  /** Attribute code, for options. */
  attribute?: string;
  original: string;
  normalised: string;
}

export interface MappingResult {
  entities: MappedEntity[];
  missingOptions: MappedOption[];
  errors: MappingError[];
  /** Media values still to upload (absent or empty when none). */
  mediaUploads?: MediaUploadRequest[];
  /** Codes normalised while mapping this batch (each distinct change once per mapper). */
  codeChanges?: CodeNormalisation[];
}

/** An option as the ERP labels it (Mapper.mapOptionLabels), with what the PIM has now. */
export interface LabelledOption extends MappedOption {
  /** The PIM option's labels when the PIM has the option (its code in the PIM's case), else null. */
  current: Labels | null;
}

export interface Mapper {
  /** Attributes Ferry writes; anything else in the PIM is left alone. */
  ownedAttributes: ReadonlySet<string>;
  identifierAttribute: string;
  /** Returns parents before children. */
  mapCategories(records: ErpRecord[]): MappingResult;
  /** The caller passes ALL items of a group together. */
  mapItems(items: ErpRecord[], groups: ReadonlyMap<string, ErpRecord>): MappingResult;
  /**
   * The options of the ERP-owned select attributes as the ERP labels them (describe()'s
   * optionLabels): one per option that has a label in a locale the PIM accepts. Optional: a mapper
   * without it leaves option labels as they are.
   */
  mapOptionLabels?(description: readonly StreamDescription[]): LabelledOption[];
}

/**
 * Resolves media sources the sync engine already uploaded (by source → media-file code),
 * so unchanged media are not re-uploaded. Synchronous: backed by the state store's cache.
 */
export interface MediaResolver {
  lookup(source: string): string | undefined;
}
