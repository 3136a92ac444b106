/**
 * The `mapping.referenceEntities` and `mapping.assetFamilies` sections (EE / SaaS): ERP item fields
 * that become reference entity records (a brand, a supplier, a material) and assets (images and
 * documents), linked from products through a reference entity or asset collection attribute.
 * Kept apart from config.ts so the main mapping schema stays readable; config.ts composes them.
 */
import { z } from 'zod';

const code = z.string().min(1).regex(/^[a-zA-Z0-9_]+$/, 'letters, digits and _ only');
const labelsSchema = z.record(z.string(), z.string()).describe('Labels per Akeneo locale, e.g. { en_US: Brand }.');

export const RECORD_ATTRIBUTE_TYPES = ['text', 'textarea', 'number'] as const;

const recordAttributeSchema = z
  .object({
    from: z.string().min(1).describe('ERP item field feeding this record attribute (its value from the first item that fills it).'),
    type: z.enum(RECORD_ATTRIBUTE_TYPES).optional().describe('Record attribute type bootstrap creates (default text).'),
    labels: labelsSchema.optional(),
  })
  .strict();

export const referenceEntityMappingSchema = z
  .object({
    from: z.string().min(1).describe('ERP item field whose value names the record (e.g. brand: "Contoso Ltd" → record contoso_ltd).'),
    link: code.optional().describe('Product attribute that links the record (default: the reference entity code); created by bootstrap.'),
    collection: z.boolean().optional().describe('Link through akeneo_reference_entity_collection (several records per product, values split on `separator`).'),
    separator: z.string().min(1).optional().describe('Collection: separator inside a text value (default ",").'),
    labels: labelsSchema.optional().describe('Labels of the reference entity (bootstrap).'),
    imageFrom: z
      .string()
      .min(1)
      .optional()
      .describe('ERP item field holding the record\'s image (a path under sync.mediaRoot or a URL), uploaded once per content through the reference entity media file endpoint.'),
    labelFrom: z.string().min(1).optional().describe('ERP item field holding the record label (default: the `from` value itself); a localized field gives one label per locale.'),
    attributes: z.record(code, z.union([recordAttributeSchema, z.string().min(1).describe('Shorthand: the ERP field.')])).optional().describe('Record attribute code → ERP item field.'),
  })
  .strict();

export const assetFamilyMappingSchema = z
  .object({
    from: z
      .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
      .describe('ERP item field(s) holding file paths or URLs (relative to sync.mediaRoot); each file becomes one asset.'),
    link: code.optional().describe('Product attribute (asset collection) that links the assets (default: the asset family code); created by bootstrap.'),
    separator: z.string().min(1).optional().describe('Several files in one text value, split on this (default: one file per field).'),
    code: z
      .string()
      .min(1)
      .optional()
      .describe('Asset code rule over the file name: {file} (name without extension), {ext}; normalised to letters, digits and _ (default "{file}"). The same file in two products is one asset.'),
    mediaAttribute: code.optional().describe('The family\'s media file attribute, its attribute_as_main_media (default media).'),
    labels: labelsSchema.optional().describe('Labels of the asset family (bootstrap).'),
  })
  .strict();

export type ReferenceEntityMapping = z.infer<typeof referenceEntityMappingSchema>;
export type AssetFamilyMapping = z.infer<typeof assetFamilyMappingSchema>;

export const referenceEntitiesSchema = z
  .record(code, referenceEntityMappingSchema)
  .describe('EE / SaaS: reference entity code → the ERP field whose values become its records, linked from products (docs/mapping.md).');
export const assetFamiliesSchema = z
  .record(code, assetFamilyMappingSchema)
  .describe('EE / SaaS: asset family code → the ERP fields whose files become its assets, linked from products (docs/mapping.md).');
