/**
 * `ferry sync`'s own path with `pim.connections` and `pim.limits.shared`: the composition root
 * (src/app/run-sync.ts) builds the client with the PostgreSQL budget, the run spreads its batches
 * over three Connections within the SaaS limits the sandbox enforces, and leaves no lease behind.
 */
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { runSync } from '../../src/app/run-sync.js';
import { ferryConfigSchema } from '../../src/config/schema.js';
import { createErpSource } from '../../src/erp/factory.js';
import { createLogger } from '../../src/logging.js';
import { startSandbox } from '../../src/sandbox/index.js';
import { bootstrapPim } from '../../src/sync/bootstrap.js';
import { budgetDatabase } from './database.js';
import { tempDirs } from '../sync/support/e2e.js';
import { clientFor, pimSnapshot } from '../sync/support/pim.js';

const budgetDb = await budgetDatabase();
const enabled = budgetDb.enabled;
const tempDir = tempDirs('ferry-budget-e2e-');

describe.runIf(enabled)('a sync run with several connections and the shared budget', () => {
  it('spreads over 3 connections within 4 each and 10 in all, no 429, every product written, no lease left', async () => {
    const sb = await startSandbox({ catalog: 'demo', limits: 'saas', latency: '30ms+1ms/line', connections: 3 });
    const dir = tempDir();
    try {
      const config = ferryConfigSchema.parse({
        pim: { url: sb.url, connections: sb.connections, timeoutMs: 10_000, limits: { shared: { url: budgetDb.url(), leaseMs: 5000 } } },
        erp: { type: 'demo', path: join(dir, 'demo-erp.sqlite'), items: 2000, seed: 3 },
        mapping: { preset: 'demo' },
        state: { path: join(dir, 'ferry.db') },
        sync: { batchesInFlight: 16 },
      });
      const client = clientFor(sb);
      const source = createErpSource(config.erp);
      await bootstrapPim(client, config.mapping, source);
      await source.close();
      const report = await runSync(config, { logger: createLogger({ level: 'silent' }), full: true });
      expect(report.status, JSON.stringify(report.rejects.slice(0, 3))).toBe('succeeded');
      const stats = sb.stats();
      expect(stats.throttled429).toBe(0);
      expect(stats.peakConcurrent.instance).toBeLessThanOrEqual(10);
      for (const peak of Object.values(stats.peakConcurrent.perConnection)) expect(peak).toBeLessThanOrEqual(4);
      // The three connections each carried part of the run's calls.
      for (const id of ['ferry-2', 'ferry-3']) expect(stats.requestsPerConnection[id] ?? 0).toBeGreaterThan(5);
      const snap = await pimSnapshot(client);
      await client.close();
      expect(report.byType.product.created).toBe(snap.productCount);
      const c = new pg.Client({ connectionString: budgetDb.url() });
      await c.connect();
      const left = await c.query<{ n: string }>('select count(*) as n from ferry_budget_lease');
      await c.end();
      expect(Number(left.rows[0]!.n)).toBe(0);
    } finally {
      await sb.close();
    }
  }, 180_000);
});
