/**
 * The Console's API contract: one zod schema for every request and answer body under /api/v1.
 * The server validates with them (fastify-type-provider-zod) and builds its OpenAPI document
 * from them; the web app (web/) imports this file for its types and form validation.
 *
 * This file imports zod alone, so the browser bundle can take it as it is. Secrets are
 * write-only: an input schema may carry a password or a webhook secret, no answer schema does
 * (answers say `hasPassword` / `hasSecret` instead).
 *
 * Size (~870 lines): the one place both ends agree on, and the single module of src/ the web
 * app may import (an import rule enforces that). The mapping editor's bodies already live in
 * mapping-contract.ts, re-exported at the end; the config, setup and PIM → ERP bodies should move
 * the same way, one file per page, re-exported here.
 */
import { z } from 'zod';

// --- shared pieces --------------------------------------------------------------------

export const ROLES = ['admin', 'operator', 'viewer'] as const;
export const roleSchema = z.enum(ROLES);
export type Role = z.infer<typeof roleSchema>;

export const RUN_STATUSES = ['running', 'succeeded', 'rejects', 'failed', 'interrupted'] as const;
export const runStatusSchema = z.enum(RUN_STATUSES);
export const SYNC_MODES = ['delta', 'full', 'since', 'keys', 'category'] as const;
export const syncModeSchema = z.enum(SYNC_MODES);
export const RECORD_OUTCOMES = ['created', 'updated', 'unchanged', 'rejected', 'skipped', 'disabled', 'deleted'] as const;
export const recordOutcomeSchema = z.enum(RECORD_OUTCOMES);

/** Every refusal: `field` names the input that is wrong (`body.password`, `query.page`) when there is one. */
export const errorBodySchema = z.object({
  error: z.object({
    code: z.enum(['bad_request', 'unauthorized', 'forbidden', 'csrf', 'not_found', 'conflict', 'rate_limited', 'unavailable', 'internal']),
    message: z.string(),
    field: z.string().optional(),
  }),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

const isoDate = z.string().describe('ISO-8601 date-time');
const idParam = z.coerce.number().int().positive();
export const idParamsSchema = z.object({ id: idParam });

export const pageQuerySchema = z.object({
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(500).default(25),
});

function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), total: z.number().int(), page: z.number().int(), pageSize: z.number().int() });
}
function listOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item) });
}

export const outcomeCountsSchema = z.object({
  read: z.number().int(),
  created: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
  rejected: z.number().int(),
  skipped: z.number().int(),
  /** Disabled by the deletion policy (absent from runs stored before it was counted apart: 0). */
  disabled: z.number().int().default(0),
  deleted: z.number().int(),
});
export type OutcomeCountsBody = z.infer<typeof outcomeCountsSchema>;

// --- auth -------------------------------------------------------------------------------

export const loginBodySchema = z.object({
  username: z.string().min(1).max(100),
  password: z.string().min(1).max(1000),
});
export type LoginBody = z.infer<typeof loginBodySchema>;

export const userSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  role: roleSchema,
  disabled: z.boolean(),
  createdAt: isoDate,
  lastLoginAt: isoDate.nullable(),
});
export type User = z.infer<typeof userSchema>;

/** GET /me and POST /session: who is signed in and the CSRF token to send as `X-CSRF-Token`. */
export const meSchema = z.object({
  user: userSchema.pick({ id: true, name: true, role: true }),
  csrfToken: z.string().describe('Send back as the X-CSRF-Token header on every POST/PUT/DELETE made with the session cookie.'),
  /** true when the server runs with --demo (the UI may show a banner). */
  demo: z.boolean(),
});
export type Me = z.infer<typeof meSchema>;

export const CSRF_HEADER = 'x-csrf-token';
export const SESSION_COOKIE = 'ferry_session';

// --- several connections (tenants, issue 18 point 5; docs/operations.md) ----------------------

/**
 * Which connection of a deployment a request is for: this header (API clients), else the query
 * parameter `?connection=` (e.g. Akeneo's event subscription URL), else this cookie (set by the
 * Console's switcher), else the deployment's first connection that started.
 */
export const CONNECTION_HEADER = 'x-ferry-connection';
export const CONNECTION_COOKIE = 'ferry_connection';
export const CONNECTION_QUERY = 'connection';
export const deploymentConnectionSchema = z.object({
  name: z.string(),
  pimUrl: z.string().nullable(),
  erp: z.string().nullable(),
  /** Why this connection is not served (its config does not load, its state cannot be opened); null when it runs. */
  error: z.string().nullable(),
});
/** GET /deployment: the connections this Console serves and which one this request was for. */
export const deploymentSchema = z.object({
  /** null: a single ferry.yaml, no switcher. */
  current: z.string().nullable(),
  connections: z.array(deploymentConnectionSchema),
});
export type Deployment = z.infer<typeof deploymentSchema>;

// --- runs -------------------------------------------------------------------------------

export const runSummarySchema = z.object({
  id: z.number().int(),
  mode: z.string(),
  status: runStatusSchema,
  startedAt: isoDate,
  finishedAt: isoDate.nullable(),
  durationMs: z.number().int().nullable(),
  counts: outcomeCountsSchema.nullable(),
  /** Who started it: `user:julia`, `schedule:Nightly`, `token:ci`, or `cli` for a run started in a terminal. */
  startedBy: z.string().nullable(),
  /** true when this server can cancel it (it runs in this process). */
  cancellable: z.boolean(),
});
export type RunSummary = z.infer<typeof runSummarySchema>;

export const runsQuerySchema = pageQuerySchema.extend({
  status: runStatusSchema.optional(),
  mode: syncModeSchema.optional(),
});
export type RunsQuery = z.infer<typeof runsQuerySchema>;
export const runsPageSchema = pageOf(runSummarySchema);
export type RunsPage = z.infer<typeof runsPageSchema>;

export const rejectSchema = z.object({
  stream: z.string(),
  key: z.string(),
  entityType: z.string(),
  label: z.string(),
  attribute: z.string().nullable().optional(),
  locale: z.string().nullable().optional(),
  scope: z.string().nullable().optional(),
  message: z.string(),
  fix: z.string().nullable().optional(),
});
export type Reject = z.infer<typeof rejectSchema>;

/** One value (or field) a dry run would change: `before` as the PIM has it now, `after` as it would be sent. */
export const plannedChangeSchema = z.object({
  field: z.string().describe('`values.<attribute>`, `family`, `categories`, `labels`, `parent`, …'),
  locale: z.string().nullable(),
  scope: z.string().nullable(),
  before: z.unknown(),
  after: z.unknown(),
});
export type PlannedChange = z.infer<typeof plannedChangeSchema>;

/**
 * The run report as `ferry runs show --json` has it (src/sync/report.ts RunReport). Kept open
 * (`loose`) so a report field added by the engine reaches the UI without a contract change.
 */
export const runReportSchema = z
  .object({
    runId: z.number().int().nullable(),
    mode: syncModeSchema,
    status: z.enum(['succeeded', 'rejects', 'failed', 'interrupted']),
    dryRun: z.boolean(),
    startedAt: isoDate,
    finishedAt: isoDate,
    durationMs: z.number(),
    counts: outcomeCountsSchema,
    byType: z.record(z.string(), outcomeCountsSchema),
    requests: z.object({ total: z.number(), writes: z.number(), retried: z.number(), throttled: z.number() }),
    rejects: z.array(rejectSchema),
    warnings: z.array(rejectSchema),
    warningsTotal: z.number(),
    deletions: z.object({ policy: z.string(), gone: z.number(), applied: z.number(), failed: z.number() }),
    plan: z
      .object({
        actions: z.record(z.string(), z.record(z.string(), z.number())),
        payloads: z
          .array(
            z.object({
              entityType: z.string(),
              code: z.string(),
              action: z.string(),
              payload: z.unknown(),
              /** A Console dry run: each value or field that would change, as the PIM has it now and as it would be sent. */
              changes: z.array(plannedChangeSchema).optional(),
              /** Why `before` is unknown (the PIM could not be asked). */
              beforeError: z.string().optional(),
            }),
          )
          .optional(),
      })
      .optional(),
    error: z.string().optional(),
  })
  .loose();
export type RunReportBody = z.infer<typeof runReportSchema>;

export const runDetailSchema = z.object({
  run: runSummarySchema,
  /** null while the run goes (see /events) or when it died before writing one. */
  report: runReportSchema.nullable(),
  /** What was asked: `{ full: true }`, `{ keys: [...] }`, … */
  options: z.unknown(),
  /** The PIM's address, for links to products (`{pimUrl}/#/enrich/product/{uuid}`; 7.0+ and SaaS, see runRecordSchema). */
  pimUrl: z.string().nullable(),
});
export type RunDetail = z.infer<typeof runDetailSchema>;

export const runRecordsQuerySchema = pageQuerySchema.extend({
  outcome: recordOutcomeSchema.optional(),
  /** Part of the ERP key (SKU, model code, category code), case-insensitive. */
  q: z.string().max(200).optional(),
});
export type RunRecordsQuery = z.infer<typeof runRecordsQuerySchema>;

export const runRecordSchema = z.object({
  stream: z.string(),
  key: z.string(),
  entityType: z.string(),
  outcome: recordOutcomeSchema,
  reason: z.string().nullable(),
  /** The rejects of this record in this run (business words and the fix). */
  rejects: z.array(rejectSchema),
  /** Link to the product in the PIM when Ferry knows its uuid and the PIM's address. */
  pimLink: z.string().nullable(),
  /**
   * Why a product in the PIM has no link, and how to find it there: before 7.0 (identifier
   * endpoints) product pages open by an internal id the API does not give. null otherwise.
   */
  pimLinkNote: z.string().nullable(),
});
export type RunRecord = z.infer<typeof runRecordSchema>;
/** Unchanged records are counted in the report, not listed (the state keeps no row for them). */
export const runRecordsPageSchema = pageOf(runRecordSchema);
export type RunRecordsPage = z.infer<typeof runRecordsPageSchema>;

/** POST /runs: what to run. Exactly the CLI's selectors; `dryRun` plans without writing. */
export const startRunBodySchema = z
  .object({
    mode: z.enum(['delta', 'full', 'keys', 'category', 'since']).default('delta'),
    keys: z.array(z.string().min(1).max(200)).min(1).max(10_000).optional(),
    category: z.string().min(1).max(200).optional(),
    since: isoDate.optional(),
    dryRun: z.boolean().default(false),
  })
  .superRefine((b, ctx) => {
    if (b.mode === 'keys' && !b.keys) ctx.addIssue({ code: 'custom', path: ['keys'], message: 'mode keys needs at least one ERP key' });
    if (b.mode === 'category' && !b.category) ctx.addIssue({ code: 'custom', path: ['category'], message: 'mode category needs a category code' });
    if (b.mode === 'since') {
      if (!b.since) ctx.addIssue({ code: 'custom', path: ['since'], message: 'mode since needs a date' });
      else if (Number.isNaN(Date.parse(b.since))) ctx.addIssue({ code: 'custom', path: ['since'], message: 'not a date; write e.g. 2026-01-31T22:00:00Z' });
    }
  });
export type StartRunBody = z.input<typeof startRunBodySchema>;

export const retryRejectedBodySchema = z.object({ dryRun: z.boolean().default(false) });

/**
 * A started run. `runId` is known once the engine took the lock (null for a dry run, which
 * writes no history); `jobId` always works for /jobs/{jobId} and /runs/{jobId}/events.
 */
export const startedRunSchema = z.object({ jobId: z.string(), runId: z.number().int().nullable() });
export type StartedRun = z.infer<typeof startedRunSchema>;

/** A run started from this server (a dry run's plan lives only here, for an hour). */
export const jobSchema = z.object({
  jobId: z.string(),
  runId: z.number().int().nullable(),
  state: z.enum(['running', 'finished', 'failed']),
  dryRun: z.boolean(),
  request: z.unknown(),
  report: runReportSchema.nullable(),
  error: z.string().nullable(),
});
export type Job = z.infer<typeof jobSchema>;

/**
 * Server-Sent Events of GET /runs/{id}/events (id: a run id or a job id). Event names:
 * `progress` (data: RunProgress), `done` (data: RunDone), then the stream ends. A run that is
 * not running in this server (finished, or started in a terminal) gets `done` at once when
 * finished, else `progress` from the state store every 2 s.
 */
export const runProgressSchema = z.object({
  runId: z.number().int().nullable(),
  jobId: z.string().nullable(),
  /**
   * `waiting`: for another tenant's run on the same PIM connection to end (`waitingFor` says whose),
   * or, for a run in the job queue (`jobs.workers`), for a worker; a queued run then goes
   * planning → shards → settling → done.
   */
  phase: z.enum(['starting', 'waiting', 'reading', 'categories', 'items', 'deletions', 'verify', 'planning', 'shards', 'settling', 'done']),
  /** While waiting for another tenant: whose run, e.g. "shop-a's run #41" (then the tenants queued before this one). */
  waitingFor: z.string().optional(),
  read: z.number().int(),
  settled: z.number().int(),
  requests: z.number().int(),
  throttled: z.number().int(),
  elapsedMs: z.number().int(),
  /** Estimate of the seconds left (null until there is enough to estimate). */
  etaSeconds: z.number().nullable(),
  cancelling: z.boolean(),
  /** A queued run: its shards finished so far, and how many there are (null until planned). */
  shardsDone: z.number().int().optional(),
  shardsTotal: z.number().int().nullable().optional(),
});
export type RunProgress = z.infer<typeof runProgressSchema>;
export const runDoneSchema = z.object({
  runId: z.number().int().nullable(),
  jobId: z.string().nullable(),
  status: z.enum(['succeeded', 'rejects', 'failed', 'interrupted']),
  counts: outcomeCountsSchema.nullable(),
  error: z.string().nullable(),
});
export type RunDone = z.infer<typeof runDoneSchema>;

export const cancelAnswerSchema = z.object({ cancelling: z.literal(true) });

// --- ERP ----------------------------------------------------------------------------------

/** Flat list; the picker builds the tree from `parent`. */
export const erpCategorySchema = z.object({ key: z.string(), label: z.string(), parent: z.string().nullable() });
export const erpCategoriesSchema = listOf(erpCategorySchema);
export type ErpCategory = z.infer<typeof erpCategorySchema>;

// --- dashboard ------------------------------------------------------------------------------

export const reachabilitySchema = z.object({
  reachable: z.boolean().nullable().describe('null: not checked yet'),
  /** `Akeneo 7.0 Serenity`, `Tryton 6.0`, … */
  system: z.string().nullable(),
  message: z.string().nullable(),
  checkedAt: isoDate.nullable(),
});

export const chartPointSchema = z.object({
  runId: z.number().int(),
  startedAt: isoDate,
  status: runStatusSchema,
  created: z.number().int(),
  updated: z.number().int(),
  rejected: z.number().int(),
  durationMs: z.number().int().nullable(),
});

export const dashboardSchema = z.object({
  connections: z.array(
    z.object({
      /** The config file's name (one connection per `ferry serve` today). */
      name: z.string(),
      pimUrl: z.string(),
      lastRun: runSummarySchema.nullable(),
      activeRun: runSummarySchema.nullable(),
      nextRun: z.object({ scheduleId: z.number().int(), scheduleName: z.string(), at: isoDate }).nullable(),
      pim: reachabilitySchema,
      erp: reachabilitySchema,
      /** The last 30 runs, oldest first. */
      chart: z.array(chartPointSchema),
    }),
  ),
});
export type Dashboard = z.infer<typeof dashboardSchema>;

// --- schedules ------------------------------------------------------------------------------

export const scheduleSpecSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('nightly'), hour: z.number().int().min(0).max(23), minute: z.number().int().min(0).max(59).default(0) }),
  z.object({ kind: z.literal('everyHours'), hours: z.number().int().min(1).max(24) }),
  z.object({ kind: z.literal('every15Minutes') }),
  z.object({
    kind: z.literal('weeklyFull'),
    weekday: z.number().int().min(0).max(6).describe('0 = Sunday'),
    hour: z.number().int().min(0).max(23),
  }),
  z.object({ kind: z.literal('cron'), expression: z.string().min(9).max(100).describe('five fields: minute hour day month weekday') }),
]);
export type ScheduleSpec = z.infer<typeof scheduleSpecSchema>;

/** What a schedule starts: a sync (changes only, everything) or an export (PIM → ERP). */
export const scheduleModeSchema = z.enum(['delta', 'full', 'export']);
export type ScheduleMode = z.infer<typeof scheduleModeSchema>;

export const scheduleInputSchema = z.object({
  name: z.string().min(1).max(100),
  spec: scheduleSpecSchema,
  /** IANA time zone, e.g. Europe/Paris. */
  timezone: z.string().min(1).max(64).default('UTC'),
  /** The run it starts (weeklyFull always runs full); `export`: PIM → ERP, every product waiting (docs/export.md). */
  mode: scheduleModeSchema.default('delta'),
  enabled: z.boolean().default(true),
});
export type ScheduleInput = z.input<typeof scheduleInputSchema>;

export const scheduleSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  spec: scheduleSpecSchema,
  /** The cron expression the spec stands for. */
  cron: z.string(),
  timezone: z.string(),
  mode: scheduleModeSchema,
  enabled: z.boolean(),
  /** The next five fire times (empty when disabled). */
  nextRuns: z.array(isoDate),
  lastOccurrence: z
    .object({ scheduledFor: isoDate, outcome: z.enum(['started', 'skipped', 'failed']), runId: z.number().int().nullable(), reason: z.string().nullable() })
    .nullable(),
  createdAt: isoDate,
  updatedAt: isoDate,
});
export type Schedule = z.infer<typeof scheduleSchema>;
export const schedulesSchema = listOf(scheduleSchema);

/** How many next fire times a schedule form may show (the list on a card always has five). */
export const MAX_NEXT_RUNS = 50;
export const schedulePreviewBodySchema = scheduleInputSchema.pick({ spec: true, timezone: true }).extend({
  count: z.number().int().min(1).max(MAX_NEXT_RUNS).default(5).describe('how many next fire times'),
});
export type SchedulePreviewBody = z.input<typeof schedulePreviewBodySchema>;
export const nextRunsQuerySchema = z.object({ count: z.coerce.number().int().min(1).max(MAX_NEXT_RUNS).default(5) });
export const schedulePreviewSchema = z.object({ cron: z.string(), nextRuns: z.array(isoDate) });

export const occurrenceSchema = z.object({
  id: z.number().int(),
  scheduleId: z.number().int(),
  scheduledFor: isoDate,
  firedAt: isoDate,
  outcome: z.enum(['started', 'skipped', 'failed']),
  runId: z.number().int().nullable(),
  reason: z.string().nullable(),
});
export const occurrencesPageSchema = pageOf(occurrenceSchema);

// --- notifications ---------------------------------------------------------------------------

export const CHANNEL_TYPES = ['email', 'webhook', 'slack', 'teams'] as const;

/** Inputs: secrets may be sent (write-only); on update an omitted secret keeps the stored one. */
export const channelInputSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('email'),
    name: z.string().min(1).max(100),
    enabled: z.boolean().default(true),
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).default(587),
    /** true: TLS from the first byte (465); false: STARTTLS when the server offers it. */
    secure: z.boolean().default(false),
    username: z.string().optional(),
    password: z.string().optional(),
    from: z.email(),
    to: z.array(z.email()).min(1),
  }),
  z.object({
    type: z.literal('webhook'),
    name: z.string().min(1).max(100),
    enabled: z.boolean().default(true),
    url: z.url({ protocol: /^https?$/ }),
    /** HMAC-SHA256 key for X-Ferry-Signature; generated when absent on create. */
    secret: z.string().min(16).optional(),
  }),
  z.object({ type: z.literal('slack'), name: z.string().min(1).max(100), enabled: z.boolean().default(true), url: z.url({ protocol: /^https$/ }).optional() }),
  z.object({ type: z.literal('teams'), name: z.string().min(1).max(100), enabled: z.boolean().default(true), url: z.url({ protocol: /^https$/ }).optional() }),
]);
export type ChannelInput = z.input<typeof channelInputSchema>;

/** Answers: no secret ever; Slack/Teams URLs are secrets too, only their host is shown. */
export const channelSchema = z.object({
  id: z.number().int(),
  type: z.enum(CHANNEL_TYPES),
  name: z.string(),
  enabled: z.boolean(),
  /** email: `smtp.example.com:587 → a@b, c@d`; webhook: the URL; slack/teams: the host. */
  target: z.string(),
  hasSecret: z.boolean().describe('email: a password is stored; webhook: a signing secret; slack/teams: a URL'),
  email: z.object({ host: z.string(), port: z.number(), secure: z.boolean(), username: z.string().nullable(), from: z.string(), to: z.array(z.string()) }).nullable(),
  lastDelivery: z.object({ at: isoDate, ok: z.boolean(), error: z.string().nullable() }).nullable(),
  createdAt: isoDate,
});
export type Channel = z.infer<typeof channelSchema>;
export const channelsSchema = listOf(channelSchema);
/** POST /channels answer for a webhook: its signing secret, shown this once. */
export const channelCreatedSchema = channelSchema.extend({ secretOnce: z.string().nullable() });

export const deliverySchema = z.object({
  id: z.number().int(),
  channelId: z.number().int(),
  at: isoDate,
  event: z.string(),
  runId: z.number().int().nullable(),
  ok: z.boolean(),
  attempts: z.number().int(),
  error: z.string().nullable(),
});
export type Delivery = z.infer<typeof deliverySchema>;
export const deliveriesPageSchema = pageOf(deliverySchema);
export const testSendSchema = z.object({ ok: z.boolean(), attempts: z.number().int(), error: z.string().nullable() });

export const RULE_KINDS = ['run_failed', 'rejects_count', 'rejects_percent', 'stuck', 'no_success', 'back_to_normal'] as const;
/**
 * threshold: rejects_count = N records; rejects_percent = X % of the records read;
 * stuck = T minutes without finishing; no_success = D hours. Others take none.
 */
export const ruleInputSchema = z
  .object({
    kind: z.enum(RULE_KINDS),
    threshold: z.number().positive().nullable().default(null),
    channelIds: z.array(z.number().int().positive()).min(1),
    enabled: z.boolean().default(true),
  })
  .superRefine((r, ctx) => {
    const needs = r.kind === 'rejects_count' || r.kind === 'rejects_percent' || r.kind === 'stuck' || r.kind === 'no_success';
    if (needs && r.threshold === null) ctx.addIssue({ code: 'custom', path: ['threshold'], message: `rule ${r.kind} needs a threshold` });
    if (r.kind === 'rejects_percent' && r.threshold !== null && r.threshold > 100) ctx.addIssue({ code: 'custom', path: ['threshold'], message: 'a percentage is at most 100' });
  });
export type RuleInput = z.input<typeof ruleInputSchema>;
export const ruleSchema = z.object({
  id: z.number().int(),
  kind: z.enum(RULE_KINDS),
  threshold: z.number().nullable(),
  channelIds: z.array(z.number().int()),
  enabled: z.boolean(),
  /** The rule in words: "a run fails", "a run rejects 10 records or more", … */
  description: z.string(),
  createdAt: isoDate,
});
export type Rule = z.infer<typeof ruleSchema>;
export const rulesSchema = listOf(ruleSchema);

// --- users, audit, tokens ------------------------------------------------------------------

export const userCreateSchema = z.object({
  name: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9._@-]+$/, 'letters, digits and . _ @ - only'),
  role: roleSchema,
  password: z.string().min(10, 'at least 10 characters').max(1000),
});
export const userUpdateSchema = z.object({
  role: roleSchema.optional(),
  password: z.string().min(10, 'at least 10 characters').max(1000).optional(),
  disabled: z.boolean().optional(),
});
export const usersSchema = listOf(userSchema);

export const auditEntrySchema = z.object({
  id: z.number().int(),
  at: isoDate,
  /** `user:julia`, `token:ci (julia)`, `schedule:Nightly`, `system`. */
  actor: z.string(),
  action: z.string(),
  target: z.string().nullable(),
  details: z.unknown(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;
export const auditQuerySchema = pageQuerySchema.extend({ action: z.string().max(100).optional() });
export const auditPageSchema = pageOf(auditEntrySchema);

export const tokenCreateSchema = z.object({ name: z.string().min(1).max(100) });
export const apiTokenSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  /** The first characters, to tell tokens apart (`fry_ab12…`). */
  prefix: z.string(),
  createdAt: isoDate,
  lastUsedAt: isoDate.nullable(),
});
export type ApiToken = z.infer<typeof apiTokenSchema>;
export const apiTokensSchema = listOf(apiTokenSchema);
/** The token itself, shown this once (only its hash is stored). Send as `Authorization: Bearer …`. */
export const apiTokenCreatedSchema = apiTokenSchema.extend({ token: z.string() });

// --- health ---------------------------------------------------------------------------------

export const healthSchema = z.object({ ok: z.literal(true) });
export const readySchema = z.object({
  ready: z.boolean(),
  checks: z.object({ state: z.boolean(), config: z.boolean(), scheduler: z.boolean() }),
});

/** GET /estimate: what a first full import would cost (src/sync/estimate.ts, `ferry estimate --json`). */
export const importEstimateSchema = z.object({
  erp: z.object({ system: z.string(), counts: z.record(z.string(), z.number().int()), sampled: z.number().int() }),
  pim: z.object({ url: z.string(), roundTripMs: z.number().nullable(), connections: z.number().int() }),
  estimate: z.object({
    entities: z.object({ products: z.number().int(), productModels: z.number().int(), categories: z.number().int(), options: z.number().int(), media: z.number().int() }),
    requests: z.object({
      setup: z.number().int(),
      options: z.number().int(),
      categories: z.number().int(),
      productModels: z.number().int(),
      products: z.number().int(),
      media: z.number().int(),
      total: z.number().int(),
    }),
    slots: z.number().int(),
    durationSeconds: z.object({ best: z.number(), likely: z.number() }),
    phases: z.object({ options: z.number(), batches: z.number(), media: z.number() }),
    bottleneck: z.enum(['option-writes', 'connection-concurrency', 'instance-concurrency', 'requests-per-second', 'media-uploads']),
    memoryMb: z.number(),
    advice: z.array(z.string()),
  }),
  notes: z.array(z.string()),
});
export type ImportEstimateBody = z.infer<typeof importEstimateSchema>;
// --- PIM → ERP (exports) -----------------------------------------------------------------------

/** The export status Julia and Ferry keep in the PIM (`erp_status`, issue 17). */
export const EXPORT_STATUSES = ['to_export', 'exported', 'in_erp', 'error'] as const;
export const exportStatusSchema = z.enum(EXPORT_STATUSES);
export type ExportStatus = z.infer<typeof exportStatusSchema>;

export const exportProductSchema = z.object({
  uuid: z.string().nullable(),
  identifier: z.string().nullable(),
  status: exportStatusSchema,
  /** `erp_message`: the last problem, in plain words. */
  message: z.string().nullable(),
  /** How to fix it (from the export run that refused it). */
  fix: z.string().nullable(),
  erpId: z.string().nullable(),
  updated: z.string().nullable(),
});
export type ExportProduct = z.infer<typeof exportProductSchema>;

/** GET /export/overview: the products of each status, read from the PIM (search on the status attribute). */
export const exportOverviewSchema = z.object({
  /** False when ferry.yaml has no `export:` section (then `why` says what to add). */
  configured: z.boolean(),
  why: z.string().nullable(),
  statusAttribute: z.string(),
  groups: z.array(
    z.object({
      status: exportStatusSchema,
      items: z.array(exportProductSchema),
      /** More products have this status than listed. */
      more: z.boolean(),
    }),
  ),
  /** Akeneo events received (null when `events:` is not configured). */
  events: z
    .object({ accepted: z.number().int(), duplicates: z.number().int(), own: z.number().int(), exportsTriggered: z.number().int(), debounceSeconds: z.number() })
    .nullable(),
});
export type ExportOverview = z.infer<typeof exportOverviewSchema>;

/** POST /export/runs: export every product waiting, or only these (uuids or identifiers). */
export const startExportBodySchema = z.object({ keys: z.array(z.string().min(1).max(200)).min(1).max(1000).optional() });
export type StartExportBody = z.infer<typeof startExportBodySchema>;
export const exportProductParamsSchema = z.object({ key: z.string().min(1).max(200) });
// --- config: ferry.yaml from the Console (issue 15) -------------------------------------------
//
// The Console reads and writes the same ferry.yaml as the CLI (comments, order and `${ENV}`
// references kept). A save names the version it was based on; a file changed on disk since then
// is a 409. Secrets typed in the Console go to the encrypted secrets file and the YAML gets a
// `${secret:NAME}` reference: no answer ever carries a secret's value.

/** One refused value: `path` is the key path as `ferry config validate` prints it (`pim.url`, `erp.languages[1]`). */
export const configProblemSchema = z.object({ path: z.string(), message: z.string() });
export type ConfigProblemBody = z.infer<typeof configProblemSchema>;
/** 422: the whole list of problems of a save that was refused (nothing written). */
export const configInvalidSchema = z.object({ errors: z.array(configProblemSchema) });

export const secretNameSchema = z
  .string()
  .regex(/^[A-Z][A-Z0-9_]{0,63}$/, 'upper case letters, digits and _ (e.g. PIM_SECRET)')
  .describe('Name of a secret in the encrypted secrets file, referenced from ferry.yaml as ${secret:NAME}');
export const secretInfoSchema = z.object({ name: z.string(), updatedAt: isoDate, usedAt: z.array(z.string()).describe('key paths of ferry.yaml referencing it') });

/** GET /config */
export const configFileSchema = z.object({
  /** The file's name as the server was given it (e.g. ferry.yaml). */
  file: z.string(),
  exists: z.boolean(),
  /** The text as written: `${ENV}` and `${secret:NAME}` references unresolved; a literal secret value is redacted. */
  yaml: z.string(),
  /** The YAML as data, references unresolved, values of secret keys (secret, password, token, …) written in clear replaced by `"********"`. */
  parsed: z.unknown(),
  /** sha256 (hex) of the file's bytes; '' when there is no file. Send back as `baseVersion`. */
  version: z.string(),
  /** What the zod schema says about the file as it is (empty: valid). */
  problems: z.array(configProblemSchema),
  /** Names only, never values. */
  secrets: z.array(secretInfoSchema),
});
export type ConfigFile = z.infer<typeof configFileSchema>;

/**
 * One edit by key path. `value` sets (objects and arrays replace the node), `remove: true` deletes
 * the key. `secret: NAME` (with a string `value`): the value goes to the secrets file under NAME
 * and the key gets `${secret:NAME}`.
 */
export const configChangeSchema = z.object({
  path: z.string().min(1).max(300).describe('key path: pim.url, erp.connection.host, mapping.fields[2].attribute'),
  value: z.unknown().optional(),
  remove: z.literal(true).optional(),
  secret: secretNameSchema.optional(),
});
export type ConfigChange = z.infer<typeof configChangeSchema>;

/** PUT /config: either the whole text (`yaml`) or `changes`; `dryRun` validates and answers the diff without writing. */
export const configSaveBodySchema = z
  .object({
    baseVersion: z.string().max(64).describe("the `version` the edit started from ('' to create the file)"),
    yaml: z.string().max(1_000_000).optional(),
    changes: z.array(configChangeSchema).max(500).optional(),
    dryRun: z.boolean().default(false),
    /** Shown in the history (`what changed and why`). */
    note: z.string().max(200).optional(),
  })
  .refine((b) => (b.yaml === undefined) !== (b.changes === undefined), { message: 'send either yaml or changes', path: ['yaml'] });
export type ConfigSaveBody = z.input<typeof configSaveBodySchema>;

/** 200 for PUT /config (and a restore): the new version and a unified diff (secret values never appear). */
export const configSavedSchema = z.object({
  saved: z.boolean().describe('false on a dry run'),
  version: z.string(),
  diff: z.string(),
  /** The history entry of this save (null on a dry run or when nothing changed). */
  historyId: z.number().int().nullable(),
});
export type ConfigSaved = z.infer<typeof configSavedSchema>;

/** 409: someone (the CLI, an editor, another user) changed the file since `baseVersion`; reload and redo the edit. */
export const configConflictSchema = errorBodySchema.extend({ currentVersion: z.string() });

/** PUT /config/secrets/:name — write-only. */
export const secretParamsSchema = z.object({ name: secretNameSchema });
export const secretBodySchema = z.object({ value: z.string().min(1).max(10_000) });
export const secretsSchema = listOf(secretInfoSchema);

/** Config history: every save, who, when, the diff; a restore is a save of that version's text. */
export const configHistoryEntrySchema = z.object({
  id: z.number().int(),
  at: isoDate,
  actor: z.string(),
  version: z.string(),
  note: z.string().nullable(),
  /** +/- lines of the diff, for the list. */
  added: z.number().int(),
  removed: z.number().int(),
});
export type ConfigHistoryEntry = z.infer<typeof configHistoryEntrySchema>;
export const configHistoryPageSchema = pageOf(configHistoryEntrySchema);
export const configHistoryDetailSchema = configHistoryEntrySchema.extend({ diff: z.string(), yaml: z.string() });
export type ConfigHistoryDetail = z.infer<typeof configHistoryDetailSchema>;
export const configRestoreBodySchema = z.object({ baseVersion: z.string().max(64) });

// --- connections: forms and tests (issue 15) ------------------------------------------------

/** GET /connections/forms: each section's JSON Schema (zod → z.toJSONSchema, io input), descriptions as help texts. */
export const connectionFormsSchema = z.object({
  pim: z.record(z.string(), z.unknown()),
  erp: z.array(z.object({ type: z.string(), title: z.string(), schema: z.record(z.string(), z.unknown()) })),
});
export type ConnectionForms = z.infer<typeof connectionFormsSchema>;

/**
 * POST /connections/{pim,erp}/test: `section` is a candidate `pim:` / `erp:` section as the form
 * has it (omitted: the saved one). `${ENV}` and `${secret:NAME}` references resolve server side;
 * `secrets` carries values typed in the form but not saved yet (used for this test only).
 */
export const connectionTestBodySchema = z.object({
  section: z.record(z.string(), z.unknown()).optional(),
  secrets: z.record(z.string(), z.string().max(10_000)).optional().describe('key path inside the section → value typed, e.g. { "secret": "…" }'),
});
export type ConnectionTestBody = z.infer<typeof connectionTestBodySchema>;

/** What went wrong, in plain words: which setting, what happened, how to fix it. */
export const connectionFailureSchema = z.object({
  kind: z.enum(['config', 'unreachable', 'certificate', 'wrong_secret', 'wrong_password', 'permission', 'timeout', 'other']),
  setting: z.string().nullable().describe('the key path to change, e.g. pim.secret'),
  message: z.string(),
  fix: z.string(),
});
export type ConnectionFailure = z.infer<typeof connectionFailureSchema>;

export const pimTestResultSchema = z.object({
  ok: z.boolean(),
  durationMs: z.number(),
  /** Plain sentences, one per fact (version, edition, endpoints, rate budget, counts). */
  lines: z.array(z.string()),
  details: z
    .object({
      version: z.string(),
      edition: z.string(),
      endpointMode: z.enum(['uuid', 'identifier']),
      auth: z.enum(['connection', 'app']),
      rateBudget: z.object({ concurrency: z.number(), requestsPerSecond: z.number(), optionWritesPerSecond: z.number(), maxRetries: z.number() }),
      counts: z.record(z.string(), z.number()),
      activeLocaleCodes: z.array(z.string()),
    })
    .nullable(),
  failure: connectionFailureSchema.nullable(),
});
export type PimTestResult = z.infer<typeof pimTestResultSchema>;

export const erpTestResultSchema = z.object({
  ok: z.boolean(),
  durationMs: z.number(),
  reachable: z.boolean(),
  authenticated: z.boolean(),
  lines: z.array(z.string()),
  streams: z.array(z.object({ name: z.string(), records: z.number().nullable() })),
  failure: connectionFailureSchema.nullable(),
});
export type ErpTestResult = z.infer<typeof erpTestResultSchema>;

// --- first-run setup (issue 15) ---------------------------------------------------------------

export const WIZARD_STEPS = ['admin', 'pim', 'erp', 'mapping', 'bootstrap', 'dryRun', 'firstRun', 'schedule', 'notifications', 'done'] as const;
export const wizardStepSchema = z.enum(WIZARD_STEPS);
export type WizardStep = z.infer<typeof wizardStepSchema>;

/** GET /setup (public): whether the first admin is still to be created and where the wizard stands. */
export const setupStatusSchema = z.object({
  needsAdmin: z.boolean(),
  configExists: z.boolean(),
  /** The wizard's saved position (null once finished or never started). */
  step: wizardStepSchema.nullable(),
  completed: z.array(wizardStepSchema),
});
export type SetupStatus = z.infer<typeof setupStatusSchema>;

/** POST /setup/admin: the one-time token printed by `ferry serve` proves access to the server's terminal. */
export const setupAdminBodySchema = z.object({
  token: z.string().min(1).max(200),
  name: z.string().min(1).max(100),
  password: z.string().min(10).max(1000),
});
/** PUT /setup/step: the wizard's position, so it can be left and resumed. */
export const setupStepBodySchema = z.object({ step: wizardStepSchema, completed: z.array(wizardStepSchema).optional(), data: z.record(z.string(), z.unknown()).optional() });

/** GET /setup/presets: the mapping presets a wizard offers (identity is always possible). */
export const setupPresetsSchema = z.object({ presets: z.array(z.string()) });
/** POST /setup/preview: a few ERP items mapped with a candidate `mapping:` (nothing written), as `ferry map --sample` shows them. */
export const setupPreviewBodySchema = z.object({ mapping: z.record(z.string(), z.unknown()), sample: z.number().int().min(1).max(50).default(5) });
export const setupPreviewSchema = z.object({
  items: z.number().int(),
  entities: z.array(z.object({ kind: z.string(), code: z.string(), family: z.string().nullable(), parent: z.string().nullable(), values: z.unknown() })),
  errors: z.array(z.object({ record: z.string(), attribute: z.string().nullable(), message: z.string(), fix: z.string() })),
  /** Attributes and families the mapping writes to that the PIM lacks yet: the bootstrap step creates them (not errors at this stage). */
  toCreate: z.array(z.string()),
});
export type SetupPreview = z.infer<typeof setupPreviewSchema>;

// --- mapping editor and bootstrap (issue 15 points 3–4): their own file, re-exported here ----
export * from './mapping-contract.js';
