/**
 * A queued run's settle counts each reference entity record and asset once (src/app/queued-parts.ts
 * countReferenceDataOnce): the strongest outcome of the shards that met it, as one process counts it.
 */
import { describe, expect, it } from 'vitest';
import { countReferenceDataOnce } from '../../src/app/queued-parts.js';
import { emptyRunReport } from '../../src/sync/run-record.js';
import type { RunReport } from '../../src/sync/report.js';
import { emptyReferenceDataReport, type ReferenceOutcome } from '../../src/sync/stages/references.js';

function part(outcomes: Record<string, ReferenceOutcome>): RunReport {
  const report = emptyRunReport(1, 'keys', 'succeeded', new Date());
  const data = emptyReferenceDataReport();
  for (const [key, outcome] of Object.entries(outcomes)) data[key.startsWith('asset:') ? 'assets' : 'records'][outcome]++;
  report.referenceData = data;
  return report;
}

describe('reference data counted once over shards', () => {
  it('takes the strongest outcome of a record or asset several shards met, and keeps the counts of a part that left no outcomes', () => {
    const a = { 'reference_entity_record:brand:contoso': 'created', 'asset:packshots:bike': 'failed', 'asset:packshots:helmet': 'unchanged' } as const;
    const b = { 'reference_entity_record:brand:contoso': 'unchanged', 'asset:packshots:bike': 'updated', 'asset:packshots:socks': 'failed' } as const;
    const stopped = { 'reference_entity_record:brand:fabrikam': 'created' } as const;
    const parts = [part(a), part(b), part(stopped)];
    const merged = emptyRunReport(1, 'full', 'succeeded', new Date());
    merged.referenceData = emptyReferenceDataReport();
    for (const p of parts) for (const side of ['records', 'assets'] as const) for (const k of ['created', 'updated', 'failed', 'unchanged'] as const) merged.referenceData[side][k] += p.referenceData![side][k];
    expect(merged.referenceData.records).toMatchObject({ created: 2, unchanged: 1 });

    countReferenceDataOnce(merged, parts, [{ referenceOutcomes: a }, { referenceOutcomes: b }, {}]);
    // contoso: created (once); fabrikam from the part with no outcomes: created.
    expect(merged.referenceData.records).toMatchObject({ created: 2, updated: 0, failed: 0, unchanged: 0 });
    // bike: updated wins over failed; helmet unchanged; socks failed.
    expect(merged.referenceData.assets).toMatchObject({ created: 0, updated: 1, failed: 1, unchanged: 1 });
  });

  it('leaves a report whose parts left no outcomes as summed', () => {
    const parts = [part({ 'asset:packshots:bike': 'created' })];
    const merged = emptyRunReport(1, 'full', 'succeeded', new Date());
    merged.referenceData = { ...emptyReferenceDataReport(), assets: { ...emptyReferenceDataReport().assets, created: 1 } };
    countReferenceDataOnce(merged, parts, [{}]);
    expect(merged.referenceData.assets.created).toBe(1);
  });
});
