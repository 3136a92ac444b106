/**
 * The `erp:` section for `type: sql` (and `type: demo`, the generated SQLite demo ERP read
 * through the same adapter). Each stream is a table, a view or a query with its key column and
 * a field map; see docs/erp-records.md for a complete example.
 */
import { z } from 'zod';

const identifier = z.string().min(1).describe('A column or table name (quoted by the adapter; never SQL).');

const scalarTypes = ['string', 'text', 'integer', 'decimal', 'boolean', 'date', 'datetime', 'select', 'url', 'file'] as const;

/** Where per-language texts live when they are not columns of the stream: one row per (record, language[, field]). */
export const translationsSourceSchema = z
  .object({
    table: identifier,
    key: identifier.describe('Column holding the record key.'),
    language: identifier.describe('Column holding the language code (en, fr, de, …).'),
    value: identifier.describe('Column holding the text.'),
    field: z
      .object({ column: identifier, value: z.string() })
      .strict()
      .optional()
      .describe('When one table holds the translations of several fields: the column naming the field and its value for this one.'),
  })
  .strict();

export const sqlFieldSchema = z.union([
  identifier.describe('Shorthand: a string column.'),
  z
    .object({
      column: identifier,
      type: z.enum(scalarTypes).default('string'),
      trim: z.boolean().default(true).describe('Trim CHAR padding and surrounding blanks.'),
    })
    .strict(),
  z.object({ column: identifier, type: z.literal('multiselect'), separator: z.string().min(1).default('|') }).strict(),
  z
    .object({
      type: z.literal('localized'),
      columns: z.record(z.string().min(2), identifier).optional().describe('One column per language: { en: name_en, fr: name_fr }.'),
      translations: translationsSourceSchema.optional(),
      languages: z.array(z.string().min(2)).optional().describe('Translations table: the languages to keep (default: all found).'),
    })
    .strict()
    .refine((f) => (f.columns ? 1 : 0) + (f.translations ? 1 : 0) === 1, {
      message: 'a localized field needs exactly one of `columns` (one per language) or `translations` (a table)',
    }),
  z
    .object({
      type: z.literal('quantity'),
      amount: identifier,
      unit: identifier.optional().describe('Column holding the unit (kg, LB, cm, …).'),
      fixedUnit: z.string().min(1).optional().describe('The unit when the schema fixes it (the column has no unit beside it).'),
    })
    .strict()
    .refine((f) => (f.unit ? 1 : 0) + (f.fixedUnit ? 1 : 0) === 1, { message: 'a quantity needs exactly one of `unit` (a column) or `fixedUnit`' }),
  z
    .object({
      type: z.literal('money'),
      amount: identifier,
      currency: identifier.optional(),
      fixedCurrency: z.string().length(3).optional(),
    })
    .strict()
    .refine((f) => (f.currency ? 1 : 0) + (f.fixedCurrency ? 1 : 0) === 1, {
      message: 'a money field needs exactly one of `currency` (a column) or `fixedCurrency`',
    }),
]);

export const sqlStreamSchema = z
  .object({
    table: identifier.optional().describe('Table or view to read.'),
    query: z.string().min(1).optional().describe('A SELECT read as a subquery (from your configuration only, never from data).'),
    key: identifier.describe('Key column.'),
    updatedAt: identifier.optional().describe('Updated-at column for delta reads.'),
    group: identifier.optional().describe('Items: column holding the group (template/model) key.'),
    groupChanges: z
      .object({ table: identifier, key: identifier, updatedAt: identifier })
      .strict()
      .optional()
      .describe('Items: the groups table, so that a changed group counts as a change to its items.'),
    parent: identifier.optional().describe('Categories: column holding the parent category key.'),
    categories: z
      .union([
        identifier,
        z.object({ column: identifier, separator: z.string().min(1).default(',') }).strict(),
        z.object({ table: identifier, key: identifier, category: identifier }).strict(),
      ])
      .optional()
      .describe('A column (one key or a delimited list) or a link table { table, key, category }.'),
    active: z
      .union([identifier, z.object({ column: identifier, invert: z.boolean().default(false) }).strict()])
      .optional()
      .describe('Column telling whether the record is active; invert: true for an `archived`/`discontinued` flag.'),
    fields: z.record(z.string().min(1), sqlFieldSchema).default({}).describe('Field name → column(s) and type.'),
    sink: z
      .object({ table: identifier.optional() })
      .strict()
      .optional()
      .describe('Where upserts go (default: `table`).'),
  })
  .strict()
  .refine((s) => (s.table ? 1 : 0) + (s.query ? 1 : 0) === 1, { message: 'a stream needs exactly one of `table` or `query`' });

export const sqlConfigSchema = z
  .object({
    type: z.literal('sql'),
    client: z.enum(['pg', 'mysql2', 'mssql', 'better-sqlite3']),
    connection: z
      .union([z.string(), z.record(z.string(), z.unknown())])
      .describe('A URL (postgres://…, mysql://…) or an object (host, port, user, password, database; filename for SQLite).'),
    streams: z
      .partialRecord(z.enum(['items', 'groups', 'categories', 'attributes']), sqlStreamSchema)
      .default({}),
    deltaMarginSeconds: z
      .number()
      .int()
      .min(0)
      .default(120)
      .describe('`since` is widened by this much: rows stamped by a transaction that committed later, or by a clock behind ours.'),
    batchSize: z.number().int().min(1).max(50_000).default(1000).describe('Rows fetched per cursor step (and per translation look-up).'),
    connectTimeoutMs: z.number().int().positive().default(15_000),
  })
  .strict();

export const demoConfigSchema = z
  .object({
    type: z.literal('demo'),
    path: z.string().default('./data/demo-erp.sqlite').describe('Where the generated demo ERP lives; created on first use.'),
    items: z.number().int().positive().default(500).describe('How many items the generator makes.'),
    seed: z.number().int().default(42),
  })
  .strict();
export type SqlConfig = z.infer<typeof sqlConfigSchema>;
export type SqlConfigInput = z.input<typeof sqlConfigSchema>;
export type SqlStreamConfig = z.infer<typeof sqlStreamSchema>;
export type SqlFieldConfig = z.infer<typeof sqlFieldSchema>;
export type SqlClient = SqlConfig['client'];
export type DemoConfig = z.infer<typeof demoConfigSchema>;
export type DemoConfigInput = z.input<typeof demoConfigSchema>;
