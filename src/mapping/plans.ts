/**
 * Compiled per-attribute plans: which ERP field(s) feed an attribute, how the value is converted,
 * and how it spreads over locales and channels. Compiled once per mapper so mapping a record is a
 * tight loop over plans (bench/mapping.ts).
 */
import type { Attribute, Labels, ValueEntry } from '../akeneo/model.js';
import type { FieldValue, LocalizedText } from '../erp/port.js';
import type { CodeTable } from './codes.js';
import { converterFor, scalarText, show, TYPE_BY_MAPPING, type ConvertProblem, type Converter } from './converters/index.js';
import type { ResolvedAttribute, ResolvedMapping } from './resolve.js';
import type { MappedOption, MappingError, MediaResolver, Origin, PimStructure } from './types.js';

export interface AttributePlan {
  /** Small integer unique per mapper: records track the plans they ran in a byte array. */
  id: number;
  code: string;
  attribute: Attribute;
  /** The attribute is absent from the PIM: values are dropped with an unknown_attribute error. */
  missingInPim: boolean;
  sources: readonly string[];
  template: TemplatePart[] | null;
  localizable: boolean;
  scopable: boolean;
  /** Localizable: every locale the ERP may fill (a missing translation becomes an explicit null). */
  targetLocales: readonly string[];
  targetLocaleSet: ReadonlySet<string>;
  channels: readonly string[];
  /** Channel → its locales, to skip (locale, channel) pairs the channel does not have. */
  channelLocales: ReadonlyMap<string, ReadonlySet<string>>;
  convert: Converter;
  defaultValue: FieldValue | undefined;
  owned: boolean;
  isSelect: boolean;
  /** Text of the field, for error messages. */
  fieldLabel: string;
}

export type TemplatePart = { text: string } | { field: string };

export function parseTemplate(expression: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  const re = /\{([^{}]+)\}/g;
  let last = 0;
  for (let m = re.exec(expression); m; m = re.exec(expression)) {
    if (m.index > last) parts.push({ text: expression.slice(last, m.index) });
    parts.push({ field: m[1]!.trim() });
    last = m.index + m[0].length;
  }
  if (last < expression.length) parts.push({ text: expression.slice(last) });
  return parts;
}

export function templateFields(parts: readonly TemplatePart[]): string[] {
  return parts.flatMap((p) => ('field' in p ? [p.field] : []));
}

export function isLocalized(v: unknown): v is LocalizedText {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && (v as { kind?: string }).kind === 'localized';
}

export function isEmptyValue(v: FieldValue | undefined): boolean {
  if (v === undefined || v === null) return true;
  if (typeof v === 'string') return v.trim() === '';
  if (Array.isArray(v)) return v.length === 0;
  if (isLocalized(v)) {
    for (const k in v.values) if ((v.values[k] ?? '').trim() !== '') return false;
    return true;
  }
  return false;
}

function partText(v: FieldValue | undefined, lang: string | null, defaultLanguage: string): string {
  if (v === undefined || v === null) return '';
  if (isLocalized(v)) return (lang !== null ? v.values[lang] : undefined) ?? v.values[defaultLanguage] ?? '';
  if (typeof v === 'object' && !Array.isArray(v) && v.kind === 'quantity') return `${v.amount} ${v.unit}`;
  if (typeof v === 'object' && !Array.isArray(v) && v.kind === 'money') return `${v.amount} ${v.currency}`;
  if (Array.isArray(v)) return v.map((x) => partText(x, lang, defaultLanguage)).join(', ');
  return scalarText(v) ?? '';
}

/** Evaluates "{brand} {name}": localized inputs give one text per language, else one text. */
export function evalTemplate(parts: readonly TemplatePart[], fields: Record<string, FieldValue>, defaultLanguage: string): FieldValue {
  let languages: Set<string> | null = null;
  let any = false;
  for (const p of parts) {
    if (!('field' in p)) continue;
    const v = fields[p.field];
    if (!isEmptyValue(v)) any = true;
    if (isLocalized(v)) {
      languages ??= new Set();
      for (const l of Object.keys(v.values)) languages.add(l);
    }
  }
  if (!any) return null;
  const render = (lang: string | null) =>
    parts
      .map((p) => ('field' in p ? partText(fields[p.field], lang, defaultLanguage) : p.text))
      .join('')
      .replace(/\s+/g, ' ')
      .trim();
  if (!languages) return render(null);
  const values: Record<string, string> = {};
  for (const l of languages) values[l] = render(l);
  return { kind: 'localized', values };
}

/** Accumulates one record's mapped values, errors, options to create and media to upload. */
export class RecordAcc {
  /**
   * Mapped values by plan id (an attribute has one plan per mapper): an array, not an object keyed by
   * attribute code, whose keys would differ from record to record and cost a hidden-class change each.
   */
  byPlan: (ValueEntry[] | undefined)[];
  /** The identifier attribute's value (the SKU), which no plan feeds. */
  identifier: ValueEntry[] | undefined = undefined;
  uploads: { attribute: string; locale: string | null; scope: string | null; source: string }[] = [];
  errors: MappingError[] = [];
  blocked = false;
  options: MappedOption[] = [];
  /** Plans already run for this record, one bit per plan id: values are converted lazily, at most once. */
  done: number[] = [0, 0];
  /** The record's identity-mapped fields, found on the first pass and reused by the others. */
  identity: readonly { plan: AttributePlan; field: string }[] | undefined = undefined;
  private labelText: string | null = null;

  constructor(
    readonly origin: Origin,
    private readonly what: string,
    private readonly name: string,
    plans = 0,
  ) {
    // Sized to the plans known so far: growing on demand would reserve half as much again plus 16.
    this.byPlan = new Array<ValueEntry[] | undefined>(plans);
  }

  /** How messages name the record, e.g. `SKU "A-1"`; built only when a message needs it. */
  get label(): string {
    return (this.labelText ??= `${this.what} ${JSON.stringify(this.name)}`);
  }
}

/** `what` and `name` make the label: ("SKU", "A-1") → `SKU "A-1"`. */
export function newAcc(origin: Origin, what: string, name: string, plans = 0): RecordAcc {
  return new RecordAcc(origin, what, name, plans);
}

export interface PlanContext {
  mapping: ResolvedMapping;
  pim: PimStructure;
  codes: CodeTable;
  media: MediaResolver | undefined;
  /** ERP language → Akeneo locale (null: not mapped). */
  localeOf(lang: string): string | null;
  /** Locale for a non-localized value written to a localizable attribute. */
  defaultLocale: string | null;
  /** Records an option to create once per mapper; false when it was already reported. */
  claimOption(option: MappedOption): boolean;
}

function synthesize(code: string, spec: ResolvedAttribute | undefined): Attribute | null {
  const type = spec?.type ? TYPE_BY_MAPPING[spec.type] : undefined;
  if (!type) return null;
  return {
    code,
    type,
    group: spec?.group ?? 'erp',
    localizable: spec?.localizable ?? false,
    scopable: spec?.scopable ?? false,
    metric_family: spec?.metricFamily ?? null,
    default_metric_unit: spec?.unit ?? null,
    decimals_allowed: spec?.decimals ?? (type === 'pim_catalog_metric' || type === 'pim_catalog_price_collection' ? true : null),
  };
}

/** Every locale the mapping may write: the configured targets that are active, else every active locale. */
function targetLocalesFor(attribute: Attribute, ctx: PlanContext): string[] {
  const configured = [...new Set(Object.values(ctx.mapping.locales))];
  let locales = configured.length ? configured.filter((l) => ctx.pim.locales.size === 0 || ctx.pim.locales.has(l)) : [...ctx.pim.locales];
  if (attribute.available_locales?.length) locales = locales.filter((l) => attribute.available_locales!.includes(l));
  return locales;
}

/**
 * An ERP language outside mapping.locales that resolves to an active locale joins the plan's targets
 * when first seen: bootstrap activates zh_CN for the ERP's zh_CN while the `tryton` preset's table
 * names en/fr/de only, and those texts must still be written (issue 16). From then on a missing
 * translation in that locale becomes an explicit null, like in the configured ones.
 */
function extendTargets(plan: AttributePlan, value: { values: Record<string, string> }, ctx: PlanContext): void {
  const table = ctx.mapping.locales;
  for (const lang in value.values) {
    if (table[lang] || ctx.mapping.dropLanguages.has(lang)) continue;
    const locale = ctx.localeOf(lang);
    if (!locale || plan.targetLocaleSet.has(locale) || !ctx.pim.locales.has(locale)) continue;
    const available = plan.attribute.available_locales;
    if (available?.length && !available.includes(locale)) continue;
    (plan.targetLocales as string[]).push(locale);
    (plan.targetLocaleSet as Set<string>).add(locale);
  }
}

export function compilePlan(code: string, spec: ResolvedAttribute | undefined, field: string | null, ctx: PlanContext): AttributePlan {
  const live = ctx.pim.attributes.get(code);
  const attribute = live ?? synthesize(code, spec) ?? ({ code, type: 'pim_catalog_text', group: 'erp' } as Attribute);
  const localizable = attribute.localizable === true;
  const scopable = attribute.scopable === true;
  const targetLocales = localizable ? targetLocalesFor(attribute, ctx) : [];
  const channels = scopable ? (spec?.channels ?? ctx.mapping.channels.default ?? [...ctx.pim.channels.keys()]) : [];
  const channelLocales = new Map<string, Set<string>>();
  for (const ch of channels) {
    const c = ctx.pim.channels.get(ch);
    if (c) channelLocales.set(ch, new Set(c.locales));
  }
  const isSelect = attribute.type === 'pim_catalog_simpleselect';
  const localeOf = ctx.localeOf;
  const labelsOf = (v: unknown): Labels | undefined => {
    if (!isLocalized(v)) return undefined;
    const labels: Labels = {};
    for (const [lang, text] of Object.entries(v.values)) {
      const l = localeOf(lang);
      if (l && text.trim()) labels[l] = text.trim();
    }
    return labels;
  };
  const convert = converterFor(attribute, {
    pim: ctx.pim,
    codes: ctx.codes,
    spec,
    media: ctx.media,
    autoCreateOptions: ctx.mapping.options.autoCreate,
    renames: ctx.mapping.options.renames[code],
    labelLocale: ctx.defaultLocale,
    labelsOf,
  });
  const template = spec?.expression ? parseTemplate(spec.expression) : null;
  const sources = template ? templateFields(template) : (spec?.from ?? (field ? [field] : [code]));
  return {
    id: -1,
    code,
    attribute,
    missingInPim: !live,
    sources,
    template,
    localizable,
    scopable,
    targetLocales,
    targetLocaleSet: new Set(targetLocales),
    channels,
    channelLocales,
    convert,
    defaultValue: spec?.default,
    owned: spec?.owned ?? true,
    isSelect,
    fieldLabel: template ? `expression ${JSON.stringify(spec!.expression)}` : sources.length > 1 ? sources.join(' | ') : `"${sources[0]}"`,
  };
}

export interface PlanRead {
  value: FieldValue | undefined;
  field: string;
  present: boolean;
}

/**
 * The raw ERP value a plan reads: the first non-empty source field, or the template's result.
 * Writes into `out` when given (the mapper reuses one object per call site: no garbage per value).
 */
export function readPlanValue(plan: AttributePlan, fields: Record<string, FieldValue>, defaultLanguage: string, out: PlanRead = { value: undefined, field: '', present: false }): PlanRead {
  if (plan.template) {
    out.value = evalTemplate(plan.template, fields, defaultLanguage);
    out.field = plan.fieldLabel;
    out.present = true;
    return out;
  }
  let present = false;
  for (const f of plan.sources) {
    const v = fields[f];
    if (v !== undefined) present = true;
    if (!isEmptyValue(v)) {
      out.value = v;
      out.field = f;
      out.present = true;
      return out;
    }
  }
  out.value = null;
  out.field = plan.sources[0]!;
  out.present = present;
  return out;
}

function pushEntries(out: ValueEntry[], plan: AttributePlan, locale: string | null, data: unknown): void {
  if (!plan.scopable) {
    out.push({ locale, scope: null, data });
    return;
  }
  for (const ch of plan.channels) {
    if (locale !== null) {
      const allowed = plan.channelLocales.get(ch);
      if (allowed && !allowed.has(locale)) continue;
    }
    out.push({ locale, scope: ch, data });
  }
}

export function valueError(
  acc: RecordAcc,
  ctx: PlanContext,
  plan: Pick<AttributePlan, 'code'>,
  field: string,
  value: unknown,
  locale: string | null,
  problem: ConvertProblem,
): void {
  const block = ctx.mapping.blockRecord[problem.kind];
  const where = `${plan.code}${locale ? ` (${locale})` : ''}`;
  const fieldText = field.startsWith('"') || field.startsWith('expression') ? field : `"${field}"`;
  acc.errors.push({
    kind: problem.kind,
    origin: acc.origin,
    recordLabel: acc.label,
    erpField: field.replace(/^"|"$/g, ''),
    attribute: plan.code,
    locale,
    scope: null,
    value: typeof value === 'object' && value !== null ? show(value) : value,
    message: `${acc.label}: ERP field ${fieldText} value ${show(value)} cannot go to attribute ${where}: ${problem.message}. Expected ${problem.expected}.`,
    expected: problem.expected,
    fix: problem.fix,
    blocksRecord: block,
  });
  if (block) acc.blocked = true;
}

/** Converts one ERP value and adds its entries (or its error) to the record. */
/**
 * Entries are gathered here and copied out at their exact size: an array grown by push reserves room
 * for 17 entries, and most values have one (mapValue is not re-entrant: converters never call it).
 */
const scratchEntries: ValueEntry[] = [];

export function mapValue(plan: AttributePlan, read: { value: FieldValue | undefined; field: string }, acc: RecordAcc, ctx: PlanContext): void {
  const out = scratchEntries;
  if (out.length) out.length = 0; // only after a converter threw
  fillValue(plan, read, acc, ctx, out);
  // splice: the entries at their exact size, and the scratch emptied, in one call.
  if (out.length) acc.byPlan[plan.id] = out.splice(0, out.length);
}

function fillValue(plan: AttributePlan, read: { value: FieldValue | undefined; field: string }, acc: RecordAcc, ctx: PlanContext, out: ValueEntry[]): void {
  let value = read.value;
  if (isEmptyValue(value) && plan.defaultValue !== undefined) value = plan.defaultValue;
  if (plan.missingInPim) {
    if (!isEmptyValue(value)) {
      valueError(acc, ctx, plan, read.field, value, null, {
        kind: 'unknown_attribute',
        message: `the attribute ${plan.code} does not exist in the PIM`,
        expected: 'an attribute of the PIM',
        fix: `Run \`ferry pim bootstrap\` to create it, or correct mapping.attributes.${plan.code}.`,
      });
    }
    return;
  }
  if (isEmptyValue(value)) {
    // The ERP emptied the value: an explicit null per (locale, scope); sync sends it only over a value Ferry wrote.
    if (plan.localizable) for (const l of plan.targetLocales) pushEntries(out, plan, l, null);
    else pushEntries(out, plan, null, null);
    return;
  }
  if (isLocalized(value) && plan.localizable) {
    extendTargets(plan, value, ctx);
    // One bit per target locale (a Set per value would be garbage on every translated field).
    let filled = 0;
    const targets = plan.targetLocales;
    const filledSet = targets.length > 31 ? new Set<string>() : null;
    for (const lang in value.values) {
      const text = value.values[lang]!;
      const locale = ctx.localeOf(lang);
      if (locale === null) continue;
      const index = targets.indexOf(locale);
      if (index < 0) continue;
      if (filledSet) filledSet.add(locale);
      else filled |= 1 << index;
      if (text.trim() === '') {
        pushEntries(out, plan, locale, null);
        continue;
      }
      convertInto(plan, read.field, text, locale, out, acc, ctx);
    }
    for (let i = 0; i < targets.length; i++) {
      if (filledSet ? !filledSet.has(targets[i]!) : !(filled & (1 << i))) pushEntries(out, plan, targets[i]!, null);
    }
  } else if (isLocalized(value)) {
    const text = value.values[ctx.mapping.defaultLanguage] ?? Object.values(value.values).find((t) => t.trim() !== '') ?? '';
    // Selects get the whole localized value so option labels come per locale.
    convertInto(plan, read.field, plan.isSelect ? value : text, null, out, acc, ctx);
  } else if (plan.localizable) {
    if (ctx.defaultLocale && plan.targetLocaleSet.has(ctx.defaultLocale)) convertInto(plan, read.field, value!, ctx.defaultLocale, out, acc, ctx);
  } else {
    convertInto(plan, read.field, value!, null, out, acc, ctx);
  }
}

function convertInto(plan: AttributePlan, field: string, value: FieldValue, locale: string | null, out: ValueEntry[], acc: RecordAcc, ctx: PlanContext): void {
  const res = plan.convert(plan.isSelect && isLocalized(value) ? selectText(value, ctx) : value);
  if (!res.ok) {
    valueError(acc, ctx, plan, field, value, locale, res.problem);
    return;
  }
  if (res.newOptions) {
    for (const o of res.newOptions) {
      // Converter results are cached and shared: copy before giving the option its per-locale labels.
      const option = plan.isSelect && isLocalized(value) ? { ...o, labels: localizedLabels(value, ctx) } : o;
      if (ctx.claimOption(option)) acc.options.push(option);
    }
  }
  if (res.upload !== undefined) {
    if (plan.scopable) for (const ch of plan.channels) acc.uploads.push({ attribute: plan.code, locale, scope: ch, source: res.upload });
    else acc.uploads.push({ attribute: plan.code, locale, scope: null, source: res.upload });
    return;
  }
  pushEntries(out, plan, locale, res.data);
}

function selectText(value: LocalizedText, ctx: PlanContext): string {
  return value.values[ctx.mapping.defaultLanguage] ?? Object.values(value.values).find((t) => t.trim() !== '') ?? '';
}

function localizedLabels(value: LocalizedText, ctx: PlanContext): Labels {
  const labels: Labels = {};
  for (const [lang, text] of Object.entries(value.values)) {
    const l = ctx.localeOf(lang);
    if (l && text.trim()) labels[l] = text.trim();
  }
  return labels;
}
