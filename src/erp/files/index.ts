/**
 * The files adapter: ERP exports dropped into a folder (CSV/TSV, XLSX, JSON, NDJSON,
 * XML), read as ErpRecords; the sink writes one export file per run into out/.
 *
 * When files move: a file read to its end during this source's life is remembered;
 * commit() (or close(), which the sync engine calls at the end of a successful run)
 * moves it to done/ (or failed/ when unreadable) with its report. Nothing moves
 * before the caller has consumed everything, so a crash mid-run leaves every file
 * waiting for the next run. Reads with `keys` or `limit`, interrupted reads and
 * read-only sources never move anything. See docs/erp-files.md.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { access, constants, readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import {
  ErpError,
  STREAM_NAMES,
  type CheckResult,
  type ErpRecord,
  type ErpSink,
  type ErpSource,
  type FieldType,
  type ReadOptions,
  type RejectedRecord,
  type SinkResult,
  type StreamDescription,
  type StreamName,
} from '../port.js';
import { filesConfigSchema, type FilesConfig, type FilesConfigInput } from './config.js';
import { inferFields } from './describe.js';
import { EncodingError } from './encoding.js';
import { listStreamFiles, moveWithReport, releaseRetries, type DropFile, type MoveOutcome } from './folder.js';
import { FileFormatError } from './formats/types.js';
import { buildPlan, delimiterFor, formatOf, type StreamPlan } from './plan.js';
import { readFileBatches, readFileRecords } from './read-file.js';
import { newReport, type FileReport } from './report.js';
import { FilesSink } from './sink.js';

export type { FilesConfig, FilesConfigInput } from './config.js';
export type { FileReport } from './report.js';

export interface FilesSourceOptions {
  logger?: Logger;
  /** Never move files, whatever moveAfterRead says (for inspection: `ferry erp read`, check, describe). */
  readOnly?: boolean;
  /** Whether close() commits, i.e. moves the files read to the end (default true). */
  commitOnClose?: boolean;
  /**
   * Read only these files of the drop folder (a queued run's manifest, taken by its plan): files
   * that arrived since are left for the next run; a file of the manifest changed or gone since
   * fails the read, so every part of the run reads the same records.
   */
  only?: DropManifest;
}

/** One file of the drop folder as a run found it: what its parts read, and verify. */
export interface ManifestFile {
  stream: StreamName;
  name: string;
  size: number;
  mtimeMs: number;
  sha256: string;
}

export type DropManifest = ManifestFile[];

export interface FilesStats {
  files: FileReport[];
  totals: { files: number; rows: number; records: number; rejected: number; skipped: number; failedFiles: number };
}

export interface FilesSource extends ErpSource, ErpSink {
  readonly kind: 'files';
  /** Moves every file read to its end to done/ or failed/ with its report. */
  commit(): Promise<MoveOutcome[]>;
  /** Forgets the files read so far (a failed run): they stay in the folder for the next run. */
  abandon(): void;
  /** The engine's retry queue after a settled run: files holding those keys wait in retry/ (see commit). */
  keepForRetry(pending: Partial<Record<StreamName, readonly string[]>>): void;
  /** Counts per file read by this source (rows, records, rejects, skips) and totals. */
  stats(): FilesStats;
  /** The files waiting in the drop folder now, per stream, with their size, time and content hash. */
  manifest(): Promise<DropManifest>;
  /** Names of the files read to their end by this source (what commit() would move), also after abandon(). */
  readWhole(): string[];
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function isFileProblem(e: unknown): boolean {
  return e instanceof EncodingError || e instanceof FileFormatError || (e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string');
}

export function createFilesSource(input: FilesConfigInput | FilesConfig, opts: FilesSourceOptions = {}): FilesSource {
  const parsed = filesConfigSchema.safeParse(input);
  if (!parsed.success) {
    throw new ErpError(`invalid erp config for files: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, 'config');
  }
  const config = parsed.data;
  const folder = resolve(config.folder);
  const doneDir = resolve(folder, config.doneFolder ?? 'done');
  const failedDir = resolve(folder, config.failedFolder ?? 'failed');
  const outDir = resolve(folder, config.outFolder ?? 'out');
  const retryDir = resolve(folder, config.retryFolder ?? 'retry');
  const streamNames: StreamName[] = config.streams
    ? STREAM_NAMES.filter((s) => config.streams![s] !== undefined)
    : [...STREAM_NAMES];
  let plans: Map<StreamName, StreamPlan>;
  try {
    plans = new Map(streamNames.map((s) => [s, buildPlan(config, s, config.streams?.[s])]));
  } catch (e) {
    throw new ErpError(`invalid erp config for files: ${(e as Error).message}`, 'config');
  }
  const moving = config.moveAfterRead && !opts.readOnly;
  // With files moving away after a run, every waiting file is new: `since` must not
  // skip any of it (a late file with old dates would be lost). It filters only when
  // files stay in place and are read again each run.
  const deltaFilter = !config.moveAfterRead;
  const reports = new Map<string, FileReport>();
  const pending = new Map<string, { file: DropFile; report: FileReport }>();
  /** Per file read this run: keys of the rows rejected while reading (the row is bad, its key is known). */
  const rejectedKeys = new Map<string, Set<string>>();
  const readToEnd = new Set<string>();
  const only = opts.only ? new Map(opts.only.map((f) => [`${f.stream}\u0000${f.name}`, f])) : null;
  /** Files of `only` whose content hash was checked by this source. */
  const verified = new Set<string>();
  /** The engine's retry queue after the run (keepForRetry), when it told us. */
  let waiting: Map<string, Set<string>> | null = null;
  const sinkFormat = config.sinkFormat ?? (config.format === 'csv' || config.format === 'tsv' ? 'csv' : 'ndjson');
  let sink: FilesSink | null = null;
  let closed = false;

  function planOf(stream: StreamName): StreamPlan {
    const plan = plans.get(stream);
    if (!plan) {
      throw new ErpError(`the files source has no stream "${stream}"; configure erp.streams.${stream} (streams: ${streamNames.join(', ')})`, 'config');
    }
    return plan;
  }

  async function filesOf(plan: StreamPlan): Promise<DropFile[]> {
    let files: DropFile[];
    try {
      files = await listStreamFiles(folder, plan, config.minAgeSeconds);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new ErpError(`drop folder ${folder} does not exist; create it or fix erp.folder`, 'io', { cause: e });
      if (code === 'EACCES') throw new ErpError(`drop folder ${folder} is not readable by this user; fix its permissions`, 'io', { cause: e });
      throw new ErpError(`cannot list drop folder ${folder}: ${(e as Error).message}`, 'io', { cause: e });
    }
    return only ? manifestFiles(plan.stream, files) : files;
  }

  /** The files of the manifest, as listed now: those that arrived since are left out; one changed or gone fails. */
  function manifestFiles(stream: StreamName, files: DropFile[]): DropFile[] {
    const listed = new Map(files.map((f) => [f.name, f]));
    const out: DropFile[] = [];
    for (const m of only!.values()) {
      if (m.stream !== stream) continue;
      const f = listed.get(m.name);
      if (!f) throw new ErpError(`${m.name} left the drop folder ${folder} during the run that read it; its records cannot be read again. Leave files in place until the run ends; the next run reads what is there.`, 'io');
      if (f.size !== m.size || f.mtimeMs !== m.mtimeMs) throw changedDuringRun(m.name);
      out.push(f);
    }
    return out.sort((a, b) => a.mtimeMs - b.mtimeMs || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  function changedDuringRun(name: string): ErpError {
    return new ErpError(`${name} in the drop folder ${folder} changed during the run that read it (its parts must read the same records). Write exports under a new name, or set minAgeSeconds so files still being written wait; the next run reads it.`, 'io');
  }

  /** Checks once per file that its content is the manifest's. */
  async function verify(stream: StreamName, file: DropFile): Promise<void> {
    const m = only?.get(`${stream}\u0000${file.name}`);
    // Files kept in retry/ are not the drop folder's: only a commit moves them, and none runs mid-run.
    if (!m || file.path !== join(folder, m.name) || verified.has(file.path)) return;
    if ((await sha256Of(file.path)) !== m.sha256) throw changedDuringRun(file.name);
    verified.add(file.path);
  }

  /** Group keys changed since the watermark: their items count as changed too. */
  async function changedGroups(sinceIso: string): Promise<Set<string>> {
    const out = new Set<string>();
    const plan = plans.get('groups');
    if (!plan) return out;
    for (const file of await filesOf(plan)) {
      const scratch = newReport(file.name, 'groups', '', file.size, file.mtimeMs);
      try {
        for await (const g of readFileRecords(file, plan, scratch)) if (g.updatedAt !== null && g.updatedAt >= sinceIso) out.add(g.key);
      } catch (e) {
        if (!isFileProblem(e)) throw e; // the groups read reports it itself
      }
    }
    return out;
  }

  async function* read(stream: StreamName, options: ReadOptions = {}): AsyncGenerator<ErpRecord> {
    if (closed) throw new ErpError('the files source is closed', 'config');
    const plan = planOf(stream);
    const keys = options.keys ? new Set(options.keys) : null;
    // A read by key (the engine's retries, a group's siblings) also finds the records of files
    // kept in retry/ because some of their rows had not succeeded; newer files come first.
    const files = keys ? [...(await filesOf(plan)), ...(await listStreamFiles(retryDir, plan, 0).catch(() => [] as DropFile[])).reverse()] : await filesOf(plan);
    const limit = options.limit;
    let sinceIso: string | null = null;
    if (options.since) {
      const ms = Date.parse(options.since);
      if (Number.isNaN(ms)) throw new ErpError(`since "${options.since}" is not an ISO-8601 date-time`, 'config');
      if (deltaFilter) sinceIso = new Date(ms - config.skewSeconds * 1000).toISOString();
    }
    const groupsChanged = sinceIso && stream === 'items' ? await changedGroups(sinceIso) : null;
    // Partial reads did not process every record of the file: it must not move.
    const registers = moving && !keys && limit === undefined;
    let emitted = 0;
    for (const file of files) {
      if (options.signal?.aborted) return;
      await verify(stream, file);
      const report = newReport(file.name, stream, formatOf(file.name, plan), file.size, file.mtimeMs);
      reports.set(file.path, report);
      let completed = false;
      try {
        const keysRejected = new Set<string>();
        rejectedKeys.set(file.path, keysRejected);
        const onReject = (r: RejectedRecord) => {
          if (r.key !== undefined) keysRejected.add(r.key);
          // A read by key tells only its keys' bad rows: the full read tells every one, once
          // (the shards of a queued run all read the same files by key).
          if (keys && (r.key === undefined || !keys.has(r.key))) return;
          options.onReject?.(r);
        };
        for await (const batch of readFileBatches(file, plan, report, { signal: options.signal, onReject })) {
          for (const rec of batch) {
            if (options.signal?.aborted) return;
            if (keys && !keys.has(rec.key)) {
              report.skipped++;
              continue;
            }
            if (sinceIso && (rec.updatedAt === null || rec.updatedAt < sinceIso) && !(rec.group && groupsChanged?.has(rec.group))) {
              report.skipped++;
              continue;
            }
            report.records++;
            emitted++;
            yield rec;
            if (limit !== undefined && emitted >= limit) return;
          }
        }
        completed = !options.signal?.aborted;
      } catch (e) {
        if (!isFileProblem(e)) throw e;
        report.status = 'failed';
        report.error = (e as Error).message;
        completed = true;
        opts.logger?.warn({ file: file.name, stream }, `file unreadable: ${report.error}`);
        const where = registers ? ' (it goes to failed/ at the end of the run)' : '';
        options.onReject?.({ stream, location: file.name, raw: '', message: `${file.name} cannot be read${where}: ${report.error}` });
      } finally {
        report.finishedAt = new Date().toISOString();
        if (report.status === 'reading') report.status = 'read';
        if (completed && registers) {
          pending.set(file.path, { file, report });
          readToEnd.add(file.name);
        }
        opts.logger?.debug({ file: file.name, rows: report.rows, records: report.records, rejected: report.rejected }, 'file read');
      }
    }
  }

  /**
   * The keys of a file that have not succeeded: its rows rejected while reading, and (when the
   * engine said which keys still wait) those of its records that the PIM refused.
   */
  async function keysToRetry(file: DropFile, report: FileReport): Promise<string[]> {
    // Without the engine's word (a caller that keeps no retry queue) files move to done/ as read.
    const stillWaiting = waiting?.get(report.stream);
    if (!stillWaiting?.size) return [];
    const keys = new Set([...(rejectedKeys.get(file.path) ?? [])].filter((k) => stillWaiting.has(k)));
    if (report.records > 0) {
      const plan = plans.get(report.stream);
      const scratch = newReport(file.name, report.stream, '', file.size, file.mtimeMs);
      if (plan) for await (const rec of readFileRecords(file, plan, scratch)) if (stillWaiting.has(rec.key)) keys.add(rec.key);
    }
    return [...keys];
  }

  async function commit(): Promise<MoveOutcome[]> {
    const outcomes: MoveOutcome[] = [];
    const errors: string[] = [];
    for (const [path, { file, report }] of pending) {
      try {
        if (report.status !== 'failed') {
          const retry = await keysToRetry(file, report);
          if (retry.length) report.retryKeys = retry;
        }
        const o = await moveWithReport(file, report, doneDir, failedDir, retryDir);
        outcomes.push(o);
        if (!o.movedTo) opts.logger?.warn({ file: file.name }, `not moved: ${o.reason}`);
        else {
          opts.logger?.info(
            { file: file.name, movedTo: o.movedTo, rows: report.rows, records: report.records, rejected: report.rejected, status: report.status },
            `${file.name} moved to ${report.status === 'failed' ? 'failed/' : report.retryKeys?.length ? `retry/ (${report.retryKeys.length} keys to retry)` : 'done/'} with its report`,
          );
        }
      } catch (e) {
        errors.push(`${file.name}: ${(e as Error).message}`);
      }
      pending.delete(path);
    }
    if (waiting) {
      try {
        for (const o of await releaseRetries(retryDir, doneDir, waiting)) {
          outcomes.push(o);
          opts.logger?.info({ file: o.file, movedTo: o.movedTo }, `${o.file}: its rejected keys succeeded; moved from retry/ to done/`);
        }
      } catch (e) {
        errors.push(`retry folder ${retryDir}: ${(e as Error).message}`);
      }
    }
    if (errors.length) throw new ErpError(`could not move processed files: ${errors.join('; ')}`, 'io');
    return outcomes;
  }

  async function check(): Promise<CheckResult> {
    const problems: string[] = [];
    const details: CheckResult['details'] = { folder };
    const counts: CheckResult['counts'] = {};
    let st;
    try {
      st = await stat(folder);
    } catch {
      problems.push(`drop folder ${folder} does not exist; create it or fix erp.folder`);
    }
    if (st && !st.isDirectory()) problems.push(`${folder} is not a folder; erp.folder must name the drop folder`);
    if (st?.isDirectory()) {
      try {
        await access(folder, constants.R_OK);
      } catch {
        problems.push(`drop folder ${folder} is not readable by this user; fix its permissions`);
      }
      if (moving) {
        try {
          await access(folder, constants.W_OK);
        } catch {
          problems.push(`drop folder ${folder} is not writable: processed files cannot move to done/; fix its permissions or set moveAfterRead: false`);
        }
      }
    }
    if (!problems.length) {
      const matched = new Set<string>();
      for (const [stream, plan] of plans) {
        const files = await filesOf(plan);
        for (const f of files) matched.add(f.name);
        details[`${stream}.pattern`] = plan.patternText.join(', ');
        details[`${stream}.files`] = files.length;
        counts[stream] = null;
        const next = files[0];
        if (next) {
          details[`${stream}.next`] = next.name;
          // Read the first rows of the next file: a wrong encoding or a missing column shows now, not mid-run.
          const probe = newReport(next.name, stream, formatOf(next.name, plan), next.size, next.mtimeMs);
          try {
            for await (const _ of readFileBatches(next, plan, probe, { maxRows: 20 })) void _;
            if (probe.encoding) details[`${stream}.encoding`] = probe.encoding;
            if (probe.rejected) details[`${stream}.sample rejects`] = `${probe.rejected} of the first ${probe.rows} rows, e.g. ${probe.rejects[0]!.message}`;
          } catch (e) {
            if (!isFileProblem(e)) throw e;
            problems.push(`${stream}: ${(e as Error).message}`);
          }
        }
      }
      const entries = await readdir(folder, { withFileTypes: true });
      const unmatched = entries.filter((e) => e.isFile() && !e.name.startsWith('.') && !matched.has(e.name)).map((e) => e.name);
      if (unmatched.length) details['unmatched files'] = unmatched.slice(0, 10).join(', ') + (unmatched.length > 10 ? ` (+${unmatched.length - 10})` : '');
      const failed = await readdir(failedDir).catch(() => [] as string[]);
      const failedData = failed.filter((n) => !n.includes('.report.'));
      if (failedData.length) details['failed files'] = failedData.length;
      const kept = (await readdir(retryDir).catch(() => [] as string[])).filter((n) => n.endsWith('.retry.json'));
      if (kept.length) details['files kept for retry'] = `${kept.length} in ${retryDir} (their rejected keys are read again each run; delete one to give up on it)`;
      const partials = (await readdir(outDir).catch(() => [] as string[])).filter((n) => n.endsWith('.partial'));
      if (partials.length) details['unfinished exports'] = partials.join(', ');
    }
    details.moveAfterRead = config.moveAfterRead;
    return { ok: problems.length === 0, system: `files in ${folder}`, details, counts, problems };
  }

  async function describe(): Promise<StreamDescription[]> {
    const out: StreamDescription[] = [];
    for (const [stream, plan] of plans) {
      let files = await filesOf(plan);
      if (!files.length) files = await listStreamFiles(doneDir, plan, 0).catch(() => [] as DropFile[]);
      let sample: ErpRecord[] = [];
      // The newest file that can be read: a broken file dropped last (reported by every read of
      // it) does not hide the fields of the others. None readable: the newest one's problem.
      let problem: { file: string; error: Error } | null = null;
      for (let i = files.length - 1; i >= 0; i--) {
        const file = files[i]!;
        const scratch = newReport(file.name, stream, '', file.size, file.mtimeMs);
        sample = [];
        try {
          for await (const r of readFileRecords(file, plan, scratch, { maxRows: 200 })) sample.push(r);
          problem = null;
          break;
        } catch (e) {
          if (!isFileProblem(e)) throw e;
          problem ??= { file: file.name, error: e as Error };
        }
      }
      if (problem) {
        const { file, error } = problem;
        throw new ErpError(`cannot describe ${stream} from ${file}: ${error.message}`, error instanceof EncodingError ? 'encoding' : 'protocol', { cause: error });
      }
      const declared = new Map<string, FieldType>(plan.fields.map(([f, s]) => [f, s.type]));
      out.push({
        stream,
        fields: inferFields(sample, declared),
        supportsDelta: true,
        deltaStrategy: deltaFilter
          ? `files stay in place, so since filters: by the ${plan.updatedAt ? `"${plan.updatedAt}" column` : 'file modification time'}, inclusive and widened by ${config.skewSeconds}s; items of a changed group count as changed`
          : 'read files move to done/ after a successful run, so every waiting file is new and read whole; since never skips a waiting file (a late file with old dates is still read)',
      });
    }
    return out;
  }

  function stats(): FilesStats {
    const files = [...reports.values()];
    const totals = { files: files.length, rows: 0, records: 0, rejected: 0, skipped: 0, failedFiles: 0 };
    for (const f of files) {
      totals.rows += f.rows;
      totals.records += f.records;
      totals.rejected += f.rejected;
      totals.skipped += f.skipped;
      if (f.status === 'failed') totals.failedFiles++;
    }
    return { files, totals };
  }

  return {
    kind: 'files',
    streams: streamNames,
    check,
    describe,
    read,
    commit,
    stats,
    abandon() {
      pending.clear();
    },
    async manifest() {
      const out: DropManifest = [];
      for (const [stream, plan] of plans) for (const f of await filesOf(plan)) out.push({ stream, name: f.name, size: f.size, mtimeMs: f.mtimeMs, sha256: await sha256Of(f.path) });
      return out;
    },
    readWhole: () => [...readToEnd],
    keepForRetry(pendingKeys) {
      if (!moving) return;
      waiting = new Map(Object.entries(pendingKeys).map(([stream, keys]) => [stream, new Set(keys)]));
    },
    async upsert(stream: StreamName, records: ErpRecord[]): Promise<SinkResult[]> {
      if (closed) throw new ErpError('the files sink is closed', 'config');
      const plan = plans.get(stream);
      sink ??= new FilesSink(outDir, sinkFormat, plans, plan ? delimiterFor(plan, config.format === 'tsv' ? 'tsv' : 'csv') : ',');
      try {
        return await sink.upsert(stream, records);
      } catch (e) {
        throw new ErpError(`cannot write the export file in ${outDir}: ${(e as Error).message}`, 'io', { cause: e });
      }
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      const errors: string[] = [];
      if (opts.commitOnClose !== false) await commit().catch((e: Error) => errors.push(e.message));
      if (sink) await sink.finish().catch((e: Error) => errors.push(`export files in ${outDir}: ${e.message}`));
      if (errors.length) throw new ErpError(errors.join('; '), 'io');
    },
  };
}

