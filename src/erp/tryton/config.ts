import { z } from 'zod';

export const trytonConfigSchema = z
  .object({
    type: z.literal('tryton'),
    url: z
      .string()
      .url()
      .refine((url) => {
        try {
          const u = new URL(url);
          return !u.username && !u.password;
        } catch {
          return true;
        }
      }, 'holds user:password; remove them from the URL and use erp.username and erp.password')
      .describe('Tryton server URL, e.g. http://127.0.0.1:8000'),
    database: z.string().min(1),
    username: z.string().min(1),
    password: z.string().min(1).describe('Use ${ENV_VAR} to keep it out of the file.'),
    languages: z.array(z.string().min(2)).default(['en']).describe('Tryton languages to read translations for, e.g. [en, fr, de].'),
    company: z.number().int().positive().optional().describe('Company id, needed to read list prices.'),
    sourceLanguage: z
      .string()
      .min(2)
      .default('en')
      .describe("The database's own language ([database] language in trytond.conf): texts stored in the records themselves."),
    referencePrice: z
      .boolean()
      .default(false)
      .describe('Read list_price (a money value in the company currency). Off unless the mapping uses a reference price.'),
    fuzzyTranslations: z
      .enum(['keep', 'drop'])
      .default('keep')
      .describe(
        'A translation Tryton marked fuzzy (its source-language text was edited since): keep = report its previous text (the PIM keeps its value; the read warns how many), drop = report the language as absent (the PIM value is cleared).',
      ),
    pageSize: z.number().int().min(1).max(5000).default(500).describe('Records per JSON-RPC read.'),
    deltaSkewSeconds: z
      .number()
      .int()
      .min(0)
      .default(300)
      .describe('How far `since` is widened: Tryton stamps rows with their transaction start, so a long transaction commits rows older than its commit.'),
    timeoutMs: z.number().int().positive().default(60_000).describe('Per-request timeout.'),
  })
  .strict();
export type TrytonConfig = z.infer<typeof trytonConfigSchema>;
/** What callers may pass: the optional keys may be left out (the schema fills them in). */
export type TrytonConfigInput = z.input<typeof trytonConfigSchema>;
