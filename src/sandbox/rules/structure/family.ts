/** Family writes: identifier always in, lists sorted, requirements replaced per channel sent. */
import type { Family } from '../../../akeneo/model.js';
import type { CatalogView, StructureWriteContext } from '../contract.js';
import { documented, fieldViolation } from '../errors.js';
import { mergeLabels } from '../labels.js';
import { gettype, isPlainObject } from '../php.js';
import { anchors, checkCode, checkCodeFree, finish, openDraft, readList, readStringOrNull, unknownProperty } from './shared.js';

const anchorOf = anchors('post_families', 'patch_families__code_');
const sorted = (l: Iterable<string>) => [...new Set(l)].sort();

export function writeFamily(view: CatalogView, existing: Family | null, input: unknown, ctx: StructureWriteContext): Family {
  const { anchor, patch, current, errors, code } = openDraft(existing, input, ctx, anchorOf);
  const idAttr = view.identifierAttribute();
  let attributes = new Set(current?.attributes ?? []);
  let asLabel: string | null = current?.attribute_as_label ?? idAttr;
  let asImage: string | null = current?.attribute_as_image ?? null;
  const requirements: Record<string, string[]> = structuredClone(current?.attribute_requirements ?? {});
  let requirementsGiven: Record<string, string[]> = {};
  let labels = { ...(current?.labels ?? {}) } as Record<string, string>;

  for (const [key, raw] of Object.entries(patch)) {
    switch (key) {
      case 'code':
        break;
      case 'attributes':
        attributes = new Set(
          readList('attributes', raw, anchor).map((a) => {
            const attr = view.attribute(a);
            if (!attr) {
              throw documented(`Property "attributes" expects a valid attribute code. The attribute does not exist, "${a}" given.`, anchor);
            }
            return attr.code;
          }),
        );
        break;
      case 'attribute_as_label':
        asLabel = readStringOrNull(key, raw, anchor);
        break;
      case 'attribute_as_image':
        asImage = readStringOrNull(key, raw, anchor);
        break;
      case 'attribute_requirements': {
        if (!isPlainObject(raw)) {
          throw documented(`Property "attribute_requirements" expects an array as data, "${gettype(raw)}" given.`, anchor);
        }
        requirementsGiven = {};
        for (const [channel, list] of Object.entries(raw)) {
          const ch = view.channel(channel);
          if (!ch) {
            throw documented(
              `Property "attribute_requirements" expects a valid code. The channel does not exist, "${channel}" given.`,
              anchor,
            );
          }
          requirementsGiven[ch.code] = readList('attribute_requirements', list, anchor).map((a) => {
            const attr = view.attribute(a);
            if (!attr) {
              throw documented(
                `Property "attribute_requirements" expects a valid attribute code. The attribute does not exist, "${a}" given.`,
                anchor,
              );
            }
            return attr.code;
          });
        }
        break;
      }
      case 'labels':
        labels = mergeLabels(view, 'labels', labels, raw, anchor, errors);
        break;
      default:
        unknownProperty(key, anchor);
    }
  }
  attributes.add(idAttr);
  // Removing an attribute from the family removes its requirements too.
  for (const [channel, list] of Object.entries(requirements)) {
    requirements[channel] = list.filter((a) => attributes.has(a));
  }
  if (!current) {
    for (const ch of view.channels()) if (!(ch.code in requirements)) requirements[ch.code] = [idAttr];
  }
  // Violations in family.yml order: unique code, requirements, label/image attributes, code format.
  checkCodeFree(code, current, errors, (c) => view.family(c));
  for (const [channel, list] of Object.entries(requirementsGiven)) {
    if (list.length === 0) {
      delete requirements[channel];
      continue;
    }
    for (const a of list) {
      if (!attributes.has(a)) {
        errors.push(
          fieldViolation(
            'attribute_requirements',
            `The attribute "${a}" cannot be an attribute required for the channel "${channel}" as it does not belong to this family`,
          ),
        );
      }
    }
    requirements[channel] = [...list, idAttr];
  }
  // FamilyAttributeAsLabelValidator / FamilyAttributeAsImageValidator (src/Akeneo/Pim/Structure/Component/
  // Validator/Constraints/): each check adds its own violation, so one request can get all of them at once.
  if (asLabel !== null) {
    const attr = view.attribute(asLabel);
    if (!attributes.has(asLabel)) errors.push(fieldViolation('attribute_as_label', 'Property "attribute_as_label" must belong to the family'));
    if (attr && attr.type !== 'pim_catalog_text' && attr.type !== 'pim_catalog_identifier') {
      errors.push(
        fieldViolation(
          'attribute_as_label',
          'Property "attribute_as_label" only supports "pim_catalog_text" and "pim_catalog_identifier" attribute types for the family',
        ),
      );
    }
  }
  const imageAttr = asImage === null ? undefined : view.attribute(asImage);
  if (asImage !== null) {
    if (!attributes.has(asImage)) errors.push(fieldViolation('attribute_as_image', 'Property "attribute_as_image" must belong to the family'));
  }
  if (imageAttr) {
    if (imageAttr.type !== 'pim_catalog_image' && imageAttr.type !== 'pim_catalog_asset_collection') {
      errors.push(
        fieldViolation(
          'attribute_as_image',
          'Property "attribute_as_image" only supports "pim_catalog_image", "pim_catalog_asset_collection" attribute type for the family',
        ),
      );
    }
    if (imageAttr.scopable === true || imageAttr.localizable === true) {
      errors.push(fieldViolation('attribute_as_image', 'Property "attribute_as_image" must not be scopable nor localizable for this family'));
    }
  }
  // FamilyAttributeUsedAsAxisValidator (src/Akeneo/Pim/Structure/Component/Validator/Constraints/
  // FamilyAttributeUsedAsAxisValidator.php): every axis of every variant of the family must stay one of
  // its attributes; one violation per missing axis, at "attributes", after the label/image checks.
  if (current) {
    for (const fv of view.variantsOfFamily(current.code)) {
      for (const axis of fv.variant_attribute_sets.flatMap((s) => s.axes)) {
        if (!attributes.has(axis)) {
          errors.push(fieldViolation('attributes', `Attribute "${axis}" is an axis in "${fv.code}" family variant. It must belong to the family.`));
        }
      }
    }
  }
  checkCode(code, errors, 'Family code may contain only letters, numbers and underscores', 100);
  finish(errors);
  const reqOut: Record<string, string[]> = {};
  for (const channel of Object.keys(requirements).sort()) reqOut[channel] = sorted(requirements[channel] ?? []);
  return {
    code,
    attributes: sorted(attributes),
    attribute_as_label: asLabel ?? idAttr,
    attribute_as_image: asImage,
    attribute_requirements: reqOut,
    labels,
  };
}
