/**
 * Workers are woken when a job is sent (PostgreSQL NOTIFY on the queue's database): pg-boss 10
 * only polls, so without it an idle worker took a run's plan, its shards and its settle each at
 * its next poll (jobs.pollSeconds). Two queue objects, as two processes: one sends, one works.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { JobQueue, QUEUES, type RunJob } from '../../src/jobs/queue.js';
import { dropSchemas, PG_URL, uniqueSchema } from './support.js';

const schema = uniqueSchema('ferry_wake');
const settings = (pollSeconds: number) => ({ url: PG_URL, schema, shardExpireSeconds: 60, retryLimit: 0, maintenanceSeconds: 60, pollSeconds });

afterAll(() => dropSchemas(schema));

describe('job queue wake-ups', () => {
  it('an idle worker polling every 30 s takes a plan, its shards and its settle as soon as they are sent', async () => {
    const worker = await JobQueue.open(settings(30));
    const sender = await JobQueue.open(settings(30));
    try {
      const taken: { queue: string; ms: number }[] = [];
      let sentAt = 0;
      const took = (queue: string) => async () => void taken.push({ queue, ms: Date.now() - sentAt });
      await worker.work<RunJob>(QUEUES.plan, 1, took('plan'));
      await worker.work<RunJob>(QUEUES.shard, 2, took('shard'));
      await worker.work<RunJob>(QUEUES.settle, 1, took('settle'));
      // The workers' first polls found nothing: they sleep 30 s now.
      await new Promise((r) => setTimeout(r, 500));

      const until = async (n: number) => {
        const deadline = Date.now() + 10_000;
        while (taken.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      };
      sentAt = Date.now();
      await sender.enqueueRun({ runId: 1, lockName: 'l', owner: 'queue:test', options: {} });
      await until(1);
      sentAt = Date.now();
      await sender.planned(1, [['a'], ['b']], {});
      await until(3);
      // The plan's and both shards' reports: the last sends the settle.
      for (const part of [0, 1]) await sender.partDone(1, part, 'succeeded', {});
      sentAt = Date.now();
      await sender.partDone(1, 2, 'succeeded', {});
      await until(4);

      expect(taken.map((t) => t.queue).sort()).toEqual(['plan', 'settle', 'shard', 'shard']);
      // At once, not at the next poll 30 s later.
      for (const t of taken) expect(t.ms, t.queue).toBeLessThan(5_000);
    } finally {
      await sender.close(1_000);
      await worker.close(1_000);
    }
  });

  it('a worker that finished a job takes the next at once, not after its poll interval', async () => {
    const worker = await JobQueue.open(settings(30));
    const sender = await JobQueue.open(settings(30));
    try {
      const done: number[] = [];
      await worker.work<RunJob>(QUEUES.shard, 1, async () => void done.push(Date.now()));
      await new Promise((r) => setTimeout(r, 500));
      const sentAt = Date.now();
      // Five short shards for one slot: the wake-up brings the first, each end the next.
      await sender.enqueueRun({ runId: 2, lockName: 'l', owner: 'queue:test', options: {} });
      await sender.planned(2, [['a'], ['b'], ['c'], ['d'], ['e']], {});
      const deadline = Date.now() + 10_000;
      while (done.length < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(done).toHaveLength(5);
      expect(done[4]! - sentAt).toBeLessThan(5_000);
    } finally {
      await sender.close(1_000);
      await worker.close(1_000);
    }
  });
});
