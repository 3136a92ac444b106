/** The whole ferry.yaml, composed from each layer's own section schema. */
import { z } from 'zod';
import { pimConfigSchema } from '../akeneo/config.js';
import { erpConfigSchema } from '../erp/config.js';
import { mappingConfigSchema } from '../mapping/config.js';
import { exportConfigSchema } from '../mapping/export/config.js';
import { stateConfigSchema, syncConfigSchema } from '../sync/config.js';
import { eventsConfigSchema } from '../server/events/config.js';
import { jobsConfigSchema } from '../jobs/config.js';

export const ferryConfigSchema = z
  .object({
    pim: pimConfigSchema,
    erp: erpConfigSchema,
    mapping: mappingConfigSchema.prefault({}),
    state: stateConfigSchema.prefault({}),
    sync: syncConfigSchema.prefault({}),
    /** PIM → ERP: products born in the PIM, tagged, exported (docs/export.md). */
    export: exportConfigSchema.optional(),
    /** Akeneo's events received by `ferry serve` trigger exports (docs/export.md, "Events"). */
    events: eventsConfigSchema.optional(),
    /** Runs spread over `ferry worker` processes through the job queue on the PostgreSQL state (docs/operations.md). */
    jobs: jobsConfigSchema.prefault({}),
  })
  .strict()
  .describe('Ferry configuration (ferry.yaml)');

export type FerryConfig = z.infer<typeof ferryConfigSchema>;

export function configJsonSchema(): Record<string, unknown> {
  return {
    $id: 'https://ferry.dev/schema/ferry.yaml.json',
    ...(z.toJSONSchema(ferryConfigSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>),
  };
}
