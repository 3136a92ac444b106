/**
 * One product/product-model value: how Akeneo's updater reads it (documented errors, first one
 * wins), how it is normalised for storage (units, decimals, option codes in canonical case), how
 * the validator judges it (violations, all collected), and how values merge on PATCH.
 *
 * Size (~540 lines): every attribute type's read, normalise, validate and merge rules sit side by
 * side so one type's behaviour can be compared with Akeneo's in one place; split by type if it grows.
 */
import type {
  Attribute,
  ValidationErrorItem,
  ValueEntry,
  Values,
} from '../../akeneo/model.js';
import type { CatalogView } from './contract.js';
import { compareDecimal, formatDecimal, hasDecimals, toInteger } from './decimal.js';
import { documented, valueViolation } from './errors.js';
import { gettype, isNumeric, isPhpArray, isPlainObject, phpArrayValues, phpString } from './php.js';
import type { RawValue } from './values-format.js';

const NOTHING = 'nothing';

/**
 * Akeneo's ValueFactory check (Factory/Value/ValidateAttribute.php), as the updater raises it. 6.0
 * and later throw the four *AttributeException classes ("The x attribute requires …", "nothing"
 * for a missing code); 5.0 threw InvalidAttributeException with other texts, where PHP's sprintf
 * renders a missing code as "" (akeneo/pim-community-dev at b520a3fcb7, 2021-01, 5.0).
 */
export function checkLocaleAndScope(attr: Attribute, locale: string | null, scope: string | null, anchor: string, before6 = false): void {
  if (before6) return checkLocaleAndScope5(attr, locale, scope, anchor);
  const loc = locale ?? NOTHING;
  const ch = scope ?? NOTHING;
  const localizable = attr.localizable === true;
  const scopable = attr.scopable === true;
  const code = attr.code;
  if (!localizable && !scopable) {
    if (locale !== null || scope !== null) {
      throw documented(
        `The ${code} attribute requires neither a channel (${ch} was detected) nor a locale (${loc} was detected).`,
        anchor,
      );
    }
  } else if (localizable && !scopable) {
    if (scope !== null || locale === null) {
      throw documented(
        `The ${code} attribute does not require a value per channel (${ch} was detected) but requires a value per locale (${loc} was detected).`,
        anchor,
      );
    }
  } else if (!localizable && scopable) {
    if (scope === null || locale !== null) {
      throw documented(
        `The ${code} attribute requires a value per channel (${ch} was detected) but does not require a value per locale (${loc} was detected).`,
        anchor,
      );
    }
  } else if (scope === null || locale === null) {
    throw documented(
      `The ${code} attribute requires a value per channel (${ch} was detected) and a locale (${loc} was detected).`,
      anchor,
    );
  }
}

function checkLocaleAndScope5(attr: Attribute, locale: string | null, scope: string | null, anchor: string): void {
  const localizable = attr.localizable === true;
  const scopable = attr.scopable === true;
  let expects: string | null = null;
  if (localizable && scopable) {
    if (scope === null || locale === null) expects = 'a channel code and a locale code';
  } else if (localizable) {
    if (scope !== null || locale === null) expects = 'a locale code and a null channel code';
  } else if (scopable) {
    if (scope === null || locale !== null) expects = 'a channel code and a null locale code';
  } else if (scope !== null || locale !== null) expects = 'a null channel code and a null locale code';
  if (expects) {
    throw documented(`Attribute "${attr.code}" expects ${expects}, "${scope ?? ''}" channel code and "${locale ?? ''}" locale code given.`, anchor);
  }
}

function isEmptyData(data: unknown): boolean {
  return data === null || data === '' || (Array.isArray(data) && data.length === 0);
}

/** Stored form of a date: midnight, as Akeneo renders dates (server time zone = UTC here). */
export function normaliseDate(s: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:$|[T ])/.exec(s);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const dt = new Date(Date.UTC(y, mo - 1, d));
  if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== mo - 1 || dt.getUTCDate() !== d) return null;
  if (s.length > 10 && Number.isNaN(Date.parse(s.replace(' ', 'T')))) return null;
  return `${m[1]}-${m[2]}-${m[3]}T00:00:00+00:00`;
}

function numberData(attr: Attribute, data: unknown): unknown {
  if (!isNumeric(data) || (typeof data === 'string' && /\s/.test(data))) return data;
  const n = data as string | number;
  if (attr.decimals_allowed === true) return formatDecimal(n, 4) ?? data;
  if (hasDecimals(n)) return data;
  return toInteger(n);
}

function priceAmount(attr: Attribute, amount: unknown): unknown {
  if (amount === null || !isNumeric(amount)) return amount;
  const n = amount as string | number;
  if (attr.decimals_allowed === true) return formatDecimal(n, 2) ?? amount;
  if (hasDecimals(n)) return amount;
  return toInteger(n);
}

export type BuiltValue = { attribute: string; locale: string | null; scope: string | null; data: unknown };

function built(attribute: string, locale: string | null, scope: string | null, data: unknown): BuiltValue {
  return { attribute, locale, scope, data };
}

/**
 * The updater's reading of one value: documented errors for wrong data types, then the
 * normalised data (null data = "remove this value").
 */
export function buildValue(view: CatalogView, attr: Attribute, raw: RawValue, anchor: string, before6 = false): BuiltValue {
  const { locale, scope } = raw;
  let data = raw.data;
  checkLocaleAndScope(attr, locale, scope, anchor, before6);
  const code = attr.code;
  if (isEmptyData(data)) return built(code, locale, scope, null);
  switch (attr.type) {
    case 'pim_catalog_identifier':
    case 'pim_catalog_text':
    case 'pim_catalog_textarea':
      if (typeof data !== 'string') {
        throw documented(`The ${code} attribute requires a string, a ${gettype(data)} was detected.`, anchor);
      }
      return built(code, locale, scope, data);
    case 'pim_catalog_simpleselect': {
      if (typeof data !== 'string') {
        throw documented(`The ${code} attribute requires a string, a ${gettype(data)} was detected.`, anchor);
      }
      const option = view.option(code, data);
      return built(code, locale, scope, option ? option.code : data);
    }
    case 'pim_reference_data_simpleselect':
    case 'akeneo_reference_entity':
      if (typeof data !== 'string') {
        throw documented(`The ${code} attribute requires a string, a ${gettype(data)} was detected.`, anchor);
      }
      return built(code, locale, scope, data);
    case 'pim_catalog_multiselect': {
      data = checkCodeList(code, data, anchor);
      // OptionsValueFactory sorts the codes (PHP sort(): byte order).
      const codes = (data as string[]).map((c) => view.option(code, c)?.code ?? c);
      return built(code, locale, scope, codes.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    case 'pim_reference_data_multiselect':
    case 'akeneo_reference_entity_collection':
    case 'pim_catalog_asset_collection':
      return built(code, locale, scope, checkCodeList(code, data, anchor));
    case 'pim_catalog_number':
      // NumberValueFactory: any scalar but a blank string; is_numeric is judged by validation.
      if (!(typeof data === 'number' || typeof data === 'boolean' || (typeof data === 'string' && data.trim() !== ''))) {
        throw documented(`Property "${code}" expects a numeric as data, "${gettype(data)}" given.`, anchor);
      }
      return built(code, locale, scope, numberData(attr, data));
    case 'pim_catalog_boolean':
      if (typeof data !== 'boolean') {
        throw documented(
          `The ${code} attribute requires a boolean value (true or false) as data, a ${gettype(data)} was detected.`,
          anchor,
        );
      }
      return built(code, locale, scope, data);
    case 'pim_catalog_date': {
      if (typeof data !== 'string') {
        throw documented(`The ${code} attribute requires a string, a ${gettype(data)} was detected.`, anchor);
      }
      const d = normaliseDate(data);
      if (d === null) {
        throw documented(
          `The ${code} attribute requires a valid date. Please use the following format yyyy-mm-dd for dates.`,
          anchor,
        );
      }
      return built(code, locale, scope, d);
    }
    case 'pim_catalog_metric':
      return built(code, locale, scope, buildMetric(view, attr, data, anchor));
    case 'pim_catalog_price_collection':
      return built(code, locale, scope, buildPrices(attr, data, anchor));
    case 'pim_catalog_file':
    case 'pim_catalog_image': {
      if (typeof data !== 'string') {
        throw documented(`Property "${code}" expects a string as data, "${gettype(data)}" given.`, anchor);
      }
      const media = view.mediaFile(data);
      if (!media) {
        throw documented(
          `Property "${code}" expects a valid fileinfo key. The media does not exist, "${data}" given.`,
          anchor,
        );
      }
      return built(code, locale, scope, media.code);
    }
    case 'pim_catalog_table':
      if (!Array.isArray(data) || data.some((row) => !isPlainObject(row))) {
        throw documented(`Property "${code}" expects an array of objects as data.`, anchor);
      }
      return built(code, locale, scope, data);
    default:
      return built(code, locale, scope, data);
  }
}

function checkCodeList(code: string, data: unknown, anchor: string): string[] {
  if (!isPhpArray(data)) {
    throw documented(`Property "${code}" expects an array as data, "${gettype(data)}" given.`, anchor);
  }
  const items = phpArrayValues(data);
  for (const item of items) {
    if (typeof item !== 'string') {
      throw documented(
        `Property "${code}" expects an array with valid data, one of the options is not a string, "${gettype(item)}" given.`,
        anchor,
      );
    }
    if (item === '') {
      throw documented(
        `Property "${code}" expects an array with valid data, one of the options is an empty string.`,
        anchor,
      );
    }
  }
  return items as string[];
}

function buildMetric(view: CatalogView, attr: Attribute, data: unknown, anchor: string): unknown {
  const code = attr.code;
  if (!isPlainObject(data)) {
    throw documented(`Property "${code}" expects an array as data, "${gettype(data)}" given.`, anchor);
  }
  for (const key of ['amount', 'unit']) {
    if (!(key in data)) throw documented(`Property "${code}" expects an array with the key "${key}".`, anchor);
  }
  // MetricValueFactory: keys first, then a numeric amount, then a string unit.
  const amount = data.amount;
  if (!isNumeric(amount)) {
    throw documented(
      `Property "${code}" expects an array with valid data, key "amount" has to be a numeric, "${gettype(amount)}" given.`,
      anchor,
    );
  }
  const unit = data.unit;
  if (typeof unit !== 'string') {
    throw documented(
      `Property "${code}" expects an array with valid data, key "unit" has to be a string, "${gettype(unit)}" given.`,
      anchor,
    );
  }
  const family = attr.metric_family ? view.measurementFamily(attr.metric_family) : undefined;
  const canonical = family ? Object.keys(family.units).find((u) => u.toLowerCase() === unit.toLowerCase()) : undefined;
  return { amount: numberData(attr, amount), unit: canonical ?? unit };
}

const PRICE_FORMAT = (code: string) =>
  `The data format sent for the "${code}" attribute is wrong. Please, fill in one value per amount field.`;

function buildPrices(attr: Attribute, data: unknown, anchor: string): unknown {
  const code = attr.code;
  if (!isPhpArray(data)) throw documented(PRICE_FORMAT(code), anchor);
  const byCurrency = new Map<string, { amount: unknown; currency: string }>();
  for (const price of phpArrayValues(data)) {
    if (!isPlainObject(price) || !('amount' in price) || typeof price.currency !== 'string') {
      throw documented(PRICE_FORMAT(code), anchor);
    }
    const a = price.amount;
    if (a !== null && typeof a !== 'string' && typeof a !== 'number') throw documented(PRICE_FORMAT(code), anchor);
    byCurrency.set(price.currency, { amount: priceAmount(attr, a), currency: price.currency });
  }
  return [...byCurrency.values()].sort((x, y) => (x.currency < y.currency ? -1 : x.currency > y.currency ? 1 : 0));
}

// ---------------------------------------------------------------------------------------------
// Validation (violations)

function numberViolations(attr: Attribute, v: BuiltValue, data: unknown, extra?: Record<string, unknown>): ValidationErrorItem[] {
  const code = attr.code;
  const viol = (m: string) => valueViolation(code, v.locale, v.scope, m, extra);
  if (typeof data === 'string' && /\s/.test(data)) {
    return [viol(`The ${code} attribute requires a value which does not contains space, and the submitted "${data}" has at least one.`)];
  }
  if (!isNumeric(data)) {
    return [viol(`The ${code} attribute requires a number, and the submitted ${phpString(data)} value is not.`)];
  }
  const n = data as string | number;
  const out: ValidationErrorItem[] = [];
  if (attr.decimals_allowed !== true && hasDecimals(n)) {
    out.push(viol(`The ${code} attribute requires a non-decimal value, and ${String(data)} is not a valid value.`));
  }
  const min = attr.number_min ?? (attr.negative_allowed === true ? null : attr.type === 'pim_catalog_price_collection' ? null : '0');
  if (min !== null && min !== undefined && compareDecimal(n, min) < 0) {
    out.push(viol(`The ${code} attribute requires an equal or greater than ${formatLimit(min)} value.`));
  }
  const max = attr.number_max;
  if (max !== null && max !== undefined && compareDecimal(n, max) > 0) {
    out.push(viol(`The ${code} attribute requires an equal or lesser than ${formatLimit(max)} value.`));
  }
  return out;
}

function formatLimit(limit: string | number): string {
  const s = formatDecimal(limit, 4) ?? String(limit);
  return s.replace(/\.?0+$/, '') || '0';
}

function compileRegexp(source: string): RegExp | null {
  const m = /^\/(.*)\/([a-zA-Z]*)$/s.exec(source);
  try {
    if (m) return new RegExp(m[1] ?? '', (m[2] ?? '').replace(/[^gimsuy]/g, ''));
    return new RegExp(source);
  } catch {
    return null;
  }
}

/** Symfony-ish checks used by validation_rule email/url. */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const URL_RE = /^(https?|ftp):\/\/[^\s/$.?#].[^\s]*$/i;

/**
 * Akeneo runs a product's value constraints in this order (product.yml getters): each value's own
 * constraints (`data`), then option existence, then scopes, then locales.
 */
export type ValuePhase = 'data' | 'options' | 'scope' | 'locale';
const ALL_PHASES: readonly ValuePhase[] = ['data', 'options', 'scope', 'locale'];

/** Validates values phase by phase, as Akeneo orders its violations. */
export function validateValues(
  view: CatalogView,
  values: readonly BuiltValue[],
  owner?: string,
): ValidationErrorItem[] {
  const out: ValidationErrorItem[] = [];
  for (const phase of ALL_PHASES) {
    for (const v of values) {
      if (v.data === null) continue;
      const attr = view.attribute(v.attribute);
      if (attr) out.push(...validateValue(view, attr, v, owner, phase));
    }
  }
  return out;
}

/** Business validation of one (non-removed) value. `owner` is the entity's uuid (for unique values). */
export function validateValue(
  view: CatalogView,
  attr: Attribute,
  v: BuiltValue,
  owner?: string,
  phase?: ValuePhase,
): ValidationErrorItem[] {
  const want = (p: ValuePhase) => phase === undefined || phase === p;

  const code = attr.code;
  const out: ValidationErrorItem[] = [];
  const viol = (m: string, extra?: Record<string, unknown>) => valueViolation(code, v.locale, v.scope, m, extra);

  const channelOk = v.scope === null || view.channel(v.scope) !== undefined;
  if (want('scope') && !channelOk) {
    out.push(viol(`The ${code} attribute requires a value per channel. The ${String(v.scope)} channel (scope) must exist in your PIM`));
  }
  if (want('locale') && v.locale !== null) {
    const active = view.activeLocales().includes(v.locale);
    if (!active) {
      out.push(viol(`The ${code} attribute requires a valid locale. The ${v.locale} locale does not exist.`));
    } else if (v.scope !== null && channelOk) {
      const channel = view.channel(v.scope);
      if (channel && !channel.locales.includes(v.locale)) {
        out.push(viol(`The ${code} attribute requires a valid locale. The ${v.locale} locale is not bound to the ${v.scope} channel.`));
      }
    }
    const available = attr.available_locales ?? [];
    if (available.length > 0 && !available.includes(v.locale)) {
      out.push(viol(`The ${v.locale} locale is not available on the ${code} attribute.`));
    }
  }
  const data = v.data;
  if (data === null) return out;
  if (want('options')) out.push(...optionViolations(view, attr, v));
  if (!want('data')) return out;

  switch (attr.type) {
    case 'pim_catalog_identifier':
    case 'pim_catalog_text':
    case 'pim_catalog_textarea': {
      const s = data as string;
      const max = attr.max_characters ?? (attr.type === 'pim_catalog_textarea' ? 65535 : 255);
      if ([...s].length > max) {
        out.push(viol(`The ${code} attribute must not contain more than ${max} characters. The submitted value is too long.`));
      }
      if (attr.validation_rule === 'regexp' && attr.validation_regexp) {
        const re = compileRegexp(attr.validation_regexp);
        if (re && !re.test(s)) {
          out.push(viol(`The ${code} attribute must match the following regular expression: ${attr.validation_regexp}.`));
        }
      } else if (attr.validation_rule === 'email' && !EMAIL.test(s)) {
        out.push(viol(`The ${code} attribute requires an e-mail address.`));
      } else if (attr.validation_rule === 'url' && !URL_RE.test(s)) {
        out.push(viol(`The ${code} attribute requires a url link.`));
      }
      break;
    }
    case 'pim_catalog_number':
      out.push(...numberViolations(attr, v, data));
      break;
    case 'pim_catalog_metric': {
      const m = data as { amount: unknown; unit: string };
      const family = attr.metric_family ? view.measurementFamily(attr.metric_family) : undefined;
      if (!family || !(m.unit in family.units)) out.push(viol('Please specify a valid metric unit'));
      if (m.amount !== null) out.push(...numberViolations(attr, v, m.amount));
      break;
    }
    case 'pim_catalog_price_collection':
      for (const p of data as { amount: unknown; currency: string }[]) {
        const currency = view.currency(p.currency);
        if (!currency || !currency.enabled) {
          out.push(
            viol(`Please specify a valid currency for the ${code} attribute, the ${p.currency} code was sent.`, {
              currency: p.currency,
            }),
          );
        }
        if (p.amount !== null) out.push(...numberViolations(attr, v, p.amount, { currency: p.currency }));
      }
      break;
    case 'pim_catalog_date': {
      const day = (data as string).slice(0, 10);
      if (attr.date_min && day < attr.date_min.slice(0, 10)) {
        out.push(viol(`The ${code} attribute requires a date that should be ${attr.date_min.slice(0, 10)} or after.`));
      }
      if (attr.date_max && day > attr.date_max.slice(0, 10)) {
        out.push(viol(`The ${code} attribute requires a date that should be ${attr.date_max.slice(0, 10)} or before.`));
      }
      break;
    }
    case 'pim_catalog_multiselect': {
      const codes = data as string[];
      const dups = duplicates(codes);
      if (dups.length === 1) {
        out.push(viol(`The following option was used multiple times: "${dups[0]}". Please check your option list again.`));
      } else if (dups.length > 1) {
        out.push(viol(`The following options were used multiple times: "${dups.join(', ')}". Please check your option list again.`));
      }
      break;
    }
    case 'pim_catalog_file':
    case 'pim_catalog_image': {
      const allowed = attr.allowed_extensions ?? [];
      const media = view.mediaFile(data as string);
      const name = media?.original_filename ?? (data as string);
      const ext = name.includes('.') ? (name.split('.').pop() ?? '').toLowerCase() : '';
      if (allowed.length > 0 && !allowed.map((e) => e.toLowerCase()).includes(ext)) {
        out.push(viol(`The ${ext} file extension is not allowed for the ${code} attribute. Allowed extensions are ${allowed.join(', ')}.`));
      }
      break;
    }
    case 'akeneo_reference_entity':
    case 'akeneo_reference_entity_collection': {
      const entity = attr.reference_data_name ?? '';
      const codes = Array.isArray(data) ? (data as string[]) : [data as string];
      const missing = codes.filter((c) => !view.referenceEntityRecord(entity, c));
      if (missing.length > 0) {
        out.push(viol(`The following records do not exist for the "${entity}" reference entity: ${missing.join(', ')}`));
      }
      break;
    }
    case 'pim_catalog_asset_collection': {
      const family = attr.reference_data_name ?? '';
      const missing = (data as string[]).filter((c) => !view.asset(family, c));
      if (missing.length > 0) {
        out.push(viol(`The following assets do not exist for the "${family}" asset family: ${missing.join(', ')}`));
      }
      break;
    }
    default:
      break;
  }
  if (attr.unique === true && attr.type !== 'pim_catalog_identifier') {
    const holder = view.uniqueValueOwner(code, data);
    if (holder !== undefined && holder !== owner) {
      out.push(
        viol(`The ${code} attribute can not have the same value more than once. The ${uniqueString(data)} value is already set on another product.`),
      );
    }
  }
  return out;
}

/** AttributeOptionsExist: simple and multi-select codes must be options of the attribute. */
function optionViolations(view: CatalogView, attr: Attribute, v: BuiltValue): ValidationErrorItem[] {
  const code = attr.code;
  if (attr.type === 'pim_catalog_simpleselect') {
    return view.option(code, v.data as string)
      ? []
      : [valueViolation(code, v.locale, v.scope, `The ${String(v.data)} value is not in the ${code} attribute option list.`)];
  }
  if (attr.type !== 'pim_catalog_multiselect') return [];
  const unknown = (v.data as string[]).filter((c) => !view.option(code, c));
  if (unknown.length === 0) return [];
  const message =
    unknown.length === 1
      ? `The ${unknown[0]} value is not in the ${code} attribute option list.`
      : `The ${[...unknown].sort().join(', ')} values are not in the ${code} attribute option list.`;
  return [valueViolation(code, v.locale, v.scope, message)];
}

function uniqueString(data: unknown): string {
  if (typeof data === 'string' || typeof data === 'number') return String(data);
  if (typeof data === 'boolean') return data ? '1' : '0';
  return JSON.stringify(data);
}

function duplicates(codes: string[]): string[] {
  const seen = new Set<string>();
  const dups: string[] = [];
  for (const c of codes) {
    const k = c.toLowerCase();
    if (seen.has(k) && !dups.includes(c)) dups.push(c);
    seen.add(k);
  }
  return dups;
}

// ---------------------------------------------------------------------------------------------
// Merge

/** Applies built values onto stored ones, per (attribute, locale, scope); null data removes. */
export function mergeValues(existing: Values | undefined, changes: BuiltValue[]): Values {
  const out: Values = {};
  for (const [code, list] of Object.entries(existing ?? {})) out[code] = list.map((e) => ({ ...e }));
  for (const change of changes) {
    const list = out[change.attribute] ?? [];
    const idx = list.findIndex((e) => e.locale === change.locale && e.scope === change.scope);
    if (change.data === null) {
      if (idx >= 0) list.splice(idx, 1);
    } else {
      const entry: ValueEntry = { locale: change.locale, scope: change.scope, data: change.data };
      if (idx >= 0) list[idx] = entry;
      else list.push(entry);
    }
    if (list.length > 0) out[change.attribute] = list;
    else delete out[change.attribute];
  }
  return out;
}

/** Keeps only the values whose attribute is in `allowed` (attribute codes). */
export function pickValues(values: Values | undefined, allowed: ReadonlySet<string>): Values {
  const out: Values = {};
  for (const [code, list] of Object.entries(values ?? {})) if (allowed.has(code)) out[code] = list;
  return out;
}
