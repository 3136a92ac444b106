/** The `state:` and `sync:` sections of ferry.yaml. */
import { z } from 'zod';

const POSTGRES_URL = /^postgres(ql)?:\/\//;

export const stateConfigSchema = z
  .object({
    driver: z
      .enum(['sqlite', 'postgres'])
      .optional()
      .describe('State store driver: sqlite (the default, one file) or postgres (implied by state.url).'),
    path: z
      .string()
      .default('./data/ferry.db')
      .describe(
        'SQLite file for state, watermarks, runs and rejects (relative to the config file). Unused with a PostgreSQL state (state.url).',
      ),
    url: z
      .string()
      .regex(POSTGRES_URL, 'state.url must be a PostgreSQL connection URL: postgres://user:password@host:5432/database')
      .optional()
      .describe('PostgreSQL connection URL (postgres://user:password@host:5432/database): keeps the state in PostgreSQL instead of the SQLite file.'),
    schema: z
      .string()
      .regex(/^[a-z_][a-z0-9_]*$/, 'state.schema must be a lower-case SQL identifier (letters, digits, _), e.g. ferry')
      .optional()
      .describe('PostgreSQL schema holding Ferry\'s tables (default: public); created when missing. Several Ferry connections can share one database with one schema each.'),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.driver === 'postgres' && s.url === undefined) {
      ctx.addIssue({ code: 'custom', path: ['url'], message: 'state.driver postgres needs state.url (postgres://user:password@host:5432/database).' });
    }
    if (s.driver === 'sqlite' && s.url !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['driver'], message: 'state.driver sqlite with a state.url: remove state.url, or set driver: postgres (or leave driver out).' });
    }
  })
  // A url alone selects PostgreSQL; nothing selects SQLite, the embedded default.
  .transform((s) => ({ ...s, driver: s.driver ?? (s.url !== undefined ? ('postgres' as const) : ('sqlite' as const)) }));

export const syncConfigSchema = z
  .object({
    deletion: z
      .enum(['ignore', 'disable', 'uncategorize', 'delete'])
      .default('disable')
      .describe('What to do in the PIM with an item gone from the ERP (full run) or archived there.'),
    updateOnly: z.boolean().default(false).describe('Never create new products or models; update those the PIM has (looked up by code when Ferry has not synced them), ERP-owned values only.'),
    lockTimeoutSeconds: z
      .number()
      .int()
      .min(10)
      .default(120)
      .describe('A run whose heartbeat is older than this is considered dead and its lock is taken over (a dead process on this host is detected at once).'),
    lockDir: z
      .string()
      .optional()
      .describe(
        'Directory of the connection locks (one sync per PIM URL + client id, whatever the state file). Default: $FERRY_LOCK_DIR, else <temp dir>/ferry-locks-<uid>. Point runs of several users or hosts at one local directory to share the lock.',
      ),
    lockWaitSeconds: z
      .number()
      .int()
      .min(0)
      .default(10_800)
      .describe(
        "How long a run waits for another tenant's run on the same PIM connection (PIM URL + client id, another state) to end before it fails, naming that tenant. Runs of several tenants queue in the order they came; 0: refuse at once. A second run of the same state is always refused (no queue of duplicates).",
      ),
    pimUnreachableSeconds: z
      .number()
      .int()
      .min(1)
      .default(180)
      .describe(
        'The PIM giving no answer at all (connection refused, reset, timeouts) for this long fails the run (exit 1, status failed, the report says since when); until then the lines are retried, never rejected.',
      ),
    droppedValuesExitCode: z
      .union([z.literal(2), z.literal(0)])
      .default(2)
      .describe('Exit code of a run that otherwise succeeded but sent records without some of their values (dropped with a warning: unknown unit, too long, …): 2 (default) or 0.'),
    batchesInFlight: z
      .number()
      .int()
      .min(1)
      .max(32)
      .default(8)
      .describe('Write batches queued at once; the client rate governor sends as many as pim.limits.concurrency allows. Above the concurrency so no slot idles.'),
    mediaRoot: z.string().optional().describe('Folder that relative ERP media paths (images, files) are resolved against (default: the directory of the config file; a relative path is relative to the config file).'),
    mediaAllowAbsolute: z
      .boolean()
      .default(false)
      .describe('Allow absolute media paths from the ERP (read wherever the process can read). Off by default: a path must stay inside sync.mediaRoot, symbolic links included.'),
    mediaMaxBytes: z
      .number()
      .int()
      .min(1)
      .default(50 * 1024 * 1024)
      .describe('Largest media file or download, in bytes (default 50 MB); a download is stopped as soon as it passes this.'),
    mediaHosts: z
      .array(z.string().min(1))
      .default([])
      .describe('Image hosts that may be internal (loopback, private, link-local addresses), as "host" or "host:port". Other internal addresses are refused; public hosts are always allowed.'),
    mediaUrls: z
      .enum(['revalidate', 'trust'])
      .default('revalidate')
      .describe(
        'Media given as http(s) URLs: revalidate = ask the server on every run that maps the record whether the content changed (If-None-Match / If-Modified-Since; a 304 costs no download), trust = an address once uploaded is never fetched again.',
      ),
  })
  .strict();

export type StateConfig = z.infer<typeof stateConfigSchema>;
