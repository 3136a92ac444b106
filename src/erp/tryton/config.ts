import { z } from 'zod';

export const trytonConfigSchema = z
  .object({
    type: z.literal('tryton'),
    url: z.string().url().describe('Tryton server URL, e.g. http://127.0.0.1:8000'),
    database: z.string().min(1),
    username: z.string().min(1),
    password: z.string().min(1).describe('Use ${ENV_VAR} to keep it out of the file.'),
    languages: z.array(z.string().min(2)).default(['en']).describe('Tryton languages to read translations for, e.g. [en, fr, de].'),
    company: z.number().int().positive().optional().describe('Company id, needed to read list prices.'),
  })
  .strict();
export type TrytonConfig = z.infer<typeof trytonConfigSchema>;
