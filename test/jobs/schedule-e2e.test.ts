/**
 * Schedules in the queue: an every-minute schedule with three `ferry worker` processes fires once
 * per occurrence (one job, one run), and the run it queues is worked on and settled.
 */
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openJobQueue } from '../../src/app/jobs.js';
import { createLogger } from '../../src/logging.js';
import { pgProblem, serviceGate } from '../erp/sql/databases.js';
import { tempDirs } from '../sync/support/e2e.js';
import { dropSchemas, PG_URL, setUp, spawnFerry, stopAll, uniqueSchema } from './support.js';

const enabled = serviceGate('PostgreSQL (127.0.0.1:5432)', await pgProblem());
const tempDir = tempDirs('ferry-schedule-e2e-');
const schemas: string[] = [];
afterAll(async () => {
  if (enabled) await dropSchemas(...schemas);
});

describe.runIf(enabled)('a schedule in the queue', () => {
  it('fires once per occurrence with three workers running, and its run settles', async () => {
    const dir = tempDir();
    const schema = uniqueSchema('ferry_sched');
    schemas.push(schema);
    const { sb, config, file } = await setUp(dir, { items: 40, schema, latency: '0ms' });
    const logger = createLogger({ level: 'silent' });
    const jobs = await openJobQueue(config, logger);
    const db = new pg.Client({ connectionString: PG_URL });
    await db.connect();
    const workers = [1, 2, 3].map(() => spawnFerry(['worker', '--config', file], dir));
    try {
      await jobs.schedule('every-minute', '* * * * *', 'Europe/Paris', { full: true });
      const fired = async () =>
        (
          await db.query<{ minute: Date; n: string }>(
            `SELECT date_trunc('minute', created_on) AS minute, count(*) AS n FROM "${schema}_jobs".job WHERE name = 'ferry-schedule.every-minute' GROUP BY 1 ORDER BY 1`,
          )
        ).rows;
      // The next minute starts within 60 s; a worker's cron check (every 10 s) sends it.
      const deadline = Date.now() + 85_000;
      while ((await fired()).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
      const first = await fired();
      expect(first.length, 'the schedule never fired').toBe(1);
      // Three workers each check the clock every 10 s: later checks must not fire the same minute again.
      await new Promise((r) => setTimeout(r, 12_000));
      const rows = await fired();
      expect(rows.filter((r) => r.minute.getTime() === first[0]!.minute.getTime()).map((r) => Number(r.n))).toEqual([1]);
      // The occurrence queued one run, which the workers settle.
      const runs = await db.query<{ run_id: number }>(`SELECT run_id FROM "${schema}".ferry_job_run ORDER BY run_id`);
      expect(runs.rows.length).toBe(rows.length);
      const report = await jobs.waitForRun(runs.rows[0]!.run_id);
      expect(report.status).toBe('succeeded');
      expect(report.byType.product.created).toBeGreaterThan(0);
      await jobs.unschedule('every-minute');
    } finally {
      await stopAll(workers);
      await db.end();
      await jobs.close();
      await sb.close();
    }
  }, 150_000);
});
