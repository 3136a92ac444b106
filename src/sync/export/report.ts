/**
 * The export run's report: the sync's RunReport shape (so `ferry runs` and the Console's runs
 * pages read it unchanged) with `direction: 'export'` and what each product became.
 */
import { emptyCounts, type RunReport } from '../report.js';

export type ExportOutcome = 'created' | 'updated' | 'unchanged' | 'failed' | 'skipped' | 'planned';

export interface ExportedProduct {
  /** The PIM product's uuid (or identifier on identifier endpoints). */
  pimId: string;
  sku: string | null;
  outcome: ExportOutcome;
  /** The SKU Ferry's generator gave the product in this run. */
  generatedSku?: boolean;
  /** The ERP's id of the record, when the ERP tells it. */
  erpId?: string;
  message?: string;
  /** Dry run: the records that would be written. */
  records?: unknown[];
}

export interface ExportReport extends RunReport {
  direction: 'export';
  /** The ERP sink written to (`tryton`, `sql`, `files`, …). */
  sink: string;
  /** Every tagged product the run looked at (the first 1,000). */
  products: ExportedProduct[];
  /** SKUs Ferry's generator assigned in this run. */
  skusGenerated: number;
  /** Products whose status (and SKU, ERP id, message) Ferry wrote back to the PIM. */
  statusWrites: { written: number; failed: number; messages: string[] };
}

export function emptyExportReport(sink: string, dryRun: boolean, startedAt: Date): ExportReport {
  return {
    direction: 'export',
    sink,
    runId: null,
    mode: 'delta',
    status: 'succeeded',
    dryRun,
    startedAt: startedAt.toISOString(),
    finishedAt: startedAt.toISOString(),
    durationMs: 0,
    counts: emptyCounts(),
    byType: { category: emptyCounts(), product_model: emptyCounts(), product: emptyCounts() },
    requests: { total: 0, writes: 0, retried: 0, throttled: 0 },
    batches: {},
    rejects: [],
    warnings: [],
    warningsTotal: 0,
    deletions: { policy: 'none', gone: 0, applied: 0, failed: 0 },
    watermarks: { before: {}, after: {} },
    products: [],
    skusGenerated: 0,
    statusWrites: { written: 0, failed: 0, messages: [] },
  };
}

/** The text `ferry export` prints. */
export function formatExportReport(r: ExportReport): string {
  const c = r.counts;
  const took = r.durationMs < 1000 ? `${r.durationMs} ms` : `${(r.durationMs / 1000).toFixed(1)} s`;
  const planned = r.products.filter((p) => p.outcome === 'planned').length;
  const lines = [
    `Export ${r.runId !== null ? `#${r.runId} ` : ''}to ${r.sink}${r.dryRun ? ' (dry run: nothing written)' : ''}: ${r.status} in ${took}`,
    r.dryRun
      ? `  tagged products read ${c.read}: would send ${planned}, in error ${c.rejected}, skipped ${c.skipped - planned}`
      : `  tagged products read ${c.read}: created ${c.created}, updated ${c.updated}, unchanged ${c.unchanged}, in error ${c.rejected}, skipped ${c.skipped}`,
  ];
  if (r.skusGenerated) lines.push(`  SKUs generated: ${r.skusGenerated}`);
  if (!r.dryRun) lines.push(`  statuses written back to the PIM: ${r.statusWrites.written}${r.statusWrites.failed ? `, failed ${r.statusWrites.failed}` : ''}`);
  for (const m of r.statusWrites.messages.slice(0, 10)) lines.push(`    ${m}`);
  for (const reject of r.rejects.slice(0, 20)) lines.push(`  ✗ ${reject.label}: ${reject.message}${reject.fix ? ` — ${reject.fix}` : ''}`);
  if (r.rejects.length > 20) lines.push(`  … and ${r.rejects.length - 20} more (ferry runs show ${r.runId ?? ''})`);
  if (r.dryRun) for (const p of r.products.slice(0, 50)) lines.push(`  ${p.outcome} ${p.sku ?? p.pimId}${p.message ? `: ${p.message}` : ''}`);
  if (r.error) lines.push(`  error: ${r.error}`);
  return lines.join('\n');
}
