/**
 * The run report: what a run did, in numbers and in words. Stored with the run (state
 * store), printed by `ferry sync` / `ferry runs show`, exported as CSV for Julia.
 */
import type { RejectRow } from './state/port.js';
import type { FamilyVariantChange } from './family-variant-change.js';

export type SyncMode = 'delta' | 'full' | 'since' | 'keys' | 'category';
export type ReportStatus = 'succeeded' | 'rejects' | 'failed' | 'interrupted';
export type ReportEntityType = 'category' | 'product_model' | 'product';

export interface OutcomeCounts {
  read: number;
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
  skipped: number;
  /** Disabled by the deletion policy (`disable`); reports stored before it existed lack it (counted in `deleted` then). */
  disabled: number;
  /** Deleted, or removed from their categories, by the deletion policy. */
  deleted: number;
}

export function emptyCounts(): OutcomeCounts {
  return { read: 0, created: 0, updated: 0, unchanged: 0, rejected: 0, skipped: 0, disabled: 0, deleted: 0 };
}

export interface RequestCounts {
  total: number;
  writes: number;
  retried: number;
  throttled: number;
}

export interface ReportReject {
  stream: string;
  key: string;
  entityType: string;
  /** The label Julia knows the record by (SKU, model code, category code). */
  label: string;
  attribute?: string | null;
  locale?: string | null;
  scope?: string | null;
  message: string;
  fix?: string | null;
}

export interface PlanSummary {
  /** Entity type → action → count. */
  actions: Record<string, Record<'create' | 'update' | 'unchanged' | 'delete' | 'skip' | 'reject', number>>;
  /** With --keys: the exact bodies that would be sent. */
  payloads?: { entityType: string; code: string; action: string; payload: unknown }[];
}

export interface DriftItem {
  entityType: string;
  code: string;
  kind: 'value_changed' | 'missing_in_pim';
  key?: string;
  expected?: unknown;
  actual?: unknown;
}

export interface VerifySummary {
  checked: number;
  drift: number;
  missing: number;
  repaired: number;
  items: DriftItem[];
}

export interface RunReport {
  runId: number | null;
  mode: SyncMode;
  status: ReportStatus;
  dryRun: boolean;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  counts: OutcomeCounts;
  byType: Record<ReportEntityType, OutcomeCounts>;
  requests: RequestCounts;
  /** Write batches sent per lane (`product`, `product_model`, `category`, `option:<attr>`, `media`). */
  batches: Record<string, number>;
  rejects: ReportReject[];
  /** Values the mapping dropped while the rest of the record went through. */
  warnings: ReportReject[];
  warningsTotal: number;
  /** Warnings the ERP adapter logged during the run (e.g. fuzzy translations): the first 100 and the total. */
  erpWarnings?: { messages: string[]; total: number };
  /**
   * Records that went to the PIM without some of their values (each dropped value is a
   * warning): `records` of them, `values` dropped in all. Exit code 2 unless configured otherwise.
   */
  partial?: { records: number; values: number };
  /** Why records were skipped (per entity type, most frequent first, at most 10 reasons). */
  skipped?: { reason: string; entityType: ReportEntityType; count: number }[];
  deletions: { policy: string; gone: number; applied: number; failed: number };
  /**
   * The records the deletion policy acted on, counted apart by what it did (disabled: `disabled`
   * in `counts`; removed from their categories, deleted: `deleted` in `counts`), and the products gone
   * from the ERP; each with its count and the first 50 names.
   */
  deletionRecords?: Record<'disabled' | 'uncategorized' | 'deleted' | 'gone', { count: number; names: string[] }>;
  watermarks: { before: Record<string, string | null>; after: Record<string, string | null> };
  plan?: PlanSummary;
  verify?: VerifySummary;
  /** Product models moved to another family variant (or whose move was refused), each with its steps in plain words. */
  familyVariantChanges?: FamilyVariantChange[];
  /** Update-only mode: entities Ferry had not synced, found in the PIM (then updated) or not (skipped). */
  updateOnly?: { foundInPim: number; notInPim: number };
  /**
   * --category / --keys: what the ERP had outside the selection. Records outside the selection
   * are not records of the run (not in `counts`), like the items --keys does not name.
   */
  scope?: { outsideCategory: number; keysNotFound: string[]; keysNotFoundTotal: number };
  /**
   * An interrupted run (SIGTERM, Ctrl-C, or its process gone): `counts` hold the records whose
   * outcome was final when it stopped; `unsettled` were read but not finished (the watermark did
   * not move, so the next run reads them again).
   */
  interrupted?: { unsettled: number; reason: string };
  /** A failed run: records read but not finished when it stopped (not in `counts`; read again by the next run). */
  unsettled?: number;
  /** The run failed because the PIM gave no answer for longer than sync.pimUnreachableSeconds. */
  pimUnreachable?: { since: string; lastError: string };
  /** EE: reference entity records and assets written before the products (src/sync/stages/references.ts); not ERP records, so not in `counts`. */
  referenceData?: import('./stages/references.js').ReferenceDataReport;
  error?: string;
}

/** The object `ferry sync --json` prints (the CLI contract). */
export function jsonSummary(r: RunReport): {
  runId: number | null;
  mode: SyncMode;
  status: ReportStatus;
  counts: OutcomeCounts;
  requests: RequestCounts;
  durationMs: number;
  dryRun?: boolean;
  plan?: PlanSummary;
  verify?: Omit<VerifySummary, 'items'> & { items: DriftItem[] };
  rejects?: ReportReject[];
  partial?: { records: number; values: number };
  deletions?: RunReport['deletionRecords'];
  familyVariantChanges?: FamilyVariantChange[];
  interrupted?: RunReport['interrupted'];
  unsettled?: number;
  pimUnreachable?: RunReport['pimUnreachable'];
  error?: string;
} {
  return {
    runId: r.runId,
    mode: r.mode,
    status: r.status,
    counts: r.counts,
    requests: r.requests,
    durationMs: r.durationMs,
    ...(r.dryRun ? { dryRun: true, plan: r.plan } : {}),
    ...(r.verify ? { verify: r.verify } : {}),
    ...(r.rejects.length > 0 ? { rejects: r.rejects } : {}),
    ...(r.partial ? { partial: r.partial } : {}),
    ...(r.deletionRecords ? { deletions: r.deletionRecords } : {}),
    ...(r.familyVariantChanges ? { familyVariantChanges: r.familyVariantChanges } : {}),
    ...(r.interrupted ? { interrupted: r.interrupted } : {}),
    ...(r.unsettled ? { unsettled: r.unsettled } : {}),
    ...(r.pimUnreachable ? { pimUnreachable: r.pimUnreachable } : {}),
    ...(r.error ? { error: r.error } : {}),
  };
}

/**
 * 0 succeeded, 2 rejects (or records sent with values dropped, unless `droppedValuesExit` is 0),
 * 1 failed or interrupted (the CLI exits 130/143 for a run it stopped on a signal).
 */
export function exitCodeFor(r: Pick<RunReport, 'status'> & Partial<Pick<RunReport, 'partial'>>, options: { droppedValuesExit?: 0 | 2 } = {}): number {
  if (r.status === 'failed' || r.status === 'interrupted') return 1;
  if (r.status === 'rejects') return 2;
  return r.partial && r.partial.records > 0 ? (options.droppedValuesExit ?? 2) : 0;
}

const OUTCOMES: readonly (keyof OutcomeCounts)[] = ['created', 'updated', 'unchanged', 'rejected', 'skipped', 'disabled', 'deleted'];

/** True when every record read ended in exactly one outcome. */
export function countsAddUp(c: OutcomeCounts): boolean {
  // (`?? 0`: a report stored before `disabled` existed)
  return OUTCOMES.reduce((sum, k) => sum + (c[k] ?? 0), 0) === c.read;
}

function fmtDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  if (s < 90) return `${s.toFixed(1)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

const TYPE_WORDS: Record<ReportEntityType, [string, string]> = {
  product: ['product', 'products'],
  product_model: ['product model', 'product models'],
  category: ['category', 'categories'],
};

/** The human-readable report. */
export function formatReport(r: RunReport): string {
  const lines: string[] = [];
  const title = r.dryRun ? 'Dry run (nothing written)' : r.runId === null || r.runId === undefined ? 'Run (not recorded)' : `Run #${r.runId}`;
  lines.push(`${title}: ${r.mode} sync, ${r.status.toUpperCase()}`);
  lines.push(`  started ${r.startedAt}, finished ${r.finishedAt} (${fmtDuration(r.durationMs)})`);
  if (r.error) lines.push(`  error: ${r.error}`);
  if (r.unsettled) lines.push(`  not finished: ${r.unsettled} more records read but not finished when the run stopped, not counted below (the next run reads them again)`);
  if (r.interrupted) {
    lines.push(`  interrupted: ${r.interrupted.reason}; ${r.interrupted.unsettled} more records read but not finished, not counted below (the next run reads them again)`);
  }
  const c = r.counts;
  lines.push(
    `  records: ${c.read} read → ${c.created} created, ${c.updated} updated, ${c.unchanged} unchanged, ${c.rejected} rejected, ${c.skipped} skipped, ${c.disabled ?? 0} disabled, ${c.deleted} deleted`,
  );
  const head = `  ${pad('', 15)}${OUTCOMES.map((o) => pad(o, 11)).join('')}`;
  lines.push(head);
  for (const [type, counts] of Object.entries(r.byType)) {
    if (counts.read === 0) continue;
    lines.push(`  ${pad(type, 15)}${OUTCOMES.map((o) => pad(String(counts[o] ?? 0), 11)).join('')}`);
  }
  const q = r.requests;
  lines.push(`  requests: ${q.total} total, ${q.writes} writes, ${q.retried} retried, ${q.throttled} throttled (429)`);
  if (r.referenceData) lines.push(...referenceDataLines(r.referenceData));
  if (r.deletionRecords) {
    const named = (label: string, e: { count: number; names: string[] }) => {
      if (e.count === 0) return;
      lines.push(`  ${label} (${e.count}): ${e.names.slice(0, 20).join(', ')}${e.count > 20 ? `, … ${e.count - 20} more (ferry runs show ${r.runId ?? 'ID'} --json)` : ''}`);
    };
    named('disabled in the PIM', r.deletionRecords.disabled);
    named('removed from their categories', r.deletionRecords.uncategorized);
    named('deleted from the PIM', r.deletionRecords.deleted);
    named('gone from the ERP', r.deletionRecords.gone);
  }
  if (r.deletions.gone > 0) {
    lines.push(`  gone from the ERP: ${r.deletions.gone} (policy ${r.deletions.policy}: ${r.deletions.applied} applied, ${r.deletions.failed} failed)`);
  }
  if (r.scope?.outsideCategory) lines.push(`  outside the category: ${r.scope.outsideCategory} items read from the ERP and left alone (not counted)`);
  if (r.scope?.keysNotFoundTotal) {
    lines.push(`  not in the ERP: ${r.scope.keysNotFoundTotal} of the keys asked for (${r.scope.keysNotFound.slice(0, 10).join(', ')}${r.scope.keysNotFoundTotal > 10 ? ', …' : ''})`);
  }
  if (r.skipped && r.skipped.length > 0 && c.skipped > 0) {
    lines.push(`  skipped (${c.skipped}):`);
    let shown = 0;
    for (const s of r.skipped) {
      lines.push(`    - ${s.count} ${TYPE_WORDS[s.entityType][s.count === 1 ? 0 : 1]}: ${s.reason}`);
      shown += s.count;
    }
    if (shown < c.skipped) lines.push(`    - ${c.skipped - shown} more, for other reasons`);
  }
  for (const ch of r.familyVariantChanges ?? []) {
    const state = { planned: 'would move (dry run: nothing written)', refused: 'not moved', done: 'moved', failed: 'move failed' }[ch.status];
    lines.push(`  product model ${ch.model}: family variant ${ch.from} → ${ch.to}, ${state}${ch.error ? `: ${ch.error}` : ''}`);
    for (const step of ch.steps) lines.push(`    ${step}`);
  }
  if (r.updateOnly) {
    lines.push(`  update-only: ${r.updateOnly.foundInPim} found in the PIM and adopted, ${r.updateOnly.notInPim} not in the PIM (skipped)`);
  }
  if (r.plan) {
    lines.push('  plan:');
    for (const [type, actions] of Object.entries(r.plan.actions)) {
      const parts = Object.entries(actions)
        .filter(([, n]) => n > 0)
        .map(([a, n]) => `${n} ${a}`);
      if (parts.length > 0) lines.push(`    ${pad(type, 15)}${parts.join(', ')}`);
    }
    for (const p of r.plan.payloads ?? []) lines.push(`    ${p.action} ${p.entityType} ${p.code}: ${JSON.stringify(p.payload)}`);
  }
  if (r.verify) {
    lines.push(
      `  verify: ${r.verify.checked} checked, ${r.verify.drift} values changed in the PIM, ${r.verify.missing} missing in the PIM, ${r.verify.repaired} repaired`,
    );
    for (const d of r.verify.items.slice(0, 20)) {
      lines.push(
        d.kind === 'missing_in_pim'
          ? `    ${d.entityType} ${d.code}: missing in the PIM`
          : `    ${d.entityType} ${d.code}: ${d.key} is ${JSON.stringify(d.actual)} in the PIM, Ferry wrote ${JSON.stringify(d.expected)}`,
      );
    }
  }
  if (r.rejects.length > 0) {
    lines.push(`  rejected (${c.rejected} record${c.rejected === 1 ? '' : 's'}):`);
    for (const rej of r.rejects.slice(0, 20)) lines.push(`    - ${rej.message}${rej.fix ? ` → ${rej.fix}` : ''}`);
    if (r.rejects.length > 20 || c.rejected > 20) lines.push(`    … see: ferry runs show ${r.runId ?? 'ID'} --rejects > rejects.csv`);
  }
  if (r.erpWarnings && r.erpWarnings.total > 0) {
    lines.push(`  ERP warnings: ${r.erpWarnings.total}`);
    for (const m of r.erpWarnings.messages.slice(0, 10)) lines.push(`    - ${m}`);
    if (r.erpWarnings.total > 10) lines.push(`    - ${r.erpWarnings.total - 10} more (ferry runs show ID --json)`);
  }
  if (r.partial) {
    lines.push(`  partial: ${r.partial.records} record${r.partial.records === 1 ? '' : 's'} sent without some of ${r.partial.records === 1 ? 'its' : 'their'} values (${r.partial.values} value${r.partial.values === 1 ? '' : 's'} dropped, see below)`);
  }
  if (r.warningsTotal > 0) {
    lines.push(`  values dropped by the mapping (record still sent): ${r.warningsTotal}`);
    for (const w of r.warnings.slice(0, 10)) lines.push(`    - ${w.message}${w.fix ? ` → ${w.fix}` : ''}`);
  }
  return lines.join('\n');
}

/** One line for logs and the end of the Quick start. */
export function summaryLine(r: RunReport): string {
  const c = r.counts;
  return (
    `ferry sync ${r.mode}${r.dryRun ? ' (dry run)' : ''}: ${r.status}; ${c.read} read, ${c.created} created, ${c.updated} updated, ` +
    `${c.unchanged} unchanged, ${c.rejected} rejected, ${c.skipped} skipped, ${c.disabled ?? 0} disabled, ${c.deleted} deleted; ` +
    (r.partial ? `${r.partial.records} partial (${r.partial.values} values dropped); ` : '') +
    `${r.requests.total} requests (${r.requests.writes} writes) in ${fmtDuration(r.durationMs)}`
  );
}

function csvCell(value: unknown): string {
  const text = value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  // Spreadsheet formula injection: a leading = + - @ would run as a formula in Excel.
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\n\r;]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The rejects of a run as CSV (UTF-8, comma, header row) for a spreadsheet. */
export function rejectsCsv(rows: readonly RejectRow[]): string {
  const header = ['run', 'type', 'record', 'erp_stream', 'erp_key', 'attribute', 'locale', 'channel', 'problem', 'how_to_fix', 'payload'];
  const lines = [header.join(',')];
  for (const r of rows) {
    lines.push(
      [r.runId, r.entityType, r.label, r.stream, r.key, r.attribute, r.locale, r.scope, r.message, r.fix, r.payload ?? null].map(csvCell).join(','),
    );
  }
  return lines.join('\r\n') + '\r\n';
}

/** The EE reference data stage's counts: records and assets are not ERP records, so they get their own lines. */
function referenceDataLines(d: NonNullable<RunReport['referenceData']>): string[] {
  const part = (name: string, c: NonNullable<RunReport['referenceData']>['records']) =>
    `${name}: ${c.created} created, ${c.updated} updated, ${c.unchanged} unchanged${c.failed ? `, ${c.failed} failed` : ''}${c.deleted ? `, ${c.deleted} deleted` : ''}${c.kept ? `, ${c.kept} kept` : ''}`;
  return [`  ${part('reference entity records', d.records)}; ${part('assets', d.assets)} (${d.uploads} files uploaded)`, ...d.messages.slice(0, 20).map((m) => `    ${m}`)];
}
