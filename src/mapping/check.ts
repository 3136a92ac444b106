/**
 * `ferry check`: the mapping against the live PIM structure and the ERP's describe(), every problem
 * at once, each naming the ERP field and the PIM attribute with the fix. Pure: the CLI loads both sides.
 */
import type { Attribute } from '../akeneo/model.js';
import type { ErpRecord, FieldDescription, StreamDescription } from '../erp/port.js';
import { linkProblems } from './bootstrap-reference.js';
import { CODE_PATTERN, normaliseCode } from './codes.js';
import { looksHot, type MappingConfig } from './config.js';
import { TYPE_BY_MAPPING } from './converters/index.js';
import { resolveMapping, type ResolvedMapping } from './resolve.js';
import { ENTERPRISE_ATTRIBUTE_TYPES, isCommunityEdition } from './pim-structure.js';
import type { MappingError, PimStructure } from './types.js';
import { unitCandidates } from './units.js';
import { convertUnit } from './converters/metric.js';

export interface CheckProblem {
  severity: 'error' | 'warning';
  /** Short machine-readable tag, e.g. unknown_attribute, wrong_type, inactive_locale. */
  code: string;
  erpField?: string;
  attribute?: string;
  message: string;
  fix: string;
}

const AXIS_TYPES = new Set(['pim_catalog_simpleselect', 'pim_catalog_multiselect', 'pim_reference_data_simpleselect', 'pim_catalog_boolean', 'pim_catalog_metric']);

/** Which attribute types can take which ERP field types without per-value surprises. */
const COMPATIBLE: Record<string, readonly string[]> = {
  pim_catalog_text: ['string', 'localized', 'integer', 'decimal', 'select', 'url', 'date', 'datetime'],
  pim_catalog_textarea: ['string', 'text', 'localized'],
  pim_catalog_identifier: ['string', 'integer'],
  pim_catalog_number: ['integer', 'decimal'],
  pim_catalog_metric: ['quantity', 'decimal', 'integer'],
  pim_catalog_price_collection: ['money', 'decimal'],
  pim_catalog_boolean: ['boolean'],
  pim_catalog_date: ['date', 'datetime'],
  pim_catalog_simpleselect: ['select', 'string', 'localized', 'boolean', 'integer'],
  pim_catalog_multiselect: ['multiselect', 'select', 'string'],
  pim_catalog_image: ['file', 'url', 'string'],
  pim_catalog_file: ['file', 'url', 'string'],
};

export function checkMapping(config: MappingConfig | ResolvedMapping, pim: PimStructure, erpDescription: readonly StreamDescription[]): CheckProblem[] {
  const mapping: ResolvedMapping = 'blockRecord' in config ? (config as ResolvedMapping) : resolveMapping(config as MappingConfig);
  const problems: CheckProblem[] = [];
  const add = (p: CheckProblem) => problems.push(p);
  const items = new Map((erpDescription.find((d) => d.stream === 'items')?.fields ?? []).map((f) => [f.name, f]));
  const groups = new Map((erpDescription.find((d) => d.stream === 'groups')?.fields ?? []).map((f) => [f.name, f]));
  const described = items.size > 0 || groups.size > 0;
  const fieldOf = (n: string): FieldDescription | undefined => items.get(n) ?? groups.get(n);
  const identifier = mapping.identifier.attribute ?? pim.identifierAttribute;
  const BOOTSTRAP = 'Run `ferry pim bootstrap` to create it, or create it in the PIM.';

  // --- identifier
  const idAttr = pim.attributes.get(identifier);
  if (!idAttr) add({ severity: 'error', code: 'unknown_attribute', attribute: identifier, message: `identifier attribute ${identifier} does not exist in the PIM`, fix: 'Set mapping.identifier.attribute to the PIM\'s identifier attribute (usually sku).' });
  else if (idAttr.type !== 'pim_catalog_identifier') add({ severity: 'error', code: 'wrong_type', attribute: identifier, message: `attribute ${identifier} is a ${idAttr.type}, not an identifier`, fix: 'Set mapping.identifier.attribute to the PIM\'s identifier attribute.' });
  if (mapping.identifier.from && described && !fieldOf(mapping.identifier.from)) {
    add({ severity: 'error', code: 'unknown_field', erpField: mapping.identifier.from, attribute: identifier, message: `ERP field ${mapping.identifier.from} (the SKU) is not among the ERP's item fields`, fix: 'Correct mapping.identifier.from.' });
  }

  // --- locales and channels
  for (const [lang, locale] of Object.entries(mapping.locales)) {
    if (mapping.dropLanguages.has(lang)) continue;
    if (pim.locales.size && !pim.locales.has(locale)) {
      add({ severity: 'error', code: 'inactive_locale', message: `ERP language ${lang} maps to locale ${locale}, which is not active in the PIM (active: ${[...pim.locales].join(', ')})`, fix: `Run \`ferry pim bootstrap\` (it adds ${locale} to a channel, which activates it), map the language to an active locale (mapping.locales.${lang}), or drop it (mapping.dropLanguages: [${lang}]).` });
    }
  }
  const languages = new Set([...items.values(), ...groups.values()].flatMap((f) => f.languages ?? []));
  for (const lang of languages) {
    if (mapping.locales[lang] || mapping.dropLanguages.has(lang)) continue;
    const matches = [...pim.locales].filter((l) => l.toLowerCase().startsWith(`${lang.toLowerCase()}_`));
    if (pim.locales.has(lang) || matches.length === 1) continue;
    add({ severity: 'warning', code: 'unmapped_language', message: `ERP language ${lang} maps to no active locale${matches.length > 1 ? ` (ambiguous: ${matches.join(', ')})` : ''}; its texts are not sent`, fix: `Run \`ferry pim bootstrap\` to activate its locale, add mapping.locales.${lang}: <locale>, or drop it (mapping.dropLanguages: [${lang}]).` });
  }
  for (const ch of mapping.channels.default ?? []) {
    if (!pim.channels.has(ch)) add({ severity: 'error', code: 'unknown_channel', message: `channel ${ch} in mapping.channels.default does not exist in the PIM`, fix: `Create the channel or remove it (channels: ${[...pim.channels.keys()].join(', ')}).` });
  }

  // --- explicit attributes
  for (const [code, spec] of mapping.attributes) {
    const a = pim.attributes.get(code);
    const field = spec.from.map(fieldOf).find(Boolean);
    const erpField = spec.expression ? `expression ${JSON.stringify(spec.expression)}` : spec.from.join(' | ');
    if (!CODE_PATTERN.test(code)) add({ severity: 'error', code: 'invalid_code', attribute: code, message: `attribute code ${code} may contain only letters, digits and _`, fix: 'Rename the key in mapping.attributes.' });
    if (described && !spec.expression && !field) {
      add({ severity: 'warning', code: 'unknown_field', erpField, attribute: code, message: `ERP field ${erpField} (for attribute ${code}) is not among the fields the ERP describes; the attribute will be emptied on every record`, fix: `Correct mapping.attributes.${code}.from, or remove the mapping (attributes.${code}: false).` });
    }
    if (spec.expression && described) {
      for (const m of spec.expression.matchAll(/\{([^{}]+)\}/g)) {
        if (!fieldOf(m[1]!.trim())) add({ severity: 'warning', code: 'unknown_field', erpField: m[1]!.trim(), attribute: code, message: `expression of ${code} uses ERP field ${m[1]!.trim()}, which the ERP does not describe`, fix: 'Correct the expression.' });
      }
    }
    if (spec.type && ENTERPRISE_ATTRIBUTE_TYPES.has(TYPE_BY_MAPPING[spec.type] ?? '') && isCommunityEdition(pim)) {
      const what = spec.type === 'asset_collection' ? 'assets (the Asset Manager)' : 'reference entities';
      add({
        severity: 'error',
        code: 'edition_unsupported',
        erpField,
        attribute: code,
        message: `attribute ${code} is mapped as ${spec.type}, but this PIM is Akeneo Community Edition${pim.version ? ` ${pim.version}` : ''}, which has no ${what}: they exist on Enterprise Edition and SaaS only`,
        fix:
          spec.type === 'asset_collection'
            ? `Map ${erpField} to an image or file attribute (type: image / file), or remove mapping.attributes.${code}.`
            : `Map ${erpField} to a simple or multi select (type: simpleselect / multiselect; options are created from the ERP's values), or remove mapping.attributes.${code}.`,
      });
      continue;
    }
    if (!a) {
      if (spec.owned) add({ severity: 'error', code: 'unknown_attribute', erpField, attribute: code, message: `attribute ${code} does not exist in the PIM`, fix: BOOTSTRAP });
      continue;
    }
    if (spec.type && TYPE_BY_MAPPING[spec.type] !== a.type) {
      add({ severity: 'error', code: 'wrong_type', erpField, attribute: code, message: `attribute ${code} is a ${a.type} in the PIM, the mapping says ${spec.type}`, fix: `Set mapping.attributes.${code}.type to the PIM's type, or map the field to another attribute (attribute types cannot change).` });
    }
    if (spec.owned && !mapping.ownership.groups.includes(a.group) && !mapping.ownership.attributes.includes(code)) {
      add({ severity: 'warning', code: 'foreign_attribute', erpField, attribute: code, message: `attribute ${code} is in group ${a.group}, not the ERP's group ${mapping.attributeGroup.code}: Ferry will overwrite what users enter there`, fix: `Move ${code} to group ${mapping.attributeGroup.code}, or set owned: false if the ERP should not write it.` });
    }
    checkAttribute(code, a, field, erpField, spec.channels, mapping, pim, add, spec.units, spec.currencies, spec.currency);
    if (a.type === 'pim_catalog_price_collection' && !spec.referencePrice) {
      add({ severity: 'error', code: 'hot_data', erpField, attribute: code, message: `price attribute ${code} is fed without referencePrice: true; prices are hot data and go ERP → e-commerce, not through the PIM`, fix: `If it is a reference price, set mapping.attributes.${code}.referencePrice: true.` });
    }
    if (!mapping.options.autoCreate && (a.type === 'pim_catalog_simpleselect' || a.type === 'pim_catalog_multiselect')) checkOptions(code, field, mapping, pim, add);
  }

  // --- identity fields
  if (mapping.identity.enabled) {
    const consumed = new Set([...mapping.attributes.values()].flatMap((s) => s.from));
    for (const f of [...items.values(), ...groups.values()]) {
      if (consumed.has(f.name) || mapping.identity.ignore.has(f.name) || f.name === mapping.identifier.from) continue;
      if ((f.hot || looksHot(f.name, mapping.hotData.patterns)) && !mapping.hotData.allow.has(f.name)) {
        add({ severity: 'warning', code: 'hot_data', erpField: f.name, message: `ERP field ${f.name} looks like hot data (price, cost, stock) and is not mapped: Akeneo keeps cold product data; hot data goes from the ERP straight to e-commerce`, fix: `If it is a reference price, map it with type: price and referencePrice: true; if it only looks hot, add it to mapping.hotData.allow.` });
        continue;
      }
      const code = mapping.codes.normalise ? normaliseCode(f.name, mapping.codes.case) : f.name;
      const a = pim.attributes.get(code);
      if (!a) {
        add({ severity: 'warning', code: 'unmapped_field', erpField: f.name, attribute: code, message: `ERP field ${f.name} has no attribute ${code}; it is not sent`, fix: `Run \`ferry pim bootstrap\` to create ${code}, map it in mapping.attributes, or list it in mapping.identity.ignore.` });
        continue;
      }
      if (!mapping.ownership.groups.includes(a.group) && !mapping.ownership.attributes.includes(code)) {
        add({ severity: 'warning', code: 'not_owned', erpField: f.name, attribute: code, message: `ERP field ${f.name} matches attribute ${code}, but ${code} is in group ${a.group}, which users own; Ferry does not write it`, fix: `Map it explicitly in mapping.attributes.${code} or add ${code} to mapping.ownership.attributes if the ERP should own it; else list ${f.name} in mapping.identity.ignore.` });
        continue;
      }
      if (code !== identifier) checkAttribute(code, a, f, f.name, undefined, mapping, pim, add);
    }
  }

  // --- families and variants
  const s = mapping.structure;
  const families = new Set<string>([s.families.default, ...Object.values(s.families.map), ...Object.values(s.categories.families)].filter((f): f is string => !!f));
  const owned = [...mapping.attributes.entries()].filter(([, sp]) => sp.owned).map(([c]) => c);
  for (const f of families) {
    const fam = pim.families.get(f);
    if (!fam) {
      add({ severity: 'error', code: 'unknown_family', message: `family ${f} does not exist in the PIM`, fix: mapping.structure.families.definitions[f] ? BOOTSTRAP : `Create family ${f} in the PIM, or add it to mapping.structure.families.definitions and bootstrap.` });
      continue;
    }
    const lacking = owned.filter((c) => pim.attributes.has(c) && !fam.attributes.includes(c));
    if (lacking.length) {
      add({ severity: 'warning', code: 'family_lacks_attributes', attribute: lacking.join(', '), message: `family ${f} lacks ${lacking.join(', ')}: values of these attributes are not sent for its products`, fix: `Add them to family ${f} in the PIM (or run \`ferry pim bootstrap\`).` });
    }
    const fvs = [...pim.familyVariants.values()].filter((fv) => fv.family === f);
    const wanted = s.variants.familyVariant[f];
    if (wanted && wanted !== 'auto' && !pim.familyVariants.has(wanted)) {
      add({ severity: 'error', code: 'unknown_family_variant', message: `family variant ${wanted} (for family ${f}) does not exist in the PIM`, fix: BOOTSTRAP });
    }
    for (const fv of wanted && wanted !== 'auto' ? fvs.filter((x) => x.code === wanted) : fvs) {
      for (const set of fv.variant_attribute_sets) {
        for (const axis of set.axes) {
          const a = pim.attributes.get(axis);
          if (!a) continue;
          if (!AXIS_TYPES.has(a.type)) add({ severity: 'error', code: 'bad_axis', attribute: axis, message: `axis ${axis} of family variant ${fv.code} is a ${a.type}; axes must be simple select, boolean or metric`, fix: 'Change the family variant\'s axes in the PIM.' });
          if (a.localizable || a.scopable) add({ severity: 'error', code: 'bad_axis', attribute: axis, message: `axis ${axis} of family variant ${fv.code} is localizable or scopable, which Akeneo refuses for axes`, fix: 'Use a non-localizable, non-scopable attribute as axis.' });
          const fed = mapping.attributes.has(axis) || (mapping.identity.enabled && [...items.keys()].some((n) => (mapping.codes.normalise ? normaliseCode(n, mapping.codes.case) : n) === axis));
          if (described && !fed) add({ severity: 'error', code: 'unfed_axis', attribute: axis, message: `axis ${axis} of family variant ${fv.code} is fed by no ERP field: no item can be placed in it`, fix: `Map an ERP field to ${axis} in mapping.attributes.` });
        }
      }
    }
  }

  // --- categories
  if (s.categories.mode === 'tree') {
    if (!pim.categories.has(s.categories.root)) add({ severity: 'error', code: 'unknown_category', message: `category root ${s.categories.root} does not exist in the PIM`, fix: BOOTSTRAP });
    else if (pim.channels.size && ![...pim.channels.values()].some((c) => c.category_tree === s.categories.root)) {
      // A non-root parent is fine; only warn when the root is not a channel tree and has no parent we know of.
      add({ severity: 'warning', code: 'category_tree', message: `no channel uses ${s.categories.root} as category tree; categorised products may not show in any channel`, fix: 'Set a channel\'s category tree to it, or choose a channel\'s tree as mapping.structure.categories.root.' });
    }
  }

  // --- EE reference entities and assets: link attributes that would not link (on CE the links are edition_unsupported above)
  if (!isCommunityEdition(pim)) for (const p of linkProblems(mapping, pim)) add({ severity: 'error', code: 'reference_link', ...p });
  return problems;
}

function checkAttribute(
  code: string,
  a: Attribute,
  field: FieldDescription | undefined,
  erpField: string,
  channels: string[] | undefined,
  mapping: ResolvedMapping,
  pim: PimStructure,
  add: (p: CheckProblem) => void,
  units?: Record<string, string>,
  currencies?: Record<string, string>,
  currency?: string,
): void {
  if (field && COMPATIBLE[a.type] && !COMPATIBLE[a.type]!.includes(field.type)) {
    add({ severity: 'error', code: 'wrong_type', erpField, attribute: code, message: `ERP field ${erpField} is ${field.type}, attribute ${code} is a ${a.type}: values will not convert`, fix: `Map the field to an attribute of a matching type, or change the ERP field.` });
  }
  if (field?.type === 'localized' && !a.localizable && !['pim_catalog_simpleselect', 'pim_catalog_multiselect'].includes(a.type)) {
    add({ severity: 'warning', code: 'localizable_mismatch', erpField, attribute: code, message: `ERP field ${erpField} is translated but ${code} is not localizable: only the ${mapping.defaultLanguage} text is sent`, fix: 'Make the attribute localizable (a new attribute, as this cannot change), or accept one language.' });
  }
  if (field && field.type !== 'localized' && a.localizable) {
    add({ severity: 'warning', code: 'localizable_mismatch', erpField, attribute: code, message: `ERP field ${erpField} has one value but ${code} is localizable: it is written to ${mapping.locales[mapping.defaultLanguage] ?? mapping.defaultLanguage} only`, fix: 'Feed it from a translated field, or accept one locale.' });
  }
  if (a.scopable) {
    const chs = channels ?? mapping.channels.default ?? [...pim.channels.keys()];
    if (chs.length === 0) add({ severity: 'error', code: 'no_channel', erpField, attribute: code, message: `attribute ${code} is scopable but no channel is configured`, fix: `Set mapping.attributes.${code}.channels or mapping.channels.default.` });
    for (const ch of chs) {
      if (!pim.channels.has(ch)) add({ severity: 'error', code: 'unknown_channel', erpField, attribute: code, message: `channel ${ch} for attribute ${code} does not exist in the PIM`, fix: `Correct mapping.attributes.${code}.channels.` });
    }
  }
  if (a.type === 'pim_catalog_metric') {
    const family = pim.measurementFamilies.get(a.metric_family ?? '');
    if (!family) {
      add({ severity: 'error', code: 'missing_unit', erpField, attribute: code, message: `measurement family ${a.metric_family ?? '(none)'} of ${code} does not exist in the PIM`, fix: 'Fix the attribute\'s measurement family in the PIM.' });
      return;
    }
    for (const u of field?.units ?? []) {
      const cands = unitCandidates(u, units);
      // Fine when the family has the unit, or Ferry can convert it exactly to the family's units.
      const ok = cands.some((c) => c in family.units || convertUnit({ n: 1n, d: 1n }, c, family.standard_unit_code, family, family.code) !== null);
      if (!ok) {
        add({ severity: 'error', code: 'missing_unit', erpField, attribute: code, message: `ERP unit "${u}" of field ${erpField} has no unit in measurement family ${family.code} of ${code}${cands.length ? ` (it maps to ${cands.join(' or ')})` : ''}`, fix: `Map it in mapping.attributes.${code}.units, or add the unit to ${family.code} in the PIM.` });
      }
    }
  }
  if (a.type === 'pim_catalog_price_collection') {
    const wanted = new Set<string>([...Object.values(currencies ?? {}), ...(currency ? [currency] : [])]);
    for (const c of wanted) {
      if (pim.currencies.size && !pim.currencies.has(c)) add({ severity: 'error', code: 'missing_currency', erpField, attribute: code, message: `currency ${c} for ${code} is not enabled in the PIM`, fix: `Enable ${c} in the PIM or change the currency mapping.` });
    }
  }
}

function checkOptions(code: string, field: FieldDescription | undefined, mapping: ResolvedMapping, pim: PimStructure, add: (p: CheckProblem) => void): void {
  const existing = new Set([...(pim.options.get(code)?.keys() ?? [])].map((c) => c.toLowerCase()));
  const renames = { ...mapping.options.renames[code], ...mapping.attributes.get(code)?.renames };
  const missing = (field?.options ?? []).filter((v) => {
    const c = renames[v] ?? (mapping.codes.normalise ? normaliseCode(v, mapping.codes.case) : v);
    return !existing.has(c.toLowerCase());
  });
  if (missing.length) {
    add({ severity: 'error', code: 'missing_option', erpField: field!.name, attribute: code, message: `ERP values ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', …' : ''} have no option in ${code} and option creation is off`, fix: `Create the options (\`ferry pim bootstrap\`), map them in mapping.options.renames.${code}, or set mapping.options.autoCreate: true.` });
  }
}

/** What mapping every ERP record found: records held back, values dropped, per kind. */
export interface RecordsCheck {
  items: number;
  groups: number;
  /** Whether every item was mapped (false: a sample of `items`). */
  complete: boolean;
  problems: CheckProblem[];
}

/**
 * Runs the mapper over whole groups of ERP items, as the sync does, and turns its per-record
 * errors into check problems: a record the sync would hold back is an error; a value it would
 * drop is a warning, except a price in a currency the PIM has not enabled (every such price
 * would be lost). Problems with the same kind, attribute and message are reported once, with
 * how many records and which ones (first five).
 */
export function checkRecords(
  mapper: { mapItems(items: ErpRecord[], groups: ReadonlyMap<string, ErpRecord>): { errors: MappingError[] } },
  groups: Iterable<[string, ErpRecord[]]>,
  groupRecords: ReadonlyMap<string, ErpRecord>,
  complete: boolean,
): RecordsCheck {
  const byProblem = new Map<string, { error: MappingError; labels: Set<string> }>();
  let items = 0;
  let groupCount = 0;
  for (const [groupKey, members] of groups) {
    items += members.length;
    groupCount++;
    const g = groupRecords.get(groupKey);
    const { errors } = mapper.mapItems(members, g ? new Map([[groupKey, g]]) : new Map());
    for (const e of errors) {
      // The fix names the cause without the record's own value ("Enable GBP in the PIM"): one line per cause.
      const key = `${e.blocksRecord}|${e.kind}|${e.attribute ?? ''}|${e.fix}`;
      const seen = byProblem.get(key) ?? { error: e, labels: new Set<string>() };
      seen.labels.add(e.recordLabel);
      byProblem.set(key, seen);
    }
  }
  const problems: CheckProblem[] = [];
  for (const { error: e, labels } of byProblem.values()) {
    const list = [...labels];
    const who = `${list.length} record${list.length === 1 ? '' : 's'} (${list.slice(0, 5).join(', ')}${list.length > 5 ? ', …' : ''})`;
    const currency = e.kind === 'invalid_value' && /currency .* is not enabled in the PIM/.test(e.message);
    problems.push({
      severity: e.blocksRecord || currency ? 'error' : 'warning',
      code: e.blocksRecord ? `held_back:${e.kind}` : currency ? 'missing_currency' : `value_dropped:${e.kind}`,
      ...(e.erpField ? { erpField: e.erpField } : {}),
      ...(e.attribute ? { attribute: e.attribute } : {}),
      message: `${e.blocksRecord ? 'held back' : 'value dropped'} in ${who}; ${list.length === 1 ? '' : 'the first: '}${e.message}`,
      fix: e.fix,
    });
  }
  problems.sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));
  return { items, groups: groupCount, complete, problems };
}
