/**
 * The report names the records the deletion policy acted on, counted apart by what it did
 * (disabled, removed from categories, deleted), and the products gone from the ERP, in the
 * text report and in `ferry sync --json`.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { executeSync, type EngineDeps, type SyncOptions } from '../../src/sync/engine.js';
import { formatReport, jsonSummary, type RunReport } from '../../src/sync/report.js';
import { SqliteStateStore } from '../../src/sync/state/sqlite.js';
import { FakeErp, FakePim, fakeMapper } from './fakes.js';

function seed(erp: FakeErp): void {
  erp.put({ stream: 'categories', key: 'master', parent: null, fields: { name: 'Master' } });
  erp.item('pen', null, { name: 'Pen', weight: '0.01' });
  erp.item('pencil', null, { name: 'Pencil', weight: '0.01' });
  erp.item('eraser', null, { name: 'Eraser', weight: '0.01' });
}

describe('deletion records in the report', () => {
  let erp: FakeErp;
  let deps: EngineDeps;
  const run = (options: SyncOptions = {}): Promise<RunReport> => executeSync(deps, { heartbeatMs: 50, ...options });

  beforeEach(async () => {
    erp = new FakeErp();
    const state = new SqliteStateStore(':memory:');
    await state.migrate();
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
  });
});
