/**
 * A stream's settings, resolved once from the config (top-level options, then the
 * stream's own): what every file of the stream is read with. Nothing here is
 * recomputed per row.
 */
import type { StreamName } from '../port.js';
import type { EncodingSetting, FieldSpec, FileFormat, FilesConfig, FileStreamConfig } from './config.js';
import { globToRegExp } from './glob.js';
import { zoneOffset, type DateFormat, type NumberFormat, type ZoneOffset } from './values.js';

export interface ActiveSpec {
  column: string;
  meaning: 'active' | 'inactive' | 'inactive-if-set';
}

export interface StreamPlan {
  stream: StreamName;
  patterns: RegExp[];
  patternText: string[];
  /** Explicit format for the stream (else: file extension, then the top-level format). */
  format: FileFormat | undefined;
  defaultFormat: FileFormat;
  encoding: EncodingSetting;
  delimiter: string | undefined;
  quote: string | false;
  escape: string | undefined;
  header: boolean | string[];
  skipLines: number;
  comment: string | undefined;
  relaxQuotes: boolean;
  relaxColumnCount: boolean;
  trim: boolean;
  sheet: string | number | undefined;
  recordPath: string;
  numberFormat: NumberFormat;
  dateFormat: DateFormat;
  zone: ZoneOffset;
  languages: string[];
  integerKeys: boolean;
  key: string | undefined;
  updatedAt: string | undefined;
  group: string | undefined;
  parent: string | undefined;
  categories: string | undefined;
  categoriesSeparator: string;
  active: ActiveSpec | undefined;
  languageColumn: string | undefined;
  fields: [string, FieldSpec][];
  includeUnmapped: boolean;
}

/** Default patterns: `<stream>*` with any data-file extension (the extension then picks the format). */
const DATA_EXTENSIONS = ['csv', 'tsv', 'tab', 'txt', 'xlsx', 'json', 'ndjson', 'jsonl', 'xml'];

/** Formats an extension names unambiguously (a .csv or .txt may hold any delimiter, so they follow the config). */
const FORMAT_OF_EXTENSION: Record<string, FileFormat> = {
  tsv: 'tsv',
  tab: 'tsv',
  xlsx: 'xlsx',
  json: 'json',
  ndjson: 'ndjson',
  jsonl: 'ndjson',
  xml: 'xml',
};

export function formatOf(fileName: string, plan: StreamPlan): FileFormat {
  if (plan.format) return plan.format;
  const dot = fileName.lastIndexOf('.');
  const ext = dot === -1 ? '' : fileName.slice(dot + 1).toLowerCase();
  return FORMAT_OF_EXTENSION[ext] ?? plan.defaultFormat;
}

export function buildPlan(config: FilesConfig, stream: StreamName, s: FileStreamConfig | undefined): StreamPlan {
  const sc: Partial<FileStreamConfig> = s ?? {};
  const pick = <K extends keyof FileStreamConfig & keyof FilesConfig>(k: K): FileStreamConfig[K] | FilesConfig[K] | undefined =>
    sc[k] !== undefined ? sc[k] : config[k];
  const format = sc.format;
  const patternText = sc.pattern ? (Array.isArray(sc.pattern) ? sc.pattern : [sc.pattern]) : [`${stream}*.{${DATA_EXTENSIONS.join(',')}}`];
  // YAML '\t' (single-quoted) arrives as backslash-t; `tab` reads better still.
  const rawDelimiter = pick('delimiter') as string | undefined;
  const delimiter = rawDelimiter === '\\t' || rawDelimiter === 'tab' ? '\t' : rawDelimiter;
  const fields = Object.entries(sc.fields ?? {}) as [string, FieldSpec][];
  return {
    stream,
    patterns: patternText.map(globToRegExp),
    patternText,
    format,
    defaultFormat: config.format,
    encoding: (pick('encoding') as EncodingSetting | undefined) ?? 'auto',
    delimiter,
    quote: (pick('quote') as string | false | undefined) ?? '"',
    escape: pick('escape') as string | undefined,
    header: (pick('header') as boolean | string[] | undefined) ?? true,
    skipLines: (pick('skipLines') as number | undefined) ?? 0,
    comment: pick('comment') as string | undefined,
    relaxQuotes: (pick('relaxQuotes') as boolean | undefined) ?? true,
    relaxColumnCount: (pick('relaxColumnCount') as boolean | undefined) ?? false,
    trim: (pick('trim') as boolean | undefined) ?? true,
    sheet: pick('sheet') as string | number | undefined,
    recordPath: (pick('recordPath') as string | undefined) ?? '',
    numberFormat: {
      decimalSeparator: (pick('decimalSeparator') as '.' | ',' | undefined) ?? '.',
      thousandsSeparator: (pick('thousandsSeparator') as string | undefined) ?? '',
    },
    dateFormat: (pick('dateFormat') as DateFormat | undefined) ?? 'iso',
    zone: zoneOffset((pick('timezone') as string | undefined) ?? 'UTC'),
    languages: (pick('languages') as string[] | undefined) ?? [],
    integerKeys: (pick('integerKeys') as boolean | undefined) ?? false,
    key: sc.key,
    updatedAt: sc.updatedAt,
    group: sc.group,
    parent: sc.parent,
    categories: sc.categories,
    categoriesSeparator: sc.categoriesSeparator ?? '|',
    active: sc.active,
    languageColumn: sc.languageColumn,
    fields,
    includeUnmapped: sc.includeUnmapped ?? true,
  };
}

export function delimiterFor(plan: StreamPlan, format: FileFormat): string {
  return plan.delimiter ?? (format === 'tsv' ? '\t' : ',');
}
