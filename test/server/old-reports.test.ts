/**
 * Run reports stored by an earlier Ferry stay readable in the Console. Reports written before
 * `disabled` was counted apart from `deleted` lack the key; the API checks what it sends against
 * its schemas, so without an upgrade on read the dashboard, the runs list and the run page of
 * such a state file answered 500 (found by bench:console, whose synthetic reports have the old shape).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { dashboardSchema, runDetailSchema, runsPageSchema } from '../../src/server/api/contract.js';
import { openStateStore } from '../../src/sync/index.js';
import { tempDirs } from '../sync/support/e2e.js';
import { startTestConsole, type TestConsole } from './support.js';

const tempDir = tempDirs('ferry-console-old-reports-');
let tc: TestConsole | undefined;
afterAll(async () => {
  await tc?.close();
});

/** The counts of a report as Ferry wrote them before `disabled` existed. */
const oldCounts = { read: 12, created: 3, updated: 2, unchanged: 4, rejected: 0, skipped: 1, deleted: 2 };

describe('reports stored before counts.disabled', () => {
  it('are served by the dashboard, the runs list and the run page, with disabled 0 and deleted as stored', async () => {
    tc = await startTestConsole(tempDir());
    const state = await openStateStore(tc.config.state);
    let runId: number;
    try {
      runId = await state.startRun('full', { full: true });
      await state.finishRun(runId, 'succeeded', {
        runId,
        mode: 'full',
        status: 'succeeded',
        dryRun: false,
        startedAt: new Date(Date.now() - 5000).toISOString(),
        finishedAt: new Date().toISOString(),
        durationMs: 5000,
        counts: oldCounts,
        byType: { product: oldCounts },
        requests: { total: 5, writes: 3, retried: 0, throttled: 0 },
        batches: {},
        rejects: [],
        warnings: [],
        warningsTotal: 0,
        deletions: { policy: 'disable', gone: 2, applied: 2, failed: 0 },
        watermarks: { before: {}, after: {} },
      });
    } finally {
      await state.close();
    }
    const get = (url: string) => tc!.server.app.inject({ method: 'GET', url, headers: tc!.as.viewer.headers });

    const dashboard = await get('/api/v1/dashboard');
    expect(dashboard.statusCode, dashboard.body).toBe(200);
    dashboardSchema.parse(dashboard.json());

    const runs = await get('/api/v1/runs');
    expect(runs.statusCode, runs.body).toBe(200);
    const listed = runsPageSchema.parse(runs.json()).items.find((r) => r.id === runId);
    expect(listed?.counts).toEqual({ ...oldCounts, disabled: 0 });

    const detail = await get(`/api/v1/runs/${runId}`);
    expect(detail.statusCode, detail.body).toBe(200);
    const body = runDetailSchema.parse(detail.json());
    expect(body.report?.byType.product).toEqual({ ...oldCounts, disabled: 0 });
  }, 120_000);
});
