/** The `state:` and `sync:` sections of ferry.yaml. */
import { z } from 'zod';

export const stateConfigSchema = z
  .object({
    driver: z.enum(['sqlite']).default('sqlite').describe('State store driver (SQLite today; the port allows others).'),
    path: z.string().default('./data/ferry.db').describe('SQLite file for state, watermarks, runs and rejects (relative to the config file).'),
  })
  .strict();

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
