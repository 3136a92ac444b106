/** Channels, attribute groups, association types and measurement families. */
import type {
  AssociationType,
  AttributeGroup,
  Channel,
  MeasurementFamily,
  MeasurementUnit,
  ValidationErrorItem,
} from '../../../akeneo/model.js';
import type { CatalogView, StructureWriteContext } from '../contract.js';
import { documented, fieldViolation } from '../errors.js';
import { canonicalLocale, mergeLabels } from '../labels.js';
import { gettype, isPlainObject } from '../php.js';
import {
  anchors,
  asObject,
  checkCode,
  checkCodeFree,
  finish,
  openDraft,
  readBoolean,
  readInteger,
  readList,
  resolveCode,
  unknownProperty,
} from './shared.js';

const channelAnchor = anchors('post_channels', 'patch_channels__code_');
const attributeGroupAnchor = anchors('post_attribute_groups', 'patch_attribute_groups__code_');
const associationTypeAnchor = anchors('post_association_types', 'patch_association_types__code_');

export function writeChannel(view: CatalogView, existing: Channel | null, input: unknown, ctx: StructureWriteContext): Channel {
  const { anchor, patch, current, errors, code } = openDraft(existing, input, ctx, channelAnchor);
  const out: Channel = current
    ? structuredClone(current)
    : { code, currencies: [], locales: [], category_tree: '', conversion_units: {}, labels: {} };
  for (const [key, raw] of Object.entries(patch)) {
    switch (key) {
      case 'code':
        break;
      case 'currencies':
        out.currencies = readList(key, raw, anchor).map((c) => {
          const cur = view.currency(c);
          if (!cur) throw documented(`Property "currencies" expects a valid currency code. The currency does not exist, "${c}" given.`, anchor);
          return cur.code;
        });
        break;
      case 'locales':
        out.locales = readList(key, raw, anchor).map((l) => {
          const loc = canonicalLocale(view, l);
          if (!loc) throw documented(`Property "locales" expects a valid locale code. The locale does not exist, "${l}" given.`, anchor);
          return loc;
        });
        break;
      case 'category_tree': {
        if (typeof raw !== 'string') {
          throw documented(`Property "category_tree" expects a scalar as data, "${gettype(raw)}" given.`, anchor);
        }
        const cat = view.category(raw);
        if (!cat) {
          throw documented(`Property "category_tree" expects a valid category code. The category does not exist, "${raw}" given.`, anchor);
        }
        if (cat.parent !== null) errors.push(fieldViolation('category_tree', `The category "${cat.code}" is not a category tree.`));
        out.category_tree = cat.code;
        break;
      }
      case 'conversion_units': {
        if (!isPlainObject(raw)) {
          throw documented(`Property "conversion_units" expects an array as data, "${gettype(raw)}" given.`, anchor);
        }
        const units: Record<string, string> = { ...(out.conversion_units ?? {}) };
        for (const [attrCode, unit] of Object.entries(raw)) {
          const attr = view.attribute(attrCode);
          const family = attr?.metric_family ? view.measurementFamily(attr.metric_family) : undefined;
          if (!attr || attr.type !== 'pim_catalog_metric' || !family) {
            errors.push(fieldViolation('conversion_units', `The attribute "${attrCode}" is not a metric attribute.`));
            continue;
          }
          const canonical = typeof unit === 'string' ? Object.keys(family.units).find((u) => u.toLowerCase() === unit.toLowerCase()) : undefined;
          if (!canonical) {
            errors.push(fieldViolation('conversion_units', `The unit "${String(unit)}" does not exist in the "${family.code}" measurement family.`));
            continue;
          }
          units[attr.code] = canonical;
        }
        out.conversion_units = units;
        break;
      }
      case 'labels':
        out.labels = mergeLabels(view, 'labels', out.labels, raw, anchor, errors);
        break;
      default:
        unknownProperty(key, anchor);
    }
  }
  out.code = code;
  checkCode(code, errors, 'Channel code may contain only letters, numbers and underscores');
  checkCodeFree(code, current, errors, (c) => view.channel(c));
  if (out.currencies.length === 0) errors.push(fieldViolation('currencies', 'This collection should contain 1 element or more.'));
  if (out.locales.length === 0) errors.push(fieldViolation('locales', 'This collection should contain 1 element or more.'));
  if (!out.category_tree) errors.push(fieldViolation('category_tree', 'This value should not be blank.'));
  finish(errors);
  return out;
}

export function writeAttributeGroup(
  view: CatalogView,
  existing: AttributeGroup | null,
  input: unknown,
  ctx: StructureWriteContext,
): AttributeGroup {
  const { anchor, patch, current, errors, code } = openDraft(existing, input, ctx, attributeGroupAnchor);
  const out: AttributeGroup = current ? structuredClone(current) : { code, sort_order: 0, attributes: [], labels: {} };
  for (const [key, raw] of Object.entries(patch)) {
    switch (key) {
      case 'code':
        break;
      case 'sort_order':
        out.sort_order = readInteger(key, raw, anchor);
        break;
      case 'attributes':
        out.attributes = readList(key, raw, anchor).map((a) => {
          const attr = view.attribute(a);
          if (!attr) throw documented(`Property "attributes" expects a valid attribute code. The attribute does not exist, "${a}" given.`, anchor);
          return attr.code;
        });
        break;
      case 'labels':
        out.labels = mergeLabels(view, 'labels', out.labels, raw, anchor, errors);
        break;
      default:
        unknownProperty(key, anchor);
    }
  }
  out.code = code;
  checkCode(code, errors, 'Attribute group code may contain only letters, numbers and underscores');
  checkCodeFree(code, current, errors, (c) => view.attributeGroup(c));
  finish(errors);
  return out;
}

export function writeAssociationType(
  view: CatalogView,
  existing: AssociationType | null,
  input: unknown,
  ctx: StructureWriteContext,
): AssociationType {
  const { anchor, patch, current, errors, code } = openDraft(existing, input, ctx, associationTypeAnchor);
  const out: AssociationType = current ? structuredClone(current) : { code, labels: {}, is_quantified: false, is_two_way: false };
  for (const [key, raw] of Object.entries(patch)) {
    switch (key) {
      case 'code':
        break;
      case 'is_quantified':
      case 'is_two_way': {
        const b = readBoolean(key, raw, anchor);
        if (current && b !== (current[key] ?? false)) errors.push(fieldViolation(key, 'This property cannot be changed.'));
        else out[key] = b;
        break;
      }
      case 'labels':
        out.labels = mergeLabels(view, 'labels', out.labels, raw, anchor, errors);
        break;
      default:
        unknownProperty(key, anchor);
    }
  }
  out.code = code;
  checkCode(code, errors, 'Association type code may contain only letters, numbers and underscores');
  checkCodeFree(code, current, errors, (c) => view.associationType(c));
  if (out.is_quantified === true && out.is_two_way === true) {
    errors.push(fieldViolation('is_two_way', 'An association type cannot be both quantified and two-way.'));
  }
  finish(errors);
  return out;
}

const OPERATORS = new Set(['mul', 'div', 'add', 'sub']);

export function writeMeasurementFamily(
  view: CatalogView,
  existing: MeasurementFamily | null,
  input: unknown,
  ctx: StructureWriteContext,
): MeasurementFamily {
  const anchor = 'patch_measurement_families';
  const patch = asObject(input);
  const current = existing;
  const errors: ValidationErrorItem[] = [];
  const code = resolveCode(patch, current?.code, ctx.urlKey, 'POST', errors);
  const out: MeasurementFamily = current
    ? structuredClone(current)
    : { code, labels: {}, standard_unit_code: '', units: {} };
  for (const [key, raw] of Object.entries(patch)) {
    switch (key) {
      case 'code':
        break;
      case 'labels':
        out.labels = mergeLabels(view, 'labels', out.labels, raw, anchor, errors);
        break;
      case 'standard_unit_code':
        if (typeof raw !== 'string') throw documented(`Property "standard_unit_code" expects a string as data, "${gettype(raw)}" given.`, anchor);
        if (current && raw !== current.standard_unit_code) errors.push(fieldViolation('standard_unit_code', 'This property cannot be changed.'));
        else out.standard_unit_code = raw;
        break;
      case 'units': {
        if (!isPlainObject(raw)) throw documented(`Property "units" expects an array as data, "${gettype(raw)}" given.`, anchor);
        for (const [unitCode, unitRaw] of Object.entries(raw)) {
          if (!isPlainObject(unitRaw)) throw documented(`Property "units" expects an array as data, "${gettype(unitRaw)}" given.`, anchor);
          const before = out.units[unitCode];
          const unit: MeasurementUnit = before ? structuredClone(before) : { code: unitCode, labels: {}, convert_from_standard: [], symbol: '' };
          if ('convert_from_standard' in unitRaw) {
            const ops = unitRaw.convert_from_standard;
            if (!Array.isArray(ops) || ops.length === 0) {
              errors.push(fieldViolation(`units[${unitCode}][convert_from_standard]`, 'This collection should contain 1 element or more.'));
            } else {
              unit.convert_from_standard = ops.map((op) => {
                const o = isPlainObject(op) ? op : {};
                if (typeof o.operator !== 'string' || !OPERATORS.has(o.operator)) {
                  errors.push(fieldViolation(`units[${unitCode}][convert_from_standard]`, 'The operator is not valid.'));
                }
                return { operator: String(o.operator), value: String(o.value) };
              });
            }
          }
          if ('labels' in unitRaw) unit.labels = mergeLabels(view, 'labels', unit.labels, unitRaw.labels, anchor, errors);
          if ('symbol' in unitRaw) unit.symbol = typeof unitRaw.symbol === 'string' ? unitRaw.symbol : '';
          out.units[unitCode] = { ...unit, code: unitCode };
        }
        break;
      }
      default:
        unknownProperty(key, anchor);
    }
  }
  out.code = code;
  checkCode(code, errors, 'Measurement family code may contain only letters, numbers and underscores');
  if (!out.standard_unit_code) errors.push(fieldViolation('standard_unit_code', 'This value should not be blank.'));
  else if (!(out.standard_unit_code in out.units)) {
    errors.push(fieldViolation('standard_unit_code', `The standard unit "${out.standard_unit_code}" does not exist in the units.`));
  }
  for (const unitCode of Object.keys(current?.units ?? {})) {
    if (!(unitCode in out.units)) errors.push(fieldViolation('units', `The unit "${unitCode}" cannot be removed.`));
  }
  finish(errors);
  return out;
}
