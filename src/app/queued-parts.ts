/**
 * What makes a queued run (src/app/jobs.ts) end as a one-process run would, where its parts see
 * less than one process does:
 * - a drop folder (erp.type files) is read by every part from the manifest the plan took, and
 *   consumed by the settle (moved to done/, retry/ or failed/ with its reports);
 * - a shard retried after a killed attempt counts what that attempt created as created;
 * - a full run's deletion policy for EE reference entity records and assets applies once every
 *   shard said what its items named.
 */
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { AkeneoClient } from '../akeneo/index.js';
import type { FerryConfig } from '../config/schema.js';
import type { ErpSource, StreamName } from '../erp/port.js';
import { createFilesSource, type DropManifest, type FilesSource } from '../erp/files/index.js';
import type { JobQueue } from '../jobs/queue.js';
import type { Logger } from '../logging.js';
import type { RunReport } from '../sync/report.js';
import { applyReferenceDeletionPolicy, countReferenceOutcomes, emptyReferenceDataReport, foldReferenceOutcomes, type ReferenceDataReport, type ReferenceOutcome } from '../sync/stages/references.js';
import type { StateStore } from '../sync/state/port.js';
import { chunks } from '../util/chunks.js';

/** What a queued run's parts read beyond the ERP's live data, kept with the run in the queue. */
interface RunInput {
  /** erp.type files: the drop folder's files when the plan started. */
  dropFolder?: DropManifest;
}

/**
 * erp.type files: the source a part of a queued run reads, restricted to the files waiting when
 * the plan started (their names, sizes and hashes, stored with the run by the plan's first attempt),
 * never moving anything itself; null for any other ERP. `readWhole` names the files read to their
 * end, which a one-process run would consume (the plan's are what the settle consumes).
 */
export async function dropFolderSource(config: FerryConfig, queue: JobQueue, runId: number, planning: boolean): Promise<{ openSource: (logger: Logger) => ErpSource; readWhole: () => string[] } | null> {
  const erp = config.erp;
  if (erp.type !== 'files') return null;
  const input = (await queue.runInput(runId, async () => {
    if (!planning) throw new Error(`run #${runId} has no manifest of its drop folder: its plan did not store one`);
    const source = createFilesSource(erp, { readOnly: true });
    try {
      return { dropFolder: await source.manifest() } satisfies RunInput;
    } finally {
      await source.close();
    }
  })) as RunInput;
  let opened: FilesSource | null = null;
  return {
    openSource: (logger) => (opened = createFilesSource(erp, { logger, only: input.dropFolder ?? [], commitOnClose: false })),
    readWhole: () => opened?.readWhole() ?? [],
  };
}

/**
 * The settle of a queued run over a drop folder: the files the plan read to their end move as a
 * one-process run moves them (done/, retry/ with the keys still waiting, failed/), each with its
 * report, read once more for it. Files that arrived during the run stay for the next one.
 */
export async function consumeDropFiles(config: FerryConfig, queue: JobQueue, state: StateStore, runId: number, names: readonly string[], logger: Logger): Promise<void> {
  const erp = config.erp;
  if (erp.type !== 'files' || names.length === 0) return;
  const input = (await queue.runInput(runId, () => Promise.resolve({}))) as RunInput;
  const wanted = new Set(names);
  const folder = resolve(erp.folder);
  // A file gone since (a settle retried after moving it) or changed stays as it is, as in one process.
  const still: DropManifest = [];
  for (const f of input.dropFolder ?? []) {
    const st = wanted.has(f.name) ? await stat(join(folder, f.name)).catch(() => null) : null;
    if (st && st.size === f.size && st.mtimeMs === f.mtimeMs) still.push(f);
  }
  if (still.length === 0) return;
  const source = createFilesSource(erp, { logger, only: still });
  try {
    for (const stream of source.streams) for await (const _ of source.read(stream)) void _;
    const waiting: Partial<Record<StreamName, string[]>> = {};
    for (const s of source.streams) waiting[s] = await state.listRetries(s);
    source.keepForRetry(waiting);
    await source.close();
  } catch (err) {
    source.abandon();
    await source.close().catch(() => undefined);
    logger.warn({ runId, err: (err as Error).message }, 'the files this run read could not be moved; they stay in the drop folder for the next run');
  }
}

/**
 * A shard's hook (RunPart createdEarlier): its records with no entity in the state before its
 * first attempt wrote anything (kept in the queue by that attempt) that have one now were created
 * by an earlier attempt of this run; on a retry (`retry`), those that still have none may have been
 * written by it uncommitted (a worker killed with the batch on the wire). As in a one-process first
 * import, both count as created: a record the PIM had before the run, unknown to the state, is
 * counted created too after such a retry (the killed attempt's answer, "updated", is lost).
 * A record an earlier attempt updated (its batch answered and committed, kept by `onWritten`)
 * counts updated, where this attempt finds it unchanged.
 */
export function createdEarlier(queue: JobQueue, state: StateStore, runId: number, part: number, retry: boolean) {
  return async (records: readonly { stream: string; key: string }[]): Promise<{ created: ReadonlySet<string>; unconfirmed: ReadonlySet<string>; updated: ReadonlySet<string> }> => {
    const byStream = new Map<string, string[]>();
    for (const r of records) {
      const keys = byStream.get(r.stream);
      if (keys) keys.push(r.key);
      else byStream.set(r.stream, [r.key]);
    }
    const absentNow: Record<string, string[]> = {};
    for (const [stream, keys] of byStream) {
      const known = new Set<string>();
      for (const slice of chunks(keys, 5000)) for (const k of (await state.getOriginVersions(stream, slice)).keys()) known.add(k);
      absentNow[stream] = keys.filter((k) => !known.has(k));
    }
    const first = (await queue.firstAttempt(runId, part, absentNow)) as Record<string, string[]>;
    const created = new Set<string>();
    const unconfirmed = new Set<string>();
    for (const [stream, keys] of Object.entries(first)) {
      const still = new Set(absentNow[stream] ?? []);
      for (const k of keys) {
        if (!byStream.has(stream)) continue;
        // Still absent on a retry: the killed attempt may have written it without committing.
        if (!still.has(k)) created.add(`${stream}\u0000${k}`);
        else if (retry) unconfirmed.add(`${stream}\u0000${k}`);
      }
    }
    // What earlier attempts wrote and committed, batch by batch (ShardHooks.onWritten).
    const updated = new Set<string>();
    if (retry) {
      for (const [id, outcome] of await queue.writtenEarlier(runId, part)) {
        if (outcome === 'created') created.add(id);
        else if (!created.has(id)) updated.add(id);
      }
    }
    return { created, unconfirmed, updated };
  };
}

type WrittenRow = { stream: string; key: string; outcome: 'created' | 'updated' };

/**
 * A shard's ShardHooks.onWritten: what its batches wrote goes to the queue (JobQueue.recordWritten)
 * one insert at a time, what arrives meanwhile in the next, so no batch waits for the queue's
 * database; `flush` before the shard's report is stored (and before a retry is asked for).
 */
export function writtenLog(queue: JobQueue, runId: number, part: number): { add(rows: WrittenRow[]): void; flush(): Promise<void> } {
  let pending: WrittenRow[] = [];
  let sending: Promise<void> | null = null;
  let failure: unknown = null;
  const pump = async (): Promise<void> => {
    while (pending.length > 0) {
      const rows = pending;
      pending = [];
      try {
        await queue.recordWritten(runId, part, rows);
      } catch (err) {
        failure ??= err;
      }
    }
  };
  return {
    add(rows) {
      pending.push(...rows);
      if (!sending) sending = pump().finally(() => (sending = null));
    },
    async flush() {
      while (sending) await sending;
      if (failure) throw failure;
    },
  };
}

/**
 * The end of a queued full run, EE: the reference entity records and assets Ferry wrote that no
 * shard's items named follow the deletion policy, as at the end of a one-process full run. Null
 * when no shard named any (the one-process run has nothing to apply then either).
 */
export async function settleReferenceData(config: FerryConfig, state: StateStore, client: AkeneoClient, named: readonly (readonly string[] | null)[]): Promise<ReferenceDataReport | null> {
  const parts = named.filter((n): n is readonly string[] => n !== null);
  if (parts.length === 0) return null;
  const report = emptyReferenceDataReport();
  await applyReferenceDeletionPolicy({ client, state, policy: config.sync.deletion, dryRun: false }, new Set(parts.flat()), report);
  return report;
}

/**
 * The settle, EE: a record or asset several shards met (a brand of products in two shards) is
 * counted once in the run's report, with the strongest of its outcomes (written if any shard wrote
 * it), as one process counts it; summing the shards' counts counted it once per shard. A part that
 * left no outcomes (stopped before its end) keeps its own counts.
 */
export function countReferenceDataOnce(report: RunReport, parts: readonly RunReport[], extras: readonly { referenceOutcomes?: Record<string, ReferenceOutcome> }[]): void {
  const data = report.referenceData;
  const outcomes = extras.flatMap((e) => (e.referenceOutcomes ? [e.referenceOutcomes] : []));
  if (!data || outcomes.length === 0) return;
  const once = countReferenceOutcomes(foldReferenceOutcomes(outcomes));
  parts.forEach((p, i) => {
    const own = p.referenceData;
    if (!own || extras[i]?.referenceOutcomes) return;
    for (const side of ['records', 'assets'] as const) for (const k of ['created', 'updated', 'failed', 'unchanged'] as const) once[side][k] += own[side][k];
  });
  for (const side of ['records', 'assets'] as const) for (const k of ['created', 'updated', 'failed', 'unchanged'] as const) data[side][k] = once[side][k];
}
