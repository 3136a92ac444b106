/**
 * Contract between the sandbox's HTTP side (routes + store, src/sandbox/*) and its rules
 * (pure validation + merge, src/sandbox/rules/*).
 *
 * The store implements CatalogView; the rules read the catalog only through it and never
 * mutate what it returns. The rules return the complete new state of an entity (or an
 * Akeneo error body); the store persists that value as-is and answers 201/204 + Location.
 *
 * Append-only: existing names never change.
 */
import type {
  AssociationType,
  Attribute,
  AttributeGroup,
  AttributeOption,
  Category,
  Channel,
  Currency,
  ErrorBody,
  Family,
  FamilyVariant,
  Locale,
  MeasurementFamily,
  Product,
  ProductModel,
} from '../../akeneo/model.js';

/** A product group (`groups` of a product), as /api/rest/v1 has no write endpoint for them. */
export interface ProductGroup {
  code: string;
  type: string;
  labels?: Record<string, string | null>;
}

/**
 * Read-only lookups into the sandbox's current state. Lookups return undefined when absent.
 * Returned objects are the stored ones: treat them as immutable.
 *
 * Stored product shape (what productByUuid/productByIdentifier return and what
 * applyProductWrite must return): `uuid` (string), `identifier` (string equal to the identifier
 * attribute's value, or absent/undefined when the product has none; rendered as null), `enabled`, `family`, `categories`, `groups`, `parent`,
 * `values` (INCLUDING the identifier attribute's value, as /products-uuid shows it),
 * `associations`, `quantified_associations`, `created`, `updated`.
 * Stored product model shape: as GET /product-models/{code} shows it.
 *
 * Two storage conventions the routes rely on:
 * - OWN values only: a variant product / sub product model stores the values of its own level;
 *   the routes add ancestors' values (and categories) when rendering a GET, as Akeneo shows them.
 * - Associations are stored in the /products-uuid form: `associations.<TYPE>.products` holds
 *   product UUIDS, `quantified_associations.<TYPE>.products` holds `{uuid, quantity}`. The routes
 *   translate to identifiers for /products responses; the rules translate identifiers to uuids
 *   on writes through /products (ctx.endpoint === 'identifier').
 */
export interface CatalogView {
  attribute(code: string): Attribute | undefined;
  attributes(): readonly Attribute[];
  /** Options of one attribute, in sort order. */
  attributeOptions(attribute: string): readonly AttributeOption[];
  /** Option lookup; `code` is matched case-insensitively (Akeneo does). */
  option(attribute: string, code: string): AttributeOption | undefined;
  family(code: string): Family | undefined;
  familyVariant(family: string, code: string): FamilyVariant | undefined;
  /** Family variant codes are unique across families. */
  familyVariantByCode(code: string): FamilyVariant | undefined;
  /** The family variants of one family (Akeneo's FamilyInterface::getFamilyVariants()). */
  variantsOfFamily(family: string): readonly FamilyVariant[];
  channel(code: string): Channel | undefined;
  channels(): readonly Channel[];
  locale(code: string): Locale | undefined;
  /** Codes of enabled locales (those used by at least one channel). */
  activeLocales(): readonly string[];
  currency(code: string): Currency | undefined;
  measurementFamily(code: string): MeasurementFamily | undefined;
  category(code: string): Category | undefined;
  associationType(code: string): AssociationType | undefined;
  group(code: string): ProductGroup | undefined;
  productModel(code: string): ProductModel | undefined;
  productByUuid(uuid: string): Product | undefined;
  /** Case-insensitive, as Akeneo's identifier lookup is. */
  productByIdentifier(identifier: string): Product | undefined;
  /** Code of the `pim_catalog_identifier` attribute (e.g. `sku`). */
  identifierAttribute(): string;
  /** Direct children (sub product models) of a product model. */
  productModelsChildren(code: string): readonly ProductModel[];
  /**
   * Variant products whose `parent` is this product model. With `onlyValuesOf`, a product may
   * carry just those attributes' values (the store then parses no others: the axis check runs
   * for every variant written, over all its siblings).
   */
  productsOfModel(code: string, onlyValuesOf?: readonly string[]): readonly Product[];

  // --- additions beyond the brief's minimum (append-only) ---
  attributeGroup(code: string): AttributeGroup | undefined;
  /**
   * For an attribute flagged `unique`: the uuid of the product already holding this data
   * (compared as Akeneo does, string form, case-insensitive), or undefined.
   */
  uniqueValueOwner(attribute: string, data: unknown): string | undefined;
  /** EE: a record of a reference entity (code case-insensitive), for akeneo_reference_entity values. */
  referenceEntityRecord(referenceEntity: string, code: string): { code: string } | undefined;
  /** EE: an asset of an asset family (code case-insensitive), for pim_catalog_asset_collection values. */
  asset(assetFamily: string, code: string): { code: string } | undefined;
  /** A media file uploaded through /media-files (file/image values hold its code). */
  mediaFile(code: string): { code: string; original_filename: string } | undefined;
}

/**
 * `created` tells the store which status to answer (201 vs 204). `changed` (optional) lets the
 * rules say a PATCH changed nothing, so the store keeps `updated` as it was; absent = changed.
 */
export type RuleResult<T> =
  | { ok: true; value: T; created: boolean; changed?: boolean }
  | { ok: false; status: number; body: ErrorBody };

export interface ProductWriteContext {
  /** /products-uuid (`uuid`) or /products (`identifier`). */
  endpoint: 'uuid' | 'identifier';
  method: 'POST' | 'PATCH';
  /** The key from the URL (uuid or identifier) for PATCH /…/{key}, or the line's key in a collection PATCH. */
  urlKey?: string;
  /**
   * A fresh v4 uuid the rules use when they create a product that has none.
   * `now` is the ISO-8601 timestamp (Akeneo format, e.g. 2024-01-02T03:04:05+00:00)
   * for created/updated. The rules set `created`/`updated` themselves (keeping `updated`
   * unchanged when the write changed nothing) and return `uuid` set.
   */
  newUuid: string;
  now: string;
  /**
   * false before 7.0 (no uuid products): /products then answers as 5.0/6.0 did — a missing or
   * empty identifier is the violation "The identifier attribute cannot be empty." (not 7.x's
   * "… please use products-uuid endpoints"), and `uuid` in a body is an unknown property.
   * Default true.
   */
  uuidProducts?: boolean;
  /** 5.0's texts for a value whose locale/scope does not fit its attribute (see values.ts). Default false. */
  valueMessagesBefore6?: boolean;
}

export interface ProductModelWriteContext {
  method: 'POST' | 'PATCH';
  urlKey?: string;
  /** As ProductWriteContext.valueMessagesBefore6. */
  valueMessagesBefore6?: boolean;
  now: string;
}

export type StructureKind =
  | 'attribute'
  | 'attribute_option'
  | 'family'
  | 'family_variant'
  | 'category'
  | 'channel'
  | 'attribute_group'
  | 'association_type'
  | 'measurement_family';

export interface StructureEntities {
  attribute: Attribute;
  attribute_option: AttributeOption;
  family: Family;
  family_variant: FamilyVariant;
  category: Category;
  channel: Channel;
  attribute_group: AttributeGroup;
  association_type: AssociationType;
  measurement_family: MeasurementFamily;
}

export interface StructureWriteContext {
  method: 'POST' | 'PATCH';
  /** The code from the URL. */
  urlKey?: string;
  /** The enclosing entity's code: the attribute for options, the family for family variants. */
  parentKey?: string;
  now?: string;
  /** Attribute properties this edition's updater does not know (CE: is_read_only): "Property … does not exist." */
  unknownProperties?: readonly string[];
  /** Attribute types this edition's registry does not have (CE: reference entity, asset, table types). */
  unknownAttributeTypes?: readonly string[];
}

export type ApplyProductWrite = (
  view: CatalogView,
  existing: Product | null,
  patch: unknown,
  ctx: ProductWriteContext,
) => RuleResult<Product>;

export type ApplyProductModelWrite = (
  view: CatalogView,
  existing: ProductModel | null,
  patch: unknown,
  ctx: ProductModelWriteContext,
) => RuleResult<ProductModel>;

export type ApplyStructureWrite = <K extends StructureKind>(
  kind: K,
  view: CatalogView,
  existing: StructureEntities[K] | null,
  patch: unknown,
  ctx: StructureWriteContext,
) => RuleResult<StructureEntities[K]>;

/** What src/sandbox/rules/index.ts exports (the routes import exactly these names). */
export interface SandboxRules {
  applyProductWrite: ApplyProductWrite;
  applyProductModelWrite: ApplyProductModelWrite;
  applyStructureWrite: ApplyStructureWrite;
}

/**
 * Added by the rules (append-only). Optional so existing CatalogView implementations still
 * compile; implement it so new products carry an empty entry for every association type, as
 * Akeneo's GET shows them (otherwise the routes must add them when rendering).
 *
 * Storage note for product models: like products, `associations.<TYPE>.products` of a stored
 * product model holds product UUIDS (identifiers can be renamed); routes translate for GET.
 */
// Declaration merging: these optional lookups extend CatalogView itself.
export interface CatalogView {
  associationTypes?(): readonly AssociationType[];
  /** Every locale (enabled or not), to resolve label locale codes case-insensitively. */
  locales?(): readonly Locale[];
  /** Acme reference data (pim_reference_data_* attributes): undefined = not checked. */
  referenceData?(name: string, code: string): { code: string } | undefined | null;
}
