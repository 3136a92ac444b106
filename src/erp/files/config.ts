import { z } from 'zod';

export const filesConfigSchema = z
  .object({
    type: z.literal('files'),
    folder: z.string(),
    format: z.enum(['csv', 'tsv', 'xlsx', 'json', 'ndjson', 'xml']),
  })
  .passthrough();
export type FilesConfig = z.infer<typeof filesConfigSchema>;
