/**
 * The run-history read port: the pages, filters and counts the Console shows of the engine's runs,
 * run records and rejects (the engine itself needs none of them, so they stay apart from the
 * StateStore's write-side methods). Each store gives its implementation through
 * `StateStore.history()`: history-sqlite.ts and history-postgres.ts, the same contract suite
 * (test/sync/run-history.test.ts) running against both. Read-only: nothing here writes.
 */
import type { RejectRow, RunRow } from './port.js';

export interface RunHistoryFilter {
  /** Runs whose status is one of these. */
  statuses?: readonly string[];
  /** true: runs no longer `running`; false: only `running` ones. */
  finished?: boolean;
  mode?: string;
  /** Runs whose id is above / below. */
  afterId?: number;
  beforeId?: number;
  /** Runs started at or before this ISO time. */
  startedAtOrBefore?: string;
}

/** A run as a list shows it: its report reduced to its counts (the rest can be megabytes). */
export interface RunListItem {
  id: number;
  mode: string;
  status: string;
  startedAt: string;
  finishedAt: string | null;
  /** The report's `counts` as stored (null while the run has written none). */
  counts: unknown;
  /** Who started it, as its options say (a run a worker queued for a schedule); null when they don't. */
  startedBy: string | null;
  /** The job queue's schedule (`console-<id>`) whose occurrence a worker queued it for; else null. */
  schedule: string | null;
}

/** One record of a run with what the state knows of its product (for the link to the PIM). */
export interface RunRecordView {
  stream: string;
  key: string;
  entityType: string;
  outcome: string;
  reason: string | null;
  /** The product's state row by origin (stream, key), when there is one. */
  pimId: string | null;
  sku: string | null;
  entityStatus: string | null;
  /**
   * For a product model: the PIM id of one of its variant products (the first by code), whose page
   * shows the model one click away; Akeneo opens a model's own page only by an id the API never gives.
   */
  modelVariantPimId: string | null;
}

export interface RunHistory {
  /** A page of runs, newest first unless `order` is `asc`, and how many match. `limit` null: all. */
  listRuns(filter: RunHistoryFilter, page: { offset: number; limit: number | null; order?: 'asc' | 'desc' }): Promise<{ items: RunListItem[]; total: number }>;
  /** The run with the options it was started with. */
  getRunWithOptions(id: number): Promise<(RunRow & { options: unknown }) | null>;
  /** A page of a run's records, by stream then key; `keyContains` matches part of the ERP key, literally. */
  runRecords(runId: number, filter: { outcome?: string; keyContains?: string }, page: { offset: number; limit: number }): Promise<{ items: RunRecordView[]; total: number }>;
  /** How many records the run has settled so far. */
  countRunRecords(runId: number): Promise<number>;
  /** The rejects of these records of the run, in the order they were stored. */
  rejectsOf(runId: number, records: readonly { stream: string; key: string }[]): Promise<RejectRow[]>;
  /** The distinct ERP keys of a stream the run rejected, sorted. */
  rejectedKeys(runId: number, stream: string): Promise<string[]>;
  /** The origin keys of every product state of these ERP groups (deleted ones too), sorted. */
  productsOfGroups(groupKeys: readonly string[]): Promise<string[]>;
  /** The fix of the newest reject of a `mode` run on `stream` for one of these keys. */
  lastRejectFix(mode: string, stream: string, keys: readonly string[]): Promise<string | null>;
  /** Runs by status, and the sum of every report's counts by outcome (the metrics). */
  runTotals(): Promise<{ byStatus: Record<string, number>; byOutcome: Record<RunOutcomeCount, number> }>;
}

/** The report counts the metrics sum over every run. */
export const RUN_OUTCOME_COUNTS = ['created', 'updated', 'unchanged', 'rejected', 'skipped', 'disabled', 'deleted'] as const;
export type RunOutcomeCount = (typeof RUN_OUTCOME_COUNTS)[number];

/** `%` and `_` in a LIKE pattern taken literally (escape character `\`), for `keyContains`. */
export function likeContains(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** A record key for maps keyed by (stream, key). */
export function recordKey(stream: string, key: string): string {
  return `${stream}\u0000${key}`;
}

/**
 * The WHERE conditions of a run filter over `runs r`; `param` binds a value and returns its
 * placeholder (`?` for SQLite, `$n` for PostgreSQL), so both stores filter alike.
 */
export function runFilterSql(filter: RunHistoryFilter, param: (value: unknown) => string): string {
  const where: string[] = [];
  if (filter.statuses) where.push(filter.statuses.length === 0 ? 'FALSE' : `r.status IN (${filter.statuses.map((s) => param(s)).join(', ')})`);
  if (filter.finished === true) where.push("r.status <> 'running'");
  if (filter.finished === false) where.push("r.status = 'running'");
  if (filter.mode !== undefined) where.push(`r.mode = ${param(filter.mode)}`);
  if (filter.afterId !== undefined) where.push(`r.id > ${param(filter.afterId)}`);
  if (filter.beforeId !== undefined) where.push(`r.id < ${param(filter.beforeId)}`);
  if (filter.startedAtOrBefore !== undefined) where.push(`r.started_at <= ${param(filter.startedAtOrBefore)}`);
  return where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
}

/** The conditions of a run-records page over `run_records rr` (see runFilterSql for `param`). */
export function recordFilterSql(runId: number, filter: { outcome?: string; keyContains?: string }, param: (value: unknown) => string): string {
  const where = [`rr.run_id = ${param(runId)}`];
  if (filter.outcome !== undefined) where.push(`rr.outcome = ${param(filter.outcome)}`);
  if (filter.keyContains !== undefined) where.push(`rr.erp_key LIKE ${param(likeContains(filter.keyContains))} ESCAPE '\\'`);
  return where.join(' AND ');
}

/** A run row as both stores return it (options and report as JSON text). */
export interface RunHistoryDbRow {
  id: number;
  mode: string;
  status: string;
  started_at: string;
  finished_at: string | null;
  options: string | null;
  report: string | null;
}

export interface RecordViewDbRow {
  stream: string;
  erp_key: string;
  entity_type: string;
  outcome: string;
  reason: string | null;
  pim_id: string | null;
  sku: string | null;
  entity_status: string | null;
  model_variant_pim_id: string | null;
}

export function recordViewOf(r: RecordViewDbRow): RunRecordView {
  return {
    stream: r.stream,
    key: r.erp_key,
    entityType: r.entity_type,
    outcome: r.outcome,
    reason: r.reason,
    pimId: r.pim_id,
    sku: r.sku,
    entityStatus: r.entity_status,
    modelVariantPimId: r.model_variant_pim_id,
  };
}

/**
 * The select list of a run-records page: the record, its product's state row (by origin) and, for
 * a product model, the PIM id of its first variant product by code. Plain SQL both stores run.
 */
export const RECORD_VIEW_SELECT = `rr.stream, rr.erp_key, rr.entity_type, rr.outcome, rr.reason,
  (SELECT e.pim_id FROM entities e WHERE e.origin_stream = rr.stream AND e.origin_key = rr.erp_key AND e.entity_type = 'product' ORDER BY e.code LIMIT 1) AS pim_id,
  (SELECT e.code FROM entities e WHERE e.origin_stream = rr.stream AND e.origin_key = rr.erp_key AND e.entity_type = 'product' ORDER BY e.code LIMIT 1) AS sku,
  (SELECT e.status FROM entities e WHERE e.origin_stream = rr.stream AND e.origin_key = rr.erp_key AND e.entity_type = 'product' ORDER BY e.code LIMIT 1) AS entity_status,
  (SELECT v.pim_id FROM entities v WHERE rr.entity_type = 'product_model' AND v.entity_type = 'product' AND v.group_key = rr.erp_key AND v.pim_id IS NOT NULL AND v.status <> 'deleted' ORDER BY v.code LIMIT 1) AS model_variant_pim_id`;
