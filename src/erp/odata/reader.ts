/**
 * Reading one stream: the stream definition checked against $metadata (unknown entity sets or
 * properties are config errors naming the key to fix), the query built ($select, $expand,
 * $filter for delta and keys), and rows turned into ErpRecords with exact values.
 */
import { deltaWindow, RecordProblem, toIsoTimestamp, truncateRaw } from '../common/index.js';
import { ErpError, type ErpRecord, type FieldDescription, type FieldType, type FieldValue, type ReadOptions } from '../port.js';
import type { OdataField } from './config.js';
import type { EdmEntityType, EdmModel, EdmProperty } from './metadata.js';
import type { ResolvedStream } from './profiles.js';
import type { Filter, ODataVersion, QueryOptions } from './query.js';
import { expandedRows, odataDate, odataDecimal, odataInstant } from './values.js';

export interface StreamPlan {
  def: ResolvedStream;
  type: EdmEntityType;
  /** The fields actually read (profile fields the service lacks are dropped). */
  fields: [string, OdataField][];
  dropped: string[];
  select: string[];
  expand: string[];
}

/** Checks a stream against the service's metadata; throws a config ErpError naming what is unknown. */
export function planStream(def: ResolvedStream, model: EdmModel, url: string): StreamPlan {
  const at = `erp.streams.${def.stream}`;
  const type = model.entitySets.get(def.entitySet);
  if (!type) {
    const sets = [...model.entitySets.keys()].sort().join(', ');
    throw new ErpError(`${at}.entitySet: entity set "${def.entitySet}" is not in the service at ${url}; it offers: ${sets || '(none)'}`, 'config');
  }
  const need = (key: string, prop: string | undefined): void => {
    if (prop !== undefined && !type.properties.has(prop)) {
      throw new ErpError(`${at}.${key}: property "${prop}" is not in ${def.entitySet} (type ${type.name}); properties: ${[...type.properties.keys()].join(', ')}`, 'config');
    }
  };
  need('key', def.key);
  need('changeField', def.changeField);
  need('deletionFlag', def.deletionFlag);
  need('group', def.group);
  need('categories', def.categories);
  const fields: [string, OdataField][] = [];
  const dropped: string[] = [];
  const select = new Set([def.key, def.changeField, def.deletionFlag, def.group, def.categories].filter((p): p is string => p !== undefined));
  const expand = new Set<string>();
  for (const [name, field] of Object.entries(def.fields)) {
    const problem = fieldProblem(field, type, model);
    if (problem) {
      if (def.fromProfile.has(name)) {
        dropped.push(name);
        continue;
      }
      throw new ErpError(`${at}.fields.${name}: ${problem}`, 'config');
    }
    fields.push([name, field]);
    if (typeof field === 'string') select.add(field);
    else if ('quantity' in field) {
      select.add(field.quantity.amount);
      select.add(field.quantity.unit);
    } else expand.add(field.localized.navigation);
  }
  return { def, type, fields, dropped, select: [...select], expand: [...expand] };
}

/**
 * The plan of a keys-only read (ReadOptions.fields 'none', a queued run's plan): key, change
 * date, deletion flag, group and categories; no field, no $expand.
 */
export function keysOnlyPlan(plan: StreamPlan): StreamPlan {
  const d = plan.def;
  const select = [d.key, d.changeField, d.deletionFlag, d.group, d.categories].filter((p): p is string => p !== undefined);
  return { ...plan, fields: [], select, expand: [] };
}

function fieldProblem(field: OdataField, type: EdmEntityType, model: EdmModel): string | null {
  const missing = (p: string, t: EdmEntityType): string | null => (t.properties.has(p) ? null : `property "${p}" is not in entity type ${t.name}`);
  if (typeof field === 'string') return missing(field, type);
  if ('quantity' in field) return missing(field.quantity.amount, type) ?? missing(field.quantity.unit, type);
  const nav = type.navigations.get(field.localized.navigation);
  if (!nav) return `navigation property "${field.localized.navigation}" is not in entity type ${type.name}; navigations: ${[...type.navigations.keys()].join(', ') || '(none)'}`;
  const target = nav.target ? model.types.get(nav.target) : undefined;
  if (!target) return null; // cannot check the target's properties; the read will tell
  return missing(field.localized.language, target) ?? missing(field.localized.text, target);
}

/** SAP language keys → Ferry language codes (lower-case ISO; SAP's ZF is traditional Chinese). */
export function ferryLanguage(code: string): string {
  const c = code.trim().toLowerCase();
  return c === 'zf' ? 'zh-cht' : c;
}

/** The $filter of a read: the stream's own filter, the items of some groups, the delta window, the requested keys. */
export function readFilter(plan: StreamPlan, options: ReadOptions, marginSeconds: number, keys?: string[], groups?: string[]): Filter | undefined {
  const parts: Filter[] = [];
  if (plan.def.filter) parts.push({ op: 'raw', text: plan.def.filter });
  if (groups?.length && plan.def.group) {
    const group = plan.def.group;
    parts.push({ op: 'or', filters: groups.map((g) => ({ op: 'eq' as const, property: group, literal: { kind: 'string' as const, value: g } })) });
  }
  if (options.since !== undefined && plan.def.changeField) {
    const window = deltaWindow(options.since, marginSeconds);
    parts.push({ op: 'ge', property: plan.def.changeField, literal: { kind: 'instant', value: window.from } });
  }
  if (keys?.length) {
    parts.push({ op: 'or', filters: keys.map((k) => ({ op: 'eq' as const, property: plan.def.key, literal: { kind: 'string' as const, value: k } })) });
  }
  if (parts.length === 0) return undefined;
  return parts.length === 1 ? parts[0] : { op: 'and', filters: parts };
}

export function queryFor(plan: StreamPlan, version: ODataVersion, filter: Filter | undefined): QueryOptions {
  // v2 returns an expanded navigation only when $select names it too.
  const select = version === '2' ? [...plan.select, ...plan.expand] : plan.select;
  return { filter, select, expand: plan.expand, orderby: [plan.def.key] };
}

function scalar(prop: EdmProperty | undefined, value: unknown): FieldValue {
  if (value === null || value === undefined) return null;
  const type = prop?.type ?? 'Edm.String';
  switch (type) {
    case 'Edm.Decimal': {
      const v = odataDecimal(value);
      return v === null ? null : { kind: 'decimal', value: v };
    }
    case 'Edm.Double':
    case 'Edm.Single':
      return typeof value === 'number' ? value : Number(value);
    case 'Edm.Int64':
      // v2 sends Int64 as a string; keep digits beyond 2^53 exact.
      return typeof value === 'string' && !Number.isSafeInteger(Number(value)) ? value : Number(value);
    case 'Edm.Int16':
    case 'Edm.Int32':
    case 'Edm.Byte':
    case 'Edm.SByte':
      return Number(value);
    case 'Edm.Boolean':
      return value === true || value === 'true';
    case 'Edm.DateTimeOffset':
    case 'Edm.DateTime': {
      const iso = odataInstant(value);
      if (iso === null) throw new Error(`"${String(value)}" is not a date-time`);
      return iso;
    }
    case 'Edm.Date':
      return odataDate(value);
    default: {
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      return text.trim() === '' ? null : text;
    }
  }
}

export interface RowContext {
  plan: StreamPlan;
  model: EdmModel;
  languages: Set<string> | null;
}

/** One entity row → an ErpRecord. Throws RecordProblem for a value that cannot be read. */
export function toRecord(row: Record<string, unknown>, ctx: RowContext): ErpRecord {
  const { plan } = ctx;
  const def = plan.def;
  const rawKey = row[def.key];
  if (rawKey === null || rawKey === undefined || String(rawKey).trim() === '') {
    throw new RecordProblem(`the key property ${def.key} is empty`, def.key);
  }
  const key = String(rawKey);
  const prop = (name: string): EdmProperty | undefined => plan.type.properties.get(name);
  const fields: Record<string, FieldValue> = {};
  for (const [name, field] of plan.fields) {
    try {
      if (typeof field === 'string') fields[name] = scalar(prop(field), row[field]);
      else if ('quantity' in field) {
        const amount = odataDecimal(row[field.quantity.amount]);
        const unit = row[field.quantity.unit];
        if (amount === null) fields[name] = null;
        else if (typeof unit !== 'string' || unit.trim() === '') {
          throw new Error(`amount ${amount} has no unit (${field.quantity.unit} is empty); fix the record in the ERP`);
        } else fields[name] = { kind: 'quantity', amount, unit: unit.trim().toLowerCase() };
      } else {
        const rows = expandedRows(row[field.localized.navigation]);
        if (rows === null) throw new Error(`${field.localized.navigation} was not expanded by the server`);
        const values: Record<string, string> = {};
        for (const r of rows) {
          const lang = r[field.localized.language];
          const text = r[field.localized.text];
          if (typeof lang !== 'string' || typeof text !== 'string' || text.trim() === '') continue;
          const code = ferryLanguage(lang);
          if (ctx.languages && !ctx.languages.has(code)) continue;
          values[code] = text;
        }
        fields[name] = Object.keys(values).length ? { kind: 'localized', values } : null;
      }
    } catch (error) {
      throw new RecordProblem(`${name}: ${(error as Error).message}`, name);
    }
  }
  const changed = def.changeField ? row[def.changeField] : null;
  const updatedAt = changed === null || changed === undefined ? null : (odataInstant(changed) ?? toIsoTimestamp(changed));
  const record: ErpRecord = { stream: def.stream, key, updatedAt, fields };
  if (def.deletionFlag) record.active = !(row[def.deletionFlag] === true || row[def.deletionFlag] === 'true');
  if (def.group) {
    const g = row[def.group];
    record.group = g === null || g === undefined || String(g).trim() === '' ? null : String(g);
  }
  if (def.categories) {
    const c = row[def.categories];
    record.categories = c === null || c === undefined || String(c).trim() === '' ? [] : [String(c)];
  }
  return record;
}

export function rawRow(row: Record<string, unknown>): string {
  const { __metadata: _meta, ...rest } = row;
  return truncateRaw(JSON.stringify(rest));
}

const EDM_FIELD_TYPE: Record<string, FieldType> = {
  'Edm.Decimal': 'decimal',
  'Edm.Double': 'decimal',
  'Edm.Single': 'decimal',
  'Edm.Int16': 'integer',
  'Edm.Int32': 'integer',
  'Edm.Int64': 'integer',
  'Edm.Byte': 'integer',
  'Edm.Boolean': 'boolean',
  'Edm.DateTime': 'datetime',
  'Edm.DateTimeOffset': 'datetime',
  'Edm.Date': 'date',
};

/** The fields of a planned stream as describe() reports them, types from $metadata. */
export function describeFields(plan: StreamPlan): FieldDescription[] {
  return plan.fields.map(([name, field]) => {
    if (typeof field === 'string') {
      const p = plan.type.properties.get(field)!;
      // A string without a short MaxLength is free text (a textarea in the PIM), a short one a code or label.
      const type = EDM_FIELD_TYPE[p.type] ?? (p.type === 'Edm.String' && (p.maxLength === undefined || p.maxLength > 255) ? 'text' : 'string');
      return { name, type, nullable: p.nullable, ...(p.label ? { label: p.label } : {}) };
    }
    if ('quantity' in field) {
      const p = plan.type.properties.get(field.quantity.amount)!;
      return { name, type: 'quantity' as const, nullable: p.nullable, ...(p.label ? { label: p.label } : {}) };
    }
    return { name, type: 'localized' as const, nullable: true };
  });
}
