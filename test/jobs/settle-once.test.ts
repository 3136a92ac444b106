/**
 * A run's settle is sent once, however its last parts finish: it runs the EE deletion policy, and
 * a second settle running beside the first deleted the same assets again, answered 404, and its
 * report ("failed 2") replaced the first's. pg-boss's singleton key did not prevent it (on a
 * standard queue it keeps nothing unique).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { JobQueue, QUEUES, type RunJob } from '../../src/jobs/queue.js';
import { dropSchemas, PG_URL, uniqueSchema } from './support.js';

const schema = uniqueSchema('ferry_settle_once');
const settings = { url: PG_URL, schema, shardExpireSeconds: 60, retryLimit: 0, maintenanceSeconds: 60, pollSeconds: 0.5 };

afterAll(() => dropSchemas(schema));

describe('the settle of a queued run', () => {
  it('is sent once when the last shards of two processes finish together, and not again when a part is stored twice', async () => {
    // Three queue objects, as three worker processes, each with its own pool.
    const queues = await Promise.all([JobQueue.open(settings), JobQueue.open(settings), JobQueue.open(settings)]);
    try {
      const [a, b, c] = queues as [JobQueue, JobQueue, JobQueue];
      const settles: number[] = [];
      await a.work<RunJob>(QUEUES.settle, 4, async (job) => void settles.push(job.data.runId));

      for (const runId of [1, 2, 3, 4, 5]) {
        await a.enqueueRun({ runId, lockName: `l${runId}`, owner: 'queue:test', options: {} });
        await a.planned(runId, [['a'], ['b'], ['c'], ['d'], ['e'], ['f']], {});
        await a.partDone(runId, 0, 'succeeded', {});
      }
      // Every run's six shards end at once, spread over the three processes.
      await Promise.all(
        [1, 2, 3, 4, 5].flatMap((runId) => [1, 2, 3, 4, 5, 6].map((part) => [a, b, c][part % 3]!.partDone(runId, part, 'succeeded', { part }))),
      );
      // A shard retried after its first attempt was thought lost stores its report again.
      await b.partDone(3, 4, 'succeeded', { part: 4, again: true });

      const deadline = Date.now() + 10_000;
      while (settles.length < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 1_500));
      expect(settles.sort()).toEqual([1, 2, 3, 4, 5]);
    } finally {
      await Promise.all(queues.map((q) => q.close(1_000)));
    }
  }, 30_000);

  it('is not sent while a part is missing', async () => {
    const q = await JobQueue.open(settings);
    try {
      const settles: number[] = [];
      await q.work<RunJob>(QUEUES.settle, 1, async (job) => void settles.push(job.data.runId));
      await q.enqueueRun({ runId: 9, lockName: 'l9', owner: 'queue:test', options: {} });
      await q.planned(9, [['a'], ['b']], {});
      await Promise.all([q.partDone(9, 0, 'succeeded', {}), q.partDone(9, 1, 'succeeded', {})]);
      await new Promise((r) => setTimeout(r, 1_500));
      expect(settles).toEqual([]);
      await q.partDone(9, 2, 'failed', {});
      const deadline = Date.now() + 10_000;
      while (settles.length < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(settles).toEqual([9]);
    } finally {
      await q.close(1_000);
    }
  }, 30_000);
});
