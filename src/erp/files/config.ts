/**
 * `erp:` section for the files adapter (`type: files`): a drop folder of exports.
 *
 * Parsing options can be set once at the top and overridden per stream; every key is
 * documented in docs/erp-files.md. Field maps turn columns into typed record fields.
 */
import { z } from 'zod';

export const FILE_FORMATS = ['csv', 'tsv', 'xlsx', 'json', 'ndjson', 'xml'] as const;
export type FileFormat = (typeof FILE_FORMATS)[number];

export const ENCODINGS = ['auto', 'utf8', 'utf16le', 'utf16be', 'latin1', 'windows-1252'] as const;
export type EncodingSetting = (typeof ENCODINGS)[number];

const column = z.string().min(1);

/** One typed field of a record, read from one or more columns. */
export const fieldSpecSchema = z
  .object({
    type: z
      .enum(['string', 'text', 'integer', 'decimal', 'boolean', 'date', 'datetime', 'select', 'multiselect', 'url', 'file', 'localized', 'quantity', 'money'])
      .default('string'),
    column: column.optional().describe('Source column (or JSON/XML path with `.` or `/`). Defaults to the field name.'),
    // localized
    columns: z
      .record(z.string().min(1), column)
      .optional()
      .describe('localized: one column per language, e.g. { en: name_en, fr: name_fr }.'),
    languages: z
      .array(z.string().min(1))
      .optional()
      .describe('localized: read `<column>_<lang>` for each language (e.g. name_en, name_fr).'),
    // quantity / money
    unit: z.string().min(1).optional().describe('quantity: a fixed unit for every row, e.g. kg.'),
    unitColumn: column.optional().describe('quantity: the column holding the unit, e.g. weight_unit.'),
    currency: z.string().min(1).optional().describe('money: a fixed currency, e.g. EUR.'),
    currencyColumn: column.optional().describe('money: the column holding the currency.'),
    separator: z.string().min(1).optional().describe('multiselect: separator between values (default `|`).'),
  })
  .strict()
  .superRefine((f, ctx) => {
    if (f.type === 'quantity' && !f.unit && !f.unitColumn) {
      ctx.addIssue({ code: 'custom', message: 'a quantity field needs `unit` (fixed) or `unitColumn`' });
    }
    if (f.type === 'money' && !f.currency && !f.currencyColumn) {
      ctx.addIssue({ code: 'custom', message: 'a money field needs `currency` (fixed) or `currencyColumn`' });
    }
  });
export type FieldSpec = z.infer<typeof fieldSpecSchema>;

/** `name: name_col` is short for `name: { column: name_col }` (a string field). */
const fieldEntrySchema = z.union([column.transform((c) => ({ type: 'string' as const, column: c })), fieldSpecSchema]);

const activeSchema = z.union([
  column.transform((c) => ({ column: c, meaning: 'active' as const })),
  z
    .object({
      column,
      meaning: z
        .enum(['active', 'inactive', 'inactive-if-set'])
        .default('active')
        .describe('active: a true value means active; inactive: a true value means archived; inactive-if-set: any non-empty value (e.g. a discontinued date) means archived.'),
    })
    .strict(),
]);

/** Parsing options shared by the top level and each stream (a stream's value wins). */
const parsingOptions = {
  format: z.enum(FILE_FORMATS).optional().describe('Overrides the top-level format (and the file extension).'),
  encoding: z.enum(ENCODINGS).optional().describe('Text encoding; auto detects BOM, UTF-16 without BOM, UTF-8, else asks chardet.'),
  delimiter: z
    .string()
    .min(1)
    .optional()
    .describe('CSV delimiter (default `,`; TAB for tsv; write TAB as `tab` or `\\t`); `auto` sniffs `,` `;` TAB `|` from the first line.'),
  quote: z.union([z.string().length(1), z.literal(false)]).optional().describe('CSV quote character (default `"`), false for none.'),
  escape: z.string().length(1).optional().describe('CSV escape character inside quotes (default: the quote, i.e. `""`).'),
  header: z
    .union([z.boolean(), z.array(z.string().min(1)).min(1)])
    .optional()
    .describe('true: the first row names the columns; false: no header (columns are column1, column2, …); a list: no header row, these names.'),
  skipLines: z.number().int().nonnegative().optional().describe('Lines to skip before the header/first row (a preamble).'),
  comment: z.string().length(1).optional().describe('CSV comment character; lines starting with it are ignored.'),
  relaxQuotes: z.boolean().optional().describe('Accept stray quotes inside unquoted fields (default true).'),
  relaxColumnCount: z.boolean().optional().describe('Accept rows with fewer/more cells than the header (default false: rejected).'),
  trim: z.boolean().optional().describe('Trim spaces around values (default true; CHAR columns are often space-padded).'),
  sheet: z.union([z.string().min(1), z.number().int().positive()]).optional().describe('XLSX: worksheet name or 1-based index (default: the first).'),
  recordPath: z
    .string()
    .optional()
    .describe('JSON: dotted path to the array of records (empty: the top-level array). XML: slash path to the record element, e.g. catalog/products/product, or just its name.'),
  decimalSeparator: z.enum(['.', ',']).optional().describe('Decimal separator in numbers (default `.`).'),
  thousandsSeparator: z.enum([',', '.', ' ', "'", '']).optional().describe('Thousands separator to ignore in numbers (default none).'),
  dateFormat: z.enum(['iso', 'dmy', 'mdy']).optional().describe('How dates are written: iso (2024-12-31), dmy (31/12/2024), mdy (12/31/2024).'),
  timezone: z.string().optional().describe('Time zone of date-times written without an offset: UTC (default), +02:00, or an IANA name.'),
  languages: z
    .array(z.string().min(1))
    .optional()
    .describe('ERP languages: unmapped columns named `<field>_<lang>` become localized fields.'),
  integerKeys: z.boolean().optional().describe('Keys written as floats (`19.0`) are read as integers (`19`) for key, group, parent and categories.'),
};

export const fileStreamSchema = z
  .object({
    pattern: z
      .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
      .optional()
      .describe('File name glob(s) in the folder, e.g. items*.csv (default `<stream>*.<ext>`). Case-insensitive.'),
    ...parsingOptions,
    key: column.optional().describe('Key column (default: the first of key, sku, code, id present).'),
    updatedAt: column.optional().describe('Updated-at column; without it records carry the file modification time.'),
    group: column.optional().describe('items: column holding the group (model/template) key.'),
    parent: column.optional().describe('categories: column holding the parent category key.'),
    categories: column.optional().describe('Column listing the category keys.'),
    categoriesSeparator: z.string().min(1).optional().describe('Separator in the categories column (default `|`).'),
    active: activeSchema.optional(),
    languageColumn: column
      .optional()
      .describe('Rows are per language: rows with the same key merge into one record, localized fields take their language from this column.'),
    fields: z.record(z.string().min(1), fieldEntrySchema).default({}).describe('Typed fields: name → column and type.'),
    includeUnmapped: z.boolean().default(true).describe('Also pass every other column through as a string field.'),
  })
  .strict();
export type FileStreamConfig = z.infer<typeof fileStreamSchema>;

export const filesConfigSchema = z
  .object({
    type: z.literal('files'),
    folder: z.string().min(1).describe('The drop folder the ERP writes its exports into.'),
    ...parsingOptions,
    format: z.enum(FILE_FORMATS).default('csv').describe('Default format of the files (a stream or the file extension can say otherwise).'),
    streams: z
      .object({
        items: fileStreamSchema.optional(),
        groups: fileStreamSchema.optional(),
        categories: fileStreamSchema.optional(),
        attributes: fileStreamSchema.optional(),
      })
      .strict()
      .optional()
      .describe('One entry per stream; without it, items/groups/categories/attributes are read from `<stream>*.<ext>` files.'),
    moveAfterRead: z
      .boolean()
      .default(true)
      .describe('Move read files to done/ (or failed/) with a report once the run has finished consuming them.'),
    doneFolder: z.string().optional().describe('Default `<folder>/done`.'),
    failedFolder: z.string().optional().describe('Default `<folder>/failed`.'),
    retryFolder: z
      .string()
      .optional()
      .describe('Files holding rejected records wait here (default `<folder>/retry`) until those keys succeed; reads by key look here too.'),
    outFolder: z.string().optional().describe('Where the sink writes export files (default `<folder>/out`).'),
    sinkFormat: z.enum(['csv', 'ndjson', 'json', 'xml', 'xlsx']).optional().describe('Export file format (default csv for csv/tsv sources, else ndjson): csv, json and xml and xlsx hold the flat columns of the field map, ndjson whole records.'),
    skewSeconds: z
      .number()
      .nonnegative()
      .default(60)
      .describe('How far `since` is widened backwards when it filters (clock skew between the ERP and this machine).'),
    minAgeSeconds: z
      .number()
      .nonnegative()
      .default(0)
      .describe('Ignore files modified less than this many seconds ago (an exporter may still be writing them).'),
  })
  .strict();
export type FilesConfig = z.infer<typeof filesConfigSchema>;
export type FilesConfigInput = z.input<typeof filesConfigSchema>;
