/**
 * A queued run whose plan cannot even start (the ERP cannot be opened) on its last attempt still
 * settles: the run ends failed with the reason, its lock is released, so the next run can start.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { openJobQueue, startWorker } from '../../src/app/jobs.js';
import { ferryConfigSchema } from '../../src/config/schema.js';
import { createLogger } from '../../src/logging.js';
import { pgProblem, serviceGate } from '../erp/sql/databases.js';
import { tempDirs } from '../sync/support/e2e.js';
import { dropSchemas, setUp, uniqueSchema } from './support.js';

const enabled = serviceGate('PostgreSQL (127.0.0.1:5432)', await pgProblem());
const tempDir = tempDirs('ferry-failed-plan-e2e-');
const schemas: string[] = [];
afterAll(async () => {
  if (enabled) await dropSchemas(...schemas);
});

describe.runIf(enabled)('a queued run whose plan fails for good', () => {
  it('settles failed with the reason and releases the lock', async () => {
    const dir = tempDir();
    const schema = uniqueSchema('ferry_fail');
    schemas.push(schema);
    const { sb, raw } = await setUp(dir, { items: 20, schema, latency: '0ms', jobs: { retryLimit: 0 } });
    // The demo ERP's "file" is a folder: the source cannot be opened.
    const config = ferryConfigSchema.parse({ ...raw, erp: { type: 'demo', path: dir, items: 20 } });
    const logger = createLogger({ level: 'silent' });
    const jobs = await openJobQueue(config, logger);
    const worker = await startWorker(config, { concurrency: 1, logger });
    try {
      const { runId } = await jobs.enqueueRun({ full: true });
      const report = await jobs.waitForRun(runId);
      expect(report.status).toBe('failed');
      expect(report.error).toMatch(/^before reading the ERP: .+/);
      // The lock is free: the next run is accepted (and fails the same way).
      const next = await jobs.enqueueRun({ full: true });
      expect(next.runId).toBe(runId + 1);
      expect((await jobs.waitForRun(next.runId)).status).toBe('failed');
    } finally {
      await worker.close();
      await jobs.close();
      await sb.close();
    }
  }, 90_000);
});
