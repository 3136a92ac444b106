/** The `pim:` section of ferry.yaml: how to reach and authenticate against Akeneo. */
import { z } from 'zod';

export const rateLimitsSchema = z
  .object({
    concurrency: z.number().int().min(1).max(10).default(4).describe('Concurrent calls per connection (Akeneo SaaS allows 4 per connection, 10 per instance).'),
    instanceConcurrency: z
      .number()
      .int()
      .min(1)
      .max(100)
      .optional()
      .describe('Concurrent calls the PIM instance allows over all its connections (default 10, as Akeneo SaaS); Ferry uses instanceShare of it.'),
    instanceShare: z
      .number()
      .gt(0)
      .max(1)
      .optional()
      .describe('Fraction of the instance budget (instanceConcurrency, requestsPerSecond, optionWritesPerSecond) Ferry may use; other integrations of the PIM need the rest (default 1).'),
    requestsPerSecond: z.number().positive().max(1000).default(100).describe('Request budget per second of the instance (Akeneo SaaS: 100/s per instance).'),
    optionWritesPerSecond: z.number().positive().max(100).default(3).describe('Attribute-option writes per second of the instance (Akeneo SaaS: 3/s).'),
    shared: z
      .object({
        url: z
          .string()
          .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
          .describe('PostgreSQL database holding the shared budget (slot leases and rate buckets), e.g. postgres://ferry@db/ferry.'),
        leaseMs: z
          .number()
          .int()
          .min(1000)
          .max(600_000)
          .default(15_000)
          .describe('A slot held by a process that stopped renewing it (killed, cut off) is free again after this long.'),
        instance: z.string().min(1).optional().describe('Name of the PIM instance in the shared budget (default: pim.url\'s origin).'),
      })
      .strict()
      .optional()
      .describe('Share one budget across every Ferry process that talks to this PIM (workers on several machines).'),
    maxRetries: z.number().int().min(0).max(20).default(6).describe('Retries of a failed safe call (408, 429, 5xx, network errors).'),
  })
  .strict();

/** A URL with user:password in it would be printed with them; credentials have their own keys. */
const noUserinfo = (url: string): boolean => {
  try {
    const u = new URL(url);
    return !u.username && !u.password;
  } catch {
    return true; // .url() reports it
  }
};

const LOOPBACK_HOST = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/** Plain http to a PIM that is not on this machine sends the credentials and tokens in clear. */
function checkTransport(value: { url: string; allowInsecureHttp?: boolean | undefined }, ctx: z.RefinementCtx): void {
  let u: URL;
  try {
    u = new URL(value.url);
  } catch {
    return;
  }
  if (u.protocol === 'http:' && !LOOPBACK_HOST.test(u.hostname) && !value.allowInsecureHttp) {
    ctx.addIssue({
      code: 'custom',
      path: ['url'],
      message: `plain http:// to ${u.host} would send the PIM credentials and tokens unencrypted; use https://, or set pim.allowInsecureHttp: true if this network is trusted (http://localhost is always allowed)`,
    });
  }
}

const common = {
  url: z
    .string()
    .url()
    .refine(noUserinfo, 'holds user:password; remove them from the URL and use pim.clientId/secret/username/password (or pim.token)')
    .describe('Base URL of the PIM, e.g. https://acme.cloud.akeneo.com'),
  allowInsecureHttp: z.boolean().optional().describe('Allow a plain http:// URL for a PIM that is not on this machine (credentials then travel unencrypted).'),
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
  .strict()
  .superRefine(checkTransport);

const credentialsSchema = z
  .object({
    clientId: z.string().min(1).describe('Connection client id.'),
    secret: z.string().min(1).describe('Connection secret. Use ${ENV_VAR}.'),
    username: z.string().min(1).describe('Connection username.'),
    password: z.string().min(1).describe('Connection password. Use ${ENV_VAR}.'),
  })
  .strict();

export const connectionsPimSchema = z
  .object({
    ...common,
    connections: z
      .array(credentialsSchema)
      .min(1)
      .max(10)
      .refine((list) => new Set(list.map((c) => c.clientId)).size === list.length, 'lists the same clientId twice; each entry must be its own Akeneo Connection')
      .describe('Several Akeneo Connections of the same PIM: calls are spread across them, each with its own token and concurrency cap, within the instance budget.'),
  })
  .strict()
  .superRefine(checkTransport);

export const appPimSchema = z
  .object({
    ...common,
    token: z.string().min(1).describe('App access token (OAuth). Use ${ENV_VAR}.'),
  })
  .strict()
  .superRefine(checkTransport);

export const pimConfigSchema = z
  .union([connectionPimSchema, connectionsPimSchema, appPimSchema])
  .describe('The Akeneo PIM: Connection credentials (clientId, secret, username, password), several Connections (connections: [...]) or an App token.');

export type PimConfig = z.infer<typeof pimConfigSchema>;

/** Every secret of a `pim:` section (to scrub from messages). */
export function pimSecrets(pim: PimConfig): string[] {
  if ('token' in pim) return [pim.token];
  if ('connections' in pim) return pim.connections.flatMap((c) => [c.secret, c.password]);
  return [pim.secret, pim.password];
}
export type RateLimitsConfig = z.infer<typeof rateLimitsSchema>;
