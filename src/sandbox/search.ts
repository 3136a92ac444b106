/**
 * The `search` query parameter of /products, /products-uuid and /product-models: Akeneo's
 * filter DSL `{"<property|attribute>":[{"operator","value","locale"?,"scope"?}]}`, compiled to
 * a predicate over an entity's effective (inherited) data. Errors carry Akeneo's texts.
 *
 * Size (~520 lines): one predicate builder per filter family (attribute values, completeness,
 * categories, properties) beside the operator helpers they share; apart, Akeneo's operator rules would scatter.
 */
import type { Attribute, ValueEntry, Values } from '../akeneo/model.js';
import { HttpError, isObject, plain } from './http.js';
import { toStandardUnit } from './measurement-families.js';
import { isEmptyData } from './rules/common.js';
import type { SandboxStore } from './store.js';

/** What a filter sees of a product or product model: own + ancestors' data. */
export interface Searchable {
  kind: 'product' | 'product_model';
  uuid?: string;
  identifier?: string;
  code?: string;
  enabled?: boolean;
  family: string | null;
  familyVariant?: string;
  parent: string | null;
  /** lower-case codes of the entity's own and ancestors' categories */
  categories: Set<string>;
  groups: string[];
  values: Values;
  /** Lazy single-attribute lookup (own value, else the nearest ancestor's); avoids materialising all values. */
  valueFor?: (attribute: string) => ValueEntry[] | undefined;
  created: string;
  updated: string;
}

export type Predicate = (e: Searchable) => boolean;

interface Criterion {
  operator: string;
  value?: unknown;
  locale?: string | null;
  scope?: string | null;
  locales?: string[];
}

const lower = (s: string): string => s.toLowerCase();
const phpType = (v: unknown): string =>
  v === null || v === undefined ? 'NULL' : Array.isArray(v) ? 'array' : typeof v === 'number' ? (Number.isInteger(v) ? 'integer' : 'double') : typeof v;

function unsupported(property: string, operator: string): HttpError {
  return plain(422, `Filter on property "${property}" is not supported or does not support operator "${operator}"`);
}

/** Akeneo's SQL-ish datetimes (`YYYY-MM-DD hh:mm:ss`, UTC) or ISO-8601 → epoch seconds. */
function toSeconds(v: unknown, property: string): number {
  if (typeof v !== 'string') throw plain(422, `Property "${property}" expects a string with the format "yyyy-mm-dd hh:mm:ss" as data, "${phpType(v)}" given.`);
  const iso = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(v) ? `${v.replace(' ', 'T')}Z` : v;
  const t = Date.parse(iso);
  if (Number.isNaN(t)) throw plain(422, `Property "${property}" expects a string with the format "yyyy-mm-dd hh:mm:ss" as data, "${v}" given.`);
  return Math.floor(t / 1000);
}

function dateOnly(v: unknown, property: string): string {
  if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}/.test(v)) {
    throw plain(422, `Property "${property}" expects a string with the format "yyyy-mm-dd" as data, "${typeof v === 'string' ? v : phpType(v)}" given.`);
  }
  return v.slice(0, 10);
}

function stringList(v: unknown, property: string): string[] {
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
    throw plain(422, `Property "${property}" expects an array as data, "${phpType(v)}" given.`);
  }
  return v as string[];
}

function compareDates(op: string, actual: number, value: unknown, property: string): boolean {
  switch (op) {
    case '=':
      return actual === toSeconds(value, property);
    case '!=':
      return actual !== toSeconds(value, property);
    case '<':
      return actual < toSeconds(value, property);
    case '>':
      return actual > toSeconds(value, property);
    case 'BETWEEN':
    case 'NOT BETWEEN': {
      if (!Array.isArray(value) || value.length !== 2) throw plain(422, `Property "${property}" expects an array with 2 values as data.`);
      const inside = actual >= toSeconds(value[0], property) && actual <= toSeconds(value[1], property);
      return op === 'BETWEEN' ? inside : !inside;
    }
    case 'SINCE LAST N DAYS': {
      if (typeof value !== 'number' || !Number.isInteger(value)) throw plain(422, `Property "${property}" expects an integer as data, "${phpType(value)}" given.`);
      return actual >= Math.floor(Date.now() / 1000) - value * 86_400;
    }
    default:
      throw unsupported(property, op);
  }
}

function numeric(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
  return undefined;
}

function compareNumbers(op: string, a: number, b: number): boolean {
  switch (op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '=':
      return a === b;
    case '!=':
      return a !== b;
    case '>=':
      return a >= b;
    case '>':
      return a > b;
    default:
      return false;
  }
}

const TEXT_OPS = ['STARTS WITH', 'CONTAINS', 'DOES NOT CONTAIN', '=', '!=', 'EMPTY', 'NOT EMPTY', 'IN', 'NOT IN'];
const NUMBER_OPS = ['<', '<=', '=', '!=', '>=', '>', 'EMPTY', 'NOT EMPTY'];
const SELECT_OPS = ['IN', 'NOT IN', 'EMPTY', 'NOT EMPTY'];
const DATE_OPS = ['<', '=', '!=', '>', 'BETWEEN', 'NOT BETWEEN', 'EMPTY', 'NOT EMPTY'];
const BOOL_OPS = ['=', '!=', 'EMPTY', 'NOT EMPTY'];

function operatorsFor(attr: Attribute): string[] {
  switch (attr.type) {
    case 'pim_catalog_identifier':
    case 'pim_catalog_text':
    case 'pim_catalog_textarea':
    case 'pim_catalog_file':
    case 'pim_catalog_image':
      return TEXT_OPS;
    case 'pim_catalog_number':
    case 'pim_catalog_metric':
    case 'pim_catalog_price_collection':
      return NUMBER_OPS;
    case 'pim_catalog_boolean':
      return BOOL_OPS;
    case 'pim_catalog_date':
      return DATE_OPS;
    default:
      return SELECT_OPS;
  }
}

function textMatch(op: string, data: unknown, value: unknown): boolean {
  const d = lower(String(data));
  if (op === 'IN' || op === 'NOT IN') {
    const list = (Array.isArray(value) ? value : [value]).map((v) => lower(String(v)));
    return op === 'IN' ? list.includes(d) : !list.includes(d);
  }
  const v = lower(String(value ?? ''));
  switch (op) {
    case 'STARTS WITH':
      return d.startsWith(v);
    case 'CONTAINS':
      return d.includes(v);
    case 'DOES NOT CONTAIN':
      return !d.includes(v);
    case '=':
      return d === v;
    case '!=':
      return d !== v;
    default:
      return false;
  }
}

export interface SearchContext {
  store: SandboxStore;
  kind: 'product' | 'product_model';
  searchLocale?: string;
  searchScope?: string;
}

function attributePredicate(ctx: SearchContext, attr: Attribute, c: Criterion): Predicate {
  const { store } = ctx;
  const op = c.operator;
  if (!operatorsFor(attr).includes(op)) throw unsupported(attr.code, op);
  let locale = c.locale ?? null;
  let scope = c.scope ?? null;
  if (attr.localizable) {
    locale ??= ctx.searchLocale ?? null;
    if (locale === null) throw plain(422, `Attribute "${attr.code}" expects a locale, none given.`);
    if (!store.activeLocales().some((l) => lower(l) === lower(locale as string))) {
      throw plain(422, `Attribute "${attr.code}" expects an existing and activated locale, "${locale}" given.`);
    }
  } else if (c.locale) {
    throw plain(422, `Attribute "${attr.code}" does not expect a locale, "${c.locale}" given.`);
  }
  if (attr.scopable) {
    scope ??= ctx.searchScope ?? null;
    if (scope === null) throw plain(422, `Attribute "${attr.code}" expects a scope, none given.`);
    if (!store.channel(scope)) throw plain(422, `Attribute "${attr.code}" expects an existing scope, "${scope}" given.`);
  } else if (c.scope) {
    throw plain(422, `Attribute "${attr.code}" does not expect a scope, "${c.scope}" given.`);
  }
  const code = attr.code;
  // The identifier attribute's value is the product's identifier: answer from the row, no parse.
  const isIdentifier = attr.type === 'pim_catalog_identifier' && ctx.kind === 'product' && lower(code) === lower(store.identifierAttribute());
  const entriesOf = (e: Searchable): ValueEntry[] => {
    if (isIdentifier) return e.identifier ? [{ locale: null, scope: null, data: e.identifier }] : [];
    const list = (e.valueFor ? e.valueFor(code) : (e.values[code] ?? findCaseInsensitive(e.values, code))) ?? [];
    return list.filter(
      (x) =>
        (!attr.localizable || (x.locale !== null && lower(x.locale) === lower(locale as string))) &&
        (!attr.scopable || (x.scope !== null && lower(x.scope) === lower(scope as string))) &&
        !isEmptyData(x.data),
    );
  };
  if (op === 'EMPTY') return (e) => entriesOf(e).length === 0;
  if (op === 'NOT EMPTY') return (e) => entriesOf(e).length > 0;
  const value = c.value;
  let test: (data: unknown) => boolean;
  switch (operatorsFor(attr)) {
    case TEXT_OPS:
      if ((op === 'IN' || op === 'NOT IN') && !Array.isArray(value)) throw plain(422, `Property "${code}" expects an array as data, "${phpType(value)}" given.`);
      if (op !== 'IN' && op !== 'NOT IN' && typeof value !== 'string') throw plain(422, `Property "${code}" expects a string as data, "${phpType(value)}" given.`);
      test = (d) => textMatch(op, d, value);
      break;
    case NUMBER_OPS: {
      if (attr.type === 'pim_catalog_metric') {
        const family = attr.metric_family ? store.measurementFamily(attr.metric_family) : undefined;
        const v = value as { amount?: unknown; unit?: unknown };
        if (!isObject(value) || numeric(v.amount) === undefined || typeof v.unit !== 'string') {
          throw plain(422, `Property "${code}" expects an array with the key "amount" and "unit" as data.`);
        }
        const target = family ? toStandardUnit(family, v.unit, numeric(v.amount) as number) : numeric(v.amount);
        if (target === undefined) throw plain(422, `Property "${code}" expects a valid unit. The unit does not exist, "${v.unit}" given.`);
        test = (d) => {
          const m = d as { amount?: unknown; unit?: unknown };
          const a = numeric(m?.amount);
          if (a === undefined || typeof m.unit !== 'string') return false;
          const s = family ? toStandardUnit(family, m.unit, a) : a;
          return s !== undefined && compareNumbers(op, s, target);
        };
      } else if (attr.type === 'pim_catalog_price_collection') {
        const v = value as { amount?: unknown; currency?: unknown };
        if (!isObject(value) || numeric(v.amount) === undefined || typeof v.currency !== 'string') {
          throw plain(422, `Property "${code}" expects an array with the key "amount" and "currency" as data.`);
        }
        const target = numeric(v.amount) as number;
        const currency = lower(v.currency);
        test = (d) =>
          Array.isArray(d) &&
          d.some((p: { amount?: unknown; currency?: unknown }) => {
            const a = numeric(p?.amount);
            return typeof p?.currency === 'string' && lower(p.currency) === currency && a !== undefined && compareNumbers(op, a, target);
          });
      } else {
        const target = numeric(value);
        if (target === undefined) throw plain(422, `Property "${code}" expects a numeric as data, "${phpType(value)}" given.`);
        test = (d) => {
          const a = numeric(d);
          return a !== undefined && compareNumbers(op, a, target);
        };
      }
      break;
    }
    case BOOL_OPS:
      if (typeof value !== 'boolean') throw plain(422, `Property "${code}" expects a boolean as data, "${phpType(value)}" given.`);
      test = (d) => (op === '=' ? d === value : d !== value);
      break;
    case DATE_OPS: {
      if (op === 'BETWEEN' || op === 'NOT BETWEEN') {
        if (!Array.isArray(value) || value.length !== 2) throw plain(422, `Property "${code}" expects an array with 2 values as data.`);
        const [from, to] = [dateOnly(value[0], code), dateOnly(value[1], code)];
        test = (d) => {
          const x = String(d).slice(0, 10);
          const inside = x >= from && x <= to;
          return op === 'BETWEEN' ? inside : !inside;
        };
      } else {
        const v = dateOnly(value, code);
        test = (d) => {
          const x = String(d).slice(0, 10);
          return op === '<' ? x < v : op === '>' ? x > v : op === '=' ? x === v : x !== v;
        };
      }
      break;
    }
    default: {
      const list = stringList(value, code).map(lower);
      test = (d) => {
        const codes = (Array.isArray(d) ? d : [d]).map((x) => lower(String(x)));
        const hit = codes.some((x) => list.includes(x));
        return op === 'IN' ? hit : !hit;
      };
    }
  }
  return (e) => entriesOf(e).some((x) => test(x.data));
}

function findCaseInsensitive(values: Values, code: string): ValueEntry[] | undefined {
  const l = lower(code);
  for (const [k, v] of Object.entries(values)) if (lower(k) === l) return v;
  return undefined;
}

/** Completeness of one entity for a channel, per locale (percent, floored). */
export function completeness(store: SandboxStore, e: Searchable, channelCode: string): Map<string, number> | undefined {
  if (!e.family) return undefined;
  const family = store.family(e.family);
  const channel = store.channel(channelCode);
  if (!family || !channel) return undefined;
  const required = family.attribute_requirements?.[channel.code] ?? [];
  const out = new Map<string, number>();
  for (const locale of channel.locales) {
    let total = 0;
    let filled = 0;
    for (const code of required) {
      const attr = store.attribute(code);
      if (!attr) continue;
      if (attr.available_locales && attr.available_locales.length > 0 && !attr.available_locales.includes(locale)) continue;
      total++;
      const entries = (e.valueFor ? e.valueFor(attr.code) : e.values[attr.code]) ?? [];
      const ok = entries.some(
        (x) => (!attr.localizable || x.locale === locale) && (!attr.scopable || x.scope === channel.code) && !isEmptyData(x.data),
      );
      if (ok) filled++;
    }
    out.set(locale, total === 0 ? 100 : Math.floor((100 * filled) / total));
  }
  return out;
}

function completenessPredicate(ctx: SearchContext, c: Criterion, descendants?: (e: Searchable) => Searchable[]): Predicate {
  const scope = c.scope ?? ctx.searchScope;
  if (!scope) throw plain(422, 'Property "completeness" expects a scope, none given.');
  if (!ctx.store.channel(scope)) throw plain(422, `Property "completeness" expects a valid scope, "${scope}" given.`);
  const locales = c.locales ?? (c.locale ? [c.locale] : undefined);
  const op = c.operator;
  if (ctx.kind === 'product_model') {
    const modelOps = ['AT LEAST COMPLETE', 'AT LEAST INCOMPLETE', 'ALL COMPLETE', 'ALL INCOMPLETE'];
    if (!modelOps.includes(op)) throw unsupported('completeness', op);
    return (e) => {
      const kids = descendants?.(e) ?? [];
      const flags = kids.map((k) => {
        const m = completeness(ctx.store, k, scope);
        if (!m) return false;
        const ls = locales ?? [...m.keys()];
        return ls.some((l) => m.get(l) === 100);
      });
      if (flags.length === 0) return false;
      if (op === 'AT LEAST COMPLETE') return flags.includes(true);
      if (op === 'AT LEAST INCOMPLETE') return flags.includes(false);
      if (op === 'ALL COMPLETE') return flags.every(Boolean);
      return flags.every((f) => !f);
    };
  }
  const allOps: Record<string, string> = {
    'GREATER THAN ON ALL LOCALES': '>',
    'GREATER OR EQUALS THAN ON ALL LOCALES': '>=',
    'LOWER THAN ON ALL LOCALES': '<',
    'LOWER OR EQUALS THAN ON ALL LOCALES': '<=',
  };
  const simple = ['<', '<=', '=', '!=', '>=', '>'];
  if (!simple.includes(op) && !allOps[op]) throw unsupported('completeness', op);
  const target = numeric(c.value);
  if (target === undefined) throw plain(422, `Property "completeness" expects a numeric as data, "${phpType(c.value)}" given.`);
  if (allOps[op] && !locales) throw plain(422, 'Property "completeness" expects an array with the key "locales".');
  return (e) => {
    const m = completeness(ctx.store, e, scope);
    if (!m) return false;
    const ls = (locales ?? [...m.keys()]).filter((l) => m.has(l));
    if (ls.length === 0) return false;
    if (allOps[op]) return ls.every((l) => compareNumbers(allOps[op] as string, m.get(l) as number, target));
    return ls.some((l) => compareNumbers(op, m.get(l) as number, target));
  };
}

function categoriesPredicate(ctx: SearchContext, c: Criterion): Predicate {
  const op = c.operator;
  if (op === 'UNCLASSIFIED') return (e) => e.categories.size === 0;
  const ops = ['IN', 'NOT IN', 'IN OR UNCLASSIFIED', 'IN CHILDREN', 'NOT IN CHILDREN'];
  if (!ops.includes(op)) throw unsupported('categories', op);
  const codes = stringList(c.value, 'categories');
  for (const code of codes) if (!ctx.store.category(code)) throw plain(422, `Category "${code}" does not exist.`);
  let set = new Set(codes.map(lower));
  if (op === 'IN CHILDREN' || op === 'NOT IN CHILDREN') {
    const all = new Set<string>();
    for (const code of codes) for (const x of ctx.store.categorySubtree(code)) all.add(x);
    set = all;
  }
  const hit = (e: Searchable): boolean => {
    for (const x of e.categories) if (set.has(x)) return true;
    return false;
  };
  if (op === 'IN' || op === 'IN CHILDREN') return hit;
  if (op === 'IN OR UNCLASSIFIED') return (e) => e.categories.size === 0 || hit(e);
  return (e) => !hit(e);
}

function listPredicate(property: string, c: Criterion, get: (e: Searchable) => string | null | undefined, extra: string[] = []): Predicate {
  const op = c.operator;
  if (op === 'EMPTY') return (e) => !get(e);
  if (op === 'NOT EMPTY') return (e) => !!get(e);
  if (op === 'IN' || op === 'NOT IN') {
    const list = new Set(stringList(c.value, property).map(lower));
    return op === 'IN' ? (e) => list.has(lower(get(e) ?? '')) : (e) => !list.has(lower(get(e) ?? ''));
  }
  if (extra.includes(op)) {
    if (typeof c.value !== 'string') throw plain(422, `Property "${property}" expects a string as data, "${phpType(c.value)}" given.`);
    return (e) => {
      const v = get(e);
      return v !== null && v !== undefined && textMatch(op, v, c.value);
    };
  }
  throw unsupported(property, op);
}

function propertyPredicate(ctx: SearchContext, property: string, c: Criterion, descendants?: (e: Searchable) => Searchable[]): Predicate | undefined {
  const { store } = ctx;
  const op = c.operator;
  switch (property) {
    case 'uuid':
      if (ctx.kind !== 'product') return undefined;
      return listPredicate('uuid', c, (e) => e.uuid);
    case 'identifier':
      return ctx.kind === 'product'
        ? listPredicate('identifier', c, (e) => e.identifier, ['=', '!=', 'STARTS WITH', 'CONTAINS', 'DOES NOT CONTAIN'])
        : listPredicate('identifier', c, (e) => e.code);
    case 'enabled':
      if (ctx.kind !== 'product') return undefined;
      if (op !== '=' && op !== '!=') throw unsupported('enabled', op);
      if (typeof c.value !== 'boolean') throw plain(422, `Property "enabled" expects a boolean as data, "${phpType(c.value)}" given.`);
      return (e) => (op === '=' ? e.enabled === c.value : e.enabled !== c.value);
    case 'family':
      if (op === 'IN' || op === 'NOT IN') for (const f of stringList(c.value, 'family')) if (!store.family(f)) throw plain(422, `Family "${f}" does not exist.`);
      return listPredicate('family', c, (e) => e.family);
    case 'groups': {
      if (ctx.kind !== 'product') return undefined;
      if (op === 'EMPTY') return (e) => e.groups.length === 0;
      if (op === 'NOT EMPTY') return (e) => e.groups.length > 0;
      if (op !== 'IN' && op !== 'NOT IN') throw unsupported('groups', op);
      const list = new Set(stringList(c.value, 'groups').map(lower));
      const hit = (e: Searchable): boolean => e.groups.some((g) => list.has(lower(g)));
      return op === 'IN' ? hit : (e) => !hit(e);
    }
    case 'categories':
      return categoriesPredicate(ctx, c);
    case 'created':
    case 'updated': {
      const ops = ['=', '!=', '<', '>', 'BETWEEN', 'NOT BETWEEN', 'SINCE LAST N DAYS'];
      if (!ops.includes(op)) throw unsupported(property, op);
      compareDates(op, 0, c.value, property); // validates the value once, up front
      return (e) => compareDates(op, Math.floor(Date.parse(property === 'created' ? e.created : e.updated) / 1000), c.value, property);
    }
    case 'parent': {
      if (op === 'EMPTY') return (e) => !e.parent;
      if (op === 'NOT EMPTY') return (e) => !!e.parent;
      if (op === 'IN') {
        const list = new Set(stringList(c.value, 'parent').map(lower));
        return (e) => !!e.parent && list.has(lower(e.parent));
      }
      if (op === '=' && ctx.kind === 'product') {
        if (typeof c.value !== 'string') throw plain(422, `Property "parent" expects a string as data, "${phpType(c.value)}" given.`);
        const target = lower(c.value);
        return (e) => store.ancestors(e.parent).some((m) => lower(m.code) === target);
      }
      throw unsupported('parent', op);
    }
    case 'completeness':
      return completenessPredicate(ctx, c, descendants);
    default:
      return undefined;
  }
}

/** Parses and compiles `search` (already URL-decoded). Undefined search → match all. */
export function compileSearch(
  search: string | undefined,
  ctx: SearchContext,
  descendants?: (e: Searchable) => Searchable[],
): Predicate {
  if (search === undefined || search.trim() === '') return () => true;
  let parsed: unknown;
  try {
    parsed = JSON.parse(search);
  } catch {
    throw plain(400, 'Search query parameter should be valid JSON.');
  }
  if (!isObject(parsed)) throw plain(422, 'Search query parameter has to be an array.');
  const preds: Predicate[] = [];
  for (const [property, criteria] of Object.entries(parsed)) {
    if (!Array.isArray(criteria)) {
      throw plain(422, `Structure of filter "${property}" should respect this structure: {"${property}":[{"operator": "my_operator", "value": "my_value"}]}`);
    }
    for (const raw of criteria) {
      if (!isObject(raw)) {
        throw plain(422, `Structure of filter "${property}" should respect this structure: {"${property}":[{"operator": "my_operator", "value": "my_value"}]}`);
      }
      if (!('operator' in raw)) throw plain(422, `Operator is missing for the property "${property}".`);
      if (typeof raw['operator'] !== 'string') throw plain(422, `Operator has to be a string, "${phpType(raw['operator'])}" given.`);
      const c: Criterion = {
        operator: raw['operator'],
        value: raw['value'],
        locale: typeof raw['locale'] === 'string' ? raw['locale'] : null,
        scope: typeof raw['scope'] === 'string' ? raw['scope'] : null,
      };
      if (Array.isArray(raw['locales'])) c.locales = raw['locales'].filter((l): l is string => typeof l === 'string');
      const prop = propertyPredicate(ctx, property, c, descendants);
      if (prop) {
        preds.push(prop);
        continue;
      }
      const attr = ctx.store.attribute(property);
      if (!attr) throw plain(404, `"${property}" does not exist or you do not have permission to access it.`);
      preds.push(attributePredicate(ctx, attr, c));
    }
  }
  return (e) => preds.every((p) => p(e));
}
