/**
 * The `erp:` section of ferry.yaml: `type` picks the adapter, the rest are the adapter's keys.
 * Each adapter owns its schema beside its code.
 */
import { z } from 'zod';
import { trytonConfigSchema } from './tryton/config.js';
import { sqlConfigSchema, demoConfigSchema } from './sql/config.js';
import { filesConfigSchema } from './files/config.js';
import { odataConfigSchema } from './odata/config.js';

export const erpConfigSchema = z.discriminatedUnion('type', [
  trytonConfigSchema,
  sqlConfigSchema,
  filesConfigSchema,
  demoConfigSchema,
  odataConfigSchema,
]);
export type ErpConfig = z.infer<typeof erpConfigSchema>;
