/**
 * The engine's run history as the Console's pages show it: read through the state store's
 * run-history port (src/sync/state/run-history.ts), so the same pages work on a SQLite or a
 * PostgreSQL state, joined here with who started each run (console_run_origins, in the
 * Console's own SQLite file). Never writes the engine's tables. Indexes on a SQLite state: see
 * migrations.ts READ_INDEXES.
 */
import type { Reject, RunRecord, RunSummary } from '../api/contract.js';
import type { RunHistory, RunHistoryFilter, RunListItem, RunRecordView } from '../../sync/state/run-history.js';
import { recordKey } from '../../sync/state/run-history.js';
import type { ConsoleDb } from './db.js';

type RunStatusBody = RunSummary['status'];

/**
 * Product-model links. Akeneo opens a product model only by its internal numeric id
 * (`#/enrich/product-model/{id}`), which the REST API never gives; a variant product's page
 * opens by uuid and shows its model one click away (the variant navigation at the top). So a
 * model links to the page of one of its variant products (uuid mode: its pim id is the uuid).
 */

function modelLink(base: string | null, variantPimId: string | null): string | null {
  if (!base || !variantPimId || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(variantPimId)) return null;
  return `${base}/#/enrich/product/${encodeURIComponent(variantPimId)}`;
}

export interface RunRowFull {
  summary: RunSummary;
  options: unknown;
  report: unknown;
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
function pimLinkOf(r: RunRecordView, base: string | null): { pimLink: string | null; pimLinkNote: string | null } {
  if (r.entityType === 'product_model' && r.outcome !== 'deleted') return { pimLink: modelLink(base, r.modelVariantPimId), pimLinkNote: null };
  if (r.entityType !== 'product' || r.outcome === 'deleted' || !base) return { pimLink: null, pimLinkNote: null };
  if (r.pimId) return { pimLink: `${base}/#/enrich/product/${encodeURIComponent(r.pimId)}`, pimLinkNote: null };
  if (r.sku && r.entityStatus && IN_PIM.has(r.entityStatus)) {
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
    private readonly history: RunHistory,
    /** The Console's own file: who started each run (console_run_origins). */
    private readonly db: ConsoleDb,
    /** Whether the Console can stop the running run (its own, or another process's sync). */
    private readonly cancellable: (runId: number, mode: string) => boolean = () => false,
  ) {}

  /** Who started these runs from the Console (a schedule, a user, events); the others were a terminal's. */
  private origins(ids: readonly number[]): Map<number, string> {
    if (ids.length === 0) return new Map();
    const rows = this.db.prepare(`SELECT run_id, started_by FROM console_run_origins WHERE run_id IN (${ids.map(() => '?').join(', ')})`).all(...ids) as { run_id: number; started_by: string }[];
    return new Map(rows.map((r) => [r.run_id, r.started_by]));
  }

  private summary(r: Omit<RunListItem, 'counts' | 'startedBy' | 'schedule'>, report: unknown, startedBy: string | undefined): RunSummary {
    const stored = (report as { counts?: StoredCounts } | null)?.counts;
    const counts = stored ? withDisabled(stored) : null;
    return {
      id: r.id,
      mode: r.mode,
      status: r.status as RunStatusBody,
      startedAt: r.startedAt,
      finishedAt: r.finishedAt,
      durationMs: r.finishedAt ? Math.max(0, Date.parse(r.finishedAt) - Date.parse(r.startedAt)) : null,
      counts,
      startedBy: startedBy ?? 'cli',
      cancellable: r.status === 'running' && this.cancellable(r.id, r.mode),
    };
  }

  private async page(filter: RunHistoryFilter, page: number, pageSize: number): Promise<{ items: RunSummary[]; total: number }> {
    const { items, total } = await this.history.listRuns(filter, { offset: (page - 1) * pageSize, limit: pageSize });
    const by = this.origins(items.map((r) => r.id));
    return { total, items: items.map((r) => this.summary(r, { counts: r.counts }, by.get(r.id) ?? r.startedBy ?? undefined)) };
  }

  /** A page of runs, newest first; the summary's counts come from the report, whose big parts stay in the store. */
  async listRuns(filter: { status?: string; mode?: string }, page: number, pageSize: number): Promise<{ items: RunSummary[]; total: number }> {
    return this.page({ ...(filter.status ? { statuses: [filter.status] } : {}), ...(filter.mode ? { mode: filter.mode } : {}) }, page, pageSize);
  }

  /** The last `n` runs, oldest first, for the dashboard's chart. */
  async recent(n: number): Promise<RunSummary[]> {
    return (await this.page({}, 1, n)).items.reverse();
  }

  /** Of the latest `limit` runs, those a worker queued for a job-queue schedule (RunListItem.schedule). */
  async scheduledRuns(limit = 200): Promise<{ id: number; startedAt: string; schedule: string }[]> {
    const { items } = await this.history.listRuns({}, { offset: 0, limit });
    return items.filter((r): r is RunListItem & { schedule: string } => r.schedule !== null).map((r) => ({ id: r.id, startedAt: r.startedAt, schedule: r.schedule }));
  }

  async lastFinished(): Promise<RunSummary | null> {
    return (await this.page({ finished: true }, 1, 1)).items[0] ?? null;
  }

  async running(): Promise<RunSummary | null> {
    return (await this.page({ finished: false }, 1, 1)).items[0] ?? null;
  }

  /** When the last run that wrote its records finished (rules: no success for D hours). */
  async lastSucceededAt(): Promise<string | null> {
    return (await this.history.listRuns({ statuses: ['succeeded', 'rejects'] }, { offset: 0, limit: 1 })).items[0]?.finishedAt ?? null;
  }

  async getRun(id: number): Promise<RunRowFull | null> {
    const r = await this.history.getRunWithOptions(id);
    if (!r) return null;
    const report = upgradeReport(r.report);
    const optionsSay = (r.options as { startedBy?: unknown } | null)?.startedBy;
    return { summary: this.summary(r, report, this.origins([id]).get(id) ?? (typeof optionsSay === 'string' ? optionsSay : undefined)), options: r.options, report };
  }

  /** A page of a run's records (stream, key order) with their rejects and a PIM link when known. */
  async records(runId: number, filter: { outcome?: string; q?: string }, page: number, pageSize: number, pimUrl: string | null): Promise<{ items: RunRecord[]; total: number }> {
    const { items, total } = await this.history.runRecords(
      runId,
      { ...(filter.outcome ? { outcome: filter.outcome } : {}), ...(filter.q ? { keyContains: filter.q } : {}) },
      { offset: (page - 1) * pageSize, limit: pageSize },
    );
    const rejectsByKey = new Map<string, Reject[]>();
    const rejected = items.filter((r) => r.outcome === 'rejected');
    for (const j of await this.history.rejectsOf(runId, rejected)) {
      const k = recordKey(j.stream, j.key);
      const list = rejectsByKey.get(k) ?? [];
      list.push({ stream: j.stream, key: j.key, entityType: j.entityType, label: j.label, attribute: j.attribute ?? null, locale: j.locale ?? null, scope: j.scope ?? null, message: j.message, fix: j.fix ?? null });
      rejectsByKey.set(k, list);
    }
    const base = pimUrl?.replace(/\/+$/, '') ?? null;
    return {
      total,
      items: items.map((r) => ({
        stream: r.stream,
        key: r.key,
        entityType: r.entityType,
        outcome: r.outcome as RunRecord['outcome'],
        reason: r.reason,
        rejects: rejectsByKey.get(recordKey(r.stream, r.key)) ?? [],
        ...pimLinkOf(r, base),
      })),
    };
  }

  /**
   * What a retry of the run's rejects must read: the rejected items and the items of rejected
   * groups (a product model is written with its products), and the rejected categories.
   */
  async rejectedRetryKeys(runId: number): Promise<{ keys: string[]; categoryKeys: string[] }> {
    return { keys: await this.rejectedItemKeys(runId), categoryKeys: await this.history.rejectedKeys(runId, 'categories') };
  }

  /** The ERP item keys a retry of the run's rejects must read: rejected items, and the items of rejected groups. */
  async rejectedItemKeys(runId: number): Promise<string[]> {
    const keys = new Set(await this.history.rejectedKeys(runId, 'items'));
    for (const k of await this.history.productsOfGroups(await this.history.rejectedKeys(runId, 'groups'))) keys.add(k);
    return [...keys].sort();
  }

  setStartedBy(runId: number, startedBy: string): void {
    this.db.prepare('INSERT OR REPLACE INTO console_run_origins (run_id, started_by) VALUES (?, ?)').run(runId, startedBy);
  }

  /** Live progress of a run this server does not run (a terminal's): records settled so far. */
  async settledSoFar(runId: number): Promise<number> {
    return this.history.countRunRecords(runId);
  }
}
