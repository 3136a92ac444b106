/** Attribute writes: defaults as Akeneo fills them, immutable properties, typed fields. */
import type { Attribute, AttributeType } from '../../../akeneo/model.js';
import type { CatalogView, StructureWriteContext } from '../contract.js';
import { formatDecimal } from '../decimal.js';
import { documented, fieldViolation } from '../errors.js';
import { canonicalLocale, mergeLabels } from '../labels.js';
import { gettype, isNumeric } from '../php.js';
import {
  anchors,
  checkCode,
  checkCodeFree,
  finish,
  openDraft,
  readBoolean,
  readInteger,
  readList,
  readStringOrNull,
  unknownProperty,
} from './shared.js';

const TYPES: ReadonlySet<string> = new Set<AttributeType>([
  'pim_catalog_identifier',
  'pim_catalog_text',
  'pim_catalog_textarea',
  'pim_catalog_number',
  'pim_catalog_metric',
  'pim_catalog_price_collection',
  'pim_catalog_boolean',
  'pim_catalog_date',
  'pim_catalog_simpleselect',
  'pim_catalog_multiselect',
  'pim_catalog_file',
  'pim_catalog_image',
  'pim_reference_data_simpleselect',
  'pim_reference_data_multiselect',
  'akeneo_reference_entity',
  'akeneo_reference_entity_collection',
  'pim_catalog_asset_collection',
  'pim_catalog_table',
  'pim_catalog_product_link',
]);

/**
 * Codes Akeneo keeps for itself (attribute.yml, "This code is not available"). Its PCRE pattern
 * switches to case-insensitive at `family`, which carries on into the later alternatives.
 */
function reservedCode(code: string): boolean {
  return (
    /^(associationTypes|categories|categoryId|completeness|enabled)$/.test(code) ||
    /^(id|family|groups|associations|products|scope|treeId|values|category|parent|label|.*_(products|groups)|entity_type|attributes)$/i.test(code)
  );
}
const NUMERIC_TYPES = new Set(['pim_catalog_number', 'pim_catalog_price_collection', 'pim_catalog_metric']);
const SIGNED_TYPES = new Set(['pim_catalog_number', 'pim_catalog_metric']);
const NEVER_UNIQUE = new Set([
  'pim_catalog_textarea',
  'pim_catalog_price_collection',
  'pim_catalog_multiselect',
  'pim_catalog_simpleselect',
  'pim_catalog_image',
  'pim_catalog_file',
  'pim_catalog_metric',
  'pim_catalog_boolean',
  'pim_reference_data_multiselect',
  'pim_reference_data_simpleselect',
]);

const IMMUTABLE = ['type', 'unique', 'localizable', 'scopable', 'metric_family', 'reference_data_name'] as const;
const anchorOf = anchors('post_attributes', 'patch_attributes__code_');

/**
 * A new attribute as Akeneo fills it before the body is applied: every property present, in the
 * order Akeneo answers them. The sandbox's built-in catalogs start from it too.
 */
export function attributeDefaults(code: string): Attribute {
  return {
    code,
    type: '' as AttributeType,
    group: '',
    group_labels: {},
    unique: false,
    useable_as_grid_filter: false,
    allowed_extensions: [],
    metric_family: null,
    default_metric_unit: null,
    reference_data_name: null,
    available_locales: [],
    max_characters: null,
    validation_rule: null,
    validation_regexp: null,
    wysiwyg_enabled: null,
    number_min: null,
    number_max: null,
    decimals_allowed: null,
    negative_allowed: null,
    date_min: null,
    date_max: null,
    max_file_size: null,
    minimum_input_length: null,
    sort_order: 0,
    localizable: false,
    scopable: false,
    labels: {},
    guidelines: {},
    auto_option_sorting: null,
    default_value: null,
  };
}

function readDate(field: string, raw: unknown, anchor: string): string | null {
  if (raw === null || raw === '') return null;
  const m = typeof raw === 'string' ? /^(\d{4}-\d{2}-\d{2})(?:$|T)/.exec(raw) : null;
  if (!m || Number.isNaN(Date.parse(m[1] ?? ''))) {
    throw documented(
      `Property "${field}" expects a string with the format "yyyy-mm-dd" as data, "${typeof raw === 'string' ? raw : gettype(raw)}" given.`,
      anchor,
    );
  }
  return `${m[1]}T00:00:00+00:00`;
}

function readDecimal(field: string, raw: unknown, places: number, anchor: string): string | null {
  if (raw === null || raw === '') return null;
  if (!isNumeric(raw)) throw documented(`Property "${field}" expects a numeric as data, "${gettype(raw)}" given.`, anchor);
  return formatDecimal(raw as string | number, places);
}

export function writeAttribute(
  view: CatalogView,
  existing: Attribute | null,
  input: unknown,
  ctx: StructureWriteContext,
): Attribute {
  const { anchor, patch, current, errors, code } = openDraft(existing, input, ctx, anchorOf);
  const out: Attribute = current ? structuredClone(current) : attributeDefaults(code);
  for (const [key, raw] of Object.entries(patch)) {
    // Akeneo's updater checks each field in body order, so an unknown one fails where it stands.
    if (ctx.unknownProperties?.includes(key)) unknownProperty(key, anchor);
    switch (key) {
      case 'code':
      case 'group_labels':
      case 'is_main_identifier':
        break;
      case 'type':
        if (raw === null || raw === '') {
          out.type = '' as AttributeType;
          break;
        }
        if (typeof raw !== 'string' || !TYPES.has(raw) || ctx.unknownAttributeTypes?.includes(raw)) {
          throw documented(
            `Property "type" expects a valid attribute type. The attribute type does not exist, "${typeof raw === 'string' ? raw : gettype(raw)}" given.`,
            anchor,
          );
        }
        if (current && raw !== current.type) errors.push(fieldViolation('type', 'This property cannot be changed.'));
        else out.type = raw as AttributeType;
        break;
      case 'group': {
        if (raw === null || raw === '') {
          out.group = '';
          break;
        }
        const g = typeof raw === 'string' ? view.attributeGroup(raw) : undefined;
        if (!g) {
          throw documented(
            `Property "group" expects a valid code. The attribute group does not exist, "${typeof raw === 'string' ? raw : gettype(raw)}" given.`,
            anchor,
          );
        }
        out.group = g.code;
        break;
      }
      case 'labels':
      case 'guidelines':
        out[key] = mergeLabels(view, key, out[key] as Record<string, string> | undefined, raw, anchor, errors);
        break;
      case 'unique':
      case 'useable_as_grid_filter':
      case 'localizable':
      case 'scopable': {
        const b = readBoolean(key, raw, anchor);
        if (current && (IMMUTABLE as readonly string[]).includes(key) && b !== (current[key] ?? false)) {
          errors.push(fieldViolation(key, 'This property cannot be changed.'));
        } else out[key] = b;
        break;
      }
      case 'wysiwyg_enabled':
      case 'decimals_allowed':
      case 'negative_allowed':
      case 'auto_option_sorting':
        out[key] = raw === null ? null : readBoolean(key, raw, anchor);
        break;
      case 'allowed_extensions':
        out.allowed_extensions = readList(key, raw ?? [], anchor).map((e) => e.toLowerCase());
        break;
      case 'available_locales':
        out.available_locales = readList(key, raw ?? [], anchor).map((l) => {
          const locale = canonicalLocale(view, l);
          if (!locale) {
            throw documented(
              `Property "available_locales" expects a valid locale code. The locale does not exist, "${l}" given.`,
              anchor,
            );
          }
          return locale;
        });
        break;
      case 'metric_family':
      case 'reference_data_name': {
        const v = readStringOrNull(key, raw, anchor);
        if (current && v !== (current[key] ?? null)) errors.push(fieldViolation(key, 'This property cannot be changed.'));
        else out[key] = v;
        break;
      }
      case 'default_metric_unit':
      case 'validation_rule':
      case 'validation_regexp':
        out[key] = readStringOrNull(key, raw, anchor);
        break;
      case 'max_characters':
      case 'minimum_input_length':
        out[key] = raw === null ? null : readInteger(key, raw, anchor);
        break;
      case 'sort_order':
        out.sort_order = readInteger(key, raw, anchor);
        break;
      case 'number_min':
      case 'number_max':
        out[key] = readDecimal(key, raw, 4, anchor);
        break;
      case 'max_file_size':
        out.max_file_size = readDecimal(key, raw, 2, anchor);
        break;
      case 'date_min':
      case 'date_max':
        out[key] = readDate(key, raw, anchor);
        break;
      case 'default_value':
        out.default_value = raw;
        break;
      case 'table_configuration':
        out.table_configuration = raw;
        break;
      case 'is_read_only':
        out.is_read_only = readBoolean(key, raw, anchor);
        break;
      default:
        unknownProperty(key, anchor);
    }
  }
  out.code = code;
  // Violations in the order of Akeneo's attribute.yml: class constraints, then properties.
  checkCodeFree(code, current, errors, (c) => view.attribute(c));
  if (out.type === 'pim_catalog_metric') {
    const family = out.metric_family ? view.measurementFamily(out.metric_family) : undefined;
    if (!out.metric_family) errors.push(fieldViolation('metric_family', 'This value should not be blank.'));
    else if (!family) errors.push(fieldViolation('metric_family', `The metric family "${out.metric_family}" does not exist.`));
    if (!out.default_metric_unit) errors.push(fieldViolation('default_metric_unit', 'This value should not be blank.'));
    else if (family) {
      const unit = Object.keys(family.units).find((u) => u.toLowerCase() === out.default_metric_unit?.toLowerCase());
      if (!unit) errors.push(fieldViolation('default_metric_unit', 'Please specify a valid metric unit'));
      else out.default_metric_unit = unit;
    }
  }
  if (!out.type) errors.push(fieldViolation('type', 'This value should not be blank.'));
  checkCode(code, errors, 'Attribute code may contain only letters, numbers and underscore');
  if (code.length > 255) errors.push(fieldViolation('code', 'This value is too long. It should have 255 characters or less.'));
  if (code !== '' && reservedCode(code)) errors.push(fieldViolation('code', 'This code is not available'));
  if (out.type === 'pim_catalog_identifier') out.unique = true;
  if (out.unique === true && out.localizable === true) errors.push(fieldViolation('localizable', 'A unique attribute can not be localizable'));
  if (out.unique === true && out.scopable === true) errors.push(fieldViolation('scopable', 'A unique attribute can not be scopable'));
  if (NUMERIC_TYPES.has(out.type) && (out.decimals_allowed === null || out.decimals_allowed === undefined)) {
    errors.push(fieldViolation('decimals_allowed', 'This value should not be null.'));
  }
  if (SIGNED_TYPES.has(out.type) && (out.negative_allowed === null || out.negative_allowed === undefined)) {
    errors.push(fieldViolation('negative_allowed', 'This value should not be null.'));
  }
  if (typeof out.max_characters === 'number' && (out.type === 'pim_catalog_text' || out.type === 'pim_catalog_identifier') && out.max_characters > 255) {
    errors.push(fieldViolation('max_characters', 'This value should be less than or equal to 255.'));
  }
  if (out.unique === true && NEVER_UNIQUE.has(out.type)) {
    errors.push(fieldViolation('unique', "This attribute type can't have unique value"));
  }
  if (out.validation_rule === 'regexp' && out.validation_regexp) {
    try {
      new RegExp(out.validation_regexp.replace(/^\/(.*)\/[a-z]*$/s, '$1'));
    } catch {
      errors.push(fieldViolation('validation_regexp', 'This regular expression is not valid.'));
    }
  }
  if (!out.group) errors.push(fieldViolation('group', 'This value should not be blank.'));
  finish(errors);
  const group = view.attributeGroup(out.group);
  out.group_labels = Object.fromEntries(Object.entries(group?.labels ?? {}).filter(([, v]) => typeof v === 'string' && v !== ''));
  if (out.type === 'pim_catalog_identifier' && code === view.identifierAttribute()) out.is_main_identifier = true;
  return order(out);
}

const KEY_ORDER = [
  'code', 'type', 'group', 'group_labels', 'unique', 'useable_as_grid_filter', 'allowed_extensions', 'metric_family',
  'default_metric_unit', 'reference_data_name', 'available_locales', 'max_characters', 'validation_rule',
  'validation_regexp', 'wysiwyg_enabled', 'number_min', 'number_max', 'decimals_allowed', 'negative_allowed',
  'date_min', 'date_max', 'max_file_size', 'minimum_input_length', 'sort_order', 'localizable', 'scopable', 'labels',
  'guidelines', 'auto_option_sorting', 'default_value',
];

function order(a: Attribute): Attribute {
  const out: Record<string, unknown> = {};
  for (const k of KEY_ORDER) if (k in a) out[k] = a[k];
  for (const [k, v] of Object.entries(a)) if (!(k in out)) out[k] = v;
  return out as Attribute;
}

