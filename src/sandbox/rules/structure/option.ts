/** Attribute option writes (/attributes/{attribute}/options). */
import type { AttributeOption, ValidationErrorItem } from '../../../akeneo/model.js';
import type { CatalogView, StructureWriteContext } from '../contract.js';
import { documented, fieldViolation, plain } from '../errors.js';
import { mergeLabels } from '../labels.js';
import { gettype } from '../php.js';
import { anchors, asObject, checkCode, checkCodeFree, finish, resolveCode, unknownProperty } from './shared.js';

const anchorOf = anchors('post_attributes__attribute_code__options', 'patch_attributes__attribute_code__options__code_');
const SELECTS = new Set(['pim_catalog_simpleselect', 'pim_catalog_multiselect']);

export function writeOption(
  view: CatalogView,
  existing: AttributeOption | null,
  input: unknown,
  ctx: StructureWriteContext,
): AttributeOption {
  const anchor = anchorOf(ctx.method);
  const patch = asObject(input);
  const current = ctx.method === 'POST' ? null : existing;
  const errors: ValidationErrorItem[] = [];
  const attributeCode = ctx.parentKey ?? (typeof patch.attribute === 'string' ? patch.attribute : '');
  const attribute = view.attribute(attributeCode);
  if (!attribute) throw plain(404, `Attribute "${attributeCode}" does not exist.`);
  const code = resolveCode(patch, current?.code, ctx.urlKey, ctx.method, errors, (b, u) =>
    `The option code "${b}" provided in the request body must match the option code "${u}" provided in the url.`,
  );
  if (typeof patch.attribute === 'string' && patch.attribute !== attribute.code) {
    if (current) errors.push(fieldViolation('attribute', 'This property cannot be changed.'));
    else {
      throw plain(
        422,
        `The attribute code "${patch.attribute}" provided in the request body must match the attribute code "${attribute.code}" provided in the url.`,
      );
    }
  }
  let sortOrder = current?.sort_order;
  let labels = { ...(current?.labels ?? {}) } as Record<string, string>;
  for (const [key, raw] of Object.entries(patch)) {
    switch (key) {
      case 'code':
      case 'attribute':
        break;
      case 'sort_order':
        if (raw === null) {
          sortOrder = undefined;
          break;
        }
        if (typeof raw !== 'number' || !Number.isInteger(raw)) {
          throw documented(`Property "sort_order" expects an integer as data, "${gettype(raw)}" given.`, anchor);
        }
        sortOrder = raw;
        break;
      case 'labels':
        labels = mergeLabels(view, 'labels', labels, raw, anchor, errors);
        break;
      default:
        unknownProperty(key, anchor);
    }
  }
  if (!SELECTS.has(attribute.type)) {
    errors.push(
      fieldViolation(
        'attribute',
        `Attribute "${attribute.code}" does not support options. Only attributes of type "pim_catalog_simpleselect", "pim_catalog_multiselect" support options`,
      ),
    );
  }
  checkCode(code, errors, 'Option code may contain only letters, numbers and underscores');
  checkCodeFree(code, current, errors, (c) => view.option(attribute.code, c));
  finish(errors);
  if (sortOrder === undefined) {
    const orders = view.attributeOptions(attribute.code).map((o) => o.sort_order ?? 0);
    sortOrder = orders.length > 0 ? Math.max(...orders) + 1 : 1;
  }
  return { code, attribute: attribute.code, sort_order: sortOrder, labels };
}
