/**
 * The conformance cases file (../shared/akeneo/conformance/cases.json): its schema and loader.
 * The file comes from outside the project, so it is parsed with zod and a clear error names
 * the case and field that do not fit.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';

const headers = z.record(z.string(), z.string()).optional();

export const requestSchema = z.object({
  method: z.string(),
  path: z.string(),
  headers,
  body: z.unknown().optional(),
  raw_body: z.string().optional(),
});
export type CaseRequest = z.infer<typeof requestSchema>;

export const matchModeSchema = z.enum(['exact', 'subset', 'subset_values_exact', 'exact_unordered_lists']);
export type MatchMode = z.infer<typeof matchModeSchema>;

export const expectedSchema = z.object({
  status: z.number().int(),
  headers,
  body: z.unknown().optional(),
  match: matchModeSchema.optional(),
  raw_body: z.string().optional(),
  body_empty: z.boolean().optional(),
  body_keys: z.array(z.string()).optional(),
  body_absent_keys: z.array(z.string()).optional(),
  ndjson: z.array(z.record(z.string(), z.unknown())).optional(),
  items_key_sequence: z.object({ key: z.string(), values: z.array(z.string()) }).optional(),
  links_query: z.record(z.string(), z.record(z.string(), z.string().nullable())).optional(),
  item_links: z.record(z.string(), z.string()).optional(),
});
export type Expected = z.infer<typeof expectedSchema>;

export const setupStepSchema = requestSchema.extend({ expect_status: z.number().int().optional() });

export const caseSchema = z.object({
  id: z.string(),
  description: z.string().optional(),
  catalog: z.string().optional(),
  setup: z.array(setupStepSchema).prefault([]),
  request: requestSchema,
  expected: expectedSchema,
  followup: z.array(z.object({ request: requestSchema, expected: expectedSchema })).optional(),
  notes: z.string().optional(),
  /** Ferry's own edition cases: the sandbox edition/version the case runs against (default SaaS). */
  edition: z.object({ edition: z.enum(['ce', 'ee', 'saas']), version: z.enum(['5.0', '6.0', '7.0']).optional() }).optional(),
});
export type ConformanceCase = z.infer<typeof caseSchema>;

const fileSchema = z.object({ cases: z.array(z.unknown()) });

export async function loadCases(file: string): Promise<ConformanceCase[]> {
  const text = await readFile(file, 'utf8');
  const root = fileSchema.parse(JSON.parse(text));
  return root.cases.map((raw, i) => {
    const parsed = caseSchema.safeParse(raw);
    if (!parsed.success) {
      const id = (raw as { id?: unknown }).id ?? `#${i}`;
      const issue = parsed.error.issues[0];
      throw new Error(
        `${file}: case ${String(id)} does not fit the expected format at ${issue?.path.join('.') ?? '?'}: ${issue?.message ?? 'invalid'}`,
      );
    }
    return parsed.data;
  });
}
