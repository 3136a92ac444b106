/**
 * The report names the records the deletion policy acted on, counted apart by what it did
 * (disabled, removed from categories, deleted), and the products gone from the ERP, in the
 * text report and in `ferry sync --json`; `counts.disabled` and `counts.deleted` are apart.
 */
import { beforeEach, describe, expect, it, beforeAll } from 'vitest';
import { executeSync, type EngineDeps, type SyncOptions } from '../../src/sync/engine.js';
import { countsAddUp, formatReport, jsonSummary, summaryLine, type RunReport } from '../../src/sync/report.js';
import type { StateStore } from '../../src/sync/state/port.js';
import { stateStoreKinds } from './support/state-stores.js';
import { FakeErp, FakePim, fakeMapper } from './fakes.js';

function seed(erp: FakeErp): void {
  erp.put({ stream: 'categories', key: 'master', parent: null, fields: { name: 'Master' } });
  erp.item('pen', null, { name: 'Pen', weight: '0.01' });
  erp.item('pencil', null, { name: 'Pencil', weight: '0.01' });
  erp.item('eraser', null, { name: 'Eraser', weight: '0.01' });
}

/** The store of the state kind whose tests run now (set before each kind's tests). */
let openState: () => Promise<StateStore>;

describe.each(await stateStoreKinds())('$name state', ({ open }) => {
  beforeAll(() => {
    openState = open;
  });

  describe('deletion records in the report', () => {
    let erp: FakeErp;
    let deps: EngineDeps;
    const run = (options: SyncOptions = {}): Promise<RunReport> => executeSync(deps, { heartbeatMs: 50, ...options });

    beforeEach(async () => {
      erp = new FakeErp();
      const state = await openState();
      seed(erp);
      deps = { source: erp, client: new FakePim(), mapper: fakeMapper(), state, settings: { deletion: 'disable', updateOnly: false }, lockName: 'test' };
    });

    it('disabled and gone records are named and counted apart from deletions', async () => {
      await run();
      erp.edit('items', 'pen', (r) => (r.active = false));
      erp.remove('items', 'eraser');
      const r = await run({ full: true });
      expect(r.deletionRecords).toEqual({
        disabled: { count: 2, names: expect.arrayContaining(['pen', 'eraser']) as string[] },
        uncategorized: { count: 0, names: [] },
        deleted: { count: 0, names: [] },
        gone: { count: 1, names: ['eraser'] },
      });
      const text = formatReport(r);
      expect(text).toMatch(/disabled in the PIM \(2\): (pen, eraser|eraser, pen)/);
      expect(text).toContain('gone from the ERP (1): eraser');
      expect(text).not.toMatch(/deleted from the PIM \(/);
      expect(jsonSummary(r).deletions?.gone).toEqual({ count: 1, names: ['eraser'] });
    });

    it('the delete policy lists what it deleted', async () => {
      deps.settings = { deletion: 'delete', updateOnly: false };
      await run();
      erp.edit('items', 'pencil', (r) => (r.active = false));
      const r = await run();
      expect(r.deletionRecords?.deleted).toEqual({ count: 1, names: ['pencil'] });
      expect(r.deletionRecords?.disabled.count).toBe(0);
      expect(formatReport(r)).toContain('deleted from the PIM (1): pencil');
      expect(r.counts).toMatchObject({ deleted: 1, disabled: 0 });
    });

    it('counts disabled records apart from deleted ones (counts, byType, --json, text, dry run)', async () => {
      await run();
      erp.edit('items', 'pen', (r) => (r.active = false));
      const dry = await run({ dryRun: true });
      expect(dry.counts).toMatchObject({ disabled: 1, deleted: 0 });
      const r = await run();
      expect(r.counts).toMatchObject({ disabled: 1, deleted: 0 });
      expect(r.byType.product).toMatchObject({ disabled: 1, deleted: 0 });
      expect(countsAddUp(r.counts)).toBe(true);
      expect(jsonSummary(r).counts).toMatchObject({ disabled: 1, deleted: 0 });
      expect(formatReport(r)).toContain('0 skipped, 1 disabled, 0 deleted');
      expect(summaryLine(r)).toContain('1 disabled, 0 deleted');
      // A report stored by an earlier Ferry has no `disabled`: it still reads and adds up.
      const old = { ...r, counts: { read: 1, created: 0, updated: 0, unchanged: 0, rejected: 0, skipped: 0, deleted: 1 } } as unknown as RunReport;
      expect(countsAddUp(old.counts)).toBe(true);
      expect(formatReport(old)).toContain('0 disabled, 1 deleted');
    });
  });
});
