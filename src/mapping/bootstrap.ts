/**
 * `ferry pim bootstrap`: what the mapping needs and the PIM lacks. planBootstrap is pure (mapping +
 * live structure + the ERP's describe() → a plan to show); applyBootstrap writes the plan through
 * the client in dependency order (groups, attributes, options, families, family variants, categories).
 * Nothing existing is modified except families, which only gain attributes.
 *
 * Size (~520 lines): planning and applying sit together so each kind of item is read once, in
 * the order it is written; locales, variants and reference data already have their own modules
 * (bootstrap-locales.ts, bootstrap-variants.ts, bootstrap-reference.ts).
 */
import type { AkeneoClient } from '../akeneo/index.js';
import type { Attribute, AttributeGroup, AttributeOption, Category, Channel, Family, FamilyVariant, Labels } from '../akeneo/model.js';
import type { FieldDescription, StreamDescription } from '../erp/port.js';
import { chunks } from '../util/chunks.js';
import type { GroupSample } from './axes.js';
import { acceptedLabelLocales, keepAcceptedLabels, planLocales, targetLocale } from './bootstrap-locales.js';
import { applyReferenceBootstrap, describeReferencePlan, planReferenceBootstrap, type ExistingReferenceData, type ReferenceBootstrapPlan } from './bootstrap-reference.js';
import { variantsFromData } from './bootstrap-variants.js';
import { normaliseCode } from './codes.js';
import { optionLabelsFrom } from './option-labels.js';
import { looksHot, type MappingConfig } from './config.js';
import { TYPE_BY_MAPPING } from './converters/index.js';
import type { CheckProblem } from './check.js';
import { ENTERPRISE_ATTRIBUTE_TYPES, isCommunityEdition, supportsReadOnly } from './pim-structure.js';
import { resolveMapping, type FamilyDefinition, type ResolvedMapping } from './resolve.js';
import type { PimStructure } from './types.js';
import { unitCandidates, BUILTIN_UNITS } from './units.js';

export interface BootstrapPlan {
  /** ERP languages whose locale the PIM has but does not use: added to channels, which activates them (as in Akeneo's UI). */
  locales: { language: string; locale: string }[];
  /** Channels that gain those locales (full locale list: PATCH replaces it). */
  channels: Channel[];
  /** ERP groups whose items no set of select fields tells apart: reported before any sync. */
  indistinguishable: IndistinguishableGroup[];
  /** Family variants inferred from the data's groups (code → how many groups need it). */
  inferredVariants: Record<string, number>;
  attributeGroups: AttributeGroup[];
  attributes: Attribute[];
  options: AttributeOption[];
  /** New families, and existing ones with the attributes they gain (full list, as PATCH replaces it). */
  families: { family: Family; existing: boolean; added: string[] }[];
  familyVariants: (FamilyVariant & { family: string })[];
  categories: Category[];
  /** Things the plan deliberately leaves out, and why. */
  notes: string[];
  /** Whether ERP attributes are created read-only (EE/SaaS only). */
  readOnly: boolean;
  /** EE / SaaS: reference entities and asset families mapping.referenceEntities / assetFamilies need (bootstrap-reference.ts). */
  referenceData?: ReferenceBootstrapPlan;
}

export interface IndistinguishableGroup {
  group: string;
  family: string;
  items: number;
  /** Select fields that vary and are filled on every item: every combination was tried. */
  tried: string[];
  /** Fields that vary but are empty on some items. */
  incomplete: string[];
  /** Two SKUs no tried field tells apart. */
  skus: [string, string];
  message: string;
  fix: string;
}

export interface BootstrapOptions {
  /** The ERP's items by group (AxisSampler): variant axes are inferred from them. */
  samples?: readonly GroupSample[];
  /** EE: the configured reference entities and asset families the PIM has (loadReferenceDataStructure); without it all are planned. */
  referenceData?: ExistingReferenceData;
}

export function isEmptyPlan(plan: BootstrapPlan): boolean {
  return !plan.referenceData?.referenceEntities.length && !plan.referenceData?.assetFamilies.length && !plan.channels.length && !plan.attributeGroups.length && !plan.attributes.length && !plan.options.length && !plan.families.length && !plan.familyVariants.length && !plan.categories.length;
}

const GROUP_LABELS: Record<string, string> = { en: 'ERP data', fr: 'Données ERP', de: 'ERP-Daten', es: 'Datos ERP', it: 'Dati ERP', nl: 'ERP-gegevens' };

function labelsFor(locales: ReadonlySet<string>, byLanguage: Record<string, string>, fallback: string): Labels {
  const labels: Labels = {};
  for (const l of locales.size ? locales : new Set(['en_US'])) labels[l] = byLanguage[l.split('_')[0]!] ?? fallback;
  return labels;
}

function titleCase(code: string): string {
  const s = code.replace(/_/g, ' ').trim();
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Akeneo attribute type for an ERP field type. */
function inferType(field: FieldDescription): Attribute['type'] {
  switch (field.type) {
    case 'text':
      return 'pim_catalog_textarea';
    case 'localized':
      return /desc|text|note|comment|instruction|detail/i.test(field.name) ? 'pim_catalog_textarea' : 'pim_catalog_text';
    case 'integer':
    case 'decimal':
      return 'pim_catalog_number';
    case 'boolean':
      return 'pim_catalog_boolean';
    case 'date':
    case 'datetime':
      return 'pim_catalog_date';
    case 'quantity':
      return 'pim_catalog_metric';
    case 'money':
      return 'pim_catalog_price_collection';
    case 'select':
      return 'pim_catalog_simpleselect';
    case 'multiselect':
      return 'pim_catalog_multiselect';
    case 'file':
      return /image|photo|picture|thumbnail|packshot/i.test(field.name) ? 'pim_catalog_image' : 'pim_catalog_file';
    default:
      return 'pim_catalog_text';
  }
}

/** Measurement family and default unit for a quantity field from the units the ERP uses. */
function inferMetric(field: FieldDescription | undefined, pim: PimStructure): { family: string; unit: string } | null {
  for (const u of field?.units ?? []) {
    for (const c of unitCandidates(u)) {
      for (const [code, mf] of pim.measurementFamilies) if (c in mf.units) return { family: code, unit: c };
      const b = BUILTIN_UNITS[c];
      if (b) return { family: b.family, unit: c };
    }
  }
  return null;
}

function fieldsOf(description: readonly StreamDescription[], stream: 'items' | 'groups'): Map<string, FieldDescription> {
  return new Map((description.find((d) => d.stream === stream)?.fields ?? []).map((f) => [f.name, f]));
}

export function planBootstrap(config: MappingConfig | ResolvedMapping, pim: PimStructure, erpDescription: readonly StreamDescription[], options: BootstrapOptions = {}): BootstrapPlan {
  const mapping: ResolvedMapping = config instanceof Object && 'blockRecord' in config ? (config as ResolvedMapping) : resolveMapping(config as MappingConfig);
  const readOnly = supportsReadOnly(pim);
  const notes: string[] = [];
  const plan: BootstrapPlan = { locales: [], channels: [], indistinguishable: [], inferredVariants: {}, attributeGroups: [], attributes: [], options: [], families: [], familyVariants: [], categories: [], notes, readOnly };
  const itemFields = fieldsOf(erpDescription, 'items');
  const groupFields = fieldsOf(erpDescription, 'groups');
  const erpField = (name: string) => itemFields.get(name) ?? groupFields.get(name);
  const identifier = mapping.identifier.attribute ?? pim.identifierAttribute;
  const group = mapping.attributeGroup;

  // --- locales: ERP languages the PIM knows but no channel uses yet are activated; labels go only to accepted locales
  planLocales(mapping, pim, erpDescription, plan);
  // Generated labels (the group's) go to the locales in use; labels the mapping gives go to any the PIM accepts.
  const inUse = new Set([...pim.locales, ...plan.locales.map((l) => l.locale)]);
  if (!pim.attributeGroups.has(group.code)) {
    plan.attributeGroups.push({ code: group.code, sort_order: 90, labels: labelsFor(inUse, group.label === 'ERP data' ? GROUP_LABELS : {}, group.label) });
  }

  // --- attributes: explicit mappings first, then identity fields from describe()
  const planned = new Map<string, Attribute>();
  const consumed = new Set<string>();
  const defaultLocale = mapping.locales[mapping.defaultLanguage] ?? 'en_US';
  plan.referenceData = planReferenceBootstrap(mapping, pim, defaultLocale, notes, options.referenceData);
  const addAttribute = (code: string, type: Attribute['type'], field: FieldDescription | undefined, spec?: ResolvedMapping['attributes'] extends ReadonlyMap<string, infer S> ? S : never) => {
    if (pim.attributes.has(code) || planned.has(code) || code === identifier) return;
    const attribute: Attribute = {
      code,
      type,
      group: spec?.group ?? group.code,
      labels: spec?.labels ?? { [defaultLocale]: field?.label ?? titleCase(code) },
      localizable: spec?.localizable ?? field?.type === 'localized',
      scopable: spec?.scopable ?? false,
      unique: false,
      useable_as_grid_filter: true,
    };
    if (type === 'pim_catalog_number') {
      attribute.decimals_allowed = spec?.decimals ?? field?.type !== 'integer';
      attribute.negative_allowed = spec?.negativeAllowed ?? true;
    }
    if (type === 'pim_catalog_metric') {
      const inferred = inferMetric(field, pim);
      const family = spec?.metricFamily ?? inferred?.family ?? null;
      const unit = spec?.unit ?? (family && inferred?.family === family ? inferred.unit : null) ?? (family ? pim.measurementFamilies.get(family)?.standard_unit_code : null) ?? null;
      if (!family || !unit) {
        notes.push(`attribute ${code}: no measurement family known for ERP units ${field?.units?.join(', ') ?? '(none)'}; set mapping.attributes.${code}.metricFamily and .unit, then bootstrap again.`);
        return;
      }
      attribute.metric_family = family;
      attribute.default_metric_unit = unit;
      attribute.decimals_allowed = spec?.decimals ?? true;
      attribute.negative_allowed = spec?.negativeAllowed ?? false;
    }
    if (type === 'pim_catalog_price_collection') attribute.decimals_allowed = spec?.decimals ?? true;
    if (type === 'pim_catalog_text' && spec?.maxLength) attribute.max_characters = spec.maxLength;
    if (type === 'pim_catalog_image' || type === 'pim_catalog_file') attribute.allowed_extensions = [];
    if (ENTERPRISE_ATTRIBUTE_TYPES.has(type) && isCommunityEdition(pim)) {
      notes.push(`attribute ${code}: not created — ${type} exists on Enterprise Edition and SaaS only, not on this Community Edition; map it as a select, image or file instead (\`ferry check\` says how).`);
      return;
    }
    if (type === 'akeneo_reference_entity' || type === 'akeneo_reference_entity_collection') {
      if (!spec?.referenceEntity) {
        notes.push(`attribute ${code}: set mapping.attributes.${code}.referenceEntity to create it.`);
        return;
      }
      attribute.reference_data_name = spec.referenceEntity;
    }
    if (type === 'pim_catalog_asset_collection') {
      if (!spec?.assetFamily) {
        notes.push(`attribute ${code}: set mapping.attributes.${code}.assetFamily (or map the files in mapping.assetFamilies) to create it.`);
        return;
      }
      attribute.reference_data_name = spec.assetFamily;
    }
    // Read-only keeps Julia from editing what the next sync would overwrite (EE/SaaS only).
    if (readOnly) attribute.is_read_only = true;
    planned.set(code, attribute);
  };

  for (const [code, spec] of mapping.attributes) {
    for (const f of spec.from) consumed.add(f);
    if (!spec.owned) continue;
    const field = spec.from.map(erpField).find(Boolean);
    const type = spec.type ? TYPE_BY_MAPPING[spec.type] : field ? inferType(field) : undefined;
    if (!type) {
      notes.push(`attribute ${code}: the ERP does not describe field ${spec.from.join(' | ') || '(expression)'}; set mapping.attributes.${code}.type to create it.`);
      continue;
    }
    if (spec.from.length === 0 && spec.expression && spec.localizable === undefined) {
      // An expression over localized fields gives one text per language.
      const localized = [...spec.expression.matchAll(/\{([^{}]+)\}/g)].some((m) => erpField(m[1]!.trim())?.type === 'localized');
      addAttribute(code, type, field, { ...spec, localizable: localized });
      continue;
    }
    addAttribute(code, type, field, spec);
  }
  const structural = new Set([mapping.identifier.from, mapping.structure.families.field, mapping.structure.variants.field].filter((x): x is string => !!x));
  if (mapping.identity.enabled) {
    for (const field of [...itemFields.values(), ...groupFields.values()]) {
      if (consumed.has(field.name) || mapping.identity.ignore.has(field.name) || structural.has(field.name)) continue;
      if ((field.hot || looksHot(field.name, mapping.hotData.patterns)) && !mapping.hotData.allow.has(field.name)) {
        if (!notes.some((n) => n.startsWith(`ERP field ${field.name}:`))) {
          notes.push(`ERP field ${field.name}: hot data (price/cost/stock), not created. Declare it as a reference price in the mapping if it is one.`);
        }
        continue;
      }
      const code = mapping.codes.normalise ? normaliseCode(field.name, mapping.codes.case) : field.name;
      if (!code) continue;
      const existing = pim.attributes.get(code);
      if (existing && !mapping.ownership.groups.includes(existing.group) && !mapping.ownership.attributes.includes(code)) {
        notes.push(`ERP field ${field.name}: the PIM attribute ${code} belongs to group ${existing.group}, not the ERP's; Ferry leaves it alone (map it explicitly to change that).`);
        continue;
      }
      addAttribute(code, inferType(field), field);
    }
  }
  plan.attributes = [...planned.values()];
  if (!readOnly && plan.attributes.some((a) => a.group === group.code)) notes.push(readOnlyNote(pim, group.code));

  // --- options the ERP declares for its select fields
  const attributeType = (code: string) => planned.get(code)?.type ?? pim.attributes.get(code)?.type;
  const fieldFor = (code: string): FieldDescription | undefined => {
    const spec = mapping.attributes.get(code);
    if (spec) return spec.from.map(erpField).find(Boolean);
    return erpField(code) ?? [...itemFields.values(), ...groupFields.values()].find((f) => normaliseCode(f.name, mapping.codes.case) === code);
  };
  // Options carry the ERP's labels (describe()'s optionLabels) in every locale the PIM accepts.
  const acceptedForOptions = acceptedLabelLocales(mapping, pim, plan);
  const localeOfLanguage = (lang: string) => targetLocale(lang, mapping, pim);
  for (const code of new Set([...planned.keys(), ...pim.attributes.keys()])) {
    const t = attributeType(code);
    if (t !== 'pim_catalog_simpleselect' && t !== 'pim_catalog_multiselect') continue;
    const field = fieldFor(code);
    if (!field?.options?.length) continue;
    const existing = new Set([...(pim.options.get(code)?.keys() ?? [])].map((c) => c.toLowerCase()));
    const renames = { ...mapping.options.renames[code], ...mapping.attributes.get(code)?.renames };
    const seen = new Set<string>();
    for (const value of field.options) {
      const optionCode = renames[value] ?? (mapping.codes.normalise ? normaliseCode(value, mapping.codes.case) : value);
      if (!optionCode || existing.has(optionCode.toLowerCase()) || seen.has(optionCode.toLowerCase())) continue;
      seen.add(optionCode.toLowerCase());
      const labels = { [defaultLocale]: value, ...optionLabelsFrom(field.optionLabels?.[value], mapping, localeOfLanguage, acceptedForOptions) };
      plan.options.push({ code: optionCode, attribute: code, labels });
    }
  }

  // --- families and family variants
  const has = (code: string) => pim.attributes.has(code) || planned.has(code);
  const erpOwned = [...new Set([...plan.attributes.filter((a) => a.group === group.code).map((a) => a.code), ...[...pim.attributes.values()].filter((a) => mapping.ownership.groups.includes(a.group)).map((a) => a.code), ...[...mapping.attributes.keys()].filter(has)])];
  const definitions: Record<string, FamilyDefinition> = { ...mapping.structure.families.definitions };
  const referenced = [mapping.structure.families.default, ...Object.values(mapping.structure.families.map), ...Object.values(mapping.structure.categories.families)].filter((f): f is string => !!f);
  for (const f of referenced) definitions[f] ??= { attributes: [], includeErpAttributes: true };
  for (const [code, def] of Object.entries(definitions)) {
    const wanted = new Set<string>([identifier]);
    for (const a of def.attributes) {
      if (has(a)) wanted.add(a);
      else notes.push(`family ${code}: attribute ${a} is neither in the PIM nor created by this plan; left out.`);
    }
    if (def.includeErpAttributes) for (const a of erpOwned) wanted.add(a);
    for (const g of def.attributeGroups ?? []) for (const a of pim.attributes.values()) if (a.group === g) wanted.add(a.code);
    const existing = pim.families.get(code);
    const label = def.attributeAsLabel && has(def.attributeAsLabel) ? def.attributeAsLabel : has('name') && wanted.has('name') ? 'name' : identifier;
    if (existing) {
      const added = [...wanted].filter((a) => !existing.attributes.includes(a));
      if (added.length) plan.families.push({ family: { ...existing, attributes: [...existing.attributes, ...added] }, existing: true, added });
    } else {
      const family: Family = { code, attribute_as_label: label, attributes: [...wanted], labels: def.labels ?? { [defaultLocale]: titleCase(code) } };
      if (def.requirements) family.attribute_requirements = def.requirements;
      plan.families.push({ family, existing: false, added: [...wanted] });
    }
    const familyAttrs = new Set(existing ? [...existing.attributes, ...wanted] : wanted);
    const variants: Record<string, { labels?: Record<string, string>; levels: { axes: string[]; attributes: string[] }[] }> = { ...(def.variants ?? {}) };
    // Configured family variants win; otherwise the data's groups say which layouts are needed.
    const configured = Object.keys(def.variants ?? {}).length > 0 || (mapping.structure.variants.familyVariant[code] ?? 'auto') !== 'auto';
    if (def.variantsFromErp && !configured) {
      if (options.samples) Object.assign(variants, variantsFromData(code, options.samples, { itemFields, groupFields, mapping, attributeType, familyAttrs, identifier, pim }, plan));
      else notes.push(`family ${code}: no ERP items were read, so no family variant is inferred (ferry pim bootstrap reads them; planBootstrap takes them as options.samples).`);
    }
    for (const [fvCode, fv] of Object.entries(variants)) {
      const inPim = pim.familyVariants.get(fvCode);
      if (inPim) {
        // Bootstrap creates; it never rebuilds an existing family variant (its models depend on it).
        const pimAxes = (inPim.variant_attribute_sets ?? []).map((s) => [...(s.axes ?? [])].sort().join('+')).join(' / ');
        const wantedAxes = fv.levels.map((l) => [...l.axes].sort().join('+')).join(' / ');
        if (inPim.family !== code) notes.push(`family variant ${fvCode}: exists in the PIM for family ${inPim.family}, not ${code}; left as it is (choose another code).`);
        else if (pimAxes !== wantedAxes) notes.push(`family variant ${fvCode}: exists in the PIM with axes ${pimAxes}, the mapping says ${wantedAxes}; bootstrap does not change an existing family variant (Akeneo refuses new axes on it): give the new layout another code.`);
        continue;
      }
      const dropped = fv.levels.flatMap((level) => level.attributes.filter((a) => !familyAttrs.has(a)));
      if (dropped.length) notes.push(`family variant ${fvCode}: ${dropped.join(', ')} not in family ${code}; left out of its levels (add ${dropped.length === 1 ? 'it' : 'them'} to the family's attributes).`);
      const sets = fv.levels.map((level, i) => ({
        level: i + 1,
        axes: level.axes,
        attributes: level.attributes.filter((a) => familyAttrs.has(a) && !level.axes.includes(a)),
      }));
      const missing = sets.flatMap((s) => s.axes).filter((a) => !familyAttrs.has(a));
      if (missing.length) {
        notes.push(`family variant ${fvCode}: axis ${missing.join(', ')} is not an attribute of family ${code}; left out.`);
        continue;
      }
      plan.familyVariants.push({ code: fvCode, family: code, labels: fv.labels ?? { [defaultLocale]: titleCase(fvCode) }, variant_attribute_sets: sets });
    }
  }

  // --- category root
  if (mapping.structure.categories.mode === 'tree' && !pim.categories.has(mapping.structure.categories.root)) {
    plan.categories.push({ code: mapping.structure.categories.root, parent: null, labels: { [defaultLocale]: titleCase(mapping.structure.categories.root) } });
    notes.push(`category ${mapping.structure.categories.root}: created as a new tree; set it as a channel's category tree to see products in that channel.`);
  }
  keepAcceptedLabels(plan, acceptedLabelLocales(mapping, pim, plan), defaultLocale);
  return plan;
}

/**
 * Why the ERP's attributes are not read-only here, and what protects them instead. Read-only
 * attributes and attribute-group permissions are Enterprise / SaaS features; the CE has neither.
 */
function readOnlyNote(pim: PimStructure, groupCode: string): string {
  const where = isCommunityEdition(pim) ? `this PIM is Akeneo Community Edition${pim.version ? ` ${pim.version}` : ''}` : "this PIM's edition is unknown";
  return (
    `attributes of group ${groupCode}: created editable, not read-only — ${where}, and read-only attributes exist on Enterprise Edition and SaaS only. ` +
    'The CE has no attribute-group permissions either (the Enterprise alternative), so people can change these values in the PIM: ' +
    'Ferry rewrites a value only when the ERP changes it, so run `ferry sync --verify --repair` (e.g. weekly) to find such edits and put the ERP values back.'
  );
}

export interface BootstrapFailure {
  kind: 'channel' | 'attribute_group' | 'attribute' | 'option' | 'family' | 'family_variant' | 'category' | 'reference_entity' | 'asset_family';
  code: string;
  message: string;
  /** What was not attempted because this failed (its dependents), e.g. ["family shirt", "family variant shirt_by_size"]. */
  stopped?: string[];
}
export interface BootstrapResult {
  created: Record<BootstrapFailure['kind'], number>;
  updated: Record<BootstrapFailure['kind'], number>;
  failures: BootstrapFailure[];
}

/**
 * Writes the plan in dependency order: channels (locales), attribute groups, attributes, options,
 * families, family variants, categories. A failure is reported once, with the dependents it stopped
 * (a family is not sent without its attributes, a family variant without its family or axes); items
 * that do not depend on it still go.
 */
export async function applyBootstrap(plan: BootstrapPlan, client: AkeneoClient): Promise<BootstrapResult> {
  const zero = () => ({ channel: 0, attribute_group: 0, attribute: 0, option: 0, family: 0, family_variant: 0, category: 0, reference_entity: 0, asset_family: 0 });
  const result: BootstrapResult = { created: zero(), updated: zero(), failures: [] };
  const failed = new Map<string, BootstrapFailure>();
  const record = (kind: BootstrapFailure['kind'], outcomes: { outcome: string; key: string; message?: string; errors?: { message: string; property?: string }[] }[]) => {
    for (const o of outcomes) {
      if (o.outcome === 'created') result.created[kind]++;
      else if (o.outcome === 'updated') result.updated[kind]++;
      else {
        const details = o.errors?.map((e) => (e.property ? `${e.property}: ${e.message}` : e.message)).join('; ');
        fail(kind, o.key, [o.message, details].filter(Boolean).join(' — ') || 'refused');
      }
    }
  };
  const fail = (kind: BootstrapFailure['kind'], code: string, message: string) => {
    const f: BootstrapFailure = { kind, code, message };
    result.failures.push(f);
    failed.set(`${kind}:${code}`, f);
  };
  const safely = async (kind: BootstrapFailure['kind'], codes: string[], run: () => Promise<void>) => {
    try {
      await run();
    } catch (err) {
      for (const code of codes) fail(kind, code, err instanceof Error ? String(err) : String(err));
    }
  };
  /** The first failed prerequisite of an item, if any; the item is then listed under it instead of being sent. */
  const blockedBy = (what: string, prerequisites: string[]): boolean => {
    const cause = prerequisites.map((p) => failed.get(p)).find(Boolean);
    if (!cause) return false;
    (cause.stopped ??= []).push(what);
    failed.set(what.replace(/^family variant /, 'family_variant:').replace(/^(\w+) /, '$1:'), cause);
    return true;
  };
  for (const ch of plan.channels) {
    await safely('channel', [ch.code], async () => {
      const r = await client.channels.upsert(ch);
      result[r.outcome === 'created' ? 'created' : 'updated'].channel++;
    });
  }
  // A locale no channel could take is not active: labels in it would be refused, so they are left out.
  const inactive = new Set(plan.channels.filter((c) => failed.has(`channel:${c.code}`)).flatMap((c) => c.locales));
  for (const ch of plan.channels) if (!failed.has(`channel:${ch.code}`)) for (const l of ch.locales) inactive.delete(l);
  if (inactive.size) {
    const drop = <T extends { labels?: Labels }>(x: T) => {
      if (x.labels) for (const l of inactive) delete x.labels[l];
    };
    [...plan.attributeGroups, ...plan.attributes, ...plan.options, ...plan.families.map((f) => f.family), ...plan.familyVariants, ...plan.categories].forEach(drop);
  }
  // Reference entities and asset families first: the attributes linking them name them.
  if (plan.referenceData) {
    const ref = await applyReferenceBootstrap(plan.referenceData, client);
    for (const c of ref.created) if (c.startsWith('reference entity ')) result.created.reference_entity++;
    else if (c.startsWith('asset family ')) result.created.asset_family++;
    for (const f of ref.failures) fail(f.kind, f.code, f.message);
  }
  const groups = plan.attributeGroups;
  if (groups.length) await safely('attribute_group', groups.map((g) => g.code), async () => record('attribute_group', await client.attributeGroups.upsertMany(groups)));
  const linked = (a: Attribute) => (a.type === 'akeneo_reference_entity' || a.type === 'akeneo_reference_entity_collection' ? [`reference_entity:${a.reference_data_name}`] : a.type === 'pim_catalog_asset_collection' ? [`asset_family:${a.reference_data_name}`] : []);
  const attributes = plan.attributes.filter((a) => !blockedBy(`attribute ${a.code}`, [`attribute_group:${a.group}`, ...linked(a)]));
  for (const batch of chunks(attributes, 100)) {
    await safely('attribute', batch.map((a) => a.code), async () => record('attribute', await client.attributes.upsertMany(batch)));
  }
  const byAttribute = new Map<string, AttributeOption[]>();
  for (const o of plan.options) byAttribute.set(o.attribute, [...(byAttribute.get(o.attribute) ?? []), o]);
  for (const [attribute, options] of byAttribute) {
    if (blockedBy(`${options.length} option${options.length === 1 ? '' : 's'} of ${attribute}`, [`attribute:${attribute}`])) continue;
    // ≤100 per call; the client keeps option writes within Akeneo's 3 requests/s.
    for (const batch of chunks(options, 100)) {
      await safely('option', batch.map((o) => `${attribute}.${o.code}`), async () => record('option', await client.attributeOptions(attribute).upsertMany(batch)));
    }
  }
  const families = plan.families.filter((f) => !blockedBy(`family ${f.family.code}`, f.added.map((a) => `attribute:${a}`)));
  if (families.length) {
    await safely('family', families.map((f) => f.family.code), async () => record('family', await client.families.upsertMany(families.map((f) => f.family))));
  }
  const byFamily = new Map<string, FamilyVariant[]>();
  for (const { family, ...fv } of plan.familyVariants) {
    const prerequisites = [`family:${family}`, ...fv.variant_attribute_sets.flatMap((s) => s.axes.map((a) => `attribute:${a}`))];
    if (blockedBy(`family variant ${fv.code}`, prerequisites)) continue;
    byFamily.set(family, [...(byFamily.get(family) ?? []), fv]);
  }
  for (const [family, fvs] of byFamily) {
    await safely('family_variant', fvs.map((f) => f.code), async () => record('family_variant', await client.familyVariants(family).upsertMany(fvs)));
  }
  if (plan.categories.length) {
    await safely('category', plan.categories.map((c) => c.code), async () => record('category', await client.categories.upsertMany(plan.categories)));
  }
  return result;
}

/**
 * What `ferry check` reports from a plan made with the ERP's groups: groups whose items cannot be told
 * apart, and family variants the groups need that the PIM lacks (the sync would hold their items back).
 */
export function axisProblems(plan: BootstrapPlan): CheckProblem[] {
  const problems: CheckProblem[] = plan.indistinguishable.map((g) => ({ severity: 'error', code: 'indistinguishable_group', message: g.message, fix: g.fix }));
  for (const fv of plan.familyVariants) {
    const groups = plan.inferredVariants[fv.code];
    if (!groups) continue;
    const layout = fv.variant_attribute_sets.map((s) => `level ${s.level} axes ${s.axes.join('+')}`).join(', ');
    problems.push({
      severity: 'error',
      code: 'missing_family_variant',
      message: `${groups} ERP group${groups === 1 ? '' : 's'} of family ${fv.family} need${groups === 1 ? 's' : ''} family variant ${fv.code} (${layout}) to tell ${groups === 1 ? 'its' : 'their'} items apart, and the PIM lacks it: the sync would hold back the items the existing variants cannot place`,
      fix: 'Run `ferry pim bootstrap` (it creates exactly the family variants the groups need).',
    });
  }
  return problems;
}

/** One line per failure: what failed, why, and what it stopped. */
export function describeFailure(f: BootstrapFailure): string {
  const stopped = f.stopped?.length ? ` (so not attempted: ${f.stopped.slice(0, 8).join(', ')}${f.stopped.length > 8 ? `, … ${f.stopped.length - 8} more` : ''})` : '';
  return `${f.kind.replace('_', ' ')} ${f.code}: ${f.message}${stopped}`;
}

/** The plan as lines a person can read before saying yes. */
export function describePlan(plan: BootstrapPlan): string[] {
  const lines: string[] = [];
  for (const l of plan.locales) lines.push(`+ locale ${l.locale} activated for ERP language ${l.language} (added to channel ${plan.channels.filter((c) => c.locales.includes(l.locale)).map((c) => c.code).join(', ')}; map or drop it in mapping.locales / mapping.dropLanguages instead)`);
  // Applied first: the link attributes below name them.
  if (plan.referenceData) lines.push(...describeReferencePlan(plan.referenceData));
  for (const g of plan.attributeGroups) lines.push(`+ attribute group ${g.code} "${g.labels?.['en_US'] ?? Object.values(g.labels ?? {})[0] ?? ''}"`);
  for (const a of plan.attributes) {
    const flags = [a.localizable && 'localizable', a.scopable && 'scopable', a.is_read_only && 'read-only', a.metric_family && `${a.metric_family}/${a.default_metric_unit}`].filter(Boolean);
    lines.push(`+ attribute ${a.code} (${a.type.replace(/^pim_catalog_/, '')}${flags.length ? `, ${flags.join(', ')}` : ''}) in group ${a.group}`);
  }
  const optionsBy = new Map<string, string[]>();
  for (const o of plan.options) optionsBy.set(o.attribute, [...(optionsBy.get(o.attribute) ?? []), o.code]);
  for (const [a, codes] of optionsBy) lines.push(`+ ${codes.length} option${codes.length === 1 ? '' : 's'} of ${a}: ${codes.slice(0, 12).join(', ')}${codes.length > 12 ? ', …' : ''}`);
  for (const f of plan.families) {
    lines.push(f.existing ? `~ family ${f.family.code}: add ${f.added.join(', ')}` : `+ family ${f.family.code} (${f.family.attributes.length} attributes, label ${f.family.attribute_as_label})`);
  }
  for (const fv of plan.familyVariants) {
    lines.push(`+ family variant ${fv.code} of ${fv.family}: ${fv.variant_attribute_sets.map((s) => `level ${s.level} axes ${s.axes.join('+')}`).join(', ')}`);
  }
  for (const c of plan.categories) lines.push(`+ category ${c.code} (tree root)`);
  for (const g of plan.indistinguishable) lines.push(`! ${g.message}. Fix: ${g.fix}`);
  for (const n of plan.notes) lines.push(`  note: ${n}`);
  return lines;
}
