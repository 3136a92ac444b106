/**
 * Product writes (POST/PATCH on /products and /products-uuid), following the order of checks of
 * Akeneo's ProductController (see validation-messages.md §2): identifier presence, payload format,
 * duplicates, URL/body mismatch, attribute filter, simple→variant conversion, updater errors,
 * then every validation violation at once.
 */
import type { Associations, Product, ProductModel, ValidationErrorItem, Values } from '../../akeneo/model.js';
import { applyAssociations, applyQuantifiedAssociations, emptyAssociations } from './associations.js';
import { isEmptyData, READ_ONLY_FIELDS, readCategories, readScalar, readStringList, sameJson } from './common.js';
import type { CatalogView, ProductWriteContext, RuleResult } from './contract.js';
import { documented, fieldViolation, guard, linked, plain, violations } from './errors.js';
import { gettype, isPlainObject } from './php.js';
import { buildValue, mergeValues, pickValues, validateValue, validateValues, type BuiltValue } from './values.js';
import { readValuesPayload, type RawValue } from './values-format.js';
import {
  attributesOfLevel,
  axisCombination,
  axisData,
  axisKey,
  inheritedCategories,
  inheritedValues,
  levelCount,
  modelLevel,
  variantSet,
} from './variants.js';

const API_REFERENCE = 'http://api.akeneo.com/api-reference.html#';
const IDENTIFIER_REQUIRED =
  'Validation failed. The identifier field is required for this endpoint. If you want to manipulate products without identifiers, please use products-uuid endpoints.';
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/**
 * Before 7.0 /products had no special check for a missing identifier: the controller wrote it
 * (null) as the identifier value and validation refused it with this violation (akeneo/pim-community-dev
 * at 6.0, b4605f26e0: CreateProductEndToEnd::testResponseWhenIdentifierIsNotFilled,
 * PartialUpdateProductEndToEnd::testProductPartialUpdateWithTheIdentifierUpdatedWithNull).
 */
const IDENTIFIER_EMPTY_BEFORE_7 = 'The identifier attribute cannot be empty.';

function anchorFor(ctx: ProductWriteContext): string {
  if (ctx.endpoint === 'identifier') return ctx.method === 'POST' ? 'post_products' : 'patch_products__code_';
  return ctx.method === 'POST' ? 'post_products_uuid' : 'patch_products_uuid__uuid_';
}

export function applyProductWrite(
  view: CatalogView,
  existing: Product | null,
  patch: unknown,
  ctx: ProductWriteContext,
): RuleResult<Product> {
  return guard(() => writeProduct(view, existing, patch, ctx));
}

function writeProduct(
  view: CatalogView,
  existing: Product | null,
  input: unknown,
  ctx: ProductWriteContext,
): RuleResult<Product> {
  const anchor = anchorFor(ctx);
  const byIdentifier = ctx.endpoint === 'identifier';
  const patch: Record<string, unknown> = Array.isArray(input) && input.length === 0 ? {} : (input as Record<string, unknown>);
  if (!isPlainObject(patch)) throw plain(400, 'Invalid json message received');
  // POST always creates: an existing product with that identifier is a duplicate (violation).
  const current = ctx.method === 'POST' ? null : existing;
  const idAttr = view.identifierAttribute();
  const before7 = ctx.uuidProducts === false;

  // 3. identifier presence on /products (7.0+; before, validation refuses it below).
  if (byIdentifier && !before7) {
    if (ctx.method === 'POST' && (!('identifier' in patch) || patch.identifier === null || patch.identifier === '')) {
      throw linked(IDENTIFIER_REQUIRED, API_REFERENCE + 'post_products_uuid');
    }
    if (ctx.method === 'PATCH' && 'identifier' in patch && (patch.identifier === null || patch.identifier === '')) {
      throw linked(IDENTIFIER_REQUIRED, API_REFERENCE + 'patch_products_uuid__uuid_');
    }
  }

  // 4-5. payload format and duplicated values.
  const rawValues: RawValue[] = 'values' in patch ? readValuesPayload(patch.values, anchor) : [];

  // 6. URL/body key mismatch.
  if (ctx.method === 'PATCH' && ctx.urlKey !== undefined) {
    // Before 7.0 any `identifier` key counts, null too (validateCodeConsistency at 6.0 compares with !==; PHP prints null as "").
    const mismatch = before7 ? 'identifier' in patch && patch.identifier !== ctx.urlKey : typeof patch.identifier === 'string' && patch.identifier !== ctx.urlKey;
    if (byIdentifier && !current && mismatch) {
      const given = typeof patch.identifier === 'string' ? patch.identifier : patch.identifier === null || patch.identifier === undefined ? '' : String(patch.identifier);
      throw plain(422, `The identifier "${given}" provided in the request body must match the identifier "${ctx.urlKey}" provided in the url.`);
    }
    if (!byIdentifier && typeof patch.uuid === 'string' && patch.uuid.toLowerCase() !== ctx.urlKey.toLowerCase()) {
      throw plain(422, `The uuid "${patch.uuid}" provided in the request body must match the uuid "${ctx.urlKey}" provided in the url.`);
    }
  }

  // 7. unknown attributes (raised while filtering values).
  for (const raw of rawValues) {
    if (!view.attribute(raw.code)) throw documented(`The ${raw.code} attribute does not exist in your PIM.`, anchor);
  }

  // 8. simple product → variant product.
  let converted = false;
  if (current && !current.parent && typeof patch.parent === 'string' && patch.parent !== '') {
    if (!view.productModel(patch.parent)) throw plain(422, `The given product model "${patch.parent}" does not exist`);
    converted = true;
  }

  // 9. variant groups are gone since 2.0.
  if ('variant_group' in patch) {
    throw linked(
      'Property "variant_group" does not exist since the 2.0 version, please use "parent" instead. Check the expected format on the API documentation.',
      'http://api.akeneo.com/documentation/products-with-variants.html',
    );
  }

  // 10. updater.
  let uuid = current?.uuid ?? ctx.newUuid;
  // PATCH /products-uuid/{uuid} creates the product under the URL's uuid.
  if (!current && !byIdentifier && ctx.method === 'PATCH' && ctx.urlKey !== undefined) {
    if (!UUID_RE.test(ctx.urlKey)) throw documented('This is not a valid UUID.', anchor);
    uuid = ctx.urlKey.toLowerCase();
  }
  let identifier: string | null = current?.identifier ?? null;
  let identifierGiven = false;
  if (!current && byIdentifier && ctx.urlKey !== undefined && ctx.method === 'PATCH') {
    identifier = ctx.urlKey;
    identifierGiven = true;
  }
  let enabled = current?.enabled ?? true;
  let family: string | null = current?.family ?? null;
  let familyGiven = false;
  let categories = [...(current?.categories ?? [])];
  let groups = [...(current?.groups ?? [])];
  let parent: string | null = current?.parent ?? null;
  let associations: Associations = current?.associations
    ? structuredClone(current.associations)
    : emptyAssociations(view);
  let quantified = structuredClone((current?.quantified_associations ?? {}) as Record<string, unknown>);
  const assocCtx = {
    anchor,
    productKey: ctx.endpoint,
    selfUuid: uuid,
    selfIdentifier: identifier,
  } as const;

  for (const [key, raw] of Object.entries(patch)) {
    switch (key) {
      case 'identifier':
        if (typeof raw !== 'string') {
          if (raw === null && (!byIdentifier || before7)) {
            identifier = null;
            identifierGiven = true;
            break;
          }
          throw documented(`Property "identifier" expects a string as data, "${gettype(raw)}" given.`, anchor);
        }
        identifier = raw;
        identifierGiven = true;
        break;
      case 'uuid':
        // 5.0/6.0's product updater does not ignore `uuid` (updaters.yml at b4605f26e0; 7.0 added it).
        if (before7) throw documented('Property "uuid" does not exist.', anchor);
        if (typeof raw !== 'string' || !UUID_RE.test(raw)) throw documented('This is not a valid UUID.', anchor);
        if (current && raw.toLowerCase() !== current.uuid?.toLowerCase()) {
          throw documented(`Property "uuid" cannot be modified, "${raw}" given.`, anchor);
        }
        if (!current) uuid = raw.toLowerCase();
        break;
      case 'enabled':
        if (typeof raw !== 'boolean') {
          throw documented(`Property "enabled" expects a boolean as data, "${gettype(raw)}" given.`, anchor);
        }
        enabled = raw;
        break;
      case 'family': {
        const code = readScalar('family', raw, anchor);
        familyGiven = true;
        if (code === null) {
          family = null;
          break;
        }
        const f = view.family(code);
        if (!f) throw documented(`The ${code} family does not exist in your PIM.`, anchor);
        family = f.code;
        break;
      }
      case 'categories':
        categories = readCategories(view, raw, anchor, (c) => `The ${c} category does not exist in your PIM.`);
        break;
      case 'groups':
        groups = readStringList('groups', raw, anchor).map((code) => {
          const g = view.group(code);
          if (!g) {
            throw documented(`Property "groups" expects a valid group code. The group does not exist, "${code}" given.`, anchor);
          }
          return g.code;
        });
        break;
      case 'parent': {
        const code = readScalar('parent', raw, anchor);
        if (code === null) {
          parent = null;
          break;
        }
        const model = view.productModel(code);
        if (!model) {
          throw documented(
            `Property "parent" expects a valid parent code. The parent product model does not exist, "${code}" given.`,
            anchor,
          );
        }
        parent = model.code;
        break;
      }
      case 'values':
        break;
      case 'associations':
        associations = applyAssociations(view, associations, raw, assocCtx);
        break;
      case 'quantified_associations':
        quantified = applyQuantifiedAssociations(view, quantified, raw, assocCtx);
        break;
      default:
        if (READ_ONLY_FIELDS.has(key)) break;
        throw documented(`Property "${key}" does not exist.`, anchor);
    }
  }

  // Where the product sits in a family variant decides which values it may own.
  const parentModel: ProductModel | undefined = parent ? view.productModel(parent) : undefined;
  const familyVariant = parentModel ? view.familyVariantByCode(parentModel.family_variant) : undefined;
  const level = parentModel ? modelLevel(parentModel) + 1 : 0;
  const ownAttributes =
    parentModel && familyVariant ? attributesOfLevel(view, familyVariant, parentModel.family, level) : undefined;
  // Akeneo's ParentFieldSetter fills the family only when the product has none: a simple product
  // of another family attached to a model is refused below (same family as the parent).
  if (parentModel && !familyGiven && (!current || !family)) family = parentModel.family ?? family;

  let baseValues: Values = structuredClone(current?.values ?? {});
  if (current?.parent && !parent) {
    // Variant → simple: inherited values, categories and associations become the product's own.
    const formerParent = view.productModel(current.parent);
    baseValues = mergeValues(inheritedValues(view, formerParent), flatten(baseValues));
    categories = [...new Set([...inheritedCategories(view, formerParent), ...categories])];
    associations = mergeInheritedAssociations(associations, formerParent, view);
    quantified = mergeInheritedQuantified(quantified, formerParent, view);
  }
  if (ownAttributes) {
    // Akeneo filters the payload to the product's level; ancestor values are silently ignored.
    const withIdentifier = new Set(ownAttributes);
    withIdentifier.add(idAttr);
    baseValues = pickValues(baseValues, withIdentifier);
  }

  const built: BuiltValue[] = [];
  for (const raw of rawValues) {
    const attr = view.attribute(raw.code);
    if (!attr) continue;
    if (attr.code === idAttr) {
      // On /products the identifier comes from the `identifier` field (or the URL), never from values.
      if (byIdentifier) continue;
      const b = buildValue(view, attr, raw, anchor, ctx.valueMessagesBefore6);
      identifier = isEmptyData(b.data) ? null : (b.data as string);
      identifierGiven = true;
      continue;
    }
    if (ownAttributes && !ownAttributes.has(attr.code)) continue;
    built.push(buildValue(view, attr, raw, anchor, ctx.valueMessagesBefore6));
  }
  let values = mergeValues(baseValues, built);
  delete values[idAttr];
  if (identifier !== null && identifier !== '') {
    values = { [idAttr]: [{ locale: null, scope: null, data: identifier }], ...values };
  } else {
    identifier = null;
  }

  // 11. validation, in the order of Akeneo's product.yml group sequence: the "Product" group
  // (class constraints, identifier, values), then — only if it passed — unique axes, then "api"
  // (a variant product needs a family).
  const errors: ValidationErrorItem[] = [];
  if (before7 && byIdentifier && identifier === null) errors.push(fieldViolation('identifier', IDENTIFIER_EMPTY_BEFORE_7));
  if (!current && view.productByUuid(uuid)) {
    errors.push(fieldViolation('uuid', `The ${uuid} uuid is already used for another product.`));
  }
  if (identifier !== null) {
    const holder = view.productByIdentifier(identifier);
    if (holder && holder.uuid !== uuid) {
      errors.push(fieldViolation('identifier', `The ${identifier} identifier is already used for another product.`));
    }
  }
  const axes = parentModel && familyVariant ? (variantSet(familyVariant, level)?.axes ?? []) : [];
  const missingAxes = axes.filter((a) => isEmptyData(axisData(values, a)));
  if (parentModel) {
    if (family !== null && parentModel.family && family !== parentModel.family) {
      errors.push(fieldViolation('family', 'The variant product family must be the same than its parent'));
    }
    for (const axis of missingAxes) {
      errors.push(fieldViolation('attribute', `Attribute "${axis}" cannot be empty, as it is defined as an axis for this entity`));
    }
    if (familyVariant && level < levelCount(familyVariant)) {
      errors.push(
        fieldViolation(
          'parent',
          `The variant product cannot have product model "${parentModel.code}" as parent, (this product model can only have other product models as children)`,
        ),
      );
    }
    if (ownAttributes) {
      for (const code of Object.keys(values)) {
        if (!ownAttributes.has(code)) {
          errors.push(fieldViolation('attribute', `Cannot set the property "${code}" to this entity as it is not in the attribute set`));
        }
      }
    }
  }
  if (identifier !== null) {
    if (/[,;]/.test(identifier) || identifier !== identifier.trim()) {
      errors.push(fieldViolation('identifier', 'This field should not contain any comma or semicolon or leading/trailing space'));
    }
    if (/[\r\n]/.test(identifier)) errors.push(fieldViolation('identifier', 'The identifier must not contain a line break.'));
    const idAttribute = view.attribute(idAttr);
    if (idAttribute && identifierGiven) {
      for (const v of validateValue(view, idAttribute, { attribute: idAttr, locale: null, scope: null, data: identifier }, uuid, 'data')) {
        errors.push(fieldViolation('identifier', v.message));
      }
    }
  }
  const secondaryIdentifiers = built.filter((b) => b.data !== null && view.attribute(b.attribute)?.type === 'pim_catalog_identifier');
  for (const b of secondaryIdentifiers) {
    // Secondary identifier attributes: reported on `identifier`, unique across products.
    const attr = view.attribute(b.attribute);
    if (!attr) continue;
    for (const v of validateValue(view, attr, b, uuid, 'data')) errors.push(fieldViolation('identifier', v.message));
    const holder = view.uniqueValueOwner(attr.code, b.data);
    if (holder !== undefined && holder !== uuid) {
      errors.push(
        fieldViolation('identifier', `The ${String(b.data)} value is already set on another product for the ${attr.code} identifier attribute.`),
      );
    }
  }
  errors.push(...validateValues(view, built.filter((b) => !secondaryIdentifiers.includes(b)), uuid));
  if (errors.length > 0) throw violations(errors);

  if (parentModel && axes.length > 0 && missingAxes.length === 0) {
    const key = axisKey(view, axes, values);
    const twin = view.productsOfModel(parentModel.code, axes).find((p) => p.uuid !== uuid && axisKey(view, axes, p.values) === key);
    if (twin) {
      throw violations([
        fieldViolation(
          'attribute',
          `Cannot set value "${axisCombination(view, axes, values)}" for the attribute axis "${axes.join(',')}" on variant product "${identifier ?? uuid}", as the variant product "${twin.identifier ?? twin.uuid}" already has this value`,
        ),
      ]);
    }
  }
  if (parentModel && family === null) {
    throw violations([
      fieldViolation(
        'family',
        `The family cannot be "null" because your product with the ${identifier ?? uuid} identifier is a variant product.`,
      ),
    ]);
  }

  const product: Product = {
    uuid,
    ...(identifier !== null ? { identifier } : {}),
    enabled,
    family,
    categories,
    groups,
    parent,
    values,
    created: current?.created ?? ctx.now,
    updated: ctx.now,
    associations,
    quantified_associations: quantified,
  };
  const changed = !current || converted || !sameJson(stripTimes(product), stripTimes(current));
  if (!changed && current) product.updated = current.updated ?? ctx.now;
  return { ok: true, value: product, created: !current || converted, changed };
}

function stripTimes(p: Product): Product {
  const { created: _c, updated: _u, ...rest } = p;
  return { ...rest, identifier: rest.identifier ?? undefined };
}

function flatten(values: Values): BuiltValue[] {
  const out: BuiltValue[] = [];
  for (const [attribute, list] of Object.entries(values)) {
    for (const e of list) out.push({ attribute, locale: e.locale, scope: e.scope, data: e.data });
  }
  return out;
}

function mergeInheritedAssociations(own: Associations, model: ProductModel | undefined, view: CatalogView): Associations {
  const out = structuredClone(own);
  let current = model;
  let depth = 0;
  while (current && depth++ < 3) {
    for (const [type, a] of Object.entries(current.associations ?? {})) {
      const entry = out[type] ?? { products: [], product_models: [], groups: [] };
      entry.products = [...new Set([...(a.products ?? []), ...(entry.products ?? [])])];
      entry.product_models = [...new Set([...(a.product_models ?? []), ...(entry.product_models ?? [])])];
      entry.groups = [...new Set([...(a.groups ?? []), ...(entry.groups ?? [])])];
      out[type] = entry;
    }
    current = current.parent ? view.productModel(current.parent) : undefined;
  }
  return out;
}

type QuantifiedLinks = Record<string, { products?: { uuid?: string; quantity: number }[]; product_models?: { code?: string; quantity: number }[] }>;

/**
 * Variant → simple (Akeneo's RemoveParent::mergeQuantifiedAssociations): the product's quantified
 * associations merged with each ancestor's, parent first, with array_replace_recursive on links
 * indexed by target: an ancestor's quantity for a target the product also links replaces it.
 */
function mergeInheritedQuantified(own: Record<string, unknown>, model: ProductModel | undefined, view: CatalogView): Record<string, unknown> {
  const out = structuredClone(own) as QuantifiedLinks;
  let current = model;
  let depth = 0;
  while (current && depth++ < 3) {
    for (const [type, links] of Object.entries((current.quantified_associations ?? {}) as QuantifiedLinks)) {
      const entry = (out[type] ??= { products: [], product_models: [] });
      const merge = <L extends { quantity: number }>(mine: L[] | undefined, theirs: L[] | undefined, key: (l: L) => string | undefined): L[] => {
        const list = [...(mine ?? [])];
        for (const link of theirs ?? []) {
          const at = list.findIndex((l) => key(l) === key(link));
          if (at >= 0) list[at] = { ...link };
          else list.push({ ...link });
        }
        return list;
      };
      entry.products = merge(entry.products, links.products, (l) => l.uuid);
      entry.product_models = merge(entry.product_models, links.product_models, (l) => l.code);
    }
    current = current.parent ? view.productModel(current.parent) : undefined;
  }
  return out;
}
