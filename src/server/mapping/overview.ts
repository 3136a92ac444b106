/**
 * The Mapping page's table, computed from a mapping (saved or draft), the live PIM structure and
 * the ERP's describe(): one row per attribute the ERP owns (explicit, from the preset, or fed by
 * identity), the ERP fields nothing maps with suggested attributes, and the structure rules.
 * Pure: no I/O, so a draft's table is recomputed on every edit.
 */
import type { FieldDescription, StreamDescription } from '../../erp/port.js';
import { normaliseCode } from '../../mapping/codes.js';
import { looksHot, type MappingConfig } from '../../mapping/config.js';
import { TYPE_BY_MAPPING } from '../../mapping/converters/index.js';
import { PRESETS } from '../../mapping/presets.js';
import { resolveMapping, type ResolvedAttribute, type ResolvedMapping } from '../../mapping/resolve.js';
import type { PimStructure } from '../../mapping/types.js';
import type { MappingOverview, MappingRow, StructureView, UnmappedField } from '../api/contract.js';

const CONVERTER_KEYS = ['unit', 'units', 'convertTo', 'decimals', 'precision', 'negativeAllowed', 'trueValues', 'falseValues', 'formats', 'timeZone', 'renames', 'currency', 'currencies', 'separator', 'maxLength', 'default', 'trim', 'referencePrice'] as const;

function fieldsOf(description: readonly StreamDescription[]): Map<string, FieldDescription & { stream: 'items' | 'groups' }> {
  const out = new Map<string, FieldDescription & { stream: 'items' | 'groups' }>();
  for (const stream of ['groups', 'items'] as const) for (const f of description.find((d) => d.stream === stream)?.fields ?? []) out.set(f.name, { ...f, stream });
  return out;
}

/** ERP language → Akeneo locale, as the mapper finds it (table, the code itself, or the unique active `<lang>_XX`). */
export function localeFor(mapping: ResolvedMapping, pim: PimStructure, lang: string): string | null {
  const fixed = mapping.locales[lang];
  if (fixed) return fixed;
  if (pim.locales.has(lang)) return lang;
  const matches = [...pim.locales].filter((l) => l.toLowerCase().startsWith(`${lang.toLowerCase()}_`));
  return matches.length === 1 ? matches[0]! : null;
}

/** "unit KILOGRAM · decimals · renames 2": the converter options a row sets, in a few words. */
function converterWords(spec: Record<string, unknown>): string {
  const words: string[] = [];
  for (const k of CONVERTER_KEYS) {
    const v = spec[k];
    if (v === undefined) continue;
    if (typeof v === 'boolean') words.push(v ? k : `no ${k}`);
    else if (Array.isArray(v)) words.push(`${k} ${v.join('|')}`);
    else if (typeof v === 'object' && v) words.push(`${k} ${Object.entries(v).map(([a, b]) => `${a}→${String(b)}`).join(', ')}`);
    else words.push(`${k} ${String(v)}`);
  }
  return words.join(' · ');
}

function typeOf(code: string, spec: { type?: string } | undefined, pim: PimStructure): string | null {
  return pim.attributes.get(code)?.type ?? (spec?.type ? (TYPE_BY_MAPPING[spec.type] ?? spec.type) : null);
}

function ownedInPim(code: string, mapping: ResolvedMapping, pim: PimStructure): boolean {
  const a = pim.attributes.get(code);
  return !!a && (mapping.ownership.groups.includes(a.group) || mapping.ownership.attributes.includes(code));
}

function rowFor(code: string, spec: ResolvedAttribute | null, field: FieldDescription | undefined, origin: MappingRow['origin'], own: Record<string, unknown>, mapping: ResolvedMapping, pim: PimStructure): MappingRow {
  const a = pim.attributes.get(code);
  const localizable = a?.localizable ?? spec?.localizable ?? field?.type === 'localized';
  const scopable = a?.scopable ?? spec?.scopable ?? false;
  const languages = field?.type === 'localized' ? (field.languages ?? Object.keys(mapping.locales)) : [];
  const locales = localizable
    ? [...new Set(languages.filter((l) => !mapping.dropLanguages.has(l)).map((l) => localeFor(mapping, pim, l)).filter((l): l is string => !!l))]
    : [];
  if (localizable && !locales.length) {
    const d = localeFor(mapping, pim, mapping.defaultLanguage);
    if (d) locales.push(d);
  }
  const channels = scopable ? (spec?.channels ?? mapping.channels.default ?? [...pim.channels.keys()]) : [];
  const { code: _c, from: _f, owned: _o, ...rest } = spec ?? ({} as Partial<ResolvedAttribute>);
  return {
    attribute: code,
    path: `mapping.attributes.${code}`,
    type: typeOf(code, spec ?? undefined, pim),
    inPim: !!a,
    origin,
    from: spec?.expression ? [] : (spec?.from ?? (field ? [field.name] : [])),
    expression: spec?.expression ?? null,
    erpType: field?.type ?? null,
    localizable,
    scopable,
    locales,
    channels,
    spec: rest as Record<string, unknown>,
    own,
    converter: converterWords(rest as Record<string, unknown>),
  };
}

/** Words in a field or attribute name, for similar-name suggestions ("itemWeight" → item, weight). */
function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 1);
}

const FITS: Record<string, string[]> = {
  string: ['pim_catalog_text', 'pim_catalog_textarea', 'pim_catalog_simpleselect'],
  text: ['pim_catalog_textarea', 'pim_catalog_text'],
  localized: ['pim_catalog_text', 'pim_catalog_textarea'],
  integer: ['pim_catalog_number'],
  decimal: ['pim_catalog_number', 'pim_catalog_metric'],
  boolean: ['pim_catalog_boolean'],
  date: ['pim_catalog_date'],
  datetime: ['pim_catalog_date'],
  quantity: ['pim_catalog_metric'],
  money: ['pim_catalog_price_collection'],
  select: ['pim_catalog_simpleselect'],
  multiselect: ['pim_catalog_multiselect'],
  file: ['pim_catalog_image', 'pim_catalog_file'],
};

/** Same code first, then attributes sharing a word of the name and fitting the type, then the same-code attribute bootstrap would create. */
function suggestionsFor(field: FieldDescription, code: string, mapping: ResolvedMapping, pim: PimStructure, taken: ReadonlySet<string>): UnmappedField['suggestions'] {
  const out: UnmappedField['suggestions'] = [];
  const fits = FITS[field.type] ?? [];
  const same = pim.attributes.get(code);
  if (same) out.push({ attribute: code, type: same.type, reason: 'same code', inPim: true });
  const mine = new Set(words(field.name));
  const scored: { code: string; type: string; score: number; fit: boolean }[] = [];
  for (const [c, a] of pim.attributes) {
    if (c === code || taken.has(c) || a.type === 'pim_catalog_identifier') continue;
    const shared = words(c).filter((w) => mine.has(w) || [...mine].some((m) => m.length > 3 && (w.startsWith(m) || m.startsWith(w)))).length;
    const fit = fits.includes(a.type);
    if (shared > 0) scored.push({ code: c, type: a.type, score: shared * 2 + (fit ? 1 : 0), fit });
  }
  scored.sort((a, b) => b.score - a.score || a.code.localeCompare(b.code));
  for (const s of scored.slice(0, 3)) out.push({ attribute: s.code, type: s.type, reason: s.fit ? 'similar name, same kind of value' : 'similar name', inPim: true });
  if (!same) out.push({ attribute: code, type: fits[0] ?? null, reason: `same code (\`ferry pim bootstrap\` creates it in group ${mapping.attributeGroup.code})`, inPim: false });
  return out.slice(0, 4);
}

function structureView(mapping: ResolvedMapping, raw: MappingConfig, pim: PimStructure): StructureView {
  const s = mapping.structure;
  const familyVariants = new Map<string, StructureView['familyVariants'][number]>();
  for (const [family, def] of Object.entries(s.families.definitions)) {
    for (const [code, fv] of Object.entries(def.variants ?? {})) {
      familyVariants.set(code, { code, family, inPim: pim.familyVariants.has(code), levels: fv.levels.map((l, i) => ({ level: i + 1, axes: l.axes, attributes: l.attributes })) });
    }
  }
  const families = new Set([s.families.default, ...Object.values(s.families.map), ...Object.values(s.categories.families), ...Object.keys(s.families.definitions)].filter((f): f is string => !!f));
  for (const fv of pim.familyVariants.values()) {
    if (!families.has(fv.family) || familyVariants.has(fv.code)) continue;
    familyVariants.set(fv.code, { code: fv.code, family: fv.family, inPim: true, levels: fv.variant_attribute_sets.map((v) => ({ level: v.level, axes: v.axes, attributes: v.attributes })) });
  }
  return {
    categories: { mode: s.categories.mode, root: s.categories.root, prefix: s.categories.prefix, labelField: s.categories.labelField, families: s.categories.families },
    families: { default: s.families.default, field: s.families.field, map: s.families.map },
    variants: {
      groupBy: s.variants.groupBy,
      field: s.variants.field,
      skuPattern: s.variants.skuPattern?.source ?? null,
      familyVariant: s.variants.familyVariant,
      singleGroupAsSimpleProduct: s.variants.singleGroupAsSimpleProduct,
      modelPrefix: s.variants.modelPrefix,
    },
    familyVariants: [...familyVariants.values()],
    own: (raw.structure ?? {}) as Record<string, unknown>,
  };
}

export function buildOverview(raw: MappingConfig, pim: PimStructure, description: readonly StreamDescription[]): Omit<MappingOverview, 'saved' | 'problems' | 'structureEdit' | 'settings'> {
  const mapping = resolveMapping(raw);
  const fields = fieldsOf(description);
  const presetAttrs = (raw.preset ? PRESETS[raw.preset].attributes : undefined) ?? {};
  const fileAttrs = raw.attributes ?? {};
  const rows: MappingRow[] = [];
  const ownOf = (code: string): Record<string, unknown> => {
    const e = fileAttrs[code];
    return typeof e === 'string' ? { from: e } : e && typeof e === 'object' ? { ...e } : {};
  };
  for (const [code, spec] of mapping.attributes) {
    if (!spec.owned) continue;
    const origin: MappingRow['origin'] = code in presetAttrs ? (code in fileAttrs ? 'preset+file' : 'preset') : 'file';
    rows.push(rowFor(code, spec, fields.get(spec.from[0] ?? ''), origin, ownOf(code), mapping, pim));
  }
  const identifier = mapping.identifier.attribute ?? pim.identifierAttribute;
  const consumed = new Set([...mapping.attributes.values()].flatMap((s) => [...s.from, ...(s.expression ? [...s.expression.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!) : [])]));
  const unmapped: UnmappedField[] = [];
  const taken = new Set(rows.map((r) => r.attribute));
  const identityRows: MappingRow[] = [];
  for (const f of fields.values()) {
    if (consumed.has(f.name) || f.name === mapping.identifier.from) continue;
    const code = mapping.codes.normalise ? normaliseCode(f.name, mapping.codes.case) : f.name;
    if (mapping.attributes.has(code) || taken.has(code)) continue;
    const skip = (reason: string) => unmapped.push({ field: f.name, stream: f.stream, type: f.type, reason, suggestions: suggestionsFor(f, code, mapping, pim, taken) });
    if (!mapping.identity.enabled) skip('identity mapping is off (mapping.identity.enabled: false)');
    else if (mapping.identity.ignore.has(f.name)) skip('listed in mapping.identity.ignore');
    else if ((f.hot || looksHot(f.name, mapping.hotData.patterns)) && !mapping.hotData.allow.has(f.name)) skip('looks like hot data (price, cost, stock): not sent to the PIM');
    else if (!pim.attributes.has(code)) skip(`no attribute ${code} in the PIM`);
    else if (!ownedInPim(code, mapping, pim)) skip(`attribute ${code} is in group ${pim.attributes.get(code)!.group}, which users own`);
    else if (code === identifier) continue;
    else {
      taken.add(code);
      identityRows.push(rowFor(code, null, f, 'identity', {}, mapping, pim));
    }
  }
  rows.push(...identityRows);
  rows.sort((a, b) => a.attribute.localeCompare(b.attribute));
  const units: Record<string, string[]> = {};
  for (const [code, mf] of pim.measurementFamilies) units[code] = Object.keys(mf.units);
  const locales: Record<string, string> = {};
  for (const lang of new Set([...Object.keys(mapping.locales), ...[...fields.values()].flatMap((f) => f.languages ?? [])])) {
    const l = localeFor(mapping, pim, lang);
    if (l) locales[lang] = l;
  }
  return {
    preset: mapping.preset,
    rows,
    unmapped,
    structure: structureView(mapping, raw, pim),
    locales,
    pim: {
      attributes: [...pim.attributes.values()].map((a) => ({ code: a.code, type: a.type })).sort((a, b) => a.code.localeCompare(b.code)),
      units,
      channels: [...pim.channels.keys()],
      locales: [...pim.locales],
    },
  };
}
