/**
 * The PIM killed for good in the middle of a run (the sandbox closed): the run fails within
 * sync.pimUnreachableSeconds with a report that says the PIM stopped answering and since when,
 * instead of rejecting records one by one as "connection refused".
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ferryConfigSchema } from '../../src/config/schema.js';
import { createErpSource } from '../../src/erp/factory.js';
import { createLogger } from '../../src/logging.js';
import { startSandbox } from '../../src/sandbox/index.js';
import { runSync } from '../../src/app/run-sync.js';
import { bootstrapPim } from '../../src/sync/bootstrap.js';
import { checkCounts, sandboxPimConfig, tempDirs } from './support/e2e.js';
import { clientFor } from './support/pim.js';

const silent = createLogger({ level: 'silent' });
const tempDir = tempDirs('ferry-pim-down-');

describe('a PIM that dies mid-run', () => {
  it('fails the run (status failed, report says since when) within the configured time, rejecting nothing', async () => {
    const sb = await startSandbox({ catalog: 'demo', latency: '20ms+1ms/line' });
    const dir = tempDir();
    const config = ferryConfigSchema.parse({
      pim: sandboxPimConfig(sb, { timeoutMs: 2000, limits: { maxRetries: 1 } }),
      erp: { type: 'demo', path: join(dir, 'demo-erp.sqlite'), items: 1200, seed: 3 },
      mapping: { preset: 'demo' },
      state: { path: join(dir, 'ferry.db') },
      sync: { pimUnreachableSeconds: 3 },
    });
    const client = clientFor(sb);
    const source = createErpSource(config.erp);
    await bootstrapPim(client, config.mapping, source);
    await source.close();
    await client.close();

    let killedAt = 0;
    const watcher = setInterval(() => {
      if (!killedAt && (sb.stats().products ?? 0) >= 500) {
        killedAt = Date.now();
        void sb.close();
      }
    }, 10);
    try {
      const report = await runSync(config, { logger: silent });
      checkCounts(report);
      expect(killedAt).toBeGreaterThan(0);
      expect(report.status).toBe('failed');
      expect(report.counts.rejected).toBe(0);
      expect(report.error).toMatch(/the PIM stopped answering at \S+ and gave no answer for 3 s/);
      expect(Date.parse(report.pimUnreachable!.since)).toBeGreaterThanOrEqual(killedAt - 1000);
      // Failed within the limit plus the time the requests on the wire take to give up.
      expect(Date.parse(report.finishedAt) - killedAt).toBeLessThan(20_000);
      expect(report.byType.product.created).toBeGreaterThan(0);
    } finally {
      clearInterval(watcher);
      await sb.close();
    }
  }, 120_000);
});
