/**
 * The `export:` section of ferry.yaml: products born in the PIM, tagged by Julia, sent to the ERP
 * (docs/export.md). Pure schema: the mapping (ERP field ← PIM attribute) and the run's settings.
 */
import { z } from 'zod';

const code = z.string().min(1);

/** One ERP field filled from one PIM attribute (or the family / the categories). */
export const exportFieldSchema = z
  .object({
    /** The PIM attribute the value comes from. */
    attribute: code,
    /** Localizable attribute, one ERP language per PIM locale: `{ en: en_US, fr: fr_FR }` → a localized text. */
    locales: z.record(z.string(), code).optional(),
    /** Localizable attribute read in one locale only (a plain text in the ERP). */
    locale: code.optional(),
    /** Scopable attribute: the channel to read. */
    scope: code.optional(),
    /** Metric attribute: the ERP's unit symbol (`kg`, `cm`); the amount is converted into it. */
    unit: z.string().optional(),
    /** Select attribute: send the option code (default) or its label in `labelLocale`. */
    select: z.enum(['code', 'label']).default('code'),
    labelLocale: code.optional(),
    /** Values the ERP knows under another name: PIM value (option code, text) → ERP value. */
    map: z.record(z.string(), z.string()).optional(),
    /** With templates: the record that takes the field (default the template, `item` for variant-level fields). */
    target: z.enum(['group', 'item']).optional(),
  })
  .strict();
export type ExportField = z.infer<typeof exportFieldSchema>;

export const exportTagSchema = z
  .discriminatedUnion('kind', [
    /** Julia sets the status attribute to `to_export` (the default). */
    z.object({ kind: z.literal('status') }).strict(),
    /** A yes/no attribute: `true` means "send to the ERP". */
    z.object({ kind: z.literal('boolean'), attribute: code }).strict(),
    /** A category (e.g. "Send to ERP") holds the products to send. */
    z.object({ kind: z.literal('category'), category: code }).strict(),
  ])
  .default({ kind: 'status' });

export const exportSkuSchema = z
  .discriminatedUnion('mode', [
    /** The identifier Julia typed (or Akeneo's identifier generator made); products without one wait. */
    z.object({ mode: z.literal('keep') }).strict(),
    /** Ferry's generator: `{seq:N}` a zero-padded sequence kept in the state store, `{family:N}` the family code's first N letters, upper case. */
    z
      .object({
        mode: z.literal('generate'),
        pattern: z
          .string()
          .regex(/\{seq(:\d+)?\}/, 'the pattern needs a {seq} or {seq:N} placeholder')
          .default('FER{seq:7}'),
      })
      .strict(),
    /** The ERP numbers the product (Tryton's product sequence); Ferry writes the number back as the identifier. */
    z.object({ mode: z.literal('erp') }).strict(),
  ])
  .default({ mode: 'keep' });

export const exportConfigSchema = z
  .object({
    tag: exportTagSchema,
    /** The attributes Ferry keeps the exchange in (created by `ferry pim bootstrap`). */
    status: z
      .object({
        group: code.default('erp_exchange'),
        attribute: code.default('erp_status'),
        message: code.default('erp_message'),
        /** A text attribute for the ERP's own id of the record; none when absent. */
        erpId: code.default('erp_id'),
      })
      .strict()
      .prefault({}),
    sku: exportSkuSchema,
    /** `never`: a product is sent once; `owned`: later PIM edits of the mapped fields are sent again. */
    updates: z.enum(['never', 'owned']).default('never'),
    /** The ERP stream the products are written to. */
    stream: z.enum(['items', 'groups']).default('items'),
    /**
     * Also write a group (template) record per product before the item: Tryton keeps names,
     * units and categories on the template. Default: true for Tryton, false elsewhere.
     */
    templates: z.boolean().optional(),
    /** ERP field ← PIM attribute. */
    fields: z.record(z.string(), exportFieldSchema).default({}),
    /** The ERP field that takes the family (Tryton: a product type); the value through `map`. */
    family: z.object({ field: z.string(), map: z.record(z.string(), z.string()).optional() }).strict().optional(),
    /** PIM category code → ERP category key; categories absent from the map are not sent. Without it, none are sent. */
    categories: z.record(z.string(), z.string()).optional(),
    /** Products per read page and per status write-back batch. */
    batchSize: z.number().int().min(1).max(100).default(100),
  })
  .strict();

export type ExportConfig = z.infer<typeof exportConfigSchema>;
