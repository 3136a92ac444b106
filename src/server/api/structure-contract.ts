/**
 * The Console's bodies for editing the mapping's structure and its settings (issue 15 point 3):
 * family variant layouts (levels and axes), the attributes that can be axes, the locale table,
 * channels, ownership and the hot-data guard. Re-exported by mapping-contract.ts (and so by
 * contract.ts, the one file web/ imports). Imports zod alone.
 */
import { z } from 'zod';

/** An attribute offered as a variant axis, and why it cannot be one when it cannot. */
export const axisCandidateSchema = z.object({
  code: z.string(),
  /** Akeneo type (pim_catalog_simpleselect), from the PIM or, before bootstrap, from the mapping. */
  type: z.string().nullable(),
  inPim: z.boolean(),
  /** null: usable as an axis; else the reason in words (localizable, a text, …). */
  unusable: z.string().nullable(),
});

export const layoutLevelSchema = z.object({ axes: z.array(z.string()), attributes: z.array(z.string()) });

/** A family variant the mapping defines (preset and/or ferry.yaml), as `structure.families.definitions.<family>.variants.<code>`. */
export const variantLayoutSchema = z.object({
  family: z.string(),
  code: z.string(),
  /** The key path a save writes. */
  path: z.string(),
  source: z.enum(['preset', 'file', 'preset+file']),
  inPim: z.boolean(),
  /** As the mapping says (what bootstrap would create). */
  levels: z.array(layoutLevelSchema),
  /** As the PIM has it, when it exists there (Akeneo refuses new axes on an existing family variant). */
  pimLevels: z.array(layoutLevelSchema).nullable(),
});
export type VariantLayout = z.infer<typeof variantLayoutSchema>;

export const structureEditSchema = z.object({
  /** Families the mapping places items in or defines, with their attributes (for a level's attributes). */
  families: z.array(z.object({ code: z.string(), inPim: z.boolean(), attributes: z.array(z.string()) })),
  layouts: z.array(variantLayoutSchema),
  axisCandidates: z.array(axisCandidateSchema),
});
export type StructureEdit = z.infer<typeof structureEditSchema>;

/** One ERP language of the locale table. */
export const languageRowSchema = z.object({
  language: z.string(),
  /** The Akeneo locale its values go to, null when none is found (the values are then dropped). */
  locale: z.string().nullable(),
  /** file: mapping.locales in ferry.yaml; preset; auto: the one PIM locale starting with "<lang>_"; none. */
  source: z.enum(['file', 'preset', 'auto', 'none']),
  dropped: z.boolean(),
  /** The ERP describes fields in this language. */
  inErp: z.boolean(),
});

export const mappingSettingsSchema = z.object({
  languages: z.array(languageRowSchema),
  defaultLanguage: z.string(),
  /** Locales the PIM knows (active first), for the locale table's choices. */
  pimLocales: z.array(z.object({ code: z.string(), active: z.boolean() })),
  channels: z.object({ default: z.array(z.string()).nullable(), pim: z.array(z.string()) }),
  ownership: z.object({ groups: z.array(z.string()), attributes: z.array(z.string()), pimGroups: z.array(z.string()), attributeGroup: z.string() }),
  hotData: z.object({
    patterns: z.array(z.string()),
    defaults: z.array(z.string()),
    allow: z.array(z.string()),
    /** ERP fields that look hot: refused unless allowed (or declared a reference price). */
    fields: z.array(z.object({ field: z.string(), allowed: z.boolean() })),
  }),
  /** Key path (`mapping.hotData.allow`) → the schema's description, the forms' help texts. */
  help: z.record(z.string(), z.string()),
});
export type MappingSettings = z.infer<typeof mappingSettingsSchema>;
