/**
 * The `mapping:` section of ferry.yaml (owned by src/mapping).
 *
 * Keys a preset may set are optional here without zod defaults, so a preset can fill them and the
 * user's file still overrides them field by field; resolveMapping() (resolve.ts) applies the preset
 * and the documented defaults. The hot-data refusal runs here, at validation time.
 */
import { z } from 'zod';
import { PRESETS } from './presets.js';
import { assetFamiliesSchema, referenceEntitiesSchema } from './reference-config.js';

export const MAPPING_TYPES = [
  'text',
  'textarea',
  'identifier',
  'number',
  'metric',
  'price',
  'boolean',
  'date',
  'simpleselect',
  'multiselect',
  'image',
  'file',
  'reference_entity',
  'reference_entity_collection',
  'reference_data_simpleselect',
  'reference_data_multiselect',
  'asset_collection',
] as const;

const code = z.string().min(1);
const labelsSchema = z.record(z.string(), z.string()).describe('Labels per Akeneo locale, e.g. { en_US: Colour, fr_FR: Couleur }.');

export const attributeMappingSchema = z
  .object({
    from: z
      .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
      .optional()
      .describe('ERP field feeding this attribute (default: the field with the attribute code). A list means: the first non-empty field.'),
    expression: z
      .string()
      .min(1)
      .optional()
      .describe('Template over several ERP fields instead of `from`, e.g. "{brand} {name}". Localized fields give one text per language.'),
    type: z
      .enum(MAPPING_TYPES)
      .optional()
      .describe('Akeneo attribute type; used by `ferry pim bootstrap` and `ferry check`. The live attribute type wins when mapping.'),
    localizable: z.boolean().optional().describe('Bootstrap: one value per locale (default: true when the ERP field is localized).'),
    scopable: z.boolean().optional().describe('Bootstrap: one value per channel.'),
    channels: z.array(code).optional().describe('Scopable attributes: the channels to write (default: mapping.channels.default, else every channel).'),
    group: code.optional().describe('Bootstrap: attribute group (default: mapping.attributeGroup.code).'),
    labels: labelsSchema.optional(),
    owned: z.boolean().optional().describe('Ferry writes this attribute (default true). false: read for expressions/axes only, never written.'),
    default: z.union([z.string(), z.number(), z.boolean()]).optional().describe('Value used when the ERP field is empty.'),
    trim: z.boolean().optional().describe('Text: trim surrounding whitespace (default true).'),
    maxLength: z.number().int().positive().optional().describe('Text: maximum length (default: the attribute\'s max_characters, 255 for text).'),
    decimals: z.boolean().optional().describe('Number/metric/price: decimals allowed (default: the attribute\'s decimals_allowed).'),
    negativeAllowed: z.boolean().optional().describe('Number/metric: negative values allowed (default: the attribute\'s negative_allowed).'),
    metricFamily: code.optional().describe('Metric: Akeneo measurement family, e.g. Weight, Length (bootstrap, check).'),
    unit: code
      .optional()
      .describe('Metric: Akeneo unit code for amounts that come without a unit, and the bootstrap default unit, e.g. KILOGRAM.'),
    units: z
      .record(z.string(), code)
      .optional()
      .describe('Metric: ERP unit → Akeneo unit code, on top of the built-in table (lb→POUND, kg→KILOGRAM, cm→CENTIMETER, …).'),
    convertTo: code
      .optional()
      .describe('Metric: always convert to this Akeneo unit (exact decimals). By default Ferry keeps the ERP unit and converts only when the family lacks it.'),
    precision: z.number().int().min(0).max(12).optional().describe('Decimals kept when a conversion does not terminate (default 4, half-even).'),
    referencePrice: z
      .boolean()
      .optional()
      .describe('Price: declare this as a reference price (cold data). Required for any price; prices and stock otherwise stay out of the PIM.'),
    currency: code.optional().describe('Price: currency of amounts that come without one.'),
    currencies: z.record(z.string(), code).optional().describe('Price: ERP currency → Akeneo currency code, e.g. { "US$": USD }.'),
    trueValues: z.array(z.string()).optional().describe('Boolean: extra ERP values meaning true (built in: 1, y, yes, true, on, x).'),
    falseValues: z.array(z.string()).optional().describe('Boolean: extra ERP values meaning false (built in: 0, n, no, false, off, "").'),
    formats: z
      .array(z.string())
      .optional()
      .describe('Date: accepted ERP formats in order, tokens YYYY MM DD HH mm ss (default: ISO, YYYYMMDD, /Date(ms)/, DD.MM.YYYY, DD/MM/YYYY).'),
    timeZone: z.string().optional().describe('Date: IANA zone the ERP\'s date-times without offset are in, and the zone the Akeneo date is taken in (default UTC).'),
    separator: z.string().min(1).optional().describe('Multi-select / collections: separator inside a text value (default ",").'),
    renames: z.record(z.string(), code).optional().describe('Selects: ERP value → option code, for values renamed in the PIM.'),
    referenceEntity: code.optional().describe('Reference entity code (bootstrap, check).'),
    assetFamily: code.optional().describe('Asset collection: the asset family (bootstrap, check); with mapping.assetFamilies, file paths become asset codes.'),
  })
  .strict();
export type AttributeMappingConfig = z.infer<typeof attributeMappingSchema>;

const familyVariantDefinitionSchema = z
  .object({
    labels: labelsSchema.optional(),
    levels: z
      .array(
        z
          .object({
            axes: z.array(code).min(1).max(5).describe('Axis attributes of this level (simple/multi select, boolean, metric; not localizable or scopable).'),
            attributes: z.array(code).default([]).describe('Other attributes whose values live at this level.'),
          })
          .strict(),
      )
      .min(1)
      .max(2)
      .optional()
      .describe('One level (model → variants) or two (model → sub-models → variants). Required unless the preset defines this family variant.'),
  })
  .strict();

const familyDefinitionSchema = z
  .object({
    labels: labelsSchema.optional(),
    attributes: z
      .array(code)
      .optional()
      .describe('Attributes of the family (the identifier is added). Required unless the preset defines this family: then it replaces the preset\'s list.'),
    attributeAsLabel: code.optional().describe('Attribute used as the product label (default: name when present, else the identifier).'),
    requirements: z.record(z.string(), z.array(code)).optional().describe('Channel → required attributes.'),
    variants: z.record(z.string(), familyVariantDefinitionSchema).optional().describe('Family variants to bootstrap, by code.'),
    attributeGroups: z.array(code).optional().describe('Also put every attribute of these PIM groups in the family (e.g. [marketing], so Julia can enrich them).'),
    includeErpAttributes: z.boolean().optional().describe('Also put every ERP-owned attribute (mapped or created by identity) in the family (default false).'),
    variantsFromErp: z
      .boolean()
      .optional()
      .describe('Bootstrap the family variants the ERP groups need: per group, the fewest varying select fields that tell its items apart, one level or two (colour then size); configured `variants` win (default false).'),
  })
  .strict();

const groupBySchema = z
  .enum(['group', 'field', 'sku', 'category', 'none'])
  .describe('How items become product models: the ERP group/template, an ERP field, a SKU pattern, their category, or none (all simple).');

const structureSchema = z
  .object({
    categories: z
      .object({
        mode: z
          .enum(['tree', 'families', 'models', 'ignore'])
          .optional()
          .describe('tree: ERP categories become Akeneo categories under `root`; families: an item\'s category picks its family; models: items of a category become variants of one model; ignore (default tree).'),
        root: code.optional().describe('Tree mode: category the ERP roots hang under (default master). Bootstrap creates it when missing.'),
        prefix: z.string().optional().describe('Prefix for Akeneo category codes, e.g. "erp_" (default none).'),
        labelField: z.string().optional().describe('ERP category field holding the label (default name).'),
        families: z.record(z.string(), code).optional().describe('Families mode: ERP category key → family code (default: the normalised category code).'),
      })
      .strict()
      .optional(),
    families: z
      .object({
        default: code.optional().describe('Family for items no rule places (omit: such items go without a family).'),
        field: z.string().optional().describe('ERP field holding the family code.'),
        map: z.record(z.string(), code).optional().describe('ERP value of `field` → family code.'),
        definitions: z.record(z.string(), familyDefinitionSchema).optional().describe('Families (and their variants) `ferry pim bootstrap` creates.'),
      })
      .strict()
      .optional(),
    variants: z
      .object({
        groupBy: groupBySchema.optional(),
        field: z.string().optional().describe('groupBy field: the ERP field whose value is the model key.'),
        skuPattern: z
          .string()
          .optional()
          .describe('groupBy sku: regular expression on the SKU whose first capture group (or group named `model`) is the model key, e.g. "^(.+)-[^-]+$".'),
        familyVariant: z
          .record(z.string(), z.string())
          .optional()
          .describe('Family code → family variant code, or "auto": the family variant whose axes all items fill with unique combinations, fewest axes first (default auto).'),
        singleGroupAsSimpleProduct: z.boolean().optional().describe('A group with one item stays a simple product (default true).'),
        modelPrefix: z.string().optional().describe('Prefix for product model codes (default none).'),
        ignoreItemDifferences: z
          .array(code)
          .optional()
          .describe(
            'Model-level attributes whose item values are expected to differ from the model\'s (e.g. item names that add the colour and size to the template\'s name): the model\'s value is used and items are not compared (default none: a differing item value is a model_value_conflict warning).',
          ),
      })
      .strict()
      .optional(),
  })
  .strict();

export const mappingConfigSchema = z
  .object({
    preset: z.enum(['tryton', 'demo', 's4', 'bc']).optional().describe('Ready mapping for an adapter; every key below extends or overrides it field by field.'),
    identifier: z
      .object({
        attribute: code.optional().describe('Akeneo identifier attribute (default: the PIM\'s, usually sku).'),
        from: z.string().optional().describe('ERP field holding the SKU (default: the record key).'),
      })
      .strict()
      .optional(),
    identity: z
      .object({
        enabled: z.boolean().optional().describe('Map every ERP field to the owned attribute with the same code (default true).'),
        ignore: z.array(z.string()).optional().describe('ERP fields never mapped by identity.'),
      })
      .strict()
      .optional(),
    codes: z
      .object({
        normalise: z
          .boolean()
          .optional()
          .describe('Rewrite ERP codes to Akeneo\'s pattern (letters, digits, _). Every change is listed in `ferry map` and the run report. Off: such codes are errors (default false; presets turn it on).'),
        case: z.enum(['lower', 'preserve']).optional().describe('Normalised codes are lower-cased (default) or keep their case.'),
      })
      .strict()
      .optional(),
    locales: z
      .record(z.string(), code)
      .optional()
      .describe('ERP language → Akeneo locale, e.g. { en: en_US, fr: fr_FR, de: de_DE }. Unlisted languages map to the one active locale starting with "<lang>_", if unique.'),
    dropLanguages: z
      .array(z.string())
      .optional()
      .describe('ERP languages not to send: bootstrap does not activate a locale for them and `ferry check` does not warn about them.'),
    defaultLanguage: z.string().optional().describe('ERP language used for non-localizable attributes fed by a localized field (default en).'),
    channels: z
      .object({ default: z.array(code).optional().describe('Channels scopable attributes are written to (default: every channel).') })
      .strict()
      .optional(),
    attributeGroup: z
      .object({
        code: code.optional().describe('Attribute group for ERP data (default erp).'),
        label: z.string().optional().describe('Its label (default "ERP data").'),
      })
      .strict()
      .optional(),
    ownership: z
      .object({
        groups: z.array(code).optional().describe('Attribute groups whose attributes the ERP owns (default: [the ERP attribute group]).'),
        attributes: z.array(code).optional().describe('More attributes the ERP owns.'),
      })
      .strict()
      .optional(),
    hotData: z
      .object({
        patterns: z
          .array(z.string())
          .optional()
          .describe('Words that mark a field as hot data (default: price, cost, stock, qty, quantity, inventory, margin, discount, on_hand, available).'),
        allow: z.array(z.string()).optional().describe('Fields that look hot but are cold (e.g. "quantity_per_pack").'),
      })
      .strict()
      .optional(),
    attributes: z
      .record(
        z.string(),
        z.union([
          attributeMappingSchema,
          z.string().min(1).describe('Shorthand: the ERP field.'),
          z.literal(false).describe('Remove a preset\'s mapping of this attribute.'),
          z.null(),
        ]),
      )
      .optional()
      .describe('Akeneo attribute code → how it is fed. Unlisted owned attributes are fed by identity.'),
    structure: structureSchema.optional(),
    referenceEntities: referenceEntitiesSchema.optional(),
    assetFamilies: assetFamiliesSchema.optional(),
    options: z
      .object({
        autoCreate: z.boolean().optional().describe('Create options missing in the PIM (default true; batches of ≤100 at ≤3 writes/s).'),
        renames: z
          .record(z.string(), z.record(z.string(), code))
          .optional()
          .describe('Attribute → { ERP value → option code } for options renamed in the PIM.'),
      })
      .strict()
      .optional(),
    errors: z
      .object({
        blockRecord: z
          .record(z.string(), z.boolean())
          .optional()
          .describe('Error kind → hold the whole record back (true) or drop only the value (false). Overrides the documented defaults.'),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    checkDefinitionsComplete(cfg, ctx);
    const pattern = cfg.structure?.variants?.skuPattern;
    if (pattern !== undefined) {
      try {
        new RegExp(pattern);
      } catch (err) {
        ctx.addIssue({ code: 'custom', path: ['structure', 'variants', 'skuPattern'], message: `not a valid regular expression: ${(err as Error).message}` });
      }
    }
    const patterns = cfg.hotData?.patterns ?? DEFAULT_HOT_PATTERNS;
    const allow = new Set(cfg.hotData?.allow ?? []);
    for (const [attribute, entry] of Object.entries(cfg.attributes ?? {})) {
      if (entry === false || entry === null) continue;
      const spec = typeof entry === 'string' ? { from: entry } : entry;
      const sources = [attribute, ...(Array.isArray(spec.from) ? spec.from : spec.from ? [spec.from] : [])];
      const hot = sources.find((s) => !allow.has(s) && looksHot(s, patterns));
      const isPrice = typeof entry === 'object' && entry.type === 'price';
      if ((hot || isPrice) && !(typeof entry === 'object' && entry.referencePrice === true)) {
        ctx.addIssue({
          code: 'custom',
          path: ['attributes', attribute],
          message: hotDataMessage(hot ?? attribute, attribute),
        });
      }
    }
  })
  .describe('How ERP records become Akeneo attributes, categories, product models and variants (docs/mapping.md).');

export type MappingConfig = z.infer<typeof mappingConfigSchema>;

/**
 * Family and family-variant definitions merge into the preset's field by field, so a user may
 * add one variant to a preset family without restating its attributes; a family or variant the
 * preset does not define must be complete.
 */
function checkDefinitionsComplete(cfg: { preset?: keyof typeof PRESETS | undefined; structure?: { families?: { definitions?: Record<string, { attributes?: string[]; variants?: Record<string, { levels?: unknown[] }> }> } } }, ctx: z.RefinementCtx): void {
  const presetDefs = (cfg.preset ? PRESETS[cfg.preset].structure?.families?.definitions : undefined) ?? {};
  for (const [family, def] of Object.entries(cfg.structure?.families?.definitions ?? {})) {
    const base = presetDefs[family];
    if (def.attributes === undefined && !base) {
      ctx.addIssue({
        code: 'custom',
        path: ['structure', 'families', 'definitions', family, 'attributes'],
        message: `the family ${family} is not in the ${cfg.preset ? `${cfg.preset} preset` : 'configuration without a preset'}; list its attributes`,
      });
    }
    for (const [variant, fv] of Object.entries(def.variants ?? {})) {
      if (fv.levels === undefined && !base?.variants?.[variant]) {
        ctx.addIssue({
          code: 'custom',
          path: ['structure', 'families', 'definitions', family, 'variants', variant, 'levels'],
          message: `the family variant ${variant} is new; give its levels (axes and attributes), e.g. [{ axes: [color], attributes: [] }]`,
        });
      }
    }
  }
}

export const DEFAULT_HOT_PATTERNS = [
  'price',
  'cost',
  'stock',
  'qty',
  'quantity',
  'inventory',
  'margin',
  'discount',
  'on_hand',
  'available',
];

/** Whether an ERP field name looks like hot data (word match on its snake/camel parts). */
export function looksHot(field: string, patterns: readonly string[] = DEFAULT_HOT_PATTERNS): boolean {
  const words = field
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  const joined = words.join('_');
  return patterns.some((p) => {
    const pat = p.toLowerCase();
    return pat.includes('_') ? joined.includes(pat) : words.includes(pat);
  });
}

export function hotDataMessage(field: string, attribute: string): string {
  return (
    `"${field}" looks like hot data (price, cost, stock or quantity) and is refused for attribute "${attribute}". ` +
    'Akeneo keeps cold product data that changes rarely (texts, attributes, media); hot data changes constantly and goes ' +
    'from the ERP straight to the e-commerce platform. If this is a reference price (e.g. a list price shown as information), ' +
    `declare it: attributes.${attribute}: { type: price, referencePrice: true }; if the name only looks hot, add it to mapping.hotData.allow.`
  );
}
