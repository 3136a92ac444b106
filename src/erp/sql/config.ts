import { z } from 'zod';

export const sqlStreamSchema = z
  .object({
    table: z.string().optional(),
    query: z.string().optional(),
    key: z.string().describe('Key column.'),
    updatedAt: z.string().optional().describe('Updated-at column for delta reads.'),
  })
  .passthrough();

export const sqlConfigSchema = z
  .object({
    type: z.literal('sql'),
    client: z.enum(['pg', 'mysql2', 'mssql', 'better-sqlite3']),
    connection: z.union([z.string(), z.record(z.string(), z.unknown())]),
    streams: z.record(z.string(), sqlStreamSchema).default({}),
  })
  .passthrough();

export const demoConfigSchema = z
  .object({
    type: z.literal('demo'),
    path: z.string().default('./data/demo-erp.sqlite').describe('Where the generated demo ERP lives; created on first use.'),
    items: z.number().int().positive().default(500).describe('How many items the generator makes.'),
    seed: z.number().int().default(42),
  })
  .strict();
export type SqlConfig = z.infer<typeof sqlConfigSchema>;
export type DemoConfig = z.infer<typeof demoConfigSchema>;
