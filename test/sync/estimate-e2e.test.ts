/**
 * The estimate against an actual first import: the demo ERP → the sandbox. The requests the
 * estimate names must be within ±25% of the requests the sandbox counted (GET /_sandbox/stats),
 * and the run's duration inside a sane band of the estimated range.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ferryConfigSchema } from '../../src/config/schema.js';
import { createErpSource } from '../../src/erp/factory.js';
import { startSandbox } from '../../src/sandbox/index.js';
import { runSync } from '../../src/sync/index.js';
import { createLogger } from '../../src/logging.js';
import { bootstrapPim } from '../../src/sync/bootstrap.js';
import { estimateFirstImport } from '../../src/app/estimate.js';
import { sandboxPimConfig, tempDirs } from './support/e2e.js';
import { clientFor } from './support/pim.js';

const silent = createLogger({ level: 'silent' });
const tempDir = tempDirs('ferry-estimate-e2e-');

describe('ferry estimate against an actual first import', () => {
  it('estimates the requests of a demo first import within ±25% of what the sandbox counted', async () => {
    // A PIM with SaaS limits that answers as a remote one does: the estimate's duration model has something to measure.
    const sb = await startSandbox({ catalog: 'demo', limits: 'saas', latency: '100ms+2ms/line' });
    const dir = tempDir();
    try {
      const config = ferryConfigSchema.parse({
        pim: sandboxPimConfig(sb),
        erp: { type: 'demo', path: join(dir, 'demo-erp.sqlite'), items: 1500, seed: 7 },
        mapping: { preset: 'demo' },
        state: { path: join(dir, 'ferry.db') },
      });
      const base = clientFor(sb);
      const source = createErpSource(config.erp);
      try {
        await bootstrapPim(base, config.mapping, source);
        const report = await estimateFirstImport(config, { source });
        const before = sb.stats();
        const started = performance.now();
        const run = await runSync(config, { source, logger: silent, full: true });
        const seconds = (performance.now() - started) / 1000;
        const after = sb.stats();
        const made = after.totalRequests - before.totalRequests;
        const byRoute: Record<string, number> = {};
        for (const [route, statuses] of Object.entries(after.requests)) {
          const n = Object.values(statuses).reduce((a, b) => a + b, 0) - Object.values(before.requests[route] ?? {}).reduce((a, b) => a + b, 0);
          if (n > 0) byRoute[route] = n;
        }
        const e = report.estimate;
        const summary = JSON.stringify({ estimated: e.requests, made, byRoute, seconds, durationSeconds: e.durationSeconds, roundTripMs: report.pim.roundTripMs });
        console.log(summary);
        expect(run.status).toBe('succeeded');
        expect(report.erp.counts).toMatchObject({ items: 1500, groups: 296, categories: 24 });
        expect(e.entities.products).toBe(1500);
        // The measured round trip is the sandbox's 100 ms (plus this machine's overhead), not a guess.
        expect(report.pim.roundTripMs).toBeGreaterThanOrEqual(100);
        expect(Math.abs(e.requests.total - made) / made, summary).toBeLessThanOrEqual(0.25);
        // The actual run lands within the range, widened for a loaded machine (the likely bound assumes 0.6 of the ceiling).
        expect(seconds, summary).toBeGreaterThanOrEqual(e.durationSeconds.best * 0.5);
        expect(seconds, summary).toBeLessThanOrEqual(e.durationSeconds.likely * 2);
      } finally {
        await source.close();
        await base.close();
      }
    } finally {
      await sb.close();
    }
  }, 300_000);
});
