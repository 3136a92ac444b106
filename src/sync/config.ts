/** The `state:` and `sync:` sections of ferry.yaml. */
import { z } from 'zod';

export const stateConfigSchema = z
  .object({
    driver: z.enum(['sqlite']).default('sqlite').describe('State store driver (SQLite today; the port allows others).'),
    path: z.string().default('./data/ferry.db').describe('SQLite file for state, watermarks, runs and rejects.'),
  })
  .strict();

export const syncConfigSchema = z
  .object({
    deletion: z
      .enum(['ignore', 'disable', 'uncategorize', 'delete'])
      .default('disable')
      .describe('What to do in the PIM with an item gone from the ERP (full run) or archived there.'),
    updateOnly: z.boolean().default(false).describe('Never create new products or models; only update known ones.'),
  })
  .strict();

export type StateConfig = z.infer<typeof stateConfigSchema>;
export type SyncConfig = z.infer<typeof syncConfigSchema>;
