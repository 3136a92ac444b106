/**
 * The run-history port (run-history.ts) in SQL both stores run: the queries are one text, and
 * each store gives its dialect (how it runs a query, its placeholders, how it reads the report's
 * JSON). sqlite.ts and postgres.ts hand one out through `history()`.
 */
import { chunks } from '../../util/chunks.js';
import type { RejectRow, RunRow, RunStatus } from './port.js';
import { rejectFromRow, type RejectColumns } from './reject-row.js';
import { parseJson } from './rows.js';
import {
  RECORD_VIEW_SELECT,
  recordFilterSql,
  recordKey,
  recordViewOf,
  RUN_OUTCOME_COUNTS,
  runFilterSql,
  type RecordViewDbRow,
  type RunHistory,
  type RunHistoryDbRow,
  type RunHistoryFilter,
  type RunListItem,
  type RunOutcomeCount,
  type RunRecordView,
} from './run-history.js';

export interface HistoryDialect {
  /** Runs a read and returns its rows. */
  all<R>(sql: string, params: readonly unknown[]): Promise<R[]>;
  /** The placeholder of the n-th parameter (1-based). */
  placeholder(n: number): string;
  /** The report's `counts` as JSON text, from the column `r.report`. */
  countsJson: string;
  /** A field of the run's options as text, from `r.options` (a run a worker queued for a schedule names it there). */
  optionText(field: 'startedBy' | 'schedule'): string;
  /** The report's count of an outcome as an integer (null when absent), from `r.report`. */
  countOf(outcome: RunOutcomeCount): string;
}

/** Keys per IN list: far below SQLite's cap on bound parameters. */
const IN_CHUNK = 500;

type RejectDbRow = RejectColumns & { id: number; run_id: number; payload: string | null; errors: string | null };

export class SqlRunHistory implements RunHistory {
  constructor(private readonly d: HistoryDialect) {}

  /** A parameter binder: each call adds the value and returns its placeholder. */
  private binder(): { params: unknown[]; param: (value: unknown) => string } {
    const params: unknown[] = [];
    return {
      params,
      param: (value) => {
        params.push(value);
        return this.d.placeholder(params.length);
      },
    };
  }

  async listRuns(filter: RunHistoryFilter, page: { offset: number; limit: number | null; order?: 'asc' | 'desc' }): Promise<{ items: RunListItem[]; total: number }> {
    const count = this.binder();
    const [{ n }] = (await this.d.all<{ n: number }>(`SELECT COUNT(*) AS n FROM runs r ${runFilterSql(filter, count.param)}`, count.params)) as [{ n: number }];
    const b = this.binder();
    const where = runFilterSql(filter, b.param);
    const limit = page.limit === null ? '' : `LIMIT ${b.param(page.limit)} OFFSET ${b.param(page.offset)}`;
    const rows = await this.d.all<Omit<RunHistoryDbRow, 'options' | 'report'> & { counts: string | null; started_by: string | null; schedule: string | null }>(
      `SELECT r.id, r.mode, r.status, r.started_at, r.finished_at, ${this.d.countsJson} AS counts, ${this.d.optionText('startedBy')} AS started_by, ${this.d.optionText('schedule')} AS schedule FROM runs r ${where} ORDER BY r.id ${page.order === 'asc' ? 'ASC' : 'DESC'} ${limit}`,
      b.params,
    );
    return {
      total: Number(n),
      items: rows.map((r) => ({ id: r.id, mode: r.mode, status: r.status, startedAt: r.started_at, finishedAt: r.finished_at, counts: parseJson(r.counts), startedBy: r.started_by ?? null, schedule: r.schedule ?? null })),
    };
  }

  async getRunWithOptions(id: number): Promise<(RunRow & { options: unknown }) | null> {
    const [r] = await this.d.all<RunHistoryDbRow>(`SELECT r.id, r.mode, r.status, r.started_at, r.finished_at, r.options, r.report FROM runs r WHERE r.id = ${this.d.placeholder(1)}`, [id]);
    if (!r) return null;
    return { id: r.id, mode: r.mode, status: r.status as RunStatus, startedAt: r.started_at, finishedAt: r.finished_at, report: parseJson(r.report), options: parseJson(r.options) };
  }

  async runRecords(runId: number, filter: { outcome?: string; keyContains?: string }, page: { offset: number; limit: number }): Promise<{ items: RunRecordView[]; total: number }> {
    const count = this.binder();
    const [{ n }] = (await this.d.all<{ n: number }>(`SELECT COUNT(*) AS n FROM run_records rr WHERE ${recordFilterSql(runId, filter, count.param)}`, count.params)) as [{ n: number }];
    const b = this.binder();
    const where = recordFilterSql(runId, filter, b.param);
    const rows = await this.d.all<RecordViewDbRow>(
      `SELECT ${RECORD_VIEW_SELECT} FROM run_records rr WHERE ${where} ORDER BY rr.stream, rr.erp_key LIMIT ${b.param(page.limit)} OFFSET ${b.param(page.offset)}`,
      b.params,
    );
    return { total: Number(n), items: rows.map(recordViewOf) };
  }

  async countRunRecords(runId: number): Promise<number> {
    const [r] = await this.d.all<{ n: number }>(`SELECT COUNT(*) AS n FROM run_records WHERE run_id = ${this.d.placeholder(1)}`, [runId]);
    return Number(r?.n ?? 0);
  }

  async rejectsOf(runId: number, records: readonly { stream: string; key: string }[]): Promise<RejectRow[]> {
    const wanted = new Set(records.map((r) => recordKey(r.stream, r.key)));
    const rows: RejectDbRow[] = [];
    for (const part of chunks([...new Set(records.map((r) => r.key))], IN_CHUNK)) {
      const b = this.binder();
      const run = b.param(runId);
      rows.push(...(await this.d.all<RejectDbRow>(`SELECT * FROM rejects WHERE run_id = ${run} AND erp_key IN (${part.map((k) => b.param(k)).join(', ')})`, b.params)));
    }
    return rows
      .filter((r) => wanted.has(recordKey(r.stream, r.erp_key)))
      .sort((a, b) => Number(a.id) - Number(b.id))
      .map((r) => ({ runId: r.run_id, ...rejectFromRow(r), payload: parseJson(r.payload), errors: parseJson(r.errors) }));
  }

  async rejectedKeys(runId: number, stream: string): Promise<string[]> {
    const rows = await this.d.all<{ erp_key: string }>(`SELECT DISTINCT erp_key FROM rejects WHERE run_id = ${this.d.placeholder(1)} AND stream = ${this.d.placeholder(2)}`, [runId, stream]);
    return rows.map((r) => r.erp_key).sort(byCodeUnits);
  }

  async productsOfGroups(groupKeys: readonly string[]): Promise<string[]> {
    const keys = new Set<string>();
    for (const part of chunks([...groupKeys], IN_CHUNK)) {
      const b = this.binder();
      const rows = await this.d.all<{ origin_key: string }>(`SELECT origin_key FROM entities WHERE entity_type = 'product' AND group_key IN (${part.map((k) => b.param(k)).join(', ')})`, b.params);
      for (const r of rows) keys.add(r.origin_key);
    }
    return [...keys].sort(byCodeUnits);
  }

  async lastRejectFix(mode: string, stream: string, keys: readonly string[]): Promise<string | null> {
    if (keys.length === 0) return null;
    const b = this.binder();
    const sql = `SELECT j.fix FROM rejects j JOIN runs r ON r.id = j.run_id
      WHERE r.mode = ${b.param(mode)} AND j.stream = ${b.param(stream)} AND j.erp_key IN (${keys.map((k) => b.param(k)).join(', ')})
      ORDER BY j.run_id DESC, j.id DESC LIMIT 1`;
    const [r] = await this.d.all<{ fix: string | null }>(sql, b.params);
    return r?.fix ?? null;
  }

  async runTotals(): Promise<{ byStatus: Record<string, number>; byOutcome: Record<RunOutcomeCount, number> }> {
    const byStatus: Record<string, number> = {};
    for (const r of await this.d.all<{ status: string; n: number }>('SELECT status, COUNT(*) AS n FROM runs GROUP BY status', [])) byStatus[r.status] = Number(r.n);
    const [sums] = await this.d.all<Record<RunOutcomeCount, number | string | null>>(
      `SELECT ${RUN_OUTCOME_COUNTS.map((o) => `SUM(${this.d.countOf(o)}) AS ${o}`).join(', ')} FROM runs r WHERE r.report IS NOT NULL`,
      [],
    );
    const byOutcome = Object.fromEntries(RUN_OUTCOME_COUNTS.map((o) => [o, Number(sums?.[o] ?? 0)])) as Record<RunOutcomeCount, number>;
    return { byStatus, byOutcome };
  }
}

/** Code-unit order, as both stores sort keys (PostgreSQL's "C" collation, SQLite's BINARY). */
function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
