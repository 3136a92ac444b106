/**
 * The field map of a stream: which columns a read needs, and how one row becomes the port's
 * field values. Conversion problems throw RecordProblem naming the field; the reader rejects
 * the row with its table and key.
 */
import {
  RecordProblem,
  localized,
  money,
  quantity,
  splitList,
  toBoolean,
  toExactDecimal,
  toInteger,
  toIsoDate,
  toIsoTimestamp,
  toText,
} from '../common/index.js';
import type { FieldDescription, FieldValue, FieldType } from '../port.js';
import type { SqlFieldConfig, SqlStreamConfig } from './config.js';

export type FieldSpec =
  | { kind: 'scalar'; column: string; type: Exclude<FieldType, 'localized' | 'quantity' | 'money' | 'multiselect'>; trim: boolean }
  | { kind: 'multiselect'; column: string; separator: string }
  | { kind: 'localizedColumns'; columns: Record<string, string> }
  | {
      kind: 'localizedTable';
      table: string;
      key: string;
      language: string;
      value: string;
      field?: { column: string; value: string };
      languages?: string[];
    }
  | { kind: 'quantity'; amount: string; unit?: string; fixedUnit?: string }
  | { kind: 'money'; amount: string; currency?: string; fixedCurrency?: string };

export function fieldSpec(config: SqlFieldConfig): FieldSpec {
  if (typeof config === 'string') return { kind: 'scalar', column: config, type: 'string', trim: true };
  if ('column' in config) {
    if (config.type === 'multiselect') return { kind: 'multiselect', column: config.column, separator: config.separator };
    return { kind: 'scalar', column: config.column, type: config.type, trim: config.trim };
  }
  switch (config.type) {
    case 'localized':
      if (config.columns) return { kind: 'localizedColumns', columns: config.columns };
      return { kind: 'localizedTable', ...config.translations!, ...(config.languages ? { languages: config.languages } : {}) };
    case 'quantity':
      return { kind: 'quantity', amount: config.amount, ...(config.unit ? { unit: config.unit } : {}), ...(config.fixedUnit ? { fixedUnit: config.fixedUnit } : {}) };
    case 'money':
      return {
        kind: 'money',
        amount: config.amount,
        ...(config.currency ? { currency: config.currency } : {}),
        ...(config.fixedCurrency ? { fixedCurrency: config.fixedCurrency } : {}),
      };
  }
}

export function fieldSpecs(stream: SqlStreamConfig): Map<string, FieldSpec> {
  return new Map(Object.entries(stream.fields).map(([name, cfg]) => [name, fieldSpec(cfg)]));
}

/** Columns of the stream's own rows a field reads (translation tables are looked up apart). */
export function fieldColumns(spec: FieldSpec): string[] {
  switch (spec.kind) {
    case 'scalar':
    case 'multiselect':
      return [spec.column];
    case 'localizedColumns':
      return Object.values(spec.columns);
    case 'localizedTable':
      return [];
    case 'quantity':
      return spec.unit ? [spec.amount, spec.unit] : [spec.amount];
    case 'money':
      return spec.currency ? [spec.amount, spec.currency] : [spec.amount];
  }
}

/** Every column a read of the stream selects from its table/query. */
export function streamColumns(stream: SqlStreamConfig, specs: Map<string, FieldSpec>): string[] {
  const cols = new Set<string>([stream.key]);
  if (stream.updatedAt) cols.add(stream.updatedAt);
  if (stream.group) cols.add(stream.group);
  if (stream.parent) cols.add(stream.parent);
  if (stream.active) cols.add(typeof stream.active === 'string' ? stream.active : stream.active.column);
  const cats = stream.categories;
  if (typeof cats === 'string') cols.add(cats);
  else if (cats && 'column' in cats) cols.add(cats.column);
  for (const spec of specs.values()) for (const c of fieldColumns(spec)) cols.add(c);
  return [...cols];
}

/** Translation texts found for a batch: field → record key → language → text. */
export type TranslationsByField = Map<string, Map<string, Record<string, string>>>;

export function convertField(name: string, spec: FieldSpec, row: Record<string, unknown>, key: string, translations: TranslationsByField): FieldValue {
  switch (spec.kind) {
    case 'scalar':
      return convertScalar(name, spec.type, row[spec.column], spec.trim);
    case 'multiselect':
      return splitList(row[spec.column], spec.separator);
    case 'localizedColumns': {
      const values: Record<string, unknown> = {};
      for (const [lang, col] of Object.entries(spec.columns)) values[lang] = row[col];
      return localized(values);
    }
    case 'localizedTable':
      return localized(translations.get(name)?.get(key) ?? {});
    case 'quantity':
      return quantity(row[spec.amount], spec.unit ? row[spec.unit] : spec.fixedUnit, name);
    case 'money':
      return money(row[spec.amount], spec.currency ? row[spec.currency] : spec.fixedCurrency, name);
  }
}

function convertScalar(name: string, type: FieldType, value: unknown, trim: boolean): FieldValue {
  switch (type) {
    case 'integer':
      return toInteger(value, name);
    case 'decimal': {
      const exact = toExactDecimal(value, name);
      return exact === null ? null : { kind: 'decimal', value: exact };
    }
    case 'boolean':
      return toBoolean(value, name);
    case 'date':
      return toIsoDate(value, name);
    case 'datetime':
      return toIsoTimestamp(value, name);
    default: {
      if (value instanceof Uint8Array && type !== 'file') {
        throw new RecordProblem(`${name}: binary content (${value.length} bytes) where text was expected`, name);
      }
      return toText(value, trim);
    }
  }
}

export function describeField(name: string, spec: FieldSpec): FieldDescription {
  switch (spec.kind) {
    case 'scalar':
      return { name, type: spec.type, nullable: true };
    case 'multiselect':
      return { name, type: 'multiselect', nullable: true };
    case 'localizedColumns':
      return { name, type: 'localized', languages: Object.keys(spec.columns), nullable: true };
    case 'localizedTable':
      return { name, type: 'localized', ...(spec.languages ? { languages: spec.languages } : {}), nullable: true };
    case 'quantity':
      return { name, type: 'quantity', ...(spec.fixedUnit ? { units: [spec.fixedUnit.toLowerCase()] } : {}), nullable: true };
    case 'money':
      return { name, type: 'money', nullable: true, hot: true };
  }
}
