/**
 * Graceful stop (SyncOptions.signal) and runs whose process is gone: the run ends `interrupted`
 * with its counts so far, its real duration and its lock released; the next run finishes the job.
 */
import { describe, expect, it, beforeAll } from 'vitest';
import { executeSync, type EngineDeps } from '../../src/sync/engine.js';
import type { StateStore } from '../../src/sync/state/port.js';
import { stateStoreKinds } from './support/state-stores.js';
import { countsAddUp } from '../../src/sync/report.js';
import { FakeErp, FakePim, fakeMapper } from './fakes.js';

function bigCatalog(erp: FakeErp, n: number): void {
  erp.put({ stream: 'categories', key: 'cat_a', parent: null, fields: { name: 'A' } });
  for (let i = 0; i < n; i++) erp.item(`sku_${String(i).padStart(4, '0')}`, null, { name: `Item ${i}`, weight: '1' });
}

async function setup(n = 1000) {
  const erp = new FakeErp();
  const pim = new FakePim();
  const state = await openState();
  bigCatalog(erp, n);
  const deps: EngineDeps = { source: erp, client: pim, mapper: fakeMapper(), state, settings: { deletion: 'disable', updateOnly: false }, lockName: 'test' };
  return { erp, pim, state, deps };
}

/** Products answered slowly, so a stop lands while batches are on the wire. */
function slowProducts(pim: FakePim, ms: number, onBatch?: (n: number) => void): void {
  const upsert = pim.products.upsertMany;
  let n = 0;
  pim.products.upsertMany = async (items) => {
    onBatch?.(++n);
    await new Promise((r) => setTimeout(r, ms));
    return upsert(items);
  };
}

/** The store of the state kind whose tests run now (set before each kind's tests). */
let openState: () => Promise<StateStore>;

describe.each(await stateStoreKinds())('$name state', ({ open }) => {
  beforeAll(() => {
    openState = open;
  });

  describe('graceful stop', () => {
    it('an aborted run lets in-flight batches settle, stores an interrupted report with counts so far, releases the lock', async () => {
      const { pim, state, deps } = await setup(1000);
      const stop = new AbortController();
      slowProducts(pim, 30, (n) => {
        if (n === 3) stop.abort('SIGTERM received');
      });
      const t0 = Date.now();
      const r = await executeSync(deps, { heartbeatMs: 20, maxInFlight: 2, signal: stop.signal });
      expect(r.status).toBe('interrupted');
      expect(r.interrupted?.reason).toBe('SIGTERM received');
      // Every batch that was sent settled and was committed; nothing after the stop was sent.
      const products = r.byType.product.created;
      expect(products).toBe(pim.products_.size);
      expect(products).toBeGreaterThan(0);
      expect(products).toBeLessThan(1000);
      expect(pim.calls.filter((c) => c.lane === 'product').length).toBeLessThanOrEqual(4);
      expect(countsAddUp(r.counts)).toBe(true);
      expect(r.interrupted!.unsettled).toBeGreaterThan(0);
      expect(r.durationMs).toBeLessThanOrEqual(Date.now() - t0);
      expect(r.watermarks.after.items).toBe(r.watermarks.before.items);
      const stored = await state.getRun(r.runId!);
      expect(stored?.status).toBe('interrupted');
      expect((stored?.report as { byType: { product: { created: number } } }).byType.product.created).toBe(products);
      const outcomes = await state.getRunRecords(r.runId!);
      expect(outcomes.filter((o) => o.stream === 'items' && o.outcome === 'created')).toHaveLength(products);

      // The lock is free, and the next run finishes the job: what the PIM confirmed is unchanged.
      const next = await executeSync(deps, { heartbeatMs: 20 });
      expect(next.status).toBe('succeeded');
      expect(next.counts.unchanged).toBe(products + 1);
      expect(next.byType.product.created).toBe(1000 - products);
      expect(pim.products_.size).toBe(1000);
    });

    it('a signal already aborted before the run starts writes nothing', async () => {
      const { pim, deps } = await setup(10);
      const stop = new AbortController();
      stop.abort('SIGINT received');
      const r = await executeSync(deps, { signal: stop.signal });
      expect(r.status).toBe('interrupted');
      expect(pim.calls).toHaveLength(0);
    });
  });

  describe('runs whose process is gone', () => {
    it('are shown interrupted with the counts of their last heartbeat and their real duration', async () => {
      const state = await openState();
      // A run of a process that no longer exists on this host (pid 2^22-ish is never a live pid here).
      const dead = `${(await import('node:os')).hostname()}:4194301:abc`;
      const id = await state.startRun('delta', {}, dead);
      await state.heartbeatRun(id, { runId: id, status: 'interrupted', startedAt: new Date().toISOString(), counts: { read: 5, created: 5, updated: 0, unchanged: 0, rejected: 0, skipped: 0, deleted: 0 } });
      const alive = await state.startRun('delta', {}, `${(await import('node:os')).hostname()}:${process.pid}:def`);
      const { isOwnerAlive } = await import('../../src/sync/lock.js');
      expect(await state.markDeadRuns(isOwnerAlive, 120_000)).toBe(1);
      const run = await state.getRun(id);
      expect(run?.status).toBe('interrupted');
      expect(run?.finishedAt).not.toBeNull();
      const report = run?.report as { status: string; counts: { created: number }; interrupted: { reason: string } };
      expect(report.status).toBe('interrupted');
      expect(report.counts.created).toBe(5);
      expect(report.interrupted.reason).toContain('stopped without finishing');
      expect((await state.getRun(alive))?.status).toBe('running');
      // No heartbeat for longer than the timeout: gone too, whatever host it was on.
      expect(await state.markDeadRuns(() => true, 0)).toBe(1);
      expect((await state.getRun(alive))?.status).toBe('interrupted');
    });
  });

  describe('a PIM that stops answering', () => {
    it('fails the run once it gave no answer for pimUnreachableMs: no record rejected one by one, a report saying since when', async () => {
      const { pim, state, deps } = await setup(1000);
      let batches = 0;
      // After two product batches the PIM is gone: every line comes back without an HTTP status,
      // as the client reports a batch call that got no answer (connection refused).
      pim.faults.push((lane) => (lane === 'product' && batches > 2 ? { status: 0, message: 'product x was not written: connection to http://pim refused' } : null));
      slowProducts(pim, 5, () => void batches++);
      const t0 = Date.now();
      const r = await executeSync(deps, { heartbeatMs: 20, maxInFlight: 2, pimUnreachableMs: 400 });
      const took = Date.now() - t0;
      expect(r.status).toBe('failed');
      expect(r.counts.rejected).toBe(0);
      expect(r.rejects).toHaveLength(0);
      expect(r.error).toContain('the PIM stopped answering at');
      expect(r.error).toContain('connection to http://pim refused');
      expect(r.pimUnreachable?.since).toBeDefined();
      expect(Date.parse(r.pimUnreachable!.since)).toBeGreaterThanOrEqual(t0);
      expect(took).toBeLessThan(10_000);
      expect(r.byType.product.created).toBe(pim.products_.size);
      expect(r.unsettled).toBeGreaterThan(0);
      expect(countsAddUp(r.counts)).toBe(true);
      expect((await state.getRun(r.runId!))?.status).toBe('failed');
      expect(await state.listRetries('items')).toHaveLength(0);
    });

    it('a PIM that comes back within the limit: the lines are retried and the run succeeds', async () => {
      const { pim, deps } = await setup(300);
      let down = 0;
      pim.faults.push((lane) => (lane === 'product' && down++ < 150 ? { status: 0, message: 'connection refused' } : null));
      const r = await executeSync(deps, { pimUnreachableMs: 60_000 });
      expect(r.status).toBe('succeeded');
      expect(r.counts.rejected).toBe(0);
      expect(pim.products_.size).toBe(300);
    });
  });
});
