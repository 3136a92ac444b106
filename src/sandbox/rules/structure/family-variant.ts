/** Family variant writes (/families/{family}/variants): levels, axes, attribute placement. */
import type { FamilyVariant, ValidationErrorItem, VariantAttributeSet } from '../../../akeneo/model.js';
import type { CatalogView, StructureWriteContext } from '../contract.js';
import { documented, fieldViolation, plain } from '../errors.js';
import { mergeLabels } from '../labels.js';
import { isPlainObject } from '../php.js';
import { anchors, asObject, checkCode, checkCodeFree, finish, resolveCode, unknownProperty } from './shared.js';

const anchorOf = anchors('post_families__family_code__variants', 'patch_families__family_code__variants__code__');
const AXIS_TYPES = new Set([
  'pim_catalog_boolean',
  'pim_catalog_simpleselect',
  'pim_reference_data_simpleselect',
  'pim_catalog_metric',
  'akeneo_reference_entity',
]);
const MAX_AXES = 5;
/** FamilyVariantValidator::MAXIMUM_LEVEL_NUMBER. */
const MAX_LEVELS = 2;
const PROP = 'variant_attribute_sets';

export function writeFamilyVariant(
  view: CatalogView,
  existing: FamilyVariant | null,
  input: unknown,
  ctx: StructureWriteContext,
): FamilyVariant {
  const anchor = anchorOf(ctx.method);
  const patch = asObject(input);
  const current = ctx.method === 'POST' ? null : existing;
  const familyCode = ctx.parentKey ?? current?.family ?? '';
  const family = view.family(familyCode);
  if (!family) throw plain(404, `Family "${familyCode}" does not exist.`);
  const errors: ValidationErrorItem[] = [];
  const code = resolveCode(patch, current?.code, ctx.urlKey, ctx.method, errors);
  let labels = { ...(current?.labels ?? {}) } as Record<string, string>;
  let sets: VariantAttributeSet[] = structuredClone(current?.variant_attribute_sets ?? []);
  for (const [key, raw] of Object.entries(patch)) {
    switch (key) {
      case 'code':
        break;
      case 'labels':
        labels = mergeLabels(view, 'labels', labels, raw, anchor, errors);
        break;
      case PROP: {
        if (!Array.isArray(raw) || raw.some((s) => !isPlainObject(s))) {
          throw documented('Property "variant_attribute_sets" expects an array of objects as data.', anchor);
        }
        const given = raw as Record<string, unknown>[];
        if (current && given.length !== current.variant_attribute_sets.length) {
          throw documented('The number of variant attribute sets cannot be changed.', anchor);
        }
        const next: VariantAttributeSet[] = [];
        for (const s of given) {
          const level = typeof s.level === 'number' ? s.level : Number(s.level);
          const before = sets.find((x) => x.level === level);
          const axes = Array.isArray(s.axes) ? (s.axes as unknown[]).map(String) : (before?.axes ?? []);
          const attributes = Array.isArray(s.attributes) ? (s.attributes as unknown[]).map(String) : (before?.attributes ?? []);
          if (current && before && !sameList(before.axes, axes)) {
            errors.push(fieldViolation(PROP, `Variant axes cannot be modified for the level "${level}"`));
          }
          next.push({ level, axes, attributes });
        }
        sets = next;
        break;
      }
      default:
        unknownProperty(key, anchor);
    }
  }
  sets.sort((a, b) => a.level - b.level);
  // Axes belong to their level; the identifier lives on the last level.
  const idAttr = view.identifierAttribute();
  for (const s of sets) s.attributes = [...new Set([...s.attributes, ...s.axes])];
  const last = sets[sets.length - 1];
  if (last && !sets.some((s) => s.attributes.includes(idAttr))) last.attributes.push(idAttr);
  // Akeneo's FamilyVariantValidator (src/Akeneo/Pim/Structure/Component/Validator/Constraints/
  // FamilyVariantValidator.php) reports every violation, in this order: no level; then per axis
  // (localizable/scopable, unique, type), repeated axes; then per attribute (not in the family,
  // unique but not on the last level), repeated attributes; then per level (missing, too many axes).
  if (sets.length === 0) errors.push(fieldViolation(PROP, 'There should be at least one level defined in the family variant'));
  else {
    const axisCodes = sets.flatMap((s) => s.axes);
    for (const axis of axisCodes) {
      const attr = view.attribute(axis);
      if (!attr) continue;
      if (attr.localizable === true || attr.scopable === true || (attr.available_locales ?? []).length > 0) {
        errors.push(fieldViolation(PROP, `Variant axes "${axis}" cannot be localizable, not scopable and not locale specific`));
      }
      if (isUnique(attr)) errors.push(fieldViolation(PROP, `Variant axes "${axis}" cannot be unique or an identifier`));
      if (!AXIS_TYPES.has(attr.type)) {
        errors.push(fieldViolation(PROP, `Variant axes "${axis}" must be a boolean, a simple select, a simple reference data or a measurement`));
      }
      // An axis listed among another level's attributes (family_variant_axis_level).
      for (const s of sets) {
        if (!s.axes.includes(axis) && s.attributes.includes(axis)) {
          errors.push(fieldViolation(PROP, `Attribute "${axis}" must be set as attribute in the same variant attribute set it was set as axis`));
        }
      }
    }
    const repeatedAxes = repeatedOf(axisCodes);
    if (repeatedAxes.length > 0) {
      errors.push(fieldViolation(PROP, `Variant axes must be unique, "${repeatedAxes.join('')}" are used several times in variant attributes sets`));
    }
    const attributeCodes = sets.flatMap((s) => s.attributes);
    for (const a of attributeCodes) {
      if (!family.attributes.includes(a)) {
        errors.push(
          fieldViolation(
            PROP,
            `"${a}" attribute cannot be added to "${code}" family variant, as it is not an attribute of the "${family.code}" family`,
          ),
        );
      }
      const attr = view.attribute(a);
      if (attr && isUnique(attr) && last && !last.attributes.includes(a)) {
        errors.push(fieldViolation(PROP, `Unique attribute "${a}" must be set at the product level`));
      }
    }
    const repeated = repeatedOf(attributeCodes);
    if (repeated.length > 0) {
      errors.push(fieldViolation(PROP, `Attributes must be unique, "${repeated.join(',')}" are used several times in variant attributes sets`));
    }
    // validateNumberOfLevelAndAxis: at most two levels, then per level: missing, too many axes, no axis.
    if (sets.length > MAX_LEVELS) errors.push(fieldViolation(PROP, `Family variant cannot have more than "${MAX_LEVELS}" level`));
    sets.forEach((s, i) => {
      if (s.level !== i + 1) errors.push(fieldViolation(PROP, `There is no variant attribute set for level "${i + 1}"`));
      else if (s.axes.length > MAX_AXES) errors.push(fieldViolation(PROP, `A variant attribute set cannot have more than ${MAX_AXES} axes`));
      else if (s.axes.length === 0) errors.push(fieldViolation(PROP, `There should be at least one attribute defined as axis for the attribute set for level "${i + 1}"`));
    });
  }
  // familyvariant.yml: the FamilyVariant constraint (above) first, then unique code, then code format.
  checkCodeFree(code, current, errors, (c) => view.familyVariantByCode(c));
  checkCode(code, errors, 'Family variant code may contain only letters, numbers and underscores', 100);
  finish(errors);
  return { code, family: family.code, labels, variant_attribute_sets: sets };
}

/** Akeneo's AttributeInterface::isUnique(): the identifier attribute is always unique. */
function isUnique(attr: { unique?: boolean | null; type: string }): boolean {
  return attr.unique === true || attr.type === 'pim_catalog_identifier';
}

/** PHP's array_diff_assoc($codes, array_unique($codes)): every repeat after the first occurrence. */
function repeatedOf(codes: string[]): string[] {
  return codes.filter((c, i) => codes.indexOf(c) !== i);
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && [...a].sort().join('\u0000') === [...b].sort().join('\u0000');
}
