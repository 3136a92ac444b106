/**
 * Reference entity records and assets from ERP items (EE / SaaS), as pure functions:
 * - resolveReferenceData: the `mapping.referenceEntities` / `mapping.assetFamilies` sections with
 *   their defaults, and the product attributes that link them (fed by the mapper like any other);
 * - assetCode: the asset code rule over a file name (the mapper's asset collection values and the
 *   assets the sync creates use this one function, so links and assets always agree);
 * - ReferenceDataCollector: records (code, labels, attribute values) and assets (code, file) an
 *   item batch needs, deduplicated, with one problem per record that cannot give a valid code.
 * Record codes go through the same CodeTable rule as the mapper's link values (referenceConverter).
 */
import type { ErpRecord, FieldValue } from '../erp/port.js';
import { CodeTable, normaliseCode } from './codes.js';
import { withGroupFields } from './items.js';
import type { MappingConfig } from './config.js';
import { mediaFilename } from './media.js';
import type { AssetFamilyMapping, ReferenceEntityMapping } from './reference-config.js';
import type { ResolvedAttribute, ResolvedMapping } from './resolve.js';
import type { PimStructure } from './types.js';

export interface ResolvedRecordAttribute {
  code: string;
  from: string;
  type: 'text' | 'textarea' | 'number';
  labels?: Record<string, string>;
}

export interface ResolvedReferenceEntity {
  code: string;
  from: string;
  link: string;
  collection: boolean;
  separator: string;
  labels?: Record<string, string>;
  labelFrom: string;
  /** ERP field with the record's image (path or URL), or null. */
  imageFrom: string | null;
  attributes: ResolvedRecordAttribute[];
}

export interface ResolvedAssetFamily {
  code: string;
  from: string[];
  link: string;
  separator: string | null;
  codeRule: string;
  mediaAttribute: string;
  labels?: Record<string, string>;
}

export interface ResolvedReferenceData {
  referenceEntities: ResolvedReferenceEntity[];
  assetFamilies: ResolvedAssetFamily[];
}

export function resolveReferenceData(merged: Pick<MappingConfig, 'referenceEntities' | 'assetFamilies'>): ResolvedReferenceData {
  const entity = ([code, e]: [string, ReferenceEntityMapping]): ResolvedReferenceEntity => ({
    code,
    from: e.from,
    link: e.link ?? code,
    collection: e.collection ?? false,
    separator: e.separator ?? ',',
    ...(e.labels ? { labels: e.labels } : {}),
    labelFrom: e.labelFrom ?? e.from,
    imageFrom: e.imageFrom ?? null,
    attributes: Object.entries(e.attributes ?? {}).map(([a, spec]) =>
      typeof spec === 'string' ? { code: a, from: spec, type: 'text' as const } : { code: a, from: spec.from, type: spec.type ?? 'text', ...(spec.labels ? { labels: spec.labels } : {}) },
    ),
  });
  const family = ([code, f]: [string, AssetFamilyMapping]): ResolvedAssetFamily => ({
    code,
    from: Array.isArray(f.from) ? f.from : [f.from],
    link: f.link ?? code,
    separator: f.separator ?? null,
    codeRule: f.code ?? '{file}',
    mediaAttribute: f.mediaAttribute ?? 'media',
    ...(f.labels ? { labels: f.labels } : {}),
  });
  return {
    referenceEntities: Object.entries(merged.referenceEntities ?? {}).map(entity),
    assetFamilies: Object.entries(merged.assetFamilies ?? {}).map(family),
  };
}

/**
 * The product attributes linking records and assets, as attribute mappings. An explicit entry in
 * `mapping.attributes` for the same code wins (the caller keeps it), so a user can still rename or
 * relabel the link attribute.
 */
export function linkAttributes(data: ResolvedReferenceData): ResolvedAttribute[] {
  return [
    ...data.referenceEntities.map((e): ResolvedAttribute => ({
      code: e.link,
      from: [e.from],
      owned: true,
      type: e.collection ? 'reference_entity_collection' : 'reference_entity',
      referenceEntity: e.code,
      separator: e.separator,
      localizable: false,
      ...(e.labels ? { labels: e.labels } : {}),
    })),
    ...data.assetFamilies.map((f): ResolvedAttribute => ({
      code: f.link,
      from: f.from,
      owned: true,
      type: 'asset_collection',
      assetFamily: f.code,
      assetCodeRule: f.codeRule,
      ...(f.separator ? { separator: f.separator } : {}),
      localizable: false,
      ...(f.labels ? { labels: f.labels } : {}),
    })),
  ];
}

/** The asset code a file gets under `rule` ({file}: its name without extension, {ext}); null when nothing usable is left. */
export function assetCode(rule: string, source: string): string | null {
  const name = mediaFilename(source.trim());
  const dot = name.lastIndexOf('.');
  const file = dot > 0 ? name.slice(0, dot) : name;
  const ext = dot > 0 ? name.slice(dot + 1) : '';
  const code = normaliseCode(rule.replaceAll('{file}', file).replaceAll('{ext}', ext), 'lower');
  return code === '' ? null : code;
}

/** The file sources of an asset field's value: one per path, or split on the separator. */
export function assetSources(value: FieldValue | undefined, separator: string | null): string[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  const out: string[] = [];
  for (const v of list) {
    if (typeof v !== 'string') continue;
    for (const part of separator ? v.split(separator) : [v]) if (part.trim()) out.push(part.trim());
  }
  return out;
}

/** A record as Akeneo takes it (values keyed by attribute, `channel` instead of `scope`). */
export interface RecordPayload {
  entity: string;
  code: string;
  values: Record<string, { locale: string | null; channel: string | null; data: unknown }[]>;
  /** The ERP item that first named it (for messages). */
  origin: string;
  /** The record's image: an ERP path or URL the sync uploads and sets as the `image` value. */
  image?: string;
}

export interface AssetWanted {
  family: string;
  code: string;
  /** The ERP path or URL of its file. */
  source: string;
  mediaAttribute: string;
  origin: string;
}

export interface ReferenceDataProblem {
  origin: string;
  field: string;
  message: string;
  fix: string;
}

export interface CollectedReferenceData {
  records: RecordPayload[];
  assets: AssetWanted[];
  problems: ReferenceDataProblem[];
}

/**
 * Collects, across calls, the records and assets items need; each record or asset is returned
 * once (by the first item naming it). Labels go to active PIM locales only.
 */
export class ReferenceDataCollector {
  private readonly codes: CodeTable;
  private readonly seen = new Set<string>();

  constructor(
    readonly data: ResolvedReferenceData,
    private readonly mapping: Pick<ResolvedMapping, 'codes' | 'locales' | 'defaultLanguage'>,
    private readonly pim: Pick<PimStructure, 'locales'>,
  ) {
    this.codes = new CodeTable(mapping.codes.normalise, mapping.codes.case);
  }

  /** `reference_entity_record:<entity>:<code>` and `asset:<family>:<code>` (lower case) of everything collected so far. */
  seenCodes(): ReadonlySet<string> {
    const out = new Set<string>();
    for (const k of this.seen) {
      const [kind, container, code] = k.split('\u0000') as [string, string, string];
      out.add(`${kind === 'r' ? 'reference_entity_record' : 'asset'}:${container.toLowerCase()}:${code.toLowerCase()}`);
    }
    return out;
  }

  get isEmpty(): boolean {
    return this.data.referenceEntities.length === 0 && this.data.assetFamilies.length === 0;
  }

  /** The records and assets `items` name and earlier calls did not; an item inherits its group record's fields as the mapper does. */
  collect(items: Iterable<ErpRecord>, groups?: ReadonlyMap<string, ErpRecord>): CollectedReferenceData {
    const out: CollectedReferenceData = { records: [], assets: [], problems: [] };
    for (const original of items) {
      const item = original.group && groups ? withGroupFields(original, groups.get(original.group)) : original;
      for (const entity of this.data.referenceEntities) this.records(item, entity, out);
      for (const family of this.data.assetFamilies) this.assets(item, family, out);
    }
    return out;
  }

  private records(item: ErpRecord, entity: ResolvedReferenceEntity, out: CollectedReferenceData): void {
    const raw = textOf(item.fields[entity.from], this.mapping.defaultLanguage);
    if (raw === null) return;
    const names = entity.collection ? raw.split(entity.separator).map((s) => s.trim()).filter(Boolean) : [raw.trim()];
    for (const name of names) {
      const res = this.codes.code('option', name, `ref:${entity.link}`);
      if (!res.ok) {
        out.problems.push({
          origin: item.key,
          field: entity.from,
          message: `"${name}" cannot become a record code of reference entity ${entity.code} (${res.reason})`,
          fix: 'Turn on mapping.codes.normalise, or fix the value in the ERP.',
        });
        continue;
      }
      const key = `r\u0000${entity.code}\u0000${res.code.toLowerCase()}`;
      if (this.seen.has(key)) continue;
      this.seen.add(key);
      const values: RecordPayload['values'] = {};
      // Several records from one collection value share the item's other fields: only the name labels them then.
      const labelValue = names.length === 1 ? item.fields[entity.labelFrom] : name;
      const labels = this.labels(labelValue ?? name);
      if (labels.length) values['label'] = labels;
      if (names.length === 1) {
        for (const a of entity.attributes) {
          const v = item.fields[a.from];
          const text = textOf(v, this.mapping.defaultLanguage);
          if (text === null || text === '') continue;
          values[a.code] = [{ locale: null, channel: null, data: text }];
        }
      }
      const image = names.length === 1 && entity.imageFrom ? assetSources(item.fields[entity.imageFrom], null)[0] : undefined;
      out.records.push({ entity: entity.code, code: res.code, values, origin: item.key, ...(image ? { image } : {}) });
    }
  }

  private assets(item: ErpRecord, family: ResolvedAssetFamily, out: CollectedReferenceData): void {
    const field = family.from.find((f) => assetSources(item.fields[f], family.separator).length > 0);
    if (!field) return;
    for (const source of assetSources(item.fields[field], family.separator)) {
      const code = assetCode(family.codeRule, source);
      if (!code) {
        out.problems.push({ origin: item.key, field, message: `file "${source}" gives no asset code under the rule "${family.codeRule}"`, fix: `Change mapping.assetFamilies.${family.code}.code, e.g. "{file}_{ext}".` });
        continue;
      }
      const key = `a\u0000${family.code}\u0000${code}`;
      if (this.seen.has(key)) continue;
      this.seen.add(key);
      out.assets.push({ family: family.code, code, source, mediaAttribute: family.mediaAttribute, origin: item.key });
    }
  }

  /** Labels of a record: per locale for a localized field, else in the default language's locale. */
  private labels(value: FieldValue): { locale: string; channel: null; data: string }[] {
    const out: { locale: string; channel: null; data: string }[] = [];
    const put = (lang: string, text: string) => {
      const locale = this.localeOf(lang);
      if (locale && text.trim() && !out.some((l) => l.locale === locale)) out.push({ locale, channel: null, data: text.trim() });
    };
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && 'kind' in value && value.kind === 'localized') {
      for (const [lang, text] of Object.entries(value.values)) put(lang, text);
    } else {
      const text = textOf(value, this.mapping.defaultLanguage);
      if (text !== null) put(this.mapping.defaultLanguage, text);
    }
    return out;
  }

  private localeOf(lang: string): string | null {
    const mapped = this.mapping.locales[lang];
    if (mapped) return this.pim.locales.has(mapped) ? mapped : null;
    if (this.pim.locales.has(lang)) return lang;
    const starting = [...this.pim.locales].filter((l) => l.toLowerCase().startsWith(`${lang.toLowerCase()}_`));
    return starting.length === 1 ? starting[0]! : null;
  }
}

/** A scalar or localized field as one text (the default language's for localized values). */
function textOf(value: FieldValue | undefined, defaultLanguage: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value.trim() === '' ? null : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) {
    const parts = value.map((v) => textOf(v, defaultLanguage)).filter((v): v is string => v !== null);
    return parts.length ? parts.join(',') : null;
  }
  if (value.kind === 'localized') return value.values[defaultLanguage] ?? Object.values(value.values)[0] ?? null;
  if (value.kind === 'decimal') return value.value;
  return null;
}
