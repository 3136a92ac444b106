/**
 * Product model writes (POST/PATCH on /product-models), mirroring Akeneo's
 * ProductModelController: its own texts for unknown attributes/properties, immutable
 * family_variant and parent, root/sub-model rules, axis values unique among siblings.
 */
import type { Associations, ProductModel, ValidationErrorItem, Values } from '../../akeneo/model.js';
import { applyAssociations, applyQuantifiedAssociations, emptyAssociations } from './associations.js';
import { isEmptyData, READ_ONLY_FIELDS, readCategories, readScalar, sameJson } from './common.js';
import type { CatalogView, ProductModelWriteContext, RuleResult } from './contract.js';
import { documented, fieldViolation, guard, plain, violations } from './errors.js';
import { isPlainObject, sameCode } from './php.js';
import { buildValue, mergeValues, pickValues, validateValues, type BuiltValue } from './values.js';
import { readValuesPayload } from './values-format.js';
import { attributesOfLevel, axisCombination, axisData, axisKey, axisValueString, levelCount, variantSet } from './variants.js';

export function applyProductModelWrite(
  view: CatalogView,
  existing: ProductModel | null,
  patch: unknown,
  ctx: ProductModelWriteContext,
): RuleResult<ProductModel> {
  return guard(() => writeProductModel(view, existing, patch, ctx));
}

function writeProductModel(
  view: CatalogView,
  existing: ProductModel | null,
  input: unknown,
  ctx: ProductModelWriteContext,
): RuleResult<ProductModel> {
  const anchor = ctx.method === 'POST' ? 'post_product_models' : 'patch_product_models__code_';
  const patch: Record<string, unknown> = Array.isArray(input) && input.length === 0 ? {} : (input as Record<string, unknown>);
  if (!isPlainObject(patch)) throw plain(400, 'Invalid json message received');
  const current = ctx.method === 'POST' ? null : existing;

  const rawValues = 'values' in patch ? readValuesPayload(patch.values, anchor) : [];

  if (ctx.method === 'PATCH' && ctx.urlKey !== undefined && typeof patch.code === 'string' && patch.code !== ctx.urlKey) {
    throw plain(422, `The code "${patch.code}" provided in the request body must match the code "${ctx.urlKey}" provided in the url.`);
  }
  for (const raw of rawValues) {
    if (!view.attribute(raw.code)) throw documented(`Property "${raw.code}" does not exist.`, anchor);
  }

  let code: string = current?.code ?? (ctx.method === 'PATCH' ? (ctx.urlKey ?? '') : '');
  let familyVariantCode: string | null = current?.family_variant ?? null;
  let familyVariantGiven = false;
  let familyGiven: string | null = null;
  let parent: string | null = current?.parent ?? null;
  let categories = [...(current?.categories ?? [])];
  let associations: Associations = current?.associations ? structuredClone(current.associations) : emptyAssociations(view);
  let quantified = structuredClone((current?.quantified_associations ?? {}) as Record<string, unknown>);

  for (const [key, raw] of Object.entries(patch)) {
    switch (key) {
      case 'code':
        if (raw !== null && typeof raw !== 'string') {
          throw documented(`Property "code" expects a scalar as data, "array" given.`, anchor);
        }
        if (!current) code = raw ?? '';
        break;
      case 'family_variant': {
        if (raw === null || raw === '') throw documented('Property "family_variant" does not expect an empty value.', anchor);
        const given = readScalar('family_variant', raw, anchor) ?? '';
        if (current) {
          if (!sameCode(given, current.family_variant)) {
            throw documented(`Property "family_variant" cannot be modified, "${given}" given.`, anchor);
          }
          break;
        }
        const fv = view.familyVariantByCode(given);
        if (!fv) {
          throw documented(
            `Property "family_variant" expects a valid family variant code. The family variant does not exist, "${given}" given.`,
            anchor,
          );
        }
        familyVariantCode = fv.code;
        familyVariantGiven = true;
        break;
      }
      case 'family':
        familyGiven = readScalar('family', raw, anchor);
        break;
      case 'parent': {
        const given = readScalar('parent', raw, anchor);
        if (current) {
          if (!sameCode(given, current.parent ?? null)) {
            if (!current.parent || given === null) {
              throw documented(`Property "parent" cannot be modified, "${given ?? 'NULL'}" given.`, anchor);
            }
            parent = checkParent(view, given, anchor).code;
          }
          break;
        }
        parent = given === null ? null : checkParent(view, given, anchor).code;
        break;
      }
      case 'categories':
        categories = readCategories(
          view,
          raw,
          anchor,
          (c) => `Property "categories" expects a valid category code. The category does not exist, "${c}" given.`,
        );
        break;
      case 'values':
        break;
      case 'associations':
        associations = applyAssociations(view, associations, raw, { anchor, productKey: 'identifier', selfModelCode: code });
        break;
      case 'quantified_associations':
        quantified = applyQuantifiedAssociations(view, quantified, raw, { anchor, productKey: 'identifier', selfModelCode: code });
        break;
      default:
        if (READ_ONLY_FIELDS.has(key)) break;
        throw documented(`Property "${key}" does not exist.`, anchor);
    }
  }

  const parentModel = parent ? view.productModel(parent) : undefined;
  if (parentModel) {
    if (!familyVariantGiven && !current) familyVariantCode = parentModel.family_variant;
    if (familyVariantCode && !sameCode(familyVariantCode, parentModel.family_variant)) {
      throw documented(
        `The parent is not a product model of the family variant "${familyVariantCode}" but belongs to the family "${parentModel.family_variant}".`,
        anchor,
      );
    }
  }
  const familyVariant = familyVariantCode ? view.familyVariantByCode(familyVariantCode) : undefined;
  const familyCode = familyVariant?.family ?? parentModel?.family ?? current?.family ?? null;
  if (familyGiven !== null && familyVariant && familyCode && !sameCode(familyGiven, familyCode)) {
    throw documented(`The family "${familyGiven}" does not match the family of the variant "${familyVariant.code}".`, anchor);
  }

  const level = parent ? 1 : 0;
  const own = familyVariant ? attributesOfLevel(view, familyVariant, familyCode ?? undefined, level) : undefined;
  const built: BuiltValue[] = [];
  for (const raw of rawValues) {
    const attr = view.attribute(raw.code);
    if (!attr) continue;
    if (own && !own.has(attr.code)) continue; // values of other levels are silently ignored
    built.push(buildValue(view, attr, raw, anchor, ctx.valueMessagesBefore6));
  }
  let values: Values = mergeValues(current?.values, built);
  if (own) values = pickValues(values, own);

  // Validation in the order of Akeneo's productmodel.yml group sequence: the "ProductModel"
  // group (class constraints, code, family variant, values), then — only if it passed — unique axes.
  const errors: ValidationErrorItem[] = [];
  if (parentModel && familyVariant && levelCount(familyVariant) < 2) {
    errors.push(fieldViolation('parent', `The product model "${code}" cannot have a parent`));
  }
  const axes = parentModel && familyVariant && levelCount(familyVariant) >= 2 ? (variantSet(familyVariant, 1)?.axes ?? []) : [];
  if (current?.parent) {
    for (const axis of axes) {
      const before = axisData(current.values, axis);
      const after = axisData(values, axis);
      if (!isEmptyData(before) && !sameJson(before, after)) {
        errors.push(
          fieldViolation(
            'attribute',
            `Variant axis "${axis}" cannot be modified, "${axisValueString(view.attribute(axis), after)}" given`,
          ),
        );
      }
    }
  }
  const missing = axes.filter((a) => isEmptyData(axisData(values, a)));
  for (const axis of missing) {
    errors.push(fieldViolation('attribute', `Attribute "${axis}" cannot be empty, as it is defined as an axis for this entity`));
  }
  if (!current && code !== '' && view.productModel(code)) {
    errors.push(fieldViolation('code', 'The same code is already set on another product model.'));
  }
  if (code === '') errors.push(fieldViolation('code', 'The product model code must not be empty.'));
  else if (/[,;]/.test(code) || code !== code.trim()) {
    errors.push(fieldViolation('code', 'This field should not contain any comma or semicolon or leading/trailing space'));
  }
  if (code.length > 255) errors.push(fieldViolation('code', 'This value is too long. It should have 255 characters or less.'));
  if (!familyVariantCode) {
    errors.push(fieldViolation('family_variant', 'The product model family variant must not be empty.'));
  }
  errors.push(...validateValues(view, built));
  if (errors.length > 0) throw violations(errors);

  if (parentModel && axes.length > 0 && missing.length === 0) {
    const key = axisKey(view, axes, values);
    const twin = view
      .productModelsChildren(parentModel.code)
      .find((m) => m.code !== code && axisKey(view, axes, m.values) === key);
    if (twin) {
      throw violations([
        fieldViolation(
          'attribute',
          `Cannot set value "${axisCombination(view, axes, values)}" for the attribute axis "${axes.join(',')}" on product model "${code}", as the product model "${twin.code}" already has this value`,
        ),
      ]);
    }
  }

  const model: ProductModel = {
    code,
    family: familyCode ?? undefined,
    family_variant: familyVariant?.code ?? familyVariantCode ?? '',
    parent,
    categories,
    values,
    created: current?.created ?? ctx.now,
    updated: ctx.now,
    associations,
    quantified_associations: quantified,
  };
  if (model.family === undefined) delete model.family;
  const changed = !current || !sameJson({ ...model, created: 0, updated: 0 }, { ...current, created: 0, updated: 0 });
  if (!changed && current) model.updated = current.updated ?? ctx.now;
  return { ok: true, value: model, created: !current, changed };
}

function checkParent(view: CatalogView, code: string, anchor: string): ProductModel {
  const model = view.productModel(code);
  if (!model) {
    throw documented(`Property "parent" expects a valid parent code. The parent product model does not exist, "${code}" given.`, anchor);
  }
  if (model.parent) {
    throw documented(
      `Property "parent" expects a valid parent code. The new parent of the product model must be a root product model, "${code}" given.`,
      anchor,
    );
  }
  return model;
}
