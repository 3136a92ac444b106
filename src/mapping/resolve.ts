/**
 * Applies the preset under the user's `mapping:` section and fills the documented defaults,
 * giving the one resolved view the mapper, `ferry check` and the bootstrap planner share.
 */
import { DEFAULT_HOT_PATTERNS, type AttributeMappingConfig, type MappingConfig } from './config.js';
import { PRESETS } from './presets.js';
import { linkAttributes, resolveReferenceData, type ResolvedReferenceData } from './reference-data.js';
import type { MappingErrorKind } from './types.js';

export interface ResolvedAttribute extends Omit<AttributeMappingConfig, 'from'> {
  code: string;
  /** ERP fields, first non-empty wins (empty when `expression` is used). */
  from: string[];
  owned: boolean;
  /** Asset collections fed from mapping.assetFamilies: the asset code rule turning file paths into asset codes. */
  assetCodeRule?: string;
}

export interface FamilyVariantDefinition {
  labels?: Record<string, string>;
  levels: { axes: string[]; attributes: string[] }[];
}
export interface FamilyDefinition {
  labels?: Record<string, string>;
  attributes: string[];
  attributeAsLabel?: string;
  requirements?: Record<string, string[]>;
  variants?: Record<string, FamilyVariantDefinition>;
  attributeGroups?: string[];
  includeErpAttributes?: boolean;
  variantsFromErp?: boolean;
}

export interface ResolvedMapping {
  preset: 'demo' | 'tryton' | 's4' | 'bc' | null;
  identifier: { attribute: string | null; from: string | null };
  identity: { enabled: boolean; ignore: ReadonlySet<string> };
  codes: { normalise: boolean; case: 'lower' | 'preserve' };
  locales: Readonly<Record<string, string>>;
  /** ERP languages never sent (no locale activated for them). */
  dropLanguages: ReadonlySet<string>;
  defaultLanguage: string;
  channels: { default: string[] | null };
  attributeGroup: { code: string; label: string };
  ownership: { groups: string[]; attributes: string[] };
  hotData: { patterns: string[]; allow: ReadonlySet<string> };
  attributes: ReadonlyMap<string, ResolvedAttribute>;
  structure: {
    categories: { mode: 'tree' | 'families' | 'models' | 'ignore'; root: string; prefix: string; labelField: string; families: Record<string, string> };
    families: { default: string | null; field: string | null; map: Record<string, string>; definitions: Record<string, FamilyDefinition> };
    variants: {
      groupBy: 'group' | 'field' | 'sku' | 'category' | 'none';
      field: string | null;
      skuPattern: RegExp | null;
      familyVariant: Record<string, string>;
      singleGroupAsSimpleProduct: boolean;
      modelPrefix: string;
      /** Model-level attributes whose items are not compared with the model's value. */
      ignoreItemDifferences: ReadonlySet<string>;
    };
  };
  options: { autoCreate: boolean; renames: Record<string, Record<string, string>> };
  blockRecord: Readonly<Record<MappingErrorKind, boolean>>;
  /** EE / SaaS: reference entity records and assets made from ERP item fields (reference-data.ts). */
  referenceData: ResolvedReferenceData;
}

/**
 * Whether an error of each kind holds the whole record back (true) or only drops the value (false).
 * Documented in docs/mapping.md: a record that cannot be identified or placed in its model is held
 * back; a single bad value is dropped so the rest of the record still reaches the PIM.
 */
export const DEFAULT_BLOCK_RECORD: Readonly<Record<MappingErrorKind, boolean>> = {
  not_a_number: false,
  decimals_not_allowed: false,
  out_of_range: false,
  unknown_unit: false,
  invalid_date: false,
  too_long: false,
  invalid_code: false,
  missing_option: false,
  invalid_boolean: false,
  hot_data: false,
  missing_required: true,
  duplicate_axis_combination: true,
  missing_axis_value: true,
  unknown_attribute: false,
  invalid_value: false,
  unknown_family: true,
  model_value_conflict: false,
};

type Plain = Record<string, unknown>;
const isPlain = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof RegExp);

/** Objects merge recursively (user wins), arrays and scalars replace. */
function deepMerge(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (!isPlain(base) || !isPlain(over)) return over;
  const out: Plain = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = deepMerge(base[k], v);
  return out;
}

function normaliseEntry(entry: unknown): AttributeMappingConfig | null {
  if (entry === false || entry === null || entry === undefined) return null;
  if (typeof entry === 'string') return { from: entry };
  return entry as AttributeMappingConfig;
}

export function resolveMapping(config: MappingConfig): ResolvedMapping {
  const preset = config.preset ? PRESETS[config.preset] : {};
  const { attributes: presetAttrs, ...presetRest } = preset as MappingConfig;
  const { attributes: userAttrs, ...userRest } = config;
  const merged = deepMerge(presetRest, userRest) as MappingConfig;

  // Attributes merge field by field: a user entry overrides the preset's keys it names; false removes it.
  const attributes = new Map<string, ResolvedAttribute>();
  const keys = new Set([...Object.keys(presetAttrs ?? {}), ...Object.keys(userAttrs ?? {})]);
  for (const code of keys) {
    const userRaw = userAttrs?.[code];
    if (userRaw === false || userRaw === null) continue;
    const base = normaliseEntry(presetAttrs?.[code]);
    const over = normaliseEntry(userRaw);
    const spec = (over && base ? { ...base, ...over } : (over ?? base))!;
    const from = spec.expression ? [] : Array.isArray(spec.from) ? spec.from : [spec.from ?? code];
    attributes.set(code, { ...spec, code, from, owned: spec.owned ?? true });
  }

  // The attributes linking records and assets, unless mapping.attributes configures them itself.
  const referenceData = resolveReferenceData(merged);
  for (const link of linkAttributes(referenceData)) if (!attributes.has(link.code)) attributes.set(link.code, link);

  const s = merged.structure ?? {};
  const blockRecord = { ...DEFAULT_BLOCK_RECORD };
  for (const [kind, block] of Object.entries(merged.errors?.blockRecord ?? {})) {
    if (kind in blockRecord) blockRecord[kind as MappingErrorKind] = block;
  }
  const groupCode = merged.attributeGroup?.code ?? 'erp';
  return {
    preset: config.preset ?? null,
    identifier: { attribute: merged.identifier?.attribute ?? null, from: merged.identifier?.from ?? null },
    identity: { enabled: merged.identity?.enabled ?? true, ignore: new Set(merged.identity?.ignore ?? []) },
    codes: { normalise: merged.codes?.normalise ?? false, case: merged.codes?.case ?? 'lower' },
    locales: merged.locales ?? {},
    dropLanguages: new Set(merged.dropLanguages ?? []),
    defaultLanguage: merged.defaultLanguage ?? 'en',
    channels: { default: merged.channels?.default ?? null },
    attributeGroup: { code: groupCode, label: merged.attributeGroup?.label ?? 'ERP data' },
    ownership: { groups: merged.ownership?.groups ?? [groupCode], attributes: merged.ownership?.attributes ?? [] },
    hotData: { patterns: merged.hotData?.patterns ?? DEFAULT_HOT_PATTERNS, allow: new Set(merged.hotData?.allow ?? []) },
    attributes,
    structure: {
      categories: {
        mode: s.categories?.mode ?? 'tree',
        root: s.categories?.root ?? 'master',
        prefix: s.categories?.prefix ?? '',
        labelField: s.categories?.labelField ?? 'name',
        families: s.categories?.families ?? {},
      },
      families: {
        default: s.families?.default ?? null,
        field: s.families?.field ?? null,
        map: s.families?.map ?? {},
        definitions: (s.families?.definitions ?? {}) as Record<string, FamilyDefinition>,
      },
      variants: {
        groupBy: s.variants?.groupBy ?? 'group',
        field: s.variants?.field ?? null,
        skuPattern: s.variants?.skuPattern ? new RegExp(s.variants.skuPattern) : null,
        familyVariant: s.variants?.familyVariant ?? {},
        singleGroupAsSimpleProduct: s.variants?.singleGroupAsSimpleProduct ?? true,
        modelPrefix: s.variants?.modelPrefix ?? '',
        ignoreItemDifferences: new Set(s.variants?.ignoreItemDifferences ?? []),
      },
    },
    options: { autoCreate: merged.options?.autoCreate ?? true, renames: merged.options?.renames ?? {} },
    blockRecord,
    referenceData,
  };
}
