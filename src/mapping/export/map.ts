/**
 * PIM product → ERP records, the other way round from the import mapper: each ERP field of the
 * `export.fields` mapping takes one PIM attribute's value (locale, scope) through a converter
 * (metric → amount in the ERP's unit, select → option code or label, localized text → the ERP's
 * languages), the family and the categories through their maps. Pure: the PIM's attribute types
 * and option labels come in as arguments.
 */
import type { Attribute, Product, ValueEntry } from '../../akeneo/model.js';
import type { ErpRecord, FieldValue } from '../../erp/port.js';
import { BUILTIN_UNITS, ERP_UNIT_ALIASES } from '../units.js';
import { div, exactDecimalString, mul, parseDecimal } from '../decimal.js';
import type { ExportConfig, ExportField } from './config.js';

export interface ExportContext {
  attributes: ReadonlyMap<string, Pick<Attribute, 'code' | 'type'>>;
  /** `attribute:option` → label in a locale (for `select: label`). */
  optionLabel?: (attribute: string, option: string, locale: string) => string | undefined;
  /** Write a group (template) record before the item. */
  templates: boolean;
  /** The ERP stream products go to. */
  stream: 'items' | 'groups';
}

export interface MappedExport {
  /** The template record (Tryton) when `templates` is on, written first. */
  group: ErpRecord | null;
  item: ErpRecord;
  /** Why a value could not be sent, in plain words naming the attribute and the fix. */
  problems: string[];
}

/** The PIM value of `field` for its locale and scope, or undefined when the product has none. */
function pick(values: Product['values'], attribute: string, locale: string | null, scope: string | null): unknown {
  const entries: ValueEntry[] = values?.[attribute] ?? [];
  const hit = entries.find((e) => (e.locale ?? null) === locale && (e.scope ?? null) === scope);
  return hit?.data ?? undefined;
}

function erpUnitToAkeneo(symbol: string): string | undefined {
  if (BUILTIN_UNITS[symbol]) return symbol;
  return ERP_UNIT_ALIASES[symbol]?.[0] ?? ERP_UNIT_ALIASES[symbol.toLowerCase()]?.[0];
}

/** A metric amount in `unit` → the same quantity in the ERP's unit (exact decimals). */
export function convertMetric(amount: string, unit: string, erpUnit: string): string {
  const target = erpUnitToAkeneo(erpUnit);
  if (!target) throw new Error(`the ERP unit "${erpUnit}" is not one Ferry can convert to; use a unit symbol like kg, g, lb, m, cm`);
  if (target === unit) return amount;
  const from = BUILTIN_UNITS[unit];
  const to = BUILTIN_UNITS[target];
  if (!from?.toStandard || !to?.toStandard || from.family !== to.family) {
    throw new Error(`${unit} cannot be converted to ${erpUnit} (${target}); set the attribute in a ${to?.family ?? 'matching'} unit`);
  }
  const value = parseDecimal(amount);
  if (!value) throw new Error(`"${amount}" is not a number`);
  return exactDecimalString(div(mul(value, parseDecimal(from.toStandard)!), parseDecimal(to.toStandard)!), 6);
}

function convert(field: ExportField, data: unknown, type: string, ctx: ExportContext): FieldValue {
  const mapValue = (v: string) => field.map?.[v] ?? v;
  switch (type) {
    case 'pim_catalog_metric': {
      const m = data as { amount: string | number | null; unit: string | null };
      if (m.amount === null || m.amount === undefined) return null;
      const amount = String(m.amount);
      if (!field.unit || !m.unit) return { kind: 'quantity', amount, unit: field.unit ?? m.unit ?? '' };
      return { kind: 'quantity', amount: convertMetric(amount, m.unit, field.unit), unit: field.unit };
    }
    case 'pim_catalog_simpleselect':
    case 'pim_catalog_multiselect': {
      const one = (option: string): string => {
        if (field.select === 'label') {
          const label = field.labelLocale ? ctx.optionLabel?.(field.attribute, option, field.labelLocale) : undefined;
          return mapValue(label ?? option);
        }
        return mapValue(option);
      };
      return Array.isArray(data) ? data.map((o) => one(String(o))) : one(String(data));
    }
    case 'pim_catalog_number':
      return { kind: 'decimal', value: String(data) };
    case 'pim_catalog_price_collection': {
      const prices = data as { amount: string | number | null; currency: string }[];
      const first = prices.find((p) => p.amount !== null);
      return first ? { kind: 'money', amount: String(first.amount), currency: first.currency } : null;
    }
    case 'pim_catalog_boolean':
      return Boolean(data);
    default:
      return typeof data === 'string' ? mapValue(data) : typeof data === 'number' ? data : JSON.stringify(data);
  }
}

function fieldValue(product: Product, erpField: string, field: ExportField, ctx: ExportContext, problems: string[]): FieldValue | undefined {
  const attribute = ctx.attributes.get(field.attribute);
  if (!attribute) {
    problems.push(`export.fields.${erpField}: the PIM has no attribute ${field.attribute}; create it or fix the mapping.`);
    return undefined;
  }
  const scope = field.scope ?? null;
  try {
    if (field.locales) {
      const values: Record<string, string> = {};
      for (const [lang, locale] of Object.entries(field.locales)) {
        const data = pick(product.values, field.attribute, locale, scope);
        if (data !== undefined && data !== null && data !== '') {
          const converted = convert(field, data, attribute.type, ctx);
          values[lang] = typeof converted === 'string' ? converted : String(converted);
        }
      }
      return Object.keys(values).length ? { kind: 'localized', values } : undefined;
    }
    const data = pick(product.values, field.attribute, field.locale ?? null, scope);
    if (data === undefined || data === null || data === '') return undefined;
    return convert(field, data, attribute.type, ctx);
  } catch (error) {
    problems.push(`${field.attribute}: ${(error as Error).message}.`);
    return undefined;
  }
}

/**
 * The ERP records of one tagged product, keyed by its SKU. `sku` is the identifier the product
 * has or was given; a variant product's group is its parent model when templates are written.
 */
export function mapProductForExport(product: Product, sku: string, config: ExportConfig, ctx: ExportContext): MappedExport {
  const problems: string[] = [];
  const groupFields: Record<string, FieldValue> = {};
  const itemFields: Record<string, FieldValue> = {};
  for (const [erpField, field] of Object.entries(config.fields)) {
    const value = fieldValue(product, erpField, field, ctx, problems);
    if (value === undefined) continue;
    const target = field.target ?? (ctx.templates ? 'group' : 'item');
    (target === 'group' ? groupFields : itemFields)[erpField] = value;
  }
  if (config.family && product.family) {
    const value = config.family.map ? config.family.map[product.family] : product.family;
    if (value === undefined) problems.push(`family ${product.family} has no ERP value in export.family.map; add it to the map.`);
    else (ctx.templates ? groupFields : itemFields)[config.family.field] = value;
  }
  const categories = config.categories
    ? (product.categories ?? []).map((c) => config.categories![c]).filter((c): c is string => c !== undefined)
    : undefined;
  const updatedAt = product.updated ?? null;
  const groupKey = ctx.templates ? (product.parent ?? sku) : null;
  const group: ErpRecord | null = ctx.templates
    ? { stream: 'groups', key: groupKey!, updatedAt, fields: groupFields, ...(categories ? { categories } : {}) }
    : null;
  const item: ErpRecord = {
    stream: ctx.stream,
    key: sku,
    updatedAt,
    fields: itemFields,
    ...(ctx.templates ? { group: groupKey } : {}),
    ...(!ctx.templates && categories ? { categories } : {}),
  };
  return { group, item, problems };
}
