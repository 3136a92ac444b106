/**
 * Sandbox options (programmatic and CLI) and the small specs they carry:
 * latency `200ms+2ms/line` and faults `429:0.05,500:0.02,reset:0.01,timeout:0.005,500-after-write:0.01`.
 */
import { z } from 'zod';

export interface SandboxOptions {
  host?: string;
  port?: number;
  catalog?: 'demo' | 'empty' | 'technical' | (string & {});
  dataFile?: string;
  limits?: 'none' | 'saas';
  latency?: string;
  faults?: string;
  seed?: number;
  clientId?: string;
  secret?: string;
  username?: string;
  password?: string;
  tokenLifetimeSeconds?: number;
  refreshTokenLifetimeSeconds?: number;
  /**
   * Several Akeneo Connections on this one instance: a number N (the first is clientId/secret/
   * username/password, the others the same with `-2`, `-3`, … appended) or the full list (the
   * first entry then replaces clientId/secret/username/password). Limits apply per connection
   * and per instance across them.
   */
  connections?: number | SandboxConnection[];
  /** How long a `timeout` fault holds the request before dropping the connection (default 120 s). */
  timeoutFaultMs?: number;
  /** Which Akeneo to answer as: `ce`, `ee` or `saas` (default), see edition.ts. */
  edition?: 'ce' | 'ee' | 'saas' | (string & {});
  /** Self-hosted version for `ce` / `ee`: `5.0`, `6.0` or `7.0` (default). */
  version?: '5.0' | '6.0' | '7.0' | (string & {});
  /** Called once per answered request (the CLI's --log prints these). Never carries headers or bodies. */
  onRequestLog?: (entry: RequestLogEntry) => void;
  /** More API users of the connection (e.g. a person next to Ferry's own user): events name who wrote. */
  users?: { username: string; password: string }[];
  /** Send events after product / product model writes to this URL (see events.ts). */
  eventsUrl?: string;
  /** The secret that signs them (required with eventsUrl). */
  eventsSecret?: string;
  /** Event Platform: a secondary secret, signing X-AKENEO-SIGNATURE-SECONDARY too (a rotation). */
  eventsSecondarySecret?: string;
  /** `api` (Events API, default), `platform` (Event Platform HTTPS delivery) or `both`. */
  eventsFormat?: 'api' | 'platform' | 'both';
  /** Event Platform: deliver each event twice (at-least-once). */
  eventsDuplicate?: boolean;
  /** Event Platform: deliver each burst newest first (unordered). */
  eventsReorder?: boolean;
  /** How long writes gather before a delivery (ms, default 50). */
  eventsBatchMs?: number;
}

export interface SandboxConnection {
  clientId: string;
  secret: string;
  username: string;
  password: string;
  /** Web API permissions its user role lacks ("list families", "create or update products"): those calls answer 403. */
  denied?: string[];
}

export const sandboxConnectionSchema = z
  .object({
    clientId: z.string().min(1),
    secret: z.string().min(1),
    username: z.string().min(1),
    password: z.string().min(1),
    denied: z.array(z.string().regex(/^(list|create or update|delete) [a-z ]+$/, 'an action as Akeneo words it: "list families", "create or update products", "delete products"')).optional(),
  })
  .strict();

export interface RequestLogEntry {
  method: string;
  /** path + query string (no credentials travel in Akeneo URLs) */
  url: string;
  status: number;
  ms: number;
  /** batch lines in the body, when a collection call */
  lines: number;
}

export const sandboxOptionsSchema = z.object({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(0),
  catalog: z.string().min(1).default('demo'),
  dataFile: z.string().min(1).optional(),
  limits: z.enum(['none', 'saas']).default('none'),
  latency: z.string().optional(),
  faults: z.string().optional(),
  seed: z.number().int().default(1),
  clientId: z.string().min(1).default('ferry'),
  secret: z.string().min(1).default('ferry-secret'),
  username: z.string().min(1).default('admin'),
  password: z.string().min(1).default('admin'),
  tokenLifetimeSeconds: z.number().positive().default(3600),
  refreshTokenLifetimeSeconds: z.number().positive().default(1_209_600),
  connections: z
    .union([
      z.number().int().min(1).max(20),
      z
        .array(sandboxConnectionSchema)
        .min(1)
        .max(20)
        .refine((l) => new Set(l.map((c) => c.clientId)).size === l.length, 'each connection needs its own clientId'),
    ])
    .default(1),
  timeoutFaultMs: z.number().int().positive().default(120_000),
  edition: z.string().min(1).default('saas'),
  version: z.string().min(1).optional(),
  onRequestLog: z.custom<(entry: RequestLogEntry) => void>((v) => v === undefined || typeof v === 'function').optional(),
  users: z.array(z.object({ username: z.string().min(1), password: z.string().min(1) })).default([]),
  eventsUrl: z.url({ protocol: /^https?$/ }).optional(),
  eventsSecret: z.string().min(1).optional(),
  eventsSecondarySecret: z.string().min(1).optional(),
  eventsFormat: z.enum(['api', 'platform', 'both']).default('api'),
  eventsDuplicate: z.boolean().default(false),
  eventsReorder: z.boolean().default(false),
  eventsBatchMs: z.number().int().min(0).max(60_000).default(50),
});
export type ResolvedSandboxOptions = z.infer<typeof sandboxOptionsSchema>;

/** Every Connection of the instance, the first one first. */
export function resolveConnections(opts: ResolvedSandboxOptions): SandboxConnection[] {
  if (Array.isArray(opts.connections)) return opts.connections.map((c) => ({ ...c }));
  const first: SandboxConnection = { clientId: opts.clientId, secret: opts.secret, username: opts.username, password: opts.password };
  const out = [first];
  for (let n = 2; n <= opts.connections; n++) {
    out.push({ clientId: `${first.clientId}-${n}`, secret: `${first.secret}-${n}`, username: `${first.username}-${n}`, password: `${first.password}-${n}` });
  }
  return out;
}

export class SandboxOptionError extends Error {
  override name = 'SandboxOptionError';
}

export function resolveOptions(options: SandboxOptions = {}): ResolvedSandboxOptions {
  const parsed = sandboxOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SandboxOptionError(`Invalid sandbox option "${issue?.path.join('.') ?? '?'}": ${issue?.message ?? 'invalid'}.`);
  }
  if (parsed.data.eventsUrl !== undefined && parsed.data.eventsSecret === undefined) {
    throw new SandboxOptionError('Invalid sandbox option "eventsSecret": events are signed; give the secret the receiver checks (--events-secret) with --events-url.');
  }
  return parsed.data;
}

export interface LatencySpec {
  perRequestMs: number;
  perLineMs: number;
}

function parseDuration(text: string, spec: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s)$/.exec(text.trim());
  if (!m) throw new SandboxOptionError(`Invalid latency "${spec}": "${text}" is not a duration like 200ms or 1s. Example: 200ms+2ms/line.`);
  return Number(m[1]) * (m[2] === 's' ? 1000 : 1);
}

/** `200ms`, `2ms/line`, `200ms+2ms/line`, `1s+5ms/line`. */
export function parseLatency(spec: string | undefined): LatencySpec {
  const out: LatencySpec = { perRequestMs: 0, perLineMs: 0 };
  if (!spec || spec.trim() === '' || spec === 'none') return out;
  for (const part of spec.split('+')) {
    const p = part.trim();
    if (p.endsWith('/line')) out.perLineMs += parseDuration(p.slice(0, -'/line'.length), spec);
    else out.perRequestMs += parseDuration(p, spec);
  }
  return out;
}

export const FAULT_KINDS = ['429', '500', 'reset', 'timeout', '500-after-write'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];
export type FaultSpec = { kind: FaultKind; probability: number }[];

export function parseFaults(spec: string | undefined): FaultSpec {
  if (!spec || spec.trim() === '' || spec === 'none') return [];
  const out: FaultSpec = [];
  let total = 0;
  for (const part of spec.split(',')) {
    const idx = part.lastIndexOf(':');
    const kind = part.slice(0, idx).trim();
    const prob = Number(part.slice(idx + 1));
    if (idx <= 0 || !(FAULT_KINDS as readonly string[]).includes(kind)) {
      throw new SandboxOptionError(`Invalid faults "${spec}": "${part}" must be KIND:PROBABILITY with KIND one of ${FAULT_KINDS.join(', ')}.`);
    }
    if (!Number.isFinite(prob) || prob < 0 || prob > 1) {
      throw new SandboxOptionError(`Invalid faults "${spec}": probability of ${kind} must be between 0 and 1.`);
    }
    total += prob;
    out.push({ kind: kind as FaultKind, probability: prob });
  }
  if (total > 1) throw new SandboxOptionError(`Invalid faults "${spec}": probabilities add up to ${total}, more than 1.`);
  return out;
}

/** mulberry32: a tiny seeded PRNG, so a fault sequence replays identically for the same seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pickFault(spec: FaultSpec, random: () => number): FaultKind | undefined {
  if (spec.length === 0) return undefined;
  const r = random();
  let acc = 0;
  for (const f of spec) {
    acc += f.probability;
    if (r < acc) return f.kind;
  }
  return undefined;
}
