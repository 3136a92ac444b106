/** The `mapping:` section of ferry.yaml (owned by src/mapping). */
import { z } from 'zod';

export const mappingConfigSchema = z
  .object({
    preset: z.enum(['tryton', 'demo']).optional(),
  })
  .passthrough();
export type MappingConfig = z.infer<typeof mappingConfigSchema>;
