/**
 * The export run (PIM → ERP): lock, run row, the tagged products page by page — SKU, mapping,
 * the ERP sink, the status written back — then the watermark, the outcomes and the report, like
 * a sync run (src/sync/stages/run.ts) so `ferry runs` and the Console show it.
 */
import { createHash } from 'node:crypto';
import type { AkeneoClient } from '../../akeneo/index.js';
import type { Product } from '../../akeneo/model.js';
import type { ErpRecord, ErpSink, SinkResult } from '../../erp/port.js';
import type { Logger } from '../../logging.js';
import type { ExportConfig } from '../../mapping/export/config.js';
import { mapProductForExport, type ExportContext } from '../../mapping/export/map.js';
import { takeRunLock, type HeldLock } from '../lock.js';
import type { RecordOutcome, RunRecordRow, StateStore } from '../state/port.js';
import { decide, findTagged, plainValue, STATUS } from './find.js';
import { emptyExportReport, type ExportedProduct, type ExportReport } from './report.js';
import { SkuAssigner } from './sku.js';
import { writeStatuses, type StatusUpdate } from './status.js';

export const EXPORT_WATERMARK = 'export:products';

export interface ExportProgress {
  read: number;
  exported: number;
  failed: number;
  skipped: number;
}

export interface ExportOptions {
  /** Only these products (identifiers or uuids), whatever their `updated`. */
  keys?: string[];
  /** Map and report, write nothing (no SKU drawn, no ERP write, no status). */
  dryRun?: boolean;
  signal?: AbortSignal;
  onProgress?: (progress: ExportProgress) => void;
}

export interface ExportDeps {
  client: AkeneoClient;
  sink: ErpSink;
  state: StateStore;
  logger?: Logger;
  /** The run lock's name (one export per PIM connection). */
  lockName: string;
  /** Write a template (group) record before each item (Tryton). */
  templates: boolean;
  /** Which of these SKUs the ERP already has (collision check of generated SKUs); none when absent. */
  erpHas?: (skus: readonly string[]) => Promise<Set<string>>;
  lockTimeoutMs?: number;
}

const MAX_LISTED = 1000;

function fixFor(message: string): string {
  if (/required|needs/i.test(message)) return 'Fill the value in the PIM (or map the ERP field in export.fields), then tag the product again.';
  if (/unit/i.test(message)) return 'Set the value in a unit the ERP knows, or fix export.fields.<field>.unit.';
  return 'Fix the product in the PIM and set its ERP status back to "to_export".';
}

export async function executeExport(config: ExportConfig, deps: ExportDeps, options: ExportOptions = {}): Promise<ExportReport> {
  const { client, sink, state } = deps;
  const dryRun = options.dryRun === true;
  const startedAt = new Date();
  const report = emptyExportReport(sink.kind, dryRun, startedAt);
  report.mode = options.keys?.length ? 'keys' : 'delta';
  let lock: HeldLock | null = null;
  const outcomes: RunRecordRow[] = [];
  try {
    if (!dryRun) {
      lock = (await takeRunLock(state, deps.lockName, { staleAfterMs: deps.lockTimeoutMs ?? 120_000, heartbeatMs: 10_000 })).lock;
      await state.markInterrupted();
      report.runId = await state.startRun('export', { keys: options.keys ?? null, direction: 'export' }, lock.owner);
      lock.setRunId(report.runId);
    }
    const since = options.keys?.length ? null : await state.getWatermark(EXPORT_WATERMARK);
    report.watermarks.before[EXPORT_WATERMARK] = since;
    const mode = await client.products.mode();
    const identifierAttribute = await client.products.identifierAttribute();
    const attributes = new Map<string, { code: string; type: string }>();
    for await (const a of client.attributes.list()) attributes.set(a.code, { code: a.code, type: a.type });
    const labels = await optionLabels(client, config, attributes);
    const ctx: ExportContext = {
      attributes: attributes as ExportContext['attributes'],
      optionLabel: (attr, option, locale) => labels.get(`${attr}:${option}`)?.[locale],
      templates: deps.templates,
      stream: config.stream,
    };
    const skus = new SkuAssigner(config, client, state, deps.erpHas, typeof sink.createNumbered === 'function');
    // The next page is read while this one is exported, and each page's status write-back runs
    // while the next pages are exported (at most STATUS_WRITES_IN_FLIGHT of them): the PIM's
    // paged reads, one after the other, set the pace.
    const statusWrites = new Set<Promise<void>>();
    try {
      for await (const page of readAhead(findTagged(client, config, since, options.keys))) {
        if (options.signal?.aborted) throw new Error(`stopped: ${String(options.signal.reason ?? 'stop requested')}`);
        const { statusWrite: write } = await exportPage(page, { config, deps, ctx, skus, report, outcomes, since, dryRun, mode, identifierAttribute, keysGiven: Boolean(options.keys?.length) });
        const tracked: Promise<void> = write.finally(() => statusWrites.delete(tracked));
        statusWrites.add(tracked);
        if (statusWrites.size >= STATUS_WRITES_IN_FLIGHT) await Promise.race(statusWrites);
        options.onProgress?.({ read: report.counts.read, exported: report.counts.created + report.counts.updated + report.counts.unchanged, failed: report.counts.rejected, skipped: report.counts.skipped });
      }
    } finally {
      // Every status already decided reaches the PIM, even when the run stops.
      await Promise.allSettled(statusWrites);
    }
    report.skusGenerated += skus.generated;
    report.status = report.counts.rejected > 0 || report.statusWrites.failed > 0 ? 'rejects' : 'succeeded';
    if (!dryRun) {
      // After the status writes: those change `updated`, and must not make the products candidates again.
      const after = new Date().toISOString();
      await state.setWatermark(EXPORT_WATERMARK, after);
      report.watermarks.after[EXPORT_WATERMARK] = after;
    }
  } catch (error) {
    report.status = 'failed';
    report.error = (error as Error).message;
    deps.logger?.error({ err: report.error }, 'export failed');
  } finally {
    report.byType.product = { ...report.counts };
    const finished = new Date();
    report.finishedAt = finished.toISOString();
    report.durationMs = finished.getTime() - startedAt.getTime();
    const stats = client.stats();
    report.requests = { total: stats.total, writes: stats.writes, retried: stats.retried, throttled: stats.throttled };
    if (report.runId !== null) {
      await state.recordOutcomes(report.runId, outcomes).catch(() => undefined);
      await state.addRejects(report.rejects.map((r) => ({ ...r, runId: report.runId! }))).catch(() => undefined);
      await state.finishRun(report.runId, report.status, report).catch(() => undefined);
    }
    await lock?.release().catch(() => undefined);
  }
  return report;
}

/** Labels of the select options the mapping sends as labels. */
async function optionLabels(client: AkeneoClient, config: ExportConfig, attributes: Map<string, { type: string }>): Promise<Map<string, Record<string, string>>> {
  const out = new Map<string, Record<string, string>>();
  for (const field of Object.values(config.fields)) {
    const type = attributes.get(field.attribute)?.type;
    if (field.select !== 'label' || (type !== 'pim_catalog_simpleselect' && type !== 'pim_catalog_multiselect')) continue;
    for await (const o of client.attributeOptions(field.attribute).list()) out.set(`${field.attribute}:${o.code}`, (o.labels ?? {}) as Record<string, string>);
  }
  return out;
}

interface PageContext {
  config: ExportConfig;
  deps: ExportDeps;
  ctx: ExportContext;
  skus: SkuAssigner;
  report: ExportReport;
  outcomes: RunRecordRow[];
  since: string | null;
  dryRun: boolean;
  mode: 'uuid' | 'identifier';
  identifierAttribute: string;
  keysGiven: boolean;
}

interface Pending {
  product: Product;
  pimId: string;
  sku: string;
  generated: boolean;
  group: ErpRecord | null;
  item: ErpRecord;
  hash: string;
  /** The ERP gives the SKU on creation (sku.mode erp); `sku` is provisional until then. */
  numbered: boolean;
}

/** What was sent, without the dates (an edit elsewhere in the product changes `updated` alone). */
function sentHash(group: ErpRecord | null, item: ErpRecord): string {
  const strip = (r: ErpRecord | null) => (r ? { ...r, updatedAt: null } : null);
  return createHash('sha256').update(JSON.stringify([strip(group), strip(item)])).digest('base64url');
}

/** Status write-backs of earlier pages still running while the next page is exported. */
const STATUS_WRITES_IN_FLIGHT = 3;

/** Starts reading the next item while the caller works on this one. */
async function* readAhead<T>(source: AsyncIterable<T>): AsyncIterable<T> {
  const it = source[Symbol.asyncIterator]();
  let next = it.next();
  for (;;) {
    const current = await next;
    if (current.done) return;
    next = it.next();
    // Awaited on the next turn; marked handled so a failure while the caller works is not "unhandled".
    next.catch(() => undefined);
    yield current.value;
  }
}

/** Exports one page; resolves, once the ERP has it, with the page's status write-back (still running). */
async function exportPage(page: Product[], p: PageContext): Promise<{ statusWrite: Promise<void> }> {
  const { config, report, dryRun } = p;
  const updates = new Map<string, StatusUpdate>();
  const fail = (pimId: string, sku: string | null, message: string) => {
    settle({ pimId, sku, outcome: 'failed', message }, p);
    updates.set(pimId, { ...(updates.get(pimId) ?? { pimId }), status: STATUS.error, message });
  };
  // 1. Which candidates go, and their SKU.
  const going: Product[] = [];
  for (const product of page) {
    report.counts.read++;
    const verdict = p.keysGiven ? ({ send: true } as const) : decide(product, config);
    if (!verdict.send) {
      settle({ pimId: idOf(product, p.mode), sku: skuOf(product, p.identifierAttribute), outcome: 'skipped', message: verdict.reason }, p);
      continue;
    }
    going.push(product);
  }
  const assigned = await p.skus.assign(going, p.identifierAttribute, dryRun);
  const pending: Pending[] = [];
  for (const product of going) {
    const pimId = idOf(product, p.mode);
    const a = assigned.get(pimId)!;
    if ('problem' in a) {
      fail(pimId, null, a.problem);
      continue;
    }
    const mapped = mapProductForExport(product, a.sku, config, p.ctx);
    if (a.generated) updates.set(pimId, { pimId, sku: a.sku });
    if (mapped.problems.length) {
      fail(pimId, a.sku, mapped.problems.join(' '));
      continue;
    }
    pending.push({ product, pimId, sku: a.sku, generated: a.generated, numbered: a.numbered === true, group: mapped.group, item: mapped.item, hash: sentHash(mapped.group, mapped.item) });
  }
  // Already sent as it is now (updates: owned re-reads products Ferry's own status writes touched): nothing to send.
  const sent = await p.deps.state.getEntities('exported', pending.map((x) => x.sku));
  for (const x of [...pending]) {
    if (p.keysGiven || sent.get(x.sku)?.hashes.sent !== x.hash) continue;
    pending.splice(pending.indexOf(x), 1);
    settle({ pimId: x.pimId, sku: x.sku, outcome: 'unchanged' }, p);
  }
  if (dryRun) {
    for (const x of pending) settle({ pimId: x.pimId, sku: x.numbered ? null : x.sku, outcome: 'planned', ...(x.generated ? { generatedSku: true } : {}), records: [x.group, x.item].filter(Boolean) }, p);
    return { statusWrite: Promise.resolve() };
  }
  // 2. The generated SKUs reach the PIM before the ERP sees them: a run that dies after the ERP
  // write still finds the product under that SKU next time, and never makes a second record.
  const skuWrites = [...updates.values()].filter((u) => u.sku !== undefined && u.status === undefined);
  const skuFailed = await writeStatuses(p.deps.client, skuWrites, config, p.mode, p.identifierAttribute);
  for (const [pimId, message] of skuFailed) {
    const x = pending.find((y) => y.pimId === pimId);
    if (x) pending.splice(pending.indexOf(x), 1);
    updates.delete(pimId);
    fail(pimId, null, `the PIM refused the generated SKU: ${message}`);
  }
  for (const u of skuWrites) if (!skuFailed.has(u.pimId)) updates.delete(u.pimId);
  // 3a. Products the ERP numbers: created one by one, their SKU read back (sku.mode erp). The SKU
  // reaches the PIM with the status of this page, right after. A run that died in between left
  // the product in the ERP under the PIM uuid (`origin`): the sink adopts it, never a second one.
  for (const x of pending.filter((y) => y.numbered)) {
    pending.splice(pending.indexOf(x), 1);
    const [r] = await p.deps.sink.createNumbered!([{ group: x.group, item: x.item, origin: x.product.uuid ?? x.pimId }]);
    if (!r || r.outcome === 'failed' || !r.assignedKey) {
      fail(x.pimId, null, r?.message ?? 'the ERP gave no number for this product');
      continue;
    }
    const sku = r.assignedKey;
    if (!r.adopted) p.report.skusGenerated++;
    settle({ pimId: x.pimId, sku, outcome: r.adopted ? 'updated' : 'created', erpId: r.id ?? sku, generatedSku: true, ...(r.message ? { message: r.message } : {}) }, p);
    updates.set(x.pimId, { pimId: x.pimId, sku, status: STATUS.exported, message: null, erpId: r.id ?? sku });
    await p.deps.state.saveEntities([{ type: 'exported', code: sku, pimId: x.pimId, originStream: 'pim', originKey: x.pimId, groupKey: sku, hashes: { sent: x.hash }, erpVersion: null, status: 'synced' }]);
  }
  // 3b. Templates first (Tryton), then the items; a refused template fails its items.
  const groupFailures = new Map<string, string>();
  const groups = dedupe(pending.map((x) => x.group).filter((g): g is ErpRecord => g !== null));
  if (groups.length) {
    for (const r of await p.deps.sink.upsert('groups', groups)) if (r.outcome === 'failed') groupFailures.set(r.key, r.message ?? 'refused by the ERP');
  }
  const items = pending.filter((x) => !(x.group && groupFailures.has(x.group.key)));
  for (const x of pending) if (x.group && groupFailures.has(x.group.key)) fail(x.pimId, x.sku, groupFailures.get(x.group.key)!);
  const results: SinkResult[] = items.length ? await p.deps.sink.upsert(config.stream, items.map((x) => x.item)) : [];
  const byKey = new Map(results.map((r) => [r.key, r]));
  for (const x of items) {
    const r = byKey.get(x.sku);
    if (!r || r.outcome === 'failed') {
      fail(x.pimId, x.sku, r?.message ?? 'the ERP gave no answer for this record');
      continue;
    }
    const erpId = r.id ?? x.sku;
    settle({ pimId: x.pimId, sku: x.sku, outcome: r.outcome, erpId, ...(x.generated ? { generatedSku: true } : {}), ...(r.message ? { message: r.message } : {}) }, p);
    const current = plainValue(x.product, config.status.attribute);
    // A product the ERP already sent back keeps `in_erp`.
    updates.set(x.pimId, { pimId: x.pimId, status: current === STATUS.inErp ? STATUS.inErp : STATUS.exported, message: null, erpId });
  }
  const done = items.filter((x) => byKey.get(x.sku) && byKey.get(x.sku)!.outcome !== 'failed');
  await p.deps.state.saveEntities(
    done.map((x) => ({ type: 'exported', code: x.sku, pimId: x.pimId, originStream: 'pim', originKey: x.pimId, groupKey: x.group?.key ?? null, hashes: { sent: x.hash }, erpVersion: null, status: 'synced' })),
  );
  // 4. The outcome back to the PIM, in one batch per page.
  const list = [...updates.values()];
  const statusWrite = writeStatuses(p.deps.client, list, config, p.mode, p.identifierAttribute).then(
    (failed) => {
      report.statusWrites.written += list.length - failed.size;
      report.statusWrites.failed += failed.size;
      for (const [pimId, message] of failed) if (report.statusWrites.messages.length < 50) report.statusWrites.messages.push(`${pimId}: ${message}`);
    },
    (error: unknown) => {
      report.statusWrites.failed += list.length;
      if (report.statusWrites.messages.length < 50) report.statusWrites.messages.push(`status write-back of ${list.length} products failed: ${(error as Error).message}`);
    },
  );
  return { statusWrite };
}

function dedupe(records: ErpRecord[]): ErpRecord[] {
  const byKey = new Map<string, ErpRecord>();
  for (const r of records) byKey.set(r.key, r);
  return [...byKey.values()];
}

function idOf(product: Product, mode: 'uuid' | 'identifier'): string {
  return (mode === 'uuid' ? product.uuid : product.identifier) ?? product.uuid ?? product.identifier ?? '';
}

export function skuOf(product: Product, identifierAttribute: string): string | null {
  const v = product.identifier ?? plainValue(product, identifierAttribute);
  return typeof v === 'string' && v !== '' ? v : null;
}

const OUTCOME_OF: Record<ExportedProduct['outcome'], RecordOutcome> = {
  created: 'created',
  updated: 'updated',
  unchanged: 'unchanged',
  failed: 'rejected',
  skipped: 'skipped',
  planned: 'skipped',
};

function settle(product: ExportedProduct, p: PageContext): void {
  const { report } = p;
  const outcome = OUTCOME_OF[product.outcome];
  report.counts[outcome]++;
  if (report.products.length < MAX_LISTED) report.products.push(product);
  const key = product.sku ?? product.pimId;
  if (outcome !== 'unchanged' && product.outcome !== 'planned') {
    p.outcomes.push({ stream: 'pim-products', key, entityType: 'product', outcome, reason: product.message ?? null });
  }
  if (product.outcome === 'failed') {
    report.rejects.push({ stream: 'pim-products', key, entityType: 'product', label: key, message: product.message ?? 'refused', fix: fixFor(product.message ?? '') });
  }
}
