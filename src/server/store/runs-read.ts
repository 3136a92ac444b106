/**
 * Read-only SQL over the engine's run history (runs, run_records, rejects, entities) for the
 * Console's server-side pages. The engine's StateStore port has no paging or filters (the CLI
 * needs none), so the Console reads the tables directly here and never writes them. Indexes:
 * see migrations.ts READ_INDEXES.
 */
import type { Reject, RunRecord, RunSummary } from '../api/contract.js';
import { rejectFromRow, type RejectColumns } from '../../sync/state/reject-row.js';
import { parseJsonColumn, type ConsoleDb } from './db.js';

type RunStatusBody = RunSummary['status'];

interface RunDbRow {
  id: number;
  mode: string;
  status: string;
  started_at: string;
  finished_at: string | null;
  options: string | null;
  report: string | null;
  started_by?: string | null;
}


/**
 * Product-model links. Akeneo opens a product model only by its internal numeric id
 * (`#/enrich/product-model/{id}`), which the REST API never gives; a variant product's page
 * opens by uuid and shows its model one click away (the variant navigation at the top). So a
 * model links to the page of one of its variant products (uuid mode: pim_id is the uuid).
 */
const MODEL_LINK_TARGET_SQL = `(SELECT v.pim_id FROM entities v WHERE rr.entity_type = 'product_model' AND v.entity_type = 'product' AND v.group_key = rr.erp_key AND v.pim_id IS NOT NULL AND v.status <> 'deleted' ORDER BY v.code LIMIT 1)`;

function modelLink(base: string | null, variantPimId: string | null): string | null {
  if (!base || !variantPimId || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(variantPimId)) return null;
  return `${base}/#/enrich/product/${encodeURIComponent(variantPimId)}`;
}

export interface RunRowFull {
  summary: RunSummary;
  options: unknown;
  report: unknown;
}

interface RecordRow {
  stream: string;
  erp_key: string;
  entity_type: string;
  outcome: string;
  reason: string | null;
  /** The product's state row (by origin), when there is one. */
  pim_id: string | null;
  sku: string | null;
  entity_status: string | null;
  /** For a product model: the uuid of one of its variant products (MODEL_LINK_TARGET_SQL). */
  model_variant_pim_id: string | null;
}

/** Product states whose product is in the PIM (written, or handled by the deletion policy but kept). */
const IN_PIM = new Set(['synced', 'disabled', 'uncategorized']);

/**
 * The link to a product's page in the PIM: `#/enrich/product/{uuid}` from 7.0 (and SaaS). Before
 * 7.0 the page is `#/enrich/product/{id}`, the PIM's internal id, which the API does not give, and
 * the product grid keeps its filters in the browser's session storage, not in the URL, so no link
 * can open the product (akeneo/pim-community-dev at 6.0, b4605f26e0:
 * src/Akeneo/Pim/Enrichment/Bundle/Resources/config/routing/ui/product.yml pim_enrich_product_edit
 * `/{id}`, src/Oro/Bundle/PimDataGridBundle/Resources/public/js/datagrid/state.js; 7.0, 1c801f6939:
 * `/{uuid}`). A product Ferry wrote through the identifier endpoints has no uuid in the state:
 * it gets no link, and a note saying why and how to find it.
 */
function pimLinkOf(r: RecordRow, base: string | null): { pimLink: string | null; pimLinkNote: string | null } {
  if (r.entity_type === 'product_model' && r.outcome !== 'deleted') return { pimLink: modelLink(base, r.model_variant_pim_id), pimLinkNote: null };
  if (r.entity_type !== 'product' || r.outcome === 'deleted' || !base) return { pimLink: null, pimLinkNote: null };
  if (r.pim_id) return { pimLink: `${base}/#/enrich/product/${encodeURIComponent(r.pim_id)}`, pimLinkNote: null };
  if (r.sku && r.entity_status && IN_PIM.has(r.entity_status)) {
    return {
      pimLink: null,
      pimLinkNote: `No link: this PIM is addressed through its identifier endpoints (Akeneo before 7.0), whose product pages open by an internal id the API does not give. Search for ${r.sku} in the PIM's product grid.`,
    };
  }
  return { pimLink: null, pimLinkNote: null };
}

/** Counts as stored: reports written before `disabled` was counted apart lack it. */
type StoredCounts = Omit<NonNullable<RunSummary['counts']>, 'disabled'> & { disabled?: number };

/** Such a report counted disabled products in `deleted`: they stay there, and `disabled` is 0. */
function withDisabled(c: StoredCounts): NonNullable<RunSummary['counts']> {
  return c.disabled === undefined ? { ...c, disabled: 0 } : (c as NonNullable<RunSummary['counts']>);
}

/** A stored report in today's shape (the API's schemas check what they send, so an old report must not fail them). */
function upgradeReport(report: unknown): unknown {
  const r = report as { counts?: StoredCounts; byType?: Record<string, StoredCounts> } | null;
  if (!r || typeof r !== 'object') return report;
  return {
    ...r,
    ...(r.counts ? { counts: withDisabled(r.counts) } : {}),
    ...(r.byType ? { byType: Object.fromEntries(Object.entries(r.byType).map(([type, c]) => [type, withDisabled(c)])) } : {}),
  };
}

export class RunsReader {
  constructor(
    private readonly db: ConsoleDb,
    /** Whether this server can cancel the run (it runs in this process). */
    private readonly cancellable: (runId: number) => boolean = () => false,
  ) {}

  private summary(r: RunDbRow, report: unknown): RunSummary {
    const stored = (report as { counts?: StoredCounts } | null)?.counts;
    const counts = stored ? withDisabled(stored) : null;
    return {
      id: r.id,
      mode: r.mode,
      status: r.status as RunStatusBody,
      startedAt: r.started_at,
      finishedAt: r.finished_at,
      durationMs: r.finished_at ? Math.max(0, Date.parse(r.finished_at) - Date.parse(r.started_at)) : null,
      counts,
      startedBy: r.started_by ?? 'cli',
      cancellable: r.status === 'running' && this.cancellable(r.id),
    };
  }

  /**
   * A page of runs, newest first. The summary needs the counts, which live in the report's
   * JSON: json_extract keeps the big parts of the report (rejects, plan) out of the page.
   */
  listRuns(filter: { status?: string; mode?: string }, page: number, pageSize: number): { items: RunSummary[]; total: number } {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.status) {
      where.push('r.status = ?');
      args.push(filter.status);
    }
    if (filter.mode) {
      where.push('r.mode = ?');
      args.push(filter.mode);
    }
    const w = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const total = (this.db.prepare(`SELECT COUNT(*) AS n FROM runs r ${w}`).get(...args) as { n: number }).n;
    const rows = this.db
      .prepare(
        `SELECT r.id, r.mode, r.status, r.started_at, r.finished_at, NULL AS options, json_extract(r.report, '$.counts') AS counts, o.started_by
         FROM runs r LEFT JOIN console_run_origins o ON o.run_id = r.id ${w} ORDER BY r.id DESC LIMIT ? OFFSET ?`,
      )
      .all(...args, pageSize, (page - 1) * pageSize) as (RunDbRow & { counts: string | null })[];
    return { total, items: rows.map((r) => this.summary(r, { counts: parseJsonColumn(r.counts, null) })) };
  }

  /** The last `n` runs, oldest first, for the dashboard's chart. */
  recent(n: number): RunSummary[] {
    return this.listRuns({}, 1, n).items.reverse();
  }

  lastFinished(): RunSummary | null {
    const r = this.db
      .prepare(
        `SELECT r.id, r.mode, r.status, r.started_at, r.finished_at, json_extract(r.report, '$.counts') AS counts, o.started_by
         FROM runs r LEFT JOIN console_run_origins o ON o.run_id = r.id WHERE r.status <> 'running' ORDER BY r.id DESC LIMIT 1`,
      )
      .get() as (RunDbRow & { counts: string | null }) | undefined;
    return r ? this.summary(r, { counts: parseJsonColumn(r.counts, null) }) : null;
  }

  running(): RunSummary | null {
    const r = this.db
      .prepare(`SELECT r.*, o.started_by FROM runs r LEFT JOIN console_run_origins o ON o.run_id = r.id WHERE r.status = 'running' ORDER BY r.id DESC LIMIT 1`)
      .get() as RunDbRow | undefined;
    return r ? this.summary(r, null) : null;
  }

  /** When the last run that wrote its records finished (rules: no success for D hours). */
  lastSucceededAt(): string | null {
    const r = this.db.prepare("SELECT finished_at FROM runs WHERE status IN ('succeeded', 'rejects') ORDER BY id DESC LIMIT 1").get() as { finished_at: string } | undefined;
    return r?.finished_at ?? null;
  }

  getRun(id: number): RunRowFull | null {
    const r = this.db.prepare('SELECT r.*, o.started_by FROM runs r LEFT JOIN console_run_origins o ON o.run_id = r.id WHERE r.id = ?').get(id) as RunDbRow | undefined;
    if (!r) return null;
    const report = upgradeReport(parseJsonColumn<unknown>(r.report, null));
    return { summary: this.summary(r, report), options: parseJsonColumn<unknown>(r.options, null), report };
  }

  /** A page of a run's records (stream, key order) with their rejects and a PIM link when known. */
  records(runId: number, filter: { outcome?: string; q?: string }, page: number, pageSize: number, pimUrl: string | null): { items: RunRecord[]; total: number } {
    const where = ['rr.run_id = ?'];
    const args: unknown[] = [runId];
    if (filter.outcome) {
      where.push('rr.outcome = ?');
      args.push(filter.outcome);
    }
    if (filter.q) {
      where.push("rr.erp_key LIKE ? ESCAPE '\\'");
      args.push(`%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    }
    const w = where.join(' AND ');
    const total = (this.db.prepare(`SELECT COUNT(*) AS n FROM run_records rr WHERE ${w}`).get(...args) as { n: number }).n;
    const rows = this.db
      .prepare(
        `SELECT rr.stream, rr.erp_key, rr.entity_type, rr.outcome, rr.reason,
           e.pim_id, e.code AS sku, e.status AS entity_status,
           ${MODEL_LINK_TARGET_SQL} AS model_variant_pim_id
         FROM run_records rr
         LEFT JOIN entities e ON e.rowid = (SELECT e2.rowid FROM entities e2 WHERE e2.origin_stream = rr.stream AND e2.origin_key = rr.erp_key AND e2.entity_type = 'product' LIMIT 1)
         WHERE ${w} ORDER BY rr.stream, rr.erp_key LIMIT ? OFFSET ?`,
      )
      .all(...args, pageSize, (page - 1) * pageSize) as RecordRow[];
    const rejectsByKey = new Map<string, Reject[]>();
    const rejected = rows.filter((r) => r.outcome === 'rejected');
    if (rejected.length > 0) {
      const stmt = this.db.prepare('SELECT * FROM rejects WHERE run_id = ? AND stream = ? AND erp_key = ? ORDER BY id');
      for (const r of rejected) rejectsByKey.set(`${r.stream}\u0000${r.erp_key}`, (stmt.all(runId, r.stream, r.erp_key) as RejectColumns[]).map(rejectFromRow));
    }
    const base = pimUrl?.replace(/\/+$/, '') ?? null;
    return {
      total,
      items: rows.map((r) => ({
        stream: r.stream,
        key: r.erp_key,
        entityType: r.entity_type,
        outcome: r.outcome as RunRecord['outcome'],
        reason: r.reason,
        rejects: rejectsByKey.get(`${r.stream}\u0000${r.erp_key}`) ?? [],
        ...pimLinkOf(r, base),
      })),
    };
  }

  /**
   * What a retry of the run's rejects must read: the rejected items and the items of rejected
   * groups (a product model is written with its products), and the rejected categories.
   */
  rejectedRetryKeys(runId: number): { keys: string[]; categoryKeys: string[] } {
    const categoryKeys = (this.db.prepare("SELECT DISTINCT erp_key FROM rejects WHERE run_id = ? AND stream = 'categories' ORDER BY erp_key").all(runId) as { erp_key: string }[]).map((r) => r.erp_key);
    return { keys: this.rejectedItemKeys(runId), categoryKeys };
  }

  /** The ERP item keys a retry of the run's rejects must read: rejected items, and the items of rejected groups. */
  rejectedItemKeys(runId: number): string[] {
    const keys = new Set<string>();
    for (const r of this.db.prepare("SELECT DISTINCT erp_key FROM rejects WHERE run_id = ? AND stream = 'items'").all(runId) as { erp_key: string }[]) keys.add(r.erp_key);
    const groups = (this.db.prepare("SELECT DISTINCT erp_key FROM rejects WHERE run_id = ? AND stream = 'groups'").all(runId) as { erp_key: string }[]).map((g) => g.erp_key);
    if (groups.length > 0) {
      const stmt = this.db.prepare("SELECT origin_key FROM entities WHERE entity_type = 'product' AND group_key = ?");
      for (const g of groups) for (const m of stmt.all(g) as { origin_key: string }[]) keys.add(m.origin_key);
    }
    return [...keys].sort();
  }

  setStartedBy(runId: number, startedBy: string): void {
    this.db.prepare('INSERT OR REPLACE INTO console_run_origins (run_id, started_by) VALUES (?, ?)').run(runId, startedBy);
  }

  /** Live progress of a run this server does not run (a terminal's): records settled so far. */
  settledSoFar(runId: number): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM run_records WHERE run_id = ?').get(runId) as { n: number }).n;
  }
}
