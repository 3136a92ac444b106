/**
 * A shard's retry counts what its stopped (or killed) attempt wrote as this run wrote it: the
 * attempt's committed batches leave their records' hashes in the state, so the retry finds them
 * unchanged; the queue keeps what each batch created or updated (ShardHooks.onWritten,
 * writtenLog, JobQueue.recordWritten) and the retry counts those records created or updated. Before, a record
 * the first attempt *updated* was counted unchanged.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createdEarlier, writtenLog } from '../../src/app/queued-parts.js';
import { runSync } from '../../src/app/run-sync.js';
import { JobQueue } from '../../src/jobs/queue.js';
import { createLogger } from '../../src/logging.js';
import { openStateStore } from '../../src/sync/index.js';
import { bootstrappedDemo } from '../sync/support/demo-pim.js';
import { tempDirs } from '../sync/support/e2e.js';
import { clientFor } from '../sync/support/pim.js';
import { dropSchemas, PG_URL, uniqueSchema } from './support.js';

const silent = createLogger({ level: 'silent' });
const tempDir = tempDirs('ferry-shard-retry-');
const schema = uniqueSchema('ferry_shard_retry');

afterAll(() => dropSchemas(schema));

describe('a shard retried after its attempt wrote part of its records', () => {
  it('counts the records the stopped attempt updated as updated, and the run as one uninterrupted shard would', async () => {
    const dir = tempDir();
    const { sb, config, admin } = await bootstrappedDemo(dir, { items: 1500, seed: 11 });
    const queue = await JobQueue.open({ url: PG_URL, schema, shardExpireSeconds: 60, retryLimit: 0, maintenanceSeconds: 60, pollSeconds: 30 });
    const state = await openStateStore(config.state);
    try {
      const first = await runSync(config, { logger: silent, full: true, client: admin, state });
      expect(first.status).toBe('succeeded');
      // Every item's EAN changes in the ERP: each product is updated, its models are not.
      const erp = new Database(join(dir, 'demo-erp.sqlite'));
      const changed = erp.prepare("UPDATE items SET ean = ean || '7', updated_at = ? WHERE ean IS NOT NULL AND archived = 0").run(new Date(Date.now() + 60_000).toISOString().slice(0, 19).replace('T', ' ')).changes;
      erp.close();
      expect(changed).toBeGreaterThan(100);

      const runId = await state.startRun('full', { queued: true }, 'test');
      let groups: string[][] = [];
      const plan = await runSync(config, { logger: silent, full: true, client: admin, state, part: { role: 'plan', runId, onPlan: async (p) => void (groups = p.groups.map((g) => g.items)) } });
      expect(plan.status).toBe('succeeded');
      const keys = groups.flat();

      // Attempt 1 stops once its first batch is committed (as at its lease, or killed just after).
      const stop = new AbortController();
      let batches = 0;
      const attempt = async (retry: boolean) => {
        const client = clientFor(sb);
        const written = writtenLog(queue, runId, 1);
        try {
          return await runSync(config, {
            logger: silent,
            keys,
            client,
            state,
            ...(retry ? {} : { signal: stop.signal }),
            part: {
              role: 'shard',
              runId,
              createdEarlier: createdEarlier(queue, state, runId, 1, retry),
              onWritten: (records) => {
                written.add(records);
                if (!retry && ++batches === 1) stop.abort('stopped at its lease');
              },
            },
          });
        } finally {
          // As the shard job does before its report is stored.
          await written.flush();
          await client.close();
        }
      };
      const stopped = await attempt(false);
      expect(stopped.status).toBe('interrupted');
      expect(stopped.byType.product.updated).toBeGreaterThan(0);
      expect(stopped.byType.product.updated).toBeLessThan(changed);

      const retried = await attempt(true);
      expect(retried.status, JSON.stringify(retried.rejects.slice(0, 3))).toBe('succeeded');
      // What one shard run to its end counts: every changed product updated, none unchanged.
      expect(retried.byType.product).toMatchObject({ updated: changed, unchanged: retried.byType.product.read - changed - retried.byType.product.skipped });
      expect(retried.byType.product.created).toBe(0);
      // The retry wrote only what the stopped attempt had not.
      expect(retried.requests.writes).toBeLessThan(first.requests.writes);
    } finally {
      await state.close();
      await queue.close(1_000);
      await admin.close();
      await sb.close();
    }
  }, 120_000);
});
