/**
 * One run report from the reports of a run's parts (the plan and its shards, src/sync/shards.ts).
 * Parts read disjoint records (a shard holds whole groups; the plan holds categories, options and
 * deletions), so summing their counts counts each record once. Pure.
 */
import { countsAddUp, emptyCounts, type OutcomeCounts, type RunReport, type SyncMode } from './report.js';

/** Lists the report shows in full: the same cap as a one-process run's. */
const SHOWN = 200;

function addCounts(into: OutcomeCounts, c: Partial<OutcomeCounts>): void {
  for (const k of Object.keys(into) as (keyof OutcomeCounts)[]) into[k] += c[k] ?? 0;
}

/** The worst status of the parts: one failed part fails the run, as one failed stage fails a one-process run. */
function worstStatus(parts: readonly RunReport[]): RunReport['status'] {
  const order: RunReport['status'][] = ['failed', 'interrupted', 'rejects', 'succeeded'];
  for (const s of order) if (parts.some((p) => p.status === s)) return s;
  return 'succeeded';
}

export interface RunFacts {
  runId: number;
  mode: SyncMode;
  startedAt: string;
  watermarks: { before: Record<string, string | null>; after: Record<string, string | null> };
}

export function mergeRunReports(parts: readonly RunReport[], facts: RunFacts, finishedAt = new Date()): RunReport {
  const counts = emptyCounts();
  const byType = { category: emptyCounts(), product_model: emptyCounts(), product: emptyCounts() } satisfies RunReport['byType'];
  const requests = { total: 0, writes: 0, retried: 0, throttled: 0 };
  const batches: Record<string, number> = {};
  const deletions = { policy: parts[0]?.deletions.policy ?? 'ignore', gone: 0, applied: 0, failed: 0 };
  const skipped = new Map<string, NonNullable<RunReport['skipped']>[number]>();
  const errors: string[] = [];
  const out: RunReport = {
    runId: facts.runId,
    mode: facts.mode,
    status: worstStatus(parts),
    dryRun: false,
    startedAt: facts.startedAt,
    finishedAt: finishedAt.toISOString(),
    durationMs: finishedAt.getTime() - Date.parse(facts.startedAt),
    counts,
    byType,
    requests,
    batches,
    rejects: [],
    warnings: [],
    warningsTotal: 0,
    deletions,
    watermarks: facts.watermarks,
  };
  for (const p of parts) {
    addCounts(counts, p.counts);
    for (const t of Object.keys(byType) as (keyof typeof byType)[]) addCounts(byType[t], p.byType[t] ?? {});
    for (const k of Object.keys(requests) as (keyof typeof requests)[]) requests[k] += p.requests[k];
    for (const [lane, n] of Object.entries(p.batches)) batches[lane] = (batches[lane] ?? 0) + n;
    out.rejects.push(...p.rejects.slice(0, SHOWN - out.rejects.length));
    out.warnings.push(...p.warnings.slice(0, SHOWN - out.warnings.length));
    out.warningsTotal += p.warningsTotal;
    if (p.partial) out.partial = { records: (out.partial?.records ?? 0) + p.partial.records, values: (out.partial?.values ?? 0) + p.partial.values };
    for (const s of p.skipped ?? []) {
      const id = `${s.entityType}\u0000${s.reason}`;
      const seen = skipped.get(id);
      if (seen) seen.count += s.count;
      else skipped.set(id, { ...s });
    }
    deletions.gone += p.deletions.gone;
    deletions.applied += p.deletions.applied;
    deletions.failed += p.deletions.failed;
    if (p.deletionRecords) out.deletionRecords = p.deletionRecords;
    if (p.familyVariantChanges?.length) out.familyVariantChanges = [...(out.familyVariantChanges ?? []), ...p.familyVariantChanges];
    if (p.updateOnly) out.updateOnly = { foundInPim: (out.updateOnly?.foundInPim ?? 0) + p.updateOnly.foundInPim, notInPim: (out.updateOnly?.notInPim ?? 0) + p.updateOnly.notInPim };
    if (p.referenceData) out.referenceData = mergeReferenceData(out.referenceData, p.referenceData);
    if (p.unsettled) out.unsettled = (out.unsettled ?? 0) + p.unsettled;
    if (p.interrupted) out.interrupted = { unsettled: (out.interrupted?.unsettled ?? 0) + p.interrupted.unsettled, reason: p.interrupted.reason };
    if (p.pimUnreachable && !out.pimUnreachable) out.pimUnreachable = p.pimUnreachable;
    if (p.verify && !out.verify) out.verify = p.verify;
    if (p.error && !errors.includes(p.error)) errors.push(p.error);
  }
  if (skipped.size > 0) out.skipped = [...skipped.values()].sort((a, b) => b.count - a.count).slice(0, 10);
  if (errors.length > 0) out.error = errors.join('; ');
  if (!countsAddUp(counts)) out.error = `${out.error ? `${out.error}; ` : ''}counts do not add up (Ferry bug)`;
  return out;
}

type ReferenceData = NonNullable<RunReport['referenceData']>;

/** Adds what a step after the parts did with reference entity records and assets (the settle's deletion policy) to the run's report. */
export function addReferenceData(report: RunReport, data: ReferenceData): void {
  report.referenceData = mergeReferenceData(report.referenceData, data);
}

function mergeReferenceData(a: ReferenceData | undefined, b: ReferenceData): ReferenceData {
  if (!a) return { ...b, records: { ...b.records }, assets: { ...b.assets }, messages: [...b.messages] };
  for (const side of ['records', 'assets'] as const) for (const k of Object.keys(a[side]) as (keyof ReferenceData['records'])[]) a[side][k] += b[side][k];
  a.uploads += b.uploads;
  a.messages.push(...b.messages.slice(0, 50 - a.messages.length));
  return a;
}
