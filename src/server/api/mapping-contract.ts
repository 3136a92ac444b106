/**
 * The Console's mapping and bootstrap bodies (issue 15 points 3–4), re-exported by contract.ts so
 * the web app still imports that one file. Imports zod alone, like contract.ts.
 *
 * A draft is the `mapping:` section as the user would write it in ferry.yaml (not resolved: the
 * preset still applies under it); the server validates it and answers problems by key path.
 */
import { z } from 'zod';
import { mappingSettingsSchema, structureEditSchema } from './structure-contract.js';

export * from './structure-contract.js';

/** A problem in a draft mapping: `path` is the key path in ferry.yaml (`mapping.attributes.weight.unit`). */
export const draftProblemSchema = z.object({ path: z.string(), message: z.string(), fix: z.string() });
export type DraftProblem = z.infer<typeof draftProblemSchema>;

/** The editable converter options of one attribute (what `mapping.attributes.<code>` may hold, resolved). */
export const mappingRowSchema = z.object({
  /** Akeneo attribute code; the row's id. */
  attribute: z.string(),
  /** The key path a save writes: `mapping.attributes.<code>`. */
  path: z.string(),
  /** Akeneo type as the PIM has it (pim_catalog_metric) or, before bootstrap, as the mapping says (metric). */
  type: z.string().nullable(),
  inPim: z.boolean(),
  /** Where the row's settings come from. */
  origin: z.enum(['preset', 'file', 'preset+file', 'identity', 'identifier']),
  /** ERP fields feeding it (first non-empty wins), or the expression. */
  from: z.array(z.string()),
  expression: z.string().nullable(),
  /** ERP field type of the first source field, when the ERP describes it. */
  erpType: z.string().nullable(),
  localizable: z.boolean(),
  scopable: z.boolean(),
  /** Akeneo locales its values go to (localizable), from the ERP's languages and mapping.locales. */
  locales: z.array(z.string()),
  channels: z.array(z.string()),
  /** The resolved settings (preset under file), for the editor. */
  spec: z.record(z.string(), z.unknown()),
  /** The file's own entry for this attribute (what a save writes), {} when none. */
  own: z.record(z.string(), z.unknown()),
  /** Short words for the table: "unit KILOGRAM · decimals". */
  converter: z.string(),
});
export type MappingRow = z.infer<typeof mappingRowSchema>;

export const attributeSuggestionSchema = z.object({
  attribute: z.string(),
  type: z.string().nullable(),
  /** same code, similar name, or a type that fits. */
  reason: z.string(),
  /** The PIM has it already (else bootstrap would create it). */
  inPim: z.boolean(),
});
export const unmappedFieldSchema = z.object({
  field: z.string(),
  stream: z.enum(['items', 'groups']),
  type: z.string(),
  /** Why it is not sent (no attribute with that code, ignored, hot data, not owned). */
  reason: z.string(),
  suggestions: z.array(attributeSuggestionSchema),
});
export type UnmappedField = z.infer<typeof unmappedFieldSchema>;

export const structureViewSchema = z.object({
  categories: z.object({ mode: z.string(), root: z.string(), prefix: z.string(), labelField: z.string(), families: z.record(z.string(), z.string()) }),
  families: z.object({ default: z.string().nullable(), field: z.string().nullable(), map: z.record(z.string(), z.string()) }),
  variants: z.object({
    groupBy: z.string(),
    field: z.string().nullable(),
    skuPattern: z.string().nullable(),
    familyVariant: z.record(z.string(), z.string()),
    singleGroupAsSimpleProduct: z.boolean(),
    modelPrefix: z.string(),
  }),
  /** Family variants the mapping may place groups in: defined in the mapping and/or present in the PIM. */
  familyVariants: z.array(
    z.object({ code: z.string(), family: z.string(), inPim: z.boolean(), levels: z.array(z.object({ level: z.number().int(), axes: z.array(z.string()), attributes: z.array(z.string()) })) }),
  ),
  /** The file's own `mapping.structure` (what a save writes). */
  own: z.record(z.string(), z.unknown()),
});
export type StructureView = z.infer<typeof structureViewSchema>;

/** POST /mapping/overview { mapping? }: the table for a draft (absent: the saved mapping). */
export const mappingDraftBodySchema = z.object({ mapping: z.record(z.string(), z.unknown()).optional() });

export const mappingOverviewSchema = z.object({
  /** The saved `mapping:` section as the file has it (the draft starts from it). */
  saved: z.record(z.string(), z.unknown()),
  preset: z.string().nullable(),
  rows: z.array(mappingRowSchema),
  unmapped: z.array(unmappedFieldSchema),
  structure: structureViewSchema,
  /** The structure's editable parts: family variant layouts and the attributes that can be axes. */
  structureEdit: structureEditSchema,
  /** The locale table, channels, ownership and the hot-data guard. */
  settings: mappingSettingsSchema,
  /** ERP language → Akeneo locale as resolved. */
  locales: z.record(z.string(), z.string()),
  /** Draft problems (empty for a valid draft; the rows are then the saved mapping's). */
  problems: z.array(draftProblemSchema),
  pim: z.object({ attributes: z.array(z.object({ code: z.string(), type: z.string() })), units: z.record(z.string(), z.array(z.string())), channels: z.array(z.string()), locales: z.array(z.string()) }),
});
export type MappingOverview = z.infer<typeof mappingOverviewSchema>;

export const mappingPreviewBodySchema = z.object({
  mapping: z.record(z.string(), z.unknown()).optional(),
  /** Item keys (SKUs) to preview; their group siblings come along. */
  keys: z.array(z.string().min(1).max(200)).max(50).optional(),
  /** Without keys: how many groups or single items, picked at random from the cached sample. */
  sample: z.number().int().min(1).max(20).default(5),
});
export type MappingPreviewBody = z.input<typeof mappingPreviewBodySchema>;

export const previewValueSchema = z.object({ attribute: z.string(), locale: z.string().nullable(), scope: z.string().nullable(), text: z.string(), data: z.unknown() });

export const previewEntitySchema = z.object({
  kind: z.enum(['product_model', 'product', 'category']),
  /** Product identifier or model code. */
  code: z.string(),
  /** root model, sub-model, variant, product. */
  role: z.string(),
  parent: z.string().nullable(),
  family: z.string().nullable(),
  familyVariant: z.string().nullable(),
  categories: z.array(z.string()),
  values: z.array(previewValueSchema),
  /** The Akeneo payload as Ferry would send it. */
  payload: z.record(z.string(), z.unknown()),
});
export type PreviewEntity = z.infer<typeof previewEntitySchema>;

export const previewErrorSchema = z.object({
  kind: z.string(),
  record: z.string(),
  erpField: z.string().nullable(),
  attribute: z.string().nullable(),
  locale: z.string().nullable(),
  value: z.string().nullable(),
  message: z.string(),
  fix: z.string(),
  /** true: the record is held back; false: only this value is dropped. */
  blocksRecord: z.boolean(),
  /** The mapping row it concerns (`mapping.attributes.weight`), or null. */
  row: z.string().nullable(),
});

export const previewUnitSchema = z.object({
  /** The group key, or the item key of a single item. */
  key: z.string(),
  kind: z.enum(['group', 'item']),
  records: z.array(z.object({ key: z.string(), fields: z.array(z.object({ name: z.string(), text: z.string() })) })),
  entities: z.array(previewEntitySchema),
  errors: z.array(previewErrorSchema),
});
export type PreviewUnit = z.infer<typeof previewUnitSchema>;

export const mappingPreviewSchema = z.object({
  /** The draft's problems: when not empty, nothing was mapped. */
  problems: z.array(draftProblemSchema),
  /** The item keys previewed (send them back to keep the same records while editing). */
  keys: z.array(z.string()),
  units: z.array(previewUnitSchema),
  missingOptions: z.array(z.string()),
  codeChanges: z.array(z.string()),
  /** Family variants the draft defines that the PIM lacks yet, previewed as Bootstrap would create them. */
  asIfBootstrapped: z.array(z.string()),
  /** Server time to map the draft (sample records come from a cache). */
  durationMs: z.number(),
  /** How many items the cached sample holds and whether it is the ERP's whole item list. */
  sample: z.object({ items: z.number().int(), complete: z.boolean(), readAt: z.string() }),
});
export type MappingPreview = z.infer<typeof mappingPreviewSchema>;

export const checkProblemBodySchema = z.object({
  severity: z.enum(['error', 'warning']),
  code: z.string(),
  erpField: z.string().nullable(),
  attribute: z.string().nullable(),
  message: z.string(),
  fix: z.string(),
  /** The row it concerns: `mapping.attributes.<code>`, `erp.fields.<name>` (unmapped), `mapping.structure`, or null. */
  row: z.string().nullable(),
});

/** POST /mapping/check { mapping? }: what `ferry check` prints, for a draft or the saved mapping. */
export const mappingCheckSchema = z.object({
  ok: z.boolean(),
  problems: z.array(checkProblemBodySchema),
  draftProblems: z.array(draftProblemSchema),
  records: z.object({ items: z.number().int(), groups: z.number().int(), complete: z.boolean() }).nullable(),
  durationMs: z.number(),
});
export type MappingCheck = z.infer<typeof mappingCheckSchema>;

// --- bootstrap ------------------------------------------------------------------------------

export const BOOTSTRAP_KINDS = ['channel', 'attribute_group', 'attribute', 'option', 'family', 'family_variant', 'category'] as const;
export const bootstrapItemSchema = z.object({
  kind: z.enum(BOOTSTRAP_KINDS),
  code: z.string(),
  /** create, or update (an existing family gaining attributes, a channel gaining locales). */
  action: z.enum(['create', 'update']),
  summary: z.string(),
});
export type BootstrapItem = z.infer<typeof bootstrapItemSchema>;

export const bootstrapPlanViewSchema = z.object({
  empty: z.boolean(),
  groups: z.array(z.object({ kind: z.enum(BOOTSTRAP_KINDS), title: z.string(), items: z.array(bootstrapItemSchema) })),
  /** Groups no field tells apart (the sync would hold them back). */
  warnings: z.array(z.object({ message: z.string(), fix: z.string() })),
  notes: z.array(z.string()),
  /** The plan as `ferry pim bootstrap --plan` prints it. */
  lines: z.array(z.string()),
  /** Hash of the plan: apply refuses when the plan changed since it was shown. */
  planId: z.string(),
});
export type BootstrapPlanView = z.infer<typeof bootstrapPlanViewSchema>;

export const bootstrapApplyBodySchema = z.object({ confirm: z.literal(true), planId: z.string().min(1).max(100) });
export const bootstrapApplySchema = z.object({
  results: z.array(bootstrapItemSchema.extend({ outcome: z.enum(['done', 'failed', 'not_attempted']), message: z.string().nullable() })),
  created: z.number().int(),
  updated: z.number().int(),
  failed: z.number().int(),
  durationMs: z.number(),
});
export type BootstrapApply = z.infer<typeof bootstrapApplySchema>;
