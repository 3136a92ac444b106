import { describe, expect, it } from 'vitest';
import { Ledger } from '../../src/sync/ledger.js';
import { emptyCounts, formatReport, type RunReport } from '../../src/sync/report.js';

function reportWith(ledger: Ledger): RunReport {
  const { counts, byType } = ledger.counts();
  return {
    runId: 7,
    mode: 'full',
    status: 'succeeded',
    dryRun: false,
    startedAt: '2026-11-27T00:00:00.000Z',
    finishedAt: '2026-11-27T00:00:01.000Z',
    durationMs: 1000,
    counts,
    byType,
    requests: { total: 1, writes: 1, retried: 0, throttled: 0 },
    batches: {},
    rejects: [],
    warnings: [],
    warningsTotal: 0,
    skipped: ledger.skipReasons(),
    deletions: { policy: 'disable', gone: 0, applied: 0, failed: 0 },
    watermarks: { before: {}, after: {} },
  };
}

describe('run report: why records were skipped', () => {
  it('groups skip reasons per entity type, most frequent first, and the report says them', () => {
    const ledger = new Ledger();
    for (let i = 0; i < 3; i++) {
      ledger.read('items', `A${i}`);
      ledger.settle('items', `A${i}`, 'skipped', 'archived in the ERP and never sent to the PIM (deletion policy disable)', false);
    }
    ledger.read('groups', 'G1');
    ledger.finalize((stream) => (stream === 'groups' ? 'the group gave no product model' : 'nothing to write'));
    ledger.read('items', 'OK');
    ledger.settle('items', 'OK', 'created', null, false);

    expect(ledger.skipReasons()).toEqual([
      { reason: 'archived in the ERP and never sent to the PIM (deletion policy disable)', entityType: 'product', count: 3 },
      { reason: 'the group gave no product model', entityType: 'product_model', count: 1 },
    ]);
    const text = formatReport(reportWith(ledger));
    expect(text).toContain('skipped (4):');
    expect(text).toContain('    - 3 products: archived in the ERP and never sent to the PIM (deletion policy disable)');
    expect(text).toContain('    - 1 product model: the group gave no product model');
  });

  it('keeps the ten most frequent reasons and counts the rest', () => {
    const ledger = new Ledger();
    for (let i = 0; i < 12; i++) {
      ledger.read('items', `K${i}`);
      ledger.settle('items', `K${i}`, 'skipped', `reason number ${String(i).padStart(2, '0')}`, false);
    }
    ledger.read('items', 'K-extra');
    ledger.settle('items', 'K-extra', 'skipped', 'reason number 00', false);
    const reasons = ledger.skipReasons();
    expect(reasons).toHaveLength(10);
    expect(reasons[0]).toEqual({ reason: 'reason number 00', entityType: 'product', count: 2 });
    const text = formatReport(reportWith(ledger));
    expect(text).toContain('skipped (13):');
    expect(text).toContain('    - 2 more, for other reasons');
  });

  it('prints no skip section when nothing was skipped', () => {
    const ledger = new Ledger();
    ledger.read('items', 'A');
    ledger.settle('items', 'A', 'created', null, false);
    expect(ledger.skipReasons()).toEqual([]);
    expect(formatReport(reportWith(ledger))).not.toContain('skipped (');
    expect(emptyCounts().skipped).toBe(0);
  });
});
