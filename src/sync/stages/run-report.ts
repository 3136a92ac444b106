/**
 * The run report: the outcome ledger's counts, the findings the stages collected, the requests
 * the run cost and its watermarks, at the end of the run or (settledOnly) as its progress so far.
 */
import type { SyncPimClient } from '../pim.js';
import { countsAddUp, type RequestCounts, type RunReport, type SyncMode, type VerifySummary } from '../report.js';
import type { RunContext } from './context.js';
import { errorText, PimUnreachableError } from './errors.js';

export interface ReportFacts {
  mode: SyncMode;
  startedAt: Date;
  statsBefore: ReturnType<SyncPimClient['stats']>;
  watermarksBefore: Record<string, string | null>;
  watermarksAfter: Record<string, string | null>;
  status: RunReport['status'];
  fatal: unknown;
  verify: VerifySummary | undefined;
  /** Batches sent per lane. */
  batches: Record<string, number>;
  /** Count only the records that settled (a heartbeat, a stopped run). */
  settledOnly: boolean;
  interruptedWhy?: string;
}

/**
 * Records that reached the PIM without some of their values (dropped with a warning): a
 * record "created" with half its values missing must not look like a clean one.
 */
function partialSummary(ctx: RunContext): { partial?: { records: number; values: number } } {
  let records = 0;
  for (const id of ctx.partialRecords) {
    const [stream, key] = id.split('\u0000') as [string, string];
    const outcome = ctx.ledger.outcomeOf(stream, key);
    if (outcome === 'created' || outcome === 'updated' || outcome === 'unchanged') records++;
  }
  return records > 0 ? { partial: { records, values: ctx.warningsTotal } } : {};
}

export function buildReport(ctx: RunContext, a: ReportFacts): RunReport {
  const { mode, startedAt, statsBefore, watermarksBefore, watermarksAfter, status, fatal, verify } = a;
  const { counts, byType } = ctx.ledger.counts(a.settledOnly);
  const statsAfter = ctx.deps.client.stats();
  const requests: RequestCounts = {
    total: statsAfter.total - statsBefore.total,
    writes: statsAfter.writes - statsBefore.writes,
    retried: statsAfter.retried - statsBefore.retried,
    throttled: statsAfter.throttled - statsBefore.throttled,
  };
  const finishedAt = new Date();
  const report: RunReport = {
    runId: ctx.runId,
    mode,
    status,
    dryRun: ctx.dryRun,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: finishedAt.getTime() - startedAt.getTime(),
    counts,
    byType,
    requests,
    batches: a.batches,
    rejects: ctx.rejectsShown,
    warnings: ctx.warnings,
    warningsTotal: ctx.warningsTotal,
    ...partialSummary(ctx),
    ...(counts.skipped > 0 ? { skipped: ctx.ledger.skipReasons() } : {}),
    deletions: ctx.deletions,
    ...(Object.values(ctx.policyDone).some((e) => e.count > 0) ? { deletionRecords: ctx.policyDone } : {}),
    watermarks: { before: watermarksBefore, after: watermarksAfter },
    ...(ctx.dryRun ? { plan: { ...ctx.plan, ...(ctx.opts.keys || ctx.opts.planPayloadLimit ? { payloads: ctx.payloads } : {}) } } : {}),
    ...(verify ? { verify } : {}),
    ...(ctx.deps.settings.updateOnly ? { updateOnly: ctx.updateOnlyCounts } : {}),
    ...(ctx.referenceData ? { referenceData: ctx.referenceData } : {}),
    ...(ctx.fvChanges && ctx.fvChanges.changes.length > 0 ? { familyVariantChanges: ctx.fvChanges.changes } : {}),
    ...(mode === 'category' || mode === 'keys' ? { scope: { outsideCategory: ctx.outOfScope, keysNotFound: ctx.keysNotFound.slice(0, 100), keysNotFoundTotal: ctx.keysNotFound.length } } : {}),
    ...(a.settledOnly && status === 'interrupted'
      ? { interrupted: { unsettled: ctx.ledger.size - counts.read, reason: a.interruptedWhy ?? 'its process stopped without finishing (killed, crashed or the machine went down)' } }
      : {}),
    ...(a.settledOnly && status === 'failed' ? { unsettled: ctx.ledger.size - counts.read } : {}),
    ...(fatal instanceof PimUnreachableError ? { pimUnreachable: { since: fatal.since.toISOString(), lastError: fatal.lastError } } : {}),
    ...(fatal ? { error: errorText(fatal) } : {}),
  };
  if (!countsAddUp(counts)) report.error = `${report.error ? `${report.error}; ` : ''}counts do not add up (Ferry bug)`;
  return report;
}
