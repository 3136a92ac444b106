import { z } from 'zod';

const propertyName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an OData property name (letters, digits, _)');

/** How one Ferry field is read from an entity. */
export const odataFieldSchema = z.union([
  propertyName.describe('A property of the entity; its EDM type decides the value (Edm.Decimal → exact decimal, dates → ISO).'),
  z.object({ quantity: z.object({ amount: propertyName, unit: propertyName }).strict() }).strict(),
  z
    .object({
      localized: z
        .object({
          navigation: propertyName.describe('Navigation property to expand, e.g. to_Description'),
          language: propertyName.describe('Language property of the expanded rows, e.g. Language'),
          text: propertyName.describe('Text property of the expanded rows, e.g. ProductDescription'),
        })
        .strict(),
    })
    .strict(),
]);
export type OdataField = z.infer<typeof odataFieldSchema>;

export const odataStreamSchema = z
  .object({
    entitySet: propertyName,
    key: propertyName.describe('The property holding the record key (the SKU for items).'),
    changeField: propertyName.optional().describe('Date-time property the delta filters on (ge since − margin).'),
    deletionFlag: propertyName.optional().describe('Boolean property; true → the record is read as archived (active: false).'),
    group: propertyName.optional().describe('Items: the property naming the group (model / configurable material).'),
    categories: propertyName.optional().describe('A property whose value is the record\'s category code.'),
    filter: z.string().optional().describe('An extra OData $filter ANDed to every read, written as the server expects it.'),
    fields: z.record(z.string(), odataFieldSchema).default({}),
  })
  .strict();
export type OdataStream = z.infer<typeof odataStreamSchema>;

const basicAuth = z
  .object({ kind: z.literal('basic'), username: z.string().min(1), password: z.string().min(1).describe('Use ${ENV_VAR}.') })
  .strict();
const oauth2Auth = z
  .object({
    kind: z.literal('oauth2'),
    tokenUrl: z.string().url().describe('Token endpoint, e.g. https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token'),
    clientId: z.string().min(1),
    clientSecret: z.string().min(1).describe('Use ${ENV_VAR}.'),
    scope: z.string().optional().describe('e.g. https://api.businesscentral.dynamics.com/.default'),
  })
  .strict();
const noAuth = z.object({ kind: z.literal('none') }).strict();

export const odataConfigSchema = z
  .object({
    type: z.literal('odata'),
    profile: z
      .enum(['s4', 'bc', 'generic'])
      .describe('s4: SAP S/4HANA API_PRODUCT_SRV; bc: Business Central API v2.0; generic: any service, streams given below.'),
    url: z
      .string()
      .url()
      .describe('The service root, e.g. https://host/sap/opu/odata/sap/API_PRODUCT_SRV or https://api.businesscentral.dynamics.com/v2.0/<tenant>/<env>/api/v2.0'),
    company: z
      .string()
      .min(1)
      .optional()
      .describe('bc: the company to read and write (its id, name or display name); optional when the environment has one company.'),
    csrf: z
      .boolean()
      .optional()
      .describe('Writes fetch an x-csrf-token first (SAP Gateway). Default: on for s4, off otherwise.'),
    version: z.enum(['auto', '2', '4']).default('auto').describe('OData protocol version; auto reads it from $metadata.'),
    auth: z.discriminatedUnion('kind', [basicAuth, oauth2Auth, noAuth]),
    languages: z
      .array(z.string().min(1))
      .optional()
      .describe('Languages to keep (Ferry codes, lower case: en, fr, de); all when absent.'),
    streams: z
      .object({ items: odataStreamSchema.optional(), groups: odataStreamSchema.optional(), categories: odataStreamSchema.optional(), attributes: odataStreamSchema.optional() })
      .strict()
      .optional()
      .describe('generic: the streams to read. s4: overrides of the profile\'s streams, key by key.'),
    pageSize: z
      .number()
      .int()
      .min(1)
      .max(10_000)
      .optional()
      .describe('Ask the server for pages of this size (v4 Prefer: odata.maxpagesize). Server-driven paging is always followed as given.'),
    deltaMarginSeconds: z
      .number()
      .int()
      .min(0)
      .default(300)
      .describe('How far `since` is widened: rows committed late by a long transaction, a server clock behind ours.'),
    maxRetries: z.number().int().min(0).max(20).default(5).describe('Retries after 429/503 (honouring Retry-After) and network errors.'),
    maxRetryAfterSeconds: z.number().int().min(0).default(120).describe('A Retry-After longer than this fails the read instead of waiting.'),
    timeoutMs: z.number().int().positive().default(60_000),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.profile === 'generic' && !c.streams?.items && !c.streams?.groups && !c.streams?.categories) {
      ctx.addIssue({ code: 'custom', path: ['streams'], message: 'profile generic needs streams (at least items: { entitySet, key, fields })' });
    }
  });
export type OdataConfig = z.infer<typeof odataConfigSchema>;
export type OdataConfigInput = z.input<typeof odataConfigSchema>;
