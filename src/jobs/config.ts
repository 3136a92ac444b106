/** The `jobs:` section of ferry.yaml: runs spread over `ferry worker` processes (docs/operations.md, "Workers"). */
import { z } from 'zod';

export const jobsConfigSchema = z
  .object({
    workers: z
      .boolean()
      .default(false)
      .describe(
        'Run syncs through the job queue on the PostgreSQL state (state.url): `ferry sync` enqueues the run and waits, `ferry worker` processes run it in shards. ' +
          'Off by default even with a PostgreSQL state: with no worker running, a queued run would wait for ever.',
      ),
    shardItems: z
      .int()
      .min(1)
      .default(5000)
      .describe(
        'ERP items per shard at most (a product model with its variants is never split, so a shard may hold more). The first shards of a run take a quarter, so the workers write sooner; the last ones are smaller, down to a fifth, so the workers finish together. Smaller shards end more often with half-empty batches; larger ones make a shard retried after a dead worker longer.',
      ),
    shardExpireSeconds: z
      .int()
      .min(10)
      .default(900)
      .describe(
        'A shard not finished after this long is taken over by another worker (its worker died). The worker itself stops a shard at 90% of it, so two never run the same shard.',
      ),
    retryLimit: z.int().min(0).default(5).describe('Attempts after the first for a plan, shard or settle job that failed or whose worker died.'),
    maintenanceSeconds: z.int().min(1).default(30).describe('How often a worker looks for jobs whose worker died (expired) and hands them to another.'),
    pollSeconds: z.number().min(0.5).default(2).describe('How often an idle worker asks the queue for work.'),
  })
  .strict();
