/** The `pim:` section of ferry.yaml: how to reach and authenticate against Akeneo. */
import { z } from 'zod';

export const rateLimitsSchema = z
  .object({
    concurrency: z.number().int().min(1).max(10).default(4).describe('Concurrent calls for this connection (Akeneo SaaS allows 4 per connection, 10 per instance).'),
    requestsPerSecond: z.number().positive().max(1000).default(100).describe('Request budget per second (Akeneo SaaS: 100/s per instance).'),
    optionWritesPerSecond: z.number().positive().max(100).default(3).describe('Attribute-option writes per second (Akeneo SaaS: 3/s).'),
    maxRetries: z.number().int().min(0).max(20).default(6).describe('Retries of a failed safe call (408, 429, 5xx, network errors).'),
  })
  .strict();

const common = {
  url: z.string().url().describe('Base URL of the PIM, e.g. https://acme.cloud.akeneo.com'),
  endpoints: z
    .enum(['auto', 'uuid', 'identifier'])
    .default('auto')
    .describe('Product endpoints: auto-detect (uuid on 7.0+/SaaS), or force /products-uuid or /products.'),
  limits: rateLimitsSchema.prefault({}),
  timeoutMs: z.number().int().positive().default(60_000).describe('Per-request timeout.'),
};

export const connectionPimSchema = z
  .object({
    ...common,
    clientId: z.string().min(1).describe('Connection client id (Akeneo: Connect > Connection settings).'),
    secret: z.string().min(1).describe('Connection secret. Use ${ENV_VAR} to keep it out of the file.'),
    username: z.string().min(1).describe('Connection username.'),
    password: z.string().min(1).describe('Connection password. Use ${ENV_VAR}.'),
  })
  .strict();

export const appPimSchema = z
  .object({
    ...common,
    token: z.string().min(1).describe('App access token (OAuth). Use ${ENV_VAR}.'),
  })
  .strict();

export const pimConfigSchema = z
  .union([connectionPimSchema, appPimSchema])
  .describe('The Akeneo PIM: either Connection credentials (clientId, secret, username, password) or an App token.');

export type PimConfig = z.infer<typeof pimConfigSchema>;
export type RateLimitsConfig = z.infer<typeof rateLimitsSchema>;
