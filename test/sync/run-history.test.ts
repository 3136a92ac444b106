/**
 * The run-history read port (src/sync/state/run-history.ts) on both stores: the same history
 * written through the StateStore reads back the same through `history()`.
 */
import { describe, expect, it } from 'vitest';
import type { EntityState, StateStore } from '../../src/sync/state/port.js';
import { stateStoreKinds } from './support/state-stores.js';

const kinds = await stateStoreKinds();

function product(code: string, extra: Partial<EntityState> = {}): EntityState {
  return { type: 'product', code, pimId: null, originStream: 'items', originKey: code, groupKey: null, hashes: {}, erpVersion: null, status: 'synced', ...extra };
}

const counts = (created: number, rejected: number) => ({ read: created + rejected, created, updated: 0, unchanged: 1, rejected, skipped: 0, disabled: 0, deleted: 2 });

/** Three runs: a full one with rejects, a failed export, a delta still running. */
async function seed(s: StateStore): Promise<{ full: number; exp: number; delta: number }> {
  const full = await s.startRun('full', { keys: null }, 'host:1:a');
  await s.recordOutcomes(full, [
    { stream: 'items', key: 'SKU-1', entityType: 'product', outcome: 'created' },
    { stream: 'items', key: 'SKU_2%', entityType: 'product', outcome: 'rejected', reason: 'bad' },
    { stream: 'groups', key: 'G1', entityType: 'product_model', outcome: 'rejected' },
    { stream: 'categories', key: 'cat', entityType: 'category', outcome: 'created' },
  ]);
  await s.addRejects([
    { runId: full, stream: 'items', key: 'SKU_2%', entityType: 'product', label: 'SKU_2%', message: 'm1', fix: 'f1', attribute: 'name', locale: null, scope: null },
    { runId: full, stream: 'items', key: 'SKU_2%', entityType: 'product', label: 'SKU_2%', message: 'm2', fix: null, attribute: null, locale: null, scope: null },
    { runId: full, stream: 'groups', key: 'G1', entityType: 'product_model', label: 'G1', message: 'm3', fix: null, attribute: null, locale: null, scope: null },
  ]);
  await s.saveEntities([
    product('SKU-1', { pimId: 'uuid-1' }),
    product('V-B', { originKey: 'V-B', groupKey: 'G1', pimId: '00000000-0000-4000-8000-00000000000b' }),
    product('V-A', { originKey: 'V-A', groupKey: 'G1', pimId: '00000000-0000-4000-8000-00000000000a' }),
    product('V-C', { originKey: 'V-C', groupKey: 'G1', status: 'deleted' }),
  ]);
  await s.finishRun(full, 'rejects', { counts: counts(2, 2), rejects: [] });
  const exp = await s.startRun('export', null);
  await s.addRejects([{ runId: exp, stream: 'pim-products', key: 'P1', entityType: 'product', label: 'P1', message: 'no', fix: 'fix it', attribute: null, locale: null, scope: null }]);
  await s.finishRun(exp, 'failed', { counts: counts(0, 1), error: 'down' });
  const delta = await s.startRun('delta', null);
  await s.recordOutcomes(delta, [{ stream: 'items', key: 'SKU-1', entityType: 'product', outcome: 'unchanged' }]);
  return { full, exp, delta };
}

describe.each(kinds)('run history on the $name store', (kind) => {
  it('pages and filters runs with their counts, newest first or oldest first', async () => {
    const s = await kind.open();
    const { full, exp, delta } = await seed(s);
    const h = s.history();
    const all = await h.listRuns({}, { offset: 0, limit: 2 });
    expect(all.total).toBe(3);
    expect(all.items.map((r) => r.id)).toEqual([delta, exp]);
    expect(all.items[1]).toMatchObject({ mode: 'export', status: 'failed', counts: counts(0, 1) });
    expect(all.items[0]!.counts).toBeNull();
    expect((await h.listRuns({}, { offset: 2, limit: 2 })).items.map((r) => r.id)).toEqual([full]);
    expect((await h.listRuns({ finished: true }, { offset: 0, limit: null, order: 'asc' })).items.map((r) => r.id)).toEqual([full, exp]);
    expect((await h.listRuns({ finished: false }, { offset: 0, limit: null })).items.map((r) => r.id)).toEqual([delta]);
    expect((await h.listRuns({ statuses: ['succeeded', 'rejects'] }, { offset: 0, limit: 1 })).items[0]?.id).toBe(full);
    expect((await h.listRuns({ statuses: [] }, { offset: 0, limit: null })).total).toBe(0);
    expect((await h.listRuns({ mode: 'export' }, { offset: 0, limit: null })).items.map((r) => r.id)).toEqual([exp]);
    expect((await h.listRuns({ afterId: full, beforeId: delta }, { offset: 0, limit: null })).items.map((r) => r.id)).toEqual([exp]);
    expect((await h.listRuns({ startedAtOrBefore: '2000-01-01T00:00:00.000Z' }, { offset: 0, limit: null })).total).toBe(0);
    expect((await h.listRuns({ startedAtOrBefore: '2999-01-01T00:00:00.000Z' }, { offset: 0, limit: null })).total).toBe(3);
  });

  it('reads a run with its options and report', async () => {
    const s = await kind.open();
    const { full } = await seed(s);
    const r = await s.history().getRunWithOptions(full);
    expect(r).toMatchObject({ id: full, mode: 'full', status: 'rejects', options: { keys: null }, report: { counts: counts(2, 2) } });
    expect(await s.history().getRunWithOptions(999)).toBeNull();
  });

  it("pages a run's records with their product's state and a model's first variant", async () => {
    const s = await kind.open();
    const { full, delta } = await seed(s);
    const h = s.history();
    const page = await h.runRecords(full, {}, { offset: 0, limit: 10 });
    expect(page.total).toBe(4);
    expect(page.items.map((r) => `${r.stream}/${r.key}`)).toEqual(['categories/cat', 'groups/G1', 'items/SKU-1', 'items/SKU_2%']);
    expect(page.items[2]).toMatchObject({ outcome: 'created', pimId: 'uuid-1', sku: 'SKU-1', entityStatus: 'synced', modelVariantPimId: null });
    expect(page.items[1]).toMatchObject({ entityType: 'product_model', modelVariantPimId: '00000000-0000-4000-8000-00000000000a' });
    expect(page.items[3]).toMatchObject({ reason: 'bad', pimId: null, sku: null });
    expect((await h.runRecords(full, { outcome: 'rejected' }, { offset: 0, limit: 1 })).items.map((r) => r.key)).toEqual(['G1']);
    // `_` and `%` are literal in a key search.
    expect((await h.runRecords(full, { keyContains: '_2%' }, { offset: 0, limit: 10 })).items.map((r) => r.key)).toEqual(['SKU_2%']);
    expect((await h.runRecords(full, { keyContains: 'KU%' }, { offset: 0, limit: 10 })).total).toBe(0);
    expect(await h.countRunRecords(full)).toBe(4);
    expect(await h.countRunRecords(delta)).toBe(1);
  });

  it('reads rejects by record, rejected keys, the products of groups and the last fix', async () => {
    const s = await kind.open();
    const { full } = await seed(s);
    const h = s.history();
    const rejects = await h.rejectsOf(full, [{ stream: 'items', key: 'SKU_2%' }, { stream: 'items', key: 'G1' }]);
    expect(rejects.map((r) => r.message)).toEqual(['m1', 'm2']);
    expect(rejects[0]).toMatchObject({ runId: full, attribute: 'name', fix: 'f1' });
    expect(await h.rejectedKeys(full, 'items')).toEqual(['SKU_2%']);
    expect(await h.rejectedKeys(full, 'groups')).toEqual(['G1']);
    expect(await h.productsOfGroups(['G1', 'none'])).toEqual(['V-A', 'V-B', 'V-C']);
    expect(await h.productsOfGroups([])).toEqual([]);
    expect(await h.lastRejectFix('export', 'pim-products', ['P0', 'P1'])).toBe('fix it');
    expect(await h.lastRejectFix('full', 'pim-products', ['P1'])).toBeNull();
    expect(await h.lastRejectFix('export', 'pim-products', [])).toBeNull();
  });

  it('totals runs by status and sums the reports by outcome', async () => {
    const s = await kind.open();
    await seed(s);
    expect(await s.history().runTotals()).toEqual({
      byStatus: { rejects: 1, failed: 1, running: 1 },
      byOutcome: { created: 2, updated: 0, unchanged: 2, rejected: 3, skipped: 0, disabled: 0, deleted: 4 },
    });
  });
});
