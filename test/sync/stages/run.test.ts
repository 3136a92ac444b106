import { describe, expect, it } from 'vitest';
import { SyncInterruptedError } from '../../../src/sync/stages/errors.js';
import { SyncRun } from '../../../src/sync/stages/run.js';
import { stageWorld } from './support.js';

describe('run stage', () => {
  it('takes the lock and a run row, moves the watermarks of a delta that settled, stores the report, releases the lock', async () => {
    const w = await stageWorld({ heartbeatMs: 20 });
    await w.state.setWatermark('items', '2026-01-01T00:00:00.000Z');
    const run = await SyncRun.open(w.deps, w.ctx.opts);
    expect(run.mode).toBe('delta');
    expect(run.scope).toEqual({ mode: 'delta', since: '2026-01-01T00:00:00.000Z', groupSince: '2026-01-01T00:00:00.000Z', categorySince: undefined });
    await run.begin();
    expect(run.ctx.runId).not.toBeNull();
    // Another run on the same lock waits for this one.
    const other = await SyncRun.open(w.deps, { lockTimeoutMs: 60_000 });
    await other.begin().catch((err: unknown) => other.stopped(err));
    const refused = await other.end();
    expect(refused.status).toBe('failed');
    expect(refused.error).toMatch(/in progress/);

    // As if the reading stage's main read saw a later item.
    run.reading.maxUpdatedAt.items = '2026-02-01T00:00:00.000Z';
    await run.moveWatermarks();
    const report = await run.end();
    expect(report.status).toBe('succeeded');
    expect(report.watermarks).toEqual({
      before: { items: '2026-01-01T00:00:00.000Z', groups: null, categories: null },
      after: { items: '2026-02-01T00:00:00.000Z', groups: null, categories: null },
    });
    expect(await w.state.getWatermark('items')).toBe('2026-02-01T00:00:00.000Z');
    expect((await w.state.getRun(report.runId!))?.status).toBe('succeeded');
    // The lock is free again.
    const next = await SyncRun.open(w.deps, {});
    await next.begin();
    expect((await next.end()).status).toBe('succeeded');
  });

  it('a stopped run ends interrupted, counts only what settled and keeps its watermarks', async () => {
    const w = await stageWorld();
    const run = await SyncRun.open(w.deps, {});
    await run.begin();
    run.ctx.ledger.read('items', 'a');
    run.ctx.ledger.read('items', 'b');
    run.ctx.ledger.settle('items', 'a', 'created', null, false);
    run.reading.maxUpdatedAt.items = '2026-02-01T00:00:00.000Z';
    run.stopped(new SyncInterruptedError('SIGTERM'));
    const report = await run.end();
    expect(report.status).toBe('interrupted');
    expect(report.counts.read).toBe(1);
    expect(report.interrupted).toEqual({ unsettled: 1, reason: 'SIGTERM' });
    expect(await w.state.getWatermark('items')).toBeNull();
    // The settled record's outcome is stored; the other is read again next time.
    expect(await w.state.getRunRecords(report.runId!)).toEqual([expect.objectContaining({ key: 'a', outcome: 'created' })]);
  });

  it('a record read but never settled fails the run as a Ferry bug', async () => {
    const w = await stageWorld({ dryRun: true });
    const run = await SyncRun.open(w.deps, w.ctx.opts);
    await run.begin();
    run.ctx.ledger.read('items', 'x');
    run.ctx.ledger.expect('items', 'x');
    const report = await run.end();
    expect(report.status).toBe('failed');
    expect(report.error).toMatch(/1 records did not settle \(first: items x\); this is a Ferry bug/);
    expect(report.runId).toBeNull();
  });
});
