/**
 * The sync engine: ERP → mapping → diff against state → ordered, pipelined batch writes →
 * per-line outcomes committed to state → report. It knows no adapter, no SQL and no HTTP:
 * it gets an ErpSource, a Mapper, a StateStore and the PIM client's write surface.
 *
 * Invariants (each is tested):
 * - every ERP record read ends in exactly one outcome; the counts add up;
 * - an unchanged entity costs zero requests; a changed one carries only its changed values;
 * - a child is sent only after its parent succeeded, and is held (rejected, with the reason)
 *   when the parent failed;
 * - a product's uuid is reserved in the state before its first write, so a run killed
 *   mid-way never creates a duplicate when the next run resends it;
 * - watermarks move only at the end of a run that settled every record it read.
 *
 * Size (~1,800 lines): the engine grew this session with issue 11's guarantees (graceful stop,
 * dead-PIM detection, whole groups, collisions, counts). Issue 12 splits it into stages (run,
 * read, plan, media, apply); until then it stays one class so those guarantees change in one place.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { scrubSecrets } from '../logging.js';
import type { ValidationErrorItem } from '../akeneo/model.js';
import type { ErpRecord, ErpSource, StreamName } from '../erp/port.js';
import { pimCodeKey } from '../mapping/codes.js';
import { contentHash } from '../mapping/media.js';
import { rejectMessage } from '../mapping/messages.js';
import type { MappedEntity, MappedOption, Mapper, MappingError, MediaUploadRequest } from '../mapping/types.js';
import { findProductModelsInPim, findProductsInPim } from './adopt.js';
import { classifyLine, describeRejection } from './classify.js';
import { diffEntity, entityCode, type EndpointMode } from './diff.js';
import { fingerprint, valueKey } from './hash.js';
import { GroupingIndex } from './grouping.js';
import { Ledger, STREAM_TYPES } from './ledger.js';
import { mediaSourceForDisplay, type MediaContent, type MediaReader } from './media-source.js';
import { productUuidFor } from './product-uuid.js';
import { takeRunLock, type HeldLock } from './lock.js';
import type { SyncPimClient } from './pim.js';
import {
  countsAddUp,
  type PlanSummary,
  type ReportReject,
  type RequestCounts,
  type RunReport,
  type SyncMode,
  type VerifySummary,
} from './report.js';
import { Scheduler, type LineResult, type Task, type Verdict } from './scheduler.js';
import type { EntityState, EntityType, GroupMemberRow, RejectRow, StateStore } from './state/port.js';
import { verifyAgainstPim, type VerifyAttribute } from './verify.js';
import { pimWouldRefuse } from './refusals.js';

export type DeletionPolicy = 'ignore' | 'disable' | 'uncategorize' | 'delete';

/** Why a group record gave no product model, from how many of its items this run mapped. */
export function groupSkipReason(items: number | undefined): string {
  if (items === undefined || items === 0) return 'no item of this group was read in this run, so it gave no product model';
  if (items === 1) return 'the group has a single item, kept as a simple product (mapping.structure.variants.singleGroupAsSimpleProduct)';
  return `the group's ${items} items stay simple products: no family variant of their family fits them (see ferry check)`;
}

export interface EngineDeps {
  source: ErpSource;
  client: SyncPimClient;
  mapper: Mapper;
  state: StateStore;
  settings: { deletion: DeletionPolicy; updateOnly: boolean };
  /** One run per lock name at a time (the PIM connection). */
  lockName: string;
  /** The connection lock the caller took before any PIM request (runSync): told the run id. */
  connectionLock?: HeldLock;
  logger?: Logger;
  /** Reads a media source (path or URL the ERP gave) for upload; a local file also gives its size and mtime. */
  readMedia?: MediaReader;
  /** The PIM's attributes by code, so --verify compares values as the PIM normalises them. */
  attributes?: ReadonlyMap<string, VerifyAttribute>;
}

export interface SyncProgress {
  phase: 'reading' | 'categories' | 'items' | 'deletions' | 'verify' | 'done';
  read: number;
  settled: number;
}

export interface SyncOptions {
  full?: boolean;
  since?: string;
  keys?: string[];
  category?: string;
  dryRun?: boolean;
  verify?: boolean;
  repair?: boolean;
  onProgress?: (p: SyncProgress) => void;
  /** A lock whose heartbeat is older than this is taken over (default 120 s). */
  lockTimeoutMs?: number;
  heartbeatMs?: number;
  maxInFlight?: number;
  highWater?: number;
  /** Groups mapped and diffed per state round trip. */
  groupChunk?: number;
  /** Keys per ERP read-by-keys call. */
  keysChunk?: number;
  /**
   * Graceful stop (SIGTERM, Ctrl-C, a Console's stop button): nothing more is read or planned,
   * the batches in flight settle and are committed, and the run ends `interrupted` with its
   * counts so far, its report stored and its lock released.
   */
  signal?: AbortSignal;
  /**
   * The PIM not answering at all (network errors, timeouts) for longer than this fails the run
   * (default 180 s, `sync.pimUnreachableSeconds`); until then such lines are retried, never rejected.
   */
  pimUnreachableMs?: number;
}

/** The PIM gave no answer at all (connection refused, reset, timeout) for longer than the limit. */
export class PimUnreachableError extends Error {
  constructor(
    readonly since: Date,
    readonly lastError: string,
    limitMs: number,
  ) {
    super(
      `the PIM stopped answering at ${since.toISOString()} and gave no answer for ${Math.round(limitMs / 1000)} s ` +
        `(sync.pimUnreachableSeconds); last error: ${lastError}. The run stopped; check that the PIM is up and reachable, ` +
        `then run ferry sync again: what was not written is sent then.`,
    );
    this.name = 'PimUnreachableError';
  }
}

/** No HTTP answer at all: the request failed on the network (or timed out) before any status came back. */
function isNetworkError(err: unknown): boolean {
  const e = err as { name?: string; status?: number } | null;
  return e?.name === 'AkeneoNetworkError' || (e !== null && typeof e === 'object' && e.status === 0);
}

/** The run was stopped on purpose (SyncOptions.signal). */
export class SyncInterruptedError extends Error {
  constructor(readonly why: string) {
    super(`the run was stopped: ${why}`);
    this.name = 'SyncInterruptedError';
  }
}

function abortReason(signal: AbortSignal): string {
  const r: unknown = signal.reason;
  if (typeof r === 'string') return r;
  if (r instanceof Error && r.name !== 'AbortError') return r.message;
  return 'stop requested';
}

type WriteKind = 'option' | 'category' | 'product_model' | 'product';

interface TaskCtx {
  type: WriteKind;
  code: string;
  label: string;
  origin: { stream: string; key: string; updatedAt: string | null } | null;
  groupKey: string | null;
  pimId: string | null;
  nextHashes: Record<string, string>;
  /** What the write does to the record: normal, or applying the deletion policy. */
  effect: 'write' | 'policy';
  /** A product gone from the ERP (full run); not a record read in this run. */
  gone?: boolean;
  /** State status to store once the write succeeded. */
  statusAfter: EntityState['status'];
  /** Not in the PIM as far as Ferry knows: a create (whatever a retry's answer says). */
  create?: boolean;
  /** A failed attempt may have been written by the PIM (5xx, no answer): a later 204 does not make a create an update. */
  maybeWritten?: boolean;
  option?: { attribute: string; code: string };
  media?: MediaUploadRequest;
}

const RANK: Record<string, number> = { option: 0, category: 1, root_model: 2, sub_model: 3, product: 4, delete: 5, media: 6 };
const MAX_TRANSIENT_ATTEMPTS = 4;
const MAX_CONSECUTIVE_BATCH_FAILURES = 6;

function laterOf(a: string | null, b: string | null): string | null {
  if (!b) return a;
  if (!a) return b;
  return Date.parse(b) > Date.parse(a) ? b : a;
}

function chunked<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

const BUILTIN_ERRORS = new Set(['Error', 'TypeError', 'RangeError', 'ReferenceError', 'SyntaxError', 'EvalError', 'URIError', 'AggregateError']);

/** An error as reports and logs show it: never with a credential in it (a token, a password in a URL). */
function errorText(err: unknown): string {
  // The message alone ("another sync run … is in progress"), not "RunLockedError: …", unless the
  // error writes its own sentence (AkeneoError's toString names the call and the status).
  // JavaScript's own errors (TypeError: …) keep their name: they point at a bug.
  const plain = err instanceof Error && err.toString === Error.prototype.toString && !BUILTIN_ERRORS.has(err.name);
  return scrubSecrets(plain ? err.message : String(err));
}

function isFatal(err: unknown): boolean {
  const name = (err as { name?: string } | null)?.name;
  return name === 'AkeneoAuthError';
}

function emptyPlan(): PlanSummary {
  const mk = () => ({ create: 0, update: 0, unchanged: 0, delete: 0, skip: 0, reject: 0 });
  return { actions: { option: mk(), category: mk(), product_model: mk(), product: mk() } };
}

/**
 * The option tasks of this run an entity's values use. The mapper reports a missing option
 * once (with the first record that needs it), so every later entity using it must find it
 * here, or it would be sent before the option exists and fail.
 */
function optionDepsOf(entity: MappedEntity, planned: ReadonlyMap<string, ReadonlyMap<string, string>>): string[] {
  if (entity.kind === 'category' || planned.size === 0) return [];
  const deps: string[] = [];
  for (const [attribute, codes] of planned) {
    const entries = entity.values[attribute];
    if (!entries) continue;
    for (const e of entries) {
      const d = e.data;
      const used = typeof d === 'string' ? [d] : Array.isArray(d) ? d.filter((x): x is string => typeof x === 'string') : [];
      for (const code of used) {
        const id = codes.get(code.toLowerCase());
        if (id !== undefined && !deps.includes(id)) deps.push(id);
      }
    }
  }
  return deps;
}

export class SyncRun {
  private readonly ledger = new Ledger();
  private readonly rejectsShown: ReportReject[] = [];
  private readonly warnings: ReportReject[] = [];
  private warningsTotal = 0;
  /** Records some of whose values the mapping dropped (with a warning) while the rest went through. */
  private readonly partialRecords = new Set<string>();
  private readonly plan = emptyPlan();
  private readonly payloads: NonNullable<PlanSummary['payloads']> = [];
  private runId: number | null = null;
  private mode: EndpointMode = 'uuid';
  private scheduler!: Scheduler<TaskCtx>;
  private readonly schedulers: Scheduler<TaskCtx>[] = [];
  private readonly optionTasks = new Set<string>();
  /** Options created in this run: attribute → lower-case code → task id. */
  private readonly plannedOptions = new Map<string, Map<string, string>>();
  private readonly seenIds = new Set<string>();
  private readonly maxUpdatedAt: Record<string, string | null> = { items: null, groups: null, categories: null };
  private consecutiveBatchFailures = 0;
  private readonly deletions = { policy: 'ignore', gone: 0, applied: 0, failed: 0 };
  private readonly uploads = new Map<string, Promise<string>>();
  /** Products a media upload waits for (so their outcome is remembered for it). */
  private readonly mediaOwners = new Set<string>();
  /** State rows that need no write (unchanged entities whose ERP version moved, update-only absentees): saved with the chunk. */
  private versionUpdates: EntityState[] = [];
  private readonly retryKeys: Record<string, Set<string>> = { items: new Set(), groups: new Set(), categories: new Set() };
  private readonly log: Logger | undefined;
  /** Update-only mode: entities unknown to the state found in the PIM / not found there. */
  private readonly updateOnlyCounts = { foundInPim: 0, notInPim: 0 };
  /** --category: items read from the ERP outside the category (not counted, not sent). */
  private outOfScope = 0;
  /** Items per group mapped in this run: why a group gave no product model depends on it. */
  private readonly groupSizes = new Map<string, number>();
  /** What the deletion policy did, by effect, with the first names (the report's lists). */
  private readonly policyDone: NonNullable<RunReport['deletionRecords']> = {
    disabled: { count: 0, names: [] },
    uncategorized: { count: 0, names: [] },
    deleted: { count: 0, names: [] },
    gone: { count: 0, names: [] },
  };
  private notePolicy(kind: keyof NonNullable<RunReport['deletionRecords']>, name: string): void {
    const entry = this.policyDone[kind];
    entry.count++;
    if (entry.names.length < 50) entry.names.push(name);
  }
  /** Dry run: product models the PIM would refuse, so their children are flagged too. */
  private readonly refusedModels = new Set<string>();
  /** --keys: keys the ERP does not have. */
  private keysNotFound: string[] = [];

  constructor(
    private readonly deps: EngineDeps,
    private readonly opts: SyncOptions,
  ) {
    this.log = deps.logger;
    this.deletions.policy = deps.settings.deletion;
  }

  private get dryRun(): boolean {
    return this.opts.dryRun === true;
  }

  /** Throws when the run was asked to stop: called wherever new work would start. */
  private checkAbort(): void {
    if (this.stopError) throw this.stopError;
    const signal = this.opts.signal;
    if (signal?.aborted) throw new SyncInterruptedError(abortReason(signal));
  }

  // --- is the PIM answering? ----------------------------------------------------------
  /** Since when no request got any answer from the PIM (null: it answers). */
  private pimSilentSince: number | null = null;
  private pimLastError = '';
  private pimTimer: NodeJS.Timeout | null = null;
  /** Set when the run must stop for good (the PIM stopped answering). */
  private stopError: Error | null = null;

  private pimAnswered(): void {
    this.pimSilentSince = null;
    if (this.pimTimer) clearTimeout(this.pimTimer);
    this.pimTimer = null;
  }

  /** A request got no answer at all. Past the limit without any answer, the run fails. */
  private pimSilent(error: string): void {
    this.pimLastError = error;
    if (this.pimSilentSince !== null) return;
    this.pimSilentSince = Date.now();
    const limit = this.opts.pimUnreachableMs ?? 180_000;
    this.log?.warn({ runId: this.runId, err: error, limitMs: limit }, 'the PIM does not answer; retrying');
    this.pimTimer = setTimeout(() => {
      if (this.pimSilentSince === null || this.stopError) return;
      const err = new PimUnreachableError(new Date(this.pimSilentSince), this.pimLastError, limit);
      this.stopError = err;
      this.log?.error({ runId: this.runId, err: err.message }, 'the PIM stopped answering: the run fails');
      for (const sch of this.schedulers) void sch.stop(err, 5_000);
    }, limit);
  }

  /** A stop request: the schedulers send nothing more; the producer unwinds at its next check. */
  private readonly onAbort = (): void => {
    const err = new SyncInterruptedError(abortReason(this.opts.signal!));
    this.log?.warn({ runId: this.runId, reason: err.why }, 'stop requested: finishing the batches in flight');
    for (const sch of this.schedulers) void sch.stop(err);
  };

  syncMode(): SyncMode {
    if (this.opts.keys && this.opts.keys.length > 0) return 'keys';
    if (this.opts.category) return 'category';
    if (this.opts.full) return 'full';
    if (this.opts.since) return 'since';
    return 'delta';
  }

  private progress(phase: SyncProgress['phase']): void {
    this.opts.onProgress?.({ phase, read: this.ledger.size, settled: this.ledger.settledCount() });
  }

  async execute(): Promise<RunReport> {
    const { state, client } = this.deps;
    const startedAt = new Date();
    const mode = this.syncMode();
    const statsBefore = client.stats();
    const watermarksBefore: Record<string, string | null> = {};
    for (const s of ['items', 'groups', 'categories']) watermarksBefore[s] = await state.getWatermark(s);
    const watermarksAfter = { ...watermarksBefore };

    let lock: HeldLock | null = null;
    let fatal: unknown = null;
    let interrupted: SyncInterruptedError | null = null;
    let runHeartbeat: NodeJS.Timeout | null = null;
    this.opts.signal?.addEventListener('abort', this.onAbort, { once: true });
    try {
      this.checkAbort();
      if (!this.dryRun) {
        const taken = await takeRunLock(state, this.deps.lockName, {
          staleAfterMs: this.opts.lockTimeoutMs ?? 120_000,
          heartbeatMs: this.opts.heartbeatMs ?? 10_000,
          onLost: () => this.log?.warn({ lock: this.deps.lockName }, 'run lock taken over by another run'),
        });
        lock = taken.lock;
        this.runId = await state.startRun(mode, this.describeOptions(), lock.owner);
        lock.setRunId(this.runId);
        this.deps.connectionLock?.setRunId(this.runId);
        // Runs left "running" by a dead process are over: say so in their history.
        await state.markInterrupted(this.runId);
        // The run's own sign of life, with its counts so far: if this process dies, the next
        // `ferry runs` / `ferry sync` shows it interrupted, with those counts and its real duration.
        const runId = this.runId;
        runHeartbeat = setInterval(() => {
          const snapshot = this.buildReport({ mode, startedAt, statsBefore, watermarksBefore, watermarksAfter, status: 'interrupted', fatal: null, verify: this.verify, settledOnly: true });
          state.heartbeatRun(runId, snapshot).catch(() => undefined);
        }, this.opts.heartbeatMs ?? 10_000);
        runHeartbeat.unref();
      }
      this.log?.info({ runId: this.runId, mode, dryRun: this.dryRun }, 'sync started');
      this.mode = (await client.detect()).endpointMode;
      for (const s of ['items', 'groups', 'categories'] as const) {
        if (mode === 'delta' || mode === 'since') for (const k of await state.listRetries(s)) this.retryKeys[s]!.add(k);
      }

      let extraItemKeys: string[] = [];
      if (this.opts.verify) {
        this.progress('verify');
        const result = await verifyAgainstPim({
          client,
          state,
          mode: this.mode,
          ownedAttributes: this.deps.mapper.ownedAttributes,
          ...(this.deps.attributes ? { attributes: this.deps.attributes } : {}),
          repair: this.opts.repair === true && !this.dryRun,
        });
        this.verify = result.summary;
        extraItemKeys = result.itemKeysToResend;
      }

      const since = mode === 'full' || mode === 'keys' || mode === 'category' ? undefined : (this.opts.since ?? watermarksBefore.items ?? undefined);
      const categorySince = mode === 'delta' || mode === 'since' ? (this.opts.since ?? watermarksBefore.categories ?? undefined) : undefined;

      let allowedCategories: Set<string> | null = null;
      if (mode !== 'keys') {
        // Categories first, all of them settled before any item refers to them.
        this.checkAbort();
        this.scheduler = this.newScheduler();
        allowedCategories = await this.syncCategories(categorySince);
        if (!this.dryRun) await this.scheduler.finish();
      }
      this.checkAbort();
      this.scheduler = this.newScheduler();
      const groupSince = mode === 'delta' || mode === 'since' ? (this.opts.since ?? watermarksBefore.groups ?? since) : undefined;
      await this.syncItems(mode, since, groupSince, extraItemKeys, allowedCategories);
      if (!this.dryRun) await this.scheduler.finish();
      this.progress('done');

      // Watermarks move only when every record read has settled and the selection covered
      // everything since the previous watermark.
      const covers = mode === 'full' || mode === 'delta' || (mode === 'since' && !!this.opts.since && (!watermarksBefore.items || Date.parse(this.opts.since) <= Date.parse(watermarksBefore.items)));
      if (!this.dryRun && covers) {
        for (const s of ['items', 'groups', 'categories'] as const) {
          const next = laterOf(watermarksBefore[s] ?? null, this.maxUpdatedAt[s] ?? null);
          if (next && next !== watermarksBefore[s]) {
            await state.setWatermark(s, next);
            watermarksAfter[s] = next;
          }
        }
      }
    } catch (err) {
      if (err instanceof SyncInterruptedError) {
        interrupted = err;
        this.log?.warn({ runId: this.runId, reason: err.why }, 'sync interrupted');
      } else {
        fatal = err;
        this.log?.error({ runId: this.runId, err: errorText(err) }, 'sync failed');
      }
    }
    this.opts.signal?.removeEventListener('abort', this.onAbort);
    // Whatever ended the run, the batches already sent settle (and are committed) before the
    // report is written: nothing the PIM confirmed is forgotten, nothing new is sent.
    const stopReason = interrupted ?? fatal;
    // A stop waits for every batch in flight; a failure only a little (a dead PIM may never answer them).
    if (stopReason) await Promise.all(this.schedulers.map((sch) => sch.stop(stopReason, interrupted ? undefined : 5_000)));
    if (runHeartbeat) clearInterval(runHeartbeat);
    if (this.pimTimer) clearTimeout(this.pimTimer);

    if (!stopReason) {
      const unsettled = this.ledger.finalize((stream, key) => (stream === 'groups' ? groupSkipReason(this.groupSizes.get(key)) : 'nothing to write for this record'));
      if (unsettled.length > 0 && !fatal) fatal = new Error(`${unsettled.length} records did not settle (first: ${unsettled[0]!.stream} ${unsettled[0]!.key}); this is a Ferry bug`);
    }
    const status: RunReport['status'] = interrupted ? 'interrupted' : fatal ? 'failed' : this.ledger.counts().counts.rejected > 0 ? 'rejects' : 'succeeded';
    const report = this.buildReport({ mode, startedAt, statsBefore, watermarksBefore, watermarksAfter, status, fatal, verify: this.verify, settledOnly: stopReason !== null, interruptedWhy: interrupted?.why });

    if (!this.dryRun && this.runId !== null) {
      try {
        await this.persistOutcomes(stopReason !== null);
        await state.finishRun(this.runId, status, report);
      } catch (err) {
        this.log?.error({ err: errorText(err) }, 'could not store the run report');
      }
    }
    if (lock) await lock.release().catch(() => undefined);
    this.log?.info({ runId: this.runId, status, counts: report.counts, requests: report.requests, durationMs: report.durationMs }, 'sync finished');
    return report;
  }

  private verify: VerifySummary | undefined;

  /** The run report, at the end or (settledOnly) as the progress so far. */
  private buildReport(a: {
    mode: SyncMode;
    startedAt: Date;
    statsBefore: ReturnType<SyncPimClient['stats']>;
    watermarksBefore: Record<string, string | null>;
    watermarksAfter: Record<string, string | null>;
    status: RunReport['status'];
    fatal: unknown;
    verify: VerifySummary | undefined;
    settledOnly: boolean;
    interruptedWhy?: string;
  }): RunReport {
    const { client } = this.deps;
    const { mode, startedAt, statsBefore, watermarksBefore, watermarksAfter, status, fatal, verify } = a;
    const { counts, byType } = this.ledger.counts(a.settledOnly);
    const statsAfter = client.stats();
    const requests: RequestCounts = {
      total: statsAfter.total - statsBefore.total,
      writes: statsAfter.writes - statsBefore.writes,
      retried: statsAfter.retried - statsBefore.retried,
      throttled: statsAfter.throttled - statsBefore.throttled,
    };
    const finishedAt = new Date();
    const batches: Record<string, number> = {};
    for (const sch of this.schedulers) for (const [lane, n] of sch.batchesSent) batches[lane] = (batches[lane] ?? 0) + n;
    const report: RunReport = {
      runId: this.runId,
      mode,
      status,
      dryRun: this.dryRun,
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      durationMs: finishedAt.getTime() - startedAt.getTime(),
      counts,
      byType,
      requests,
      batches,
      rejects: this.rejectsShown,
      warnings: this.warnings,
      warningsTotal: this.warningsTotal,
      ...this.partialSummary(),
      ...(counts.skipped > 0 ? { skipped: this.ledger.skipReasons() } : {}),
      deletions: this.deletions,
      ...(Object.values(this.policyDone).some((e) => e.count > 0) ? { deletionRecords: this.policyDone } : {}),
      watermarks: { before: watermarksBefore, after: watermarksAfter },
      ...(this.dryRun ? { plan: { ...this.plan, ...(this.opts.keys ? { payloads: this.payloads } : {}) } } : {}),
      ...(verify ? { verify } : {}),
      ...(this.deps.settings.updateOnly ? { updateOnly: this.updateOnlyCounts } : {}),
      ...(mode === 'category' || mode === 'keys' ? { scope: { outsideCategory: this.outOfScope, keysNotFound: this.keysNotFound.slice(0, 100), keysNotFoundTotal: this.keysNotFound.length } } : {}),
      ...(a.settledOnly && status === 'interrupted'
        ? { interrupted: { unsettled: this.ledger.size - counts.read, reason: a.interruptedWhy ?? 'its process stopped without finishing (killed, crashed or the machine went down)' } }
        : {}),
      ...(a.settledOnly && status === 'failed' ? { unsettled: this.ledger.size - counts.read } : {}),
      ...(fatal instanceof PimUnreachableError ? { pimUnreachable: { since: fatal.since.toISOString(), lastError: fatal.lastError } } : {}),
      ...(fatal ? { error: errorText(fatal) } : {}),
    };
    if (!countsAddUp(counts)) report.error = `${report.error ? `${report.error}; ` : ''}counts do not add up (Ferry bug)`;
    return report;
  }

  private describeOptions(): Record<string, unknown> {
    const o = this.opts;
    return { full: o.full, since: o.since, keys: o.keys, category: o.category, verify: o.verify, repair: o.repair };
  }

  /**
   * Records that reached the PIM without some of their values (dropped with a warning): a
   * record "created" with half its values missing must not look like a clean one.
   */
  private partialSummary(): { partial?: { records: number; values: number } } {
    let records = 0;
    for (const id of this.partialRecords) {
      const [stream, key] = id.split('\u0000') as [string, string];
      const outcome = this.ledger.outcomeOf(stream, key);
      if (outcome === 'created' || outcome === 'updated' || outcome === 'unchanged') records++;
    }
    return records > 0 ? { partial: { records, values: this.warningsTotal } } : {};
  }

  /** Stores each record's outcome; an interrupted run only those that settled (the rest is read again). */
  private async persistOutcomes(settledOnly = false): Promise<void> {
    const rows = [];
    const retry: { stream: string; key: string; reason: string }[] = [];
    const clear: { stream: string; key: string }[] = [];
    for (const e of this.ledger.all()) {
      if (settledOnly && !this.ledger.settledEntry(e)) continue;
      if (e.outcome && e.outcome !== 'unchanged') rows.push({ stream: e.stream, key: e.key, entityType: e.type, outcome: e.outcome, reason: e.reason });
      if (e.outcome === 'rejected' && !this.duplicateKeys.has(e.key) && !this.unretriableKeys.has(e.key)) retry.push({ stream: e.stream, key: e.key, reason: e.reason ?? 'rejected' });
      else clear.push({ stream: e.stream, key: e.key });
    }
    for (const part of chunked(rows, 5000)) await this.deps.state.recordOutcomes(this.runId!, part);
    await this.deps.state.queueRetries(retry);
    await this.deps.state.clearRetries(clear.filter((c) => this.retryKeys[c.stream]?.has(c.key)));
  }

  // --- reading -----------------------------------------------------------------------

  /**
   * Registers a record read. Only records from the stream's main (since/full) read move the
   * watermark: a record re-read by key (a sibling, a retry) may carry a date later than
   * records the main read did not see yet, and must not push the watermark past them.
   */
  private noteRead(rec: ErpRecord, moveWatermark = false): boolean {
    if (!this.ledger.read(rec.stream, rec.key)) return false;
    if (moveWatermark) this.maxUpdatedAt[rec.stream] = laterOf(this.maxUpdatedAt[rec.stream] ?? null, rec.updatedAt);
    return true;
  }

  private async *readStream(stream: StreamName, opts: { since?: string; keys?: string[] }): AsyncIterable<ErpRecord> {
    const { source } = this.deps;
    if (!source.streams.includes(stream)) return;
    const onReject = (r: { key?: string; location: string; message: string; raw: string; field?: string }) => {
      // An ERP row that could not be read: a reject of this run, never silently dropped.
      const key = r.key ?? r.location;
      if (!this.ledger.read(stream, key)) return;
      // A row without a readable key cannot be asked for again by key: it is reported, not queued.
      if (r.key === undefined) this.unretriableKeys.add(key);
      this.ledger.settle(stream, key, 'rejected', r.message, false);
      const item: ReportReject = {
        stream,
        key,
        entityType: STREAM_TYPES[stream] ?? stream,
        label: key,
        attribute: r.field ?? null,
        message: `${STREAM_TYPES[stream] === 'product' ? 'SKU' : stream} ${key} (${r.location}): ${r.message}`,
        fix:
          r.key === undefined
            ? 'Correct the row in the ERP export (its key could not be read, so it cannot be asked for again by key); the corrected export is read on the next run.'
            : 'Correct the record in the ERP; it is read again on the next run.',
      };
      // In the report Julia reads, like every other reject (not only in `runs show --rejects`).
      if (this.rejectsShown.length < 200) this.rejectsShown.push(item);
      void this.addRejects([{ ...item, runId: this.runId ?? 0, payload: r.raw }]);
    };
    if (opts.keys) {
      for (const part of chunked(opts.keys, this.opts.keysChunk ?? 500)) {
        if (part.length === 0) continue;
        this.checkAbort();
        for await (const rec of source.read(stream, { keys: part, onReject, ...(this.opts.signal ? { signal: this.opts.signal } : {}) })) {
          this.checkAbort();
          yield rec;
        }
        // A source that honours the signal ends its read early: that read is not complete.
        this.checkAbort();
      }
      return;
    }
    this.checkAbort();
    for await (const rec of source.read(stream, { ...(opts.since ? { since: opts.since } : {}), onReject, ...(this.opts.signal ? { signal: this.opts.signal } : {}) })) {
      // A stop request ends the read here (the source is closed by the caller as usual).
      this.checkAbort();
      yield rec;
    }
    this.checkAbort();
  }

  // --- categories --------------------------------------------------------------------

  /** Syncs the category tree; returns the ERP category keys an item must be in (--category), else null. */
  private async syncCategories(since: string | undefined): Promise<Set<string> | null> {
    this.progress('categories');
    const records: ErpRecord[] = [];
    const wantAll = !!this.opts.category;
    for await (const rec of this.readStream('categories', { since: wantAll ? undefined : since })) {
      if (this.noteRead(rec, true)) records.push(rec);
    }
    const retry = [...(this.retryKeys.categories ?? [])].filter((k) => !this.ledger.has('categories', k));
    for await (const rec of this.readStream('categories', { keys: retry })) if (this.noteRead(rec)) records.push(rec);

    let allowed: Set<string> | null = null;
    if (this.opts.category) {
      const root = this.opts.category;
      if (!records.some((r) => r.key === root)) {
        throw new Error(`category ${root} does not exist in the ERP; check the code (ferry erp read --stream categories)`);
      }
      const children = new Map<string, string[]>();
      for (const r of records) if (r.parent) children.set(r.parent, [...(children.get(r.parent) ?? []), r.key]);
      allowed = new Set();
      const stack = [root];
      while (stack.length > 0) {
        const k = stack.pop()!;
        if (allowed.has(k)) continue;
        allowed.add(k);
        stack.push(...(children.get(k) ?? []));
      }
    }
    if (records.length === 0) return allowed;

    const result = this.deps.mapper.mapCategories(records);
    this.recordMappingErrors(result.errors);
    const codes = result.entities.map(entityCode);
    const stored = await this.deps.state.getEntities('category', codes);
    for (const entity of result.entities) {
      if (entity.kind !== 'category') continue;
      const task = await this.planEntity(entity, stored.get(entity.code), { parentIds: this.seenIds });
      if (task && !this.dryRun) this.scheduler.add(task);
    }
    if (this.versionUpdates.length > 0) {
      await this.deps.state.saveEntities(this.versionUpdates);
      this.versionUpdates = [];
    }
    return allowed;
  }

  // --- items -------------------------------------------------------------------------

  private async syncItems(
    mode: SyncMode,
    since: string | undefined,
    groupSince: string | undefined,
    extraItemKeys: string[],
    allowed: Set<string> | null,
  ): Promise<void> {
    this.progress('reading');
    const index = new GroupingIndex();
    const inCategory = (rec: ErpRecord) => !allowed || (rec.categories ?? []).some((c) => allowed.has(c));
    // --category: items outside the subtree are not in the run's scope. They are not counted
    // (like the items --keys does not name), but a grouped one is remembered by key: when a
    // sibling is in scope, the group is mapped whole (axes, single-item groups).
    const outOfScope = new Map<string, string[]>();
    const take = (rec: ErpRecord, main = false, scoped = true) => {
      if (rec.stream !== 'items') return;
      if (index.hasItem(rec.key)) return;
      if (scoped && !inCategory(rec)) {
        this.outOfScope++;
        if (rec.group) {
          const keys = outOfScope.get(rec.group);
          if (keys) keys.push(rec.key);
          else outOfScope.set(rec.group, [rec.key]);
        }
        return;
      }
      if (!this.noteRead(rec, main)) return;
      index.add(rec);
    };

    // The same key twice in one read (a duplicated row): the first is the record, the second a
    // reject of its own, never a silent drop.
    const takeOnce = (rec: ErpRecord, main: boolean) => {
      if (rec.stream === 'items' && index.hasItem(rec.key)) this.rejectDuplicate(rec);
      else take(rec, main);
    };
    if (mode === 'keys') {
      const asked = new Set(this.opts.keys!);
      for await (const rec of this.readStream('items', { keys: this.opts.keys! })) {
        asked.delete(rec.key);
        takeOnce(rec, false);
      }
      this.keysNotFound = [...asked];
    } else {
      for await (const rec of this.readStream('items', { since })) takeOnce(rec, true);
    }
    const retryItems = [...(this.retryKeys.items ?? []), ...extraItemKeys].filter((k) => !index.hasItem(k));
    // Asked for by key (retries, --verify --repair): in scope whatever their category.
    for await (const rec of this.readStream('items', { keys: retryItems })) take(rec, false, false);
    if (outOfScope.size > 0) {
      const siblings: string[] = [];
      for (const g of index.groupKeys()) for (const k of outOfScope.get(g) ?? []) siblings.push(k);
      outOfScope.clear();
      for await (const rec of this.readStream('items', { keys: siblings })) {
        if (index.hasItem(rec.key) || !this.noteRead(rec)) continue;
        this.outOfScope--;
        index.add(rec);
      }
    }

    // Groups: all of them in a full read; otherwise the changed ones and those of the items read.
    const groups = new Map<string, ErpRecord>();
    const takeGroup = (rec: ErpRecord, main = false) => {
      if (groups.has(rec.key)) return;
      this.noteRead(rec, main);
      groups.set(rec.key, rec);
    };
    const fullRead = since === undefined && mode !== 'keys' && mode !== 'category';
    if (fullRead) {
      for await (const rec of this.readStream('groups', {})) takeGroup(rec, true);
    } else if (mode === 'delta' || mode === 'since') {
      for await (const rec of this.readStream('groups', { since: groupSince })) takeGroup(rec, true);
      const retryGroups = [...(this.retryKeys.groups ?? [])].filter((k) => !groups.has(k));
      for await (const rec of this.readStream('groups', { keys: retryGroups })) takeGroup(rec);
    }

    if (!fullRead) {
      // A group re-read only because `since` is inclusive (same version Ferry already synced)
      // and none of whose items changed needs no re-mapping: without this, a catalog created
      // in one transaction (one timestamp) would be read whole on every delta run.
      const itemGroups = new Set(index.groupKeys());
      const candidates = [...groups.keys()].filter((g) => !itemGroups.has(g));
      const versions = await this.deps.state.getOriginVersions('groups', candidates);
      for (const g of candidates) {
        const rec = groups.get(g)!;
        if (rec.updatedAt !== null && versions.get(g) === rec.updatedAt) {
          this.ledger.settle('groups', g, 'unchanged', null, false);
          groups.delete(g);
        }
      }
    }
    await this.completeGroups(index, groups, takeGroup, fullRead);
    const seenItemKeys = index.itemKeySet();

    this.progress('items');
    const chunk = this.opts.groupChunk ?? 200;
    for (const part of index.chunks(chunk)) {
      this.checkAbort();
      await this.planGroups(part, groups);
      this.progress('items');
      // Let the event loop deliver batch answers between chunks: the state store may be
      // synchronous (SQLite), and without this the planner would starve the pipeline.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }

    // Groups read whose items were all filtered or gone: nothing to write for them.
    if (mode === 'full' && !this.opts.category) {
      await this.planGone(seenItemKeys);
      // Items gone from the ERP are no group's members any more (a drop folder is never the whole ERP).
      if (!this.dryRun && !this.inputOnly) await this.deps.state.pruneGroupMembers('items', seenItemKeys);
    }
  }

  /**
   * Whether the source only sees its current input (the files adapter: a drop file moved to
   * done/ is never read again), so the records of a group must be kept to map it whole later.
   */
  /** Item keys of the touched groups that Ferry has in the PIM: they come first in their group. */
  private readonly inPim = new Set<string>();

  private get inputOnly(): boolean {
    return this.deps.source.kind === 'files';
  }

  /**
   * Whole groups, always: every group an item read belongs to gets all its members, as Ferry
   * last knew them. Members are read again from the ERP by key (fresh data); a member the source
   * cannot give any more (a files-adapter delta: its file is in done/) is taken as last read.
   * So a variant never loses its parent and axis clashes across files are caught, and a group
   * is a model or a simple product whatever the run's mode (archived members included).
   */
  private async completeGroups(index: GroupingIndex, groups: Map<string, ErpRecord>, takeGroup: (rec: ErpRecord) => void, fullRead: boolean): Promise<void> {
    const { state } = this.deps;
    const touched = [...new Set<string>([...index.groupKeys(), ...(fullRead ? [] : groups.keys())])];
    if (touched.length === 0) return;
    const missing = new Set<string>();
    const storedItems = new Map<string, ErpRecord>();
    const storedGroups = new Map<string, ErpRecord>();
    for (const keys of (await state.findGroupMembers(touched)).values()) {
      for (const k of keys) {
        this.inPim.add(k);
        if (!index.hasItem(k)) missing.add(k);
      }
    }
    for (const m of await state.getGroupMembers(touched)) {
      if (m.stream === 'items') {
        if (!index.hasItem(m.key)) missing.add(m.key);
        if (m.record) storedItems.set(m.key, m.record);
      } else if (m.record) storedGroups.set(m.key, m.record);
    }
    if (missing.size > 0) {
      for await (const rec of this.readStream('items', { keys: [...missing] })) {
        if (index.hasItem(rec.key) || !this.noteRead(rec)) continue;
        index.add(rec);
      }
      for (const key of missing) {
        const rec = storedItems.get(key);
        if (!rec || index.hasItem(key) || !this.noteRead(rec)) continue;
        index.add(rec);
      }
    }
    const needGroups = index.groupKeys().filter((g) => !groups.has(g));
    if (needGroups.length > 0) {
      for await (const rec of this.readStream('groups', { keys: needGroups })) takeGroup(rec);
      for (const g of needGroups) {
        const rec = storedGroups.get(g);
        if (rec && !groups.has(g)) takeGroup(rec);
      }
    }
  }

  private recordMappingErrors(errors: readonly MappingError[]): Set<string> {
    const blocked = new Set<string>();
    const rows: RejectRow[] = [];
    for (const e of errors) {
      const item: ReportReject = {
        stream: e.origin.stream,
        key: e.origin.key,
        entityType: STREAM_TYPES[e.origin.stream] ?? e.origin.stream,
        label: e.recordLabel,
        attribute: e.attribute ?? null,
        locale: e.locale ?? null,
        scope: e.scope ?? null,
        message: rejectMessage(e), // issue 16: the record once (src/mapping/messages.ts)
        fix: e.fix,
      };
      if (e.blocksRecord) {
        blocked.add(`${e.origin.stream}\u0000${e.origin.key}`);
        if (this.ledger.outcomeOf(e.origin.stream, e.origin.key) !== 'rejected') this.ledger.settle(e.origin.stream, e.origin.key, 'rejected', item.message, false);
        this.plan.actions[STREAM_TYPES[e.origin.stream] ?? 'product']!.reject++;
        if (this.rejectsShown.length < 200) this.rejectsShown.push(item);
        rows.push({ ...item, runId: this.runId ?? 0, errors: [e] });
      } else {
        this.warningsTotal++;
        this.partialRecords.add(`${e.origin.stream}\u0000${e.origin.key}`);
        if (this.warnings.length < 200) this.warnings.push(item);
      }
    }
    if (rows.length > 0) void this.addRejects(rows);
    return blocked;
  }

  private async addRejects(rows: RejectRow[]): Promise<void> {
    if (this.dryRun || this.runId === null || rows.length === 0) return;
    await this.deps.state.addRejects(rows.map((r) => ({ ...r, runId: this.runId! })));
  }

  private ensureOption(opt: MappedOption, scheduler: Scheduler<TaskCtx> | null): string {
    const id = `option:${opt.attribute}:${opt.code.toLowerCase()}`;
    if (this.optionTasks.has(id)) return id;
    this.optionTasks.add(id);
    let codes = this.plannedOptions.get(opt.attribute);
    if (!codes) this.plannedOptions.set(opt.attribute, (codes = new Map()));
    codes.set(opt.code.toLowerCase(), id);
    this.plan.actions.option!.create++;
    if (scheduler) {
      scheduler.add({
        id,
        lane: `option:${opt.attribute}`,
        rank: RANK.option!,
        deps: [],
        attempts: 0,
        payload: { code: opt.code, attribute: opt.attribute, labels: opt.labels },
        ctx: {
          type: 'option',
          code: `${opt.attribute}:${opt.code}`,
          label: `${opt.attribute} option ${opt.code}`,
          origin: null,
          groupKey: null,
          pimId: null,
          nextHashes: {},
          effect: 'write',
          statusAfter: 'synced',
          option: { attribute: opt.attribute, code: opt.code },
        },
      });
    }
    return id;
  }

  private async planGroups(part: [string, ErpRecord[]][], groups: ReadonlyMap<string, ErpRecord>): Promise<void> {
    const { mapper, state } = this.deps;
    const mapped: { items: ErpRecord[]; entities: MappedEntity[]; optionDeps: MappedOption[]; media: MediaUploadRequest[] }[] = [];
    const modelCodes: string[] = [];
    const productCodes: string[] = [];
    for (const [groupKey, itemsRead] of part) {
      // Members already in the PIM first: when a new item clashes with one of them (same axis
      // values), the new one is held back, never the variant the PIM has.
      const items = this.inPim.size > 0 ? [...itemsRead].sort((a, b) => Number(this.inPim.has(b.key)) - Number(this.inPim.has(a.key))) : itemsRead;
      this.groupSizes.set(groupKey, items.length);
      const groupMap = new Map<string, ErpRecord>();
      const g = groups.get(groupKey);
      if (g) groupMap.set(groupKey, g);
      let result;
      try {
        result = mapper.mapItems(items, groupMap);
      } catch (err) {
        // A mapper crash on one group must not sink the run: reject that group's records.
        const message = `could not be mapped: ${errorText(err)}`;
        const fix = 'Report this to the Ferry maintainers with the record.';
        for (const it of items) {
          this.ledger.settle('items', it.key, 'rejected', message, false);
          if (this.rejectsShown.length < 200) this.rejectsShown.push({ stream: 'items', key: it.key, entityType: 'product', label: it.key, message: `SKU ${it.key} ${message}`, fix });
        }
        this.log?.error({ runId: this.runId, group: groupKey, err: errorText(err) }, 'mapper failed on a group; its records are rejected');
        void this.addRejects(items.map((it) => ({ runId: this.runId ?? 0, stream: 'items', key: it.key, entityType: 'product', label: it.key, message: `SKU ${it.key} ${message}`, fix, payload: it })));
        continue;
      }
      this.recordMappingErrors(result.errors);
      for (const e of result.entities) {
        if (e.kind === 'product_model') modelCodes.push(e.code);
        else if (e.kind === 'product') productCodes.push(e.identifier);
      }
      mapped.push({ items, entities: result.entities, optionDeps: result.missingOptions, media: result.mediaUploads ?? [] });
    }
    if (!this.dryRun) await state.saveGroupMembers(this.membersOf(part, groups));
    const storedModels = await state.getEntities('product_model', modelCodes);
    const storedProducts = await state.getEntities('product', productCodes);
    await this.rejectCollisions(mapped, storedModels, storedProducts);
    if (this.deps.settings.updateOnly) await this.adoptFromPim(mapped, storedModels, storedProducts);
    const scheduler = this.dryRun ? null : this.scheduler;
    const intents: EntityState[] = [];
    const plannedTasks: Task<TaskCtx>[] = [];

    for (const m of mapped) {
      const byKey = new Map(m.items.map((i) => [i.key, i]));
      for (const o of m.optionDeps) this.ensureOption(o, scheduler);
      // Parents before children, whatever order the mapper used.
      const ordered = [...m.entities].sort((a, b) => this.rankOf(a) - this.rankOf(b));
      // A sub-model is no ERP record of its own: its outcome is its group's (a sub-model created
      // by a delta makes the group "created", not "unchanged"), and its state row names the group.
      const root = ordered.find((e) => e.kind === 'product_model' && !e.parent);
      for (const mappedEntity of ordered) {
        const entity = mappedEntity.kind === 'product_model' && mappedEntity.parent && root ? { ...mappedEntity, origin: root.origin } : mappedEntity;
        const stored = entity.kind === 'product' ? storedProducts.get(entity.identifier) : storedModels.get(entityCode(entity));
        const deps = optionDepsOf(entity, this.plannedOptions);
        const task = await this.planEntity(entity, stored, {
          parentIds: this.seenIds,
          record: entity.kind === 'product' ? byKey.get(entity.origin.key) : undefined,
          extraDeps: deps,
          intents,
        });
        if (task) plannedTasks.push(task);
      }
      for (const media of m.media) this.planMedia(media, plannedTasks);
    }
    if (intents.length > 0) await state.saveEntities(intents);
    if (this.versionUpdates.length > 0) {
      await state.saveEntities(this.versionUpdates);
      this.versionUpdates = [];
    }
    if (scheduler) {
      for (const t of plannedTasks) {
        await scheduler.capacity();
        scheduler.add(t);
      }
    }
  }

  /** Duplicated ERP rows, by key: how many copies were read (each extra copy is a reject of its own). */
  private readonly duplicates = new Map<string, number>();
  /** Ledger keys of those extra copies (never queued for retry: the key they stand for is read anyway). */
  private readonly duplicateKeys = new Set<string>();
  /** Rejects of rows whose key could not be read (their location stands in for it). */
  private readonly unretriableKeys = new Set<string>();

  private rejectDuplicate(rec: ErpRecord): void {
    const n = (this.duplicates.get(rec.key) ?? 1) + 1;
    this.duplicates.set(rec.key, n);
    const key = `${rec.key} (copy ${n})`;
    if (!this.ledger.read(rec.stream, key)) return;
    this.duplicateKeys.add(key);
    const message = `SKU ${rec.key} is read ${n === 2 ? 'twice' : `${n} times`} from the ERP (the same key in several rows); the first row is synced, this copy is not. One of the rows is wrong and may hold other data.`;
    const fix = `Remove the duplicate row of ${rec.key} from the ERP export (or give it its own key), then run ferry sync again.`;
    this.ledger.settle(rec.stream, key, 'rejected', message, false);
    this.plan.actions.product!.reject++;
    const item: ReportReject = { stream: rec.stream, key, entityType: 'product', label: rec.key, message, fix };
    if (this.rejectsShown.length < 200) this.rejectsShown.push(item);
    void this.addRejects([{ ...item, runId: this.runId ?? 0, payload: rec }]);
  }

  /** Entities held back by rejectCollisions (`type:code` → why): not sent, their children held. */
  private readonly collided = new Map<string, string>();
  /** PIM key (pimCodeKey) → the code and ERP key that took it in this run, per entity type. */
  private readonly claimed = { product: new Map<string, { code: string; key: string }>(), product_model: new Map<string, { code: string; key: string }>() };

  /**
   * Identifier collisions, before anything is sent: two ERP records whose SKUs (or model codes)
   * the PIM takes for one (it compares them without case or accents, like `ABC-1` and `abc-1`)
   * would overwrite each other's data and share one PIM product. The first one (the one the PIM
   * already has, else the first read) keeps it; the other is rejected, naming both and the fix.
   */
  private async rejectCollisions(
    mapped: readonly { items: ErpRecord[]; entities: MappedEntity[] }[],
    storedModels: Map<string, EntityState>,
    storedProducts: Map<string, EntityState>,
  ): Promise<void> {
    type Candidate = { type: 'product' | 'product_model'; code: string; key: string; stream: string };
    const candidates: Candidate[] = [];
    for (const m of mapped) {
      for (const e of m.entities) {
        if (e.kind === 'product') candidates.push({ type: 'product', code: e.identifier, key: e.origin.key, stream: e.origin.stream });
        else if (e.kind === 'product_model' && !e.parent) candidates.push({ type: 'product_model', code: e.code, key: e.origin.key, stream: e.origin.stream });
      }
    }
    if (candidates.length === 0) return;
    // Already in the state under another spelling (a case variant synced by an earlier run).
    const known = new Map<string, { code: string; key: string }>();
    for (const type of ['product', 'product_model'] as const) {
      const stored = type === 'product' ? storedProducts : storedModels;
      const fresh = candidates.filter((c) => c.type === type && !stored.has(c.code)).map((c) => c.code);
      if (fresh.length === 0) continue;
      for (const row of await this.deps.state.findByCodeKey(type, fresh)) {
        if (row.status === 'deleted') continue;
        known.set(`${type}\u0000${pimCodeKey(row.code)}`, { code: row.code, key: row.originKey });
      }
    }
    const rows: RejectRow[] = [];
    for (const c of candidates) {
      const pimKey = pimCodeKey(c.code);
      const claims = this.claimed[c.type];
      const earlier = claims.get(pimKey);
      const before = known.get(`${c.type}\u0000${pimKey}`);
      let other: { code: string; key: string } | undefined;
      // The spelling the PIM already has wins, whatever the order of this run's reads.
      if (before && before.code !== c.code && before.key !== c.key) other = before;
      else if (earlier && (earlier.code !== c.code || earlier.key !== c.key)) other = earlier;
      if (!other) {
        if (!earlier) claims.set(pimKey, { code: c.code, key: c.key });
        continue;
      }
      const noun = c.type === 'product' ? 'SKU' : 'Product model';
      const sameCode = other.code === c.code;
      const message = sameCode
        ? `${noun} ${c.code} of ERP record ${c.key} is also the ${c.type === 'product' ? 'SKU' : 'model code'} of ERP record ${other.key}: both would write one ${c.type === 'product' ? 'product' : 'product model'} of the PIM, the second overwriting the first. ${other.key} keeps it; ${c.key} is held back.`
        : `${noun} ${c.code} (ERP key ${c.key}) and ${noun} ${other.code} (ERP key ${other.key}) are one ${c.type === 'product' ? 'product' : 'product model'} for the PIM, which compares ${c.type === 'product' ? 'identifiers' : 'codes'} without case or accents: sending ${c.code} would overwrite ${other.code}'s data. ${other.code} keeps it; ${c.code} is held back.`;
      const fix = sameCode
        ? `Give ERP records ${other.key} and ${c.key} different ${c.type === 'product' ? 'SKUs' : 'group codes'} (or remove the duplicate), then run ferry sync again.`
        : `Rename ${c.code} or ${other.code} in the ERP so they differ by more than case or accents, then run ferry sync again.`;
      if (this.ledger.outcomeOf(c.stream, c.key) !== 'rejected') this.ledger.settle(c.stream, c.key, 'rejected', message, false);
      this.collided.set(`${c.type}:${c.code}`, message);
      this.plan.actions[c.type]!.reject++;
      const item: ReportReject = { stream: c.stream, key: c.key, entityType: c.type, label: c.code, attribute: c.type === 'product' ? this.deps.mapper.identifierAttribute : null, message, fix };
      if (this.rejectsShown.length < 200) this.rejectsShown.push(item);
      rows.push({ ...item, runId: this.runId ?? 0, payload: { code: c.code, collidesWith: other } });
    }
    if (rows.length > 0) await this.addRejects(rows);
  }

  /** The group memberships (and, for a source that cannot read them again, the records) of a chunk. */
  private membersOf(part: readonly [string, ErpRecord[]][], groups: ReadonlyMap<string, ErpRecord>): GroupMemberRow[] {
    const keep = this.inputOnly;
    const rows: GroupMemberRow[] = [];
    for (const [groupKey, items] of part) {
      for (const it of items) rows.push({ stream: 'items', key: it.key, groupKey: it.group ?? null, record: keep && it.group ? it : null });
      const g = groups.get(groupKey);
      if (g) rows.push({ stream: 'groups', key: g.key, groupKey: g.key, record: keep ? g : null });
    }
    return rows;
  }

  /**
   * Update-only mode: the products and models Ferry has not synced are looked up in the PIM
   * (created there by the enrichment team). Those found are recorded in the state, so they are
   * updated like known ones; only what the PIM lacks is skipped. An adopted entity's structure
   * (family, parent, family variant, categories, enabled) is the PIM's: its fingerprints are
   * recorded as already written, so only the ERP-owned values are sent.
   */
  private async adoptFromPim(
    mapped: readonly { items: ErpRecord[]; entities: MappedEntity[] }[],
    storedModels: Map<string, EntityState>,
    storedProducts: Map<string, EntityState>,
  ): Promise<void> {
    const unknown = (s: EntityState | undefined) => s === undefined || s.status === 'pending' || s.status === 'deleted' || s.status === 'absent';
    const products: { entity: Extract<MappedEntity, { kind: 'product' }>; group: string | null }[] = [];
    const models: Extract<MappedEntity, { kind: 'product_model' }>[] = [];
    for (const m of mapped) {
      const groupOf = new Map(m.items.map((i) => [i.key, i.group ?? null]));
      for (const e of m.entities) {
        if (this.ledger.outcomeOf(e.origin.stream, e.origin.key) === 'rejected') continue;
        if (e.kind === 'product' && unknown(storedProducts.get(e.identifier))) products.push({ entity: e, group: groupOf.get(e.origin.key) ?? null });
        else if (e.kind === 'product_model' && unknown(storedModels.get(e.code))) models.push(e);
      }
    }
    if (products.length === 0 && models.length === 0) return;
    const { client, mapper, state } = this.deps;
    const foundProducts = products.length > 0 ? await findProductsInPim(client, mapper.identifierAttribute, products.map((p) => p.entity.identifier)) : new Map();
    const foundModels = models.length > 0 ? await findProductModelsInPim(client, models.map((m) => m.code)) : new Set<string>();
    const structureOnly = (entity: MappedEntity, pimId: string | null): Record<string, string> =>
      Object.fromEntries(Object.entries(diffEntity(entity, undefined, this.mode, pimId).nextHashes).filter(([k]) => k.startsWith('@')));
    const rows: EntityState[] = [];
    for (const { entity, group } of products) {
      const found = foundProducts.get(entity.identifier);
      if (!found) continue;
      const pimId = this.mode === 'uuid' ? found.uuid : null;
      const row: EntityState = {
        type: 'product',
        code: entity.identifier,
        pimId,
        originStream: entity.origin.stream,
        originKey: entity.origin.key,
        groupKey: group,
        hashes: structureOnly(entity, pimId),
        erpVersion: null,
        status: 'synced',
      };
      storedProducts.set(entity.identifier, row);
      rows.push(row);
    }
    for (const entity of models) {
      if (!foundModels.has(entity.code)) continue;
      const row: EntityState = {
        type: 'product_model',
        code: entity.code,
        pimId: null,
        originStream: entity.origin.stream,
        originKey: entity.origin.key,
        groupKey: null,
        hashes: structureOnly(entity, null),
        erpVersion: null,
        status: 'synced',
      };
      storedModels.set(entity.code, row);
      rows.push(row);
    }
    this.updateOnlyCounts.foundInPim += rows.length;
    this.updateOnlyCounts.notInPim += products.length + models.length - rows.length;
    this.log?.info({ runId: this.runId, looked: products.length + models.length, found: rows.length }, 'update-only: looked up entities unknown to the state in the PIM');
    if (!this.dryRun && rows.length > 0) await state.saveEntities(rows);
  }

  private rankOf(e: MappedEntity): number {
    if (e.kind === 'category') return RANK.category!;
    if (e.kind === 'product_model') return e.parent ? RANK.sub_model! : RANK.root_model!;
    return RANK.product!;
  }

  /**
   * Diffs one entity and turns it into a task for the caller to add (or settles it as
   * unchanged / skipped and returns null).
   */
  private async planEntity(
    entityIn: MappedEntity,
    stored: EntityState | undefined,
    ctx: {
      parentIds: Set<string>;
      record?: ErpRecord;
      extraDeps?: string[];
      intents?: EntityState[];
    },
  ): Promise<Task<TaskCtx> | null> {
    let entity = entityIn;
    const type = entity.kind as EntityType;
    const code = entityCode(entity);
    const id = `${entity.kind}:${code}`;
    const origin = entity.origin;
    const label = code;
    const planType = entity.kind;
    const scheduler = this.dryRun ? null : this.scheduler;
    // Products are never parents: remembering them would only cost memory.
    if (entity.kind !== 'product') this.seenIds.add(id);
    const collision = this.collided.get(id);
    if (collision !== undefined) {
      scheduler?.markSettled(id, false, collision);
      return null;
    }
    if (this.ledger.outcomeOf(origin.stream, origin.key) === 'rejected') {
      // The mapping refused the record: its entities are not sent, their children are held.
      scheduler?.markSettled(id, false, `${origin.key} was rejected by the mapping`);
      return null;
    }
    this.ledger.expect(origin.stream, origin.key);

    const settleNow = (outcome: 'unchanged' | 'skipped', reason: string | null, ok: boolean) => {
      this.ledger.settle(origin.stream, origin.key, outcome, reason);
      scheduler?.markSettled(id, ok, reason ?? undefined);
      this.plan.actions[planType]![outcome === 'unchanged' ? 'unchanged' : 'skip']++;
    };
    /** A state row for this entity before any write of it landed: no hashes, no ERP version. */
    const unwrittenState = (pimId: string | null, status: 'absent' | 'pending'): EntityState => ({
      type,
      code,
      pimId,
      originStream: origin.stream,
      originKey: origin.key,
      groupKey: ctx.record?.group ?? null,
      hashes: {},
      erpVersion: null,
      status,
    });

    const known = stored !== undefined && stored.status !== 'pending' && stored.status !== 'deleted' && stored.status !== 'absent';
    let effect: TaskCtx['effect'] = 'write';
    let statusAfter: EntityState['status'] = 'synced';
    let policyReason: string | null = null;

    if (entity.kind === 'product' && ctx.record && ctx.record.active === false && this.deps.settings.deletion !== 'ignore') {
      const policy = this.deps.settings.deletion;
      if (!known) {
        settleNow('skipped', `archived in the ERP and never sent to the PIM (deletion policy ${policy})`, false);
        return null;
      }
      if (policy === 'delete') {
        return this.planDelete(entity.identifier, stored!, { stream: origin.stream, key: origin.key, updatedAt: origin.updatedAt }, false, id);
      }
      effect = 'policy';
      if (policy === 'disable') {
        entity = { ...entity, enabled: false };
        statusAfter = 'disabled';
        policyReason = 'disabled in the PIM: archived in the ERP';
      } else {
        entity = { ...entity, categories: [] };
        statusAfter = 'uncategorized';
        policyReason = 'removed from its categories: archived in the ERP';
      }
    } else if (entity.kind === 'product' && stored && stored.status === 'disabled' && entity.enabled === undefined) {
      // Back in the ERP after the policy disabled it: enable it again.
      entity = { ...entity, enabled: true };
    }

    if (this.deps.settings.updateOnly && !known && (entity.kind === 'product' || entity.kind === 'product_model')) {
      // Looked up in the PIM (adoptFromPim) and not there. Its children that are in the PIM do
      // not need it (they are updated, never created), so it does not hold them.
      settleNow('skipped', 'update-only mode: not in the PIM, so not created', true);
      if (stored === undefined && !this.dryRun) {
        // Remember the item's group: a later delta run re-reads it with its siblings.
        this.versionUpdates.push(unwrittenState(null, 'absent'));
      }
      return null;
    }

    // A product the deletion policy deleted is created anew (with a new, random uuid) if it comes
    // back. Any other product without a uuid yet gets its identifier's own (productUuidFor),
    // which a rerun after a crash derives again: it needs no reservation row before its write.
    const deletedBefore = stored?.status === 'deleted';
    const reuseId = stored?.pimId && !deletedBefore ? stored.pimId : null;
    const pimId =
      entity.kind === 'product' && this.mode === 'uuid' ? (reuseId ?? (deletedBefore ? randomUUID() : productUuidFor(entity.identifier))) : null;
    const diff = diffEntity(entity, stored, this.mode, pimId);
    if (diff.action === 'unchanged') {
      if (stored && origin.updatedAt !== null && stored.erpVersion !== origin.updatedAt && !this.dryRun) {
        this.versionUpdates.push({ ...stored, erpVersion: origin.updatedAt });
      }
      if (effect === 'policy') {
        // The policy was applied before; nothing more to do.
        this.ledger.settle(origin.stream, origin.key, 'unchanged', null);
        scheduler?.markSettled(id, true);
        this.plan.actions[planType]!.unchanged++;
        return null;
      }
      settleNow('unchanged', null, true);
      return null;
    }
    if (effect === 'policy' && !diff.changed.some((k) => k === '@enabled' || k === '@categories')) effect = 'write';

    // A change the PIM refuses on an existing entity: a dry run says so instead of approving it.
    let refusal = this.dryRun && diff.action === 'update' ? pimWouldRefuse(entity, stored, diff.changed) : null;
    const refusedParent = this.dryRun && entity.kind !== 'category' && entity.parent && this.refusedModels.has(entity.parent) ? entity.parent : null;
    if (!refusal && refusedParent) {
      refusal = { message: `${label} would not be sent because the PIM would refuse its product model ${refusedParent} (see its own line)`, fix: `Fix product model ${refusedParent} first.` };
    }
    if (refusal) {
      if (entity.kind === 'product_model') this.refusedModels.add(entity.code);
      this.plan.actions[planType]!.reject++;
      this.ledger.settle(origin.stream, origin.key, 'rejected', refusal.message);
      if (this.rejectsShown.length < 200) this.rejectsShown.push({ stream: origin.stream, key: origin.key, entityType: entity.kind, label, message: refusal.message, fix: refusal.fix });
      return null;
    }
    this.plan.actions[planType]![diff.action]++;
    if (this.dryRun) {
      if (this.opts.keys) this.payloads.push({ entityType: entity.kind, code, action: diff.action, payload: diff.payload });
      this.ledger.settle(origin.stream, origin.key, effect === 'policy' ? 'deleted' : diff.action === 'create' ? 'created' : 'updated', policyReason);
      return null;
    }

    if (pimId && deletedBefore) {
      // A random uuid: reserve it before the first write, so a rerun after a crash reuses it.
      if (ctx.intents) ctx.intents.push(unwrittenState(pimId, 'pending'));
      else await this.deps.state.saveEntities([unwrittenState(pimId, 'pending')]);
    }

    const deps: string[] = [...(ctx.extraDeps ?? [])];
    const parent = entity.kind === 'category' ? (entity.parent ? `category:${entity.parent}` : null) : entity.parent ? `product_model:${entity.parent}` : null;
    if (parent && ctx.parentIds.has(parent)) deps.push(parent);

    const lane = entity.kind;
    const task: Task<TaskCtx> = {
      id,
      lane,
      rank: this.rankOf(entity),
      deps,
      attempts: 0,
      payload: diff.payload!,
      ctx: {
        type: entity.kind,
        code,
        label,
        origin: { stream: origin.stream, key: origin.key, updatedAt: origin.updatedAt },
        groupKey: entity.kind === 'product' ? (ctx.record?.group ?? stored?.groupKey ?? null) : null,
        pimId,
        nextHashes: diff.nextHashes,
        effect,
        statusAfter: effect === 'policy' ? statusAfter : 'synced',
        create: diff.action === 'create',
      },
    };
    return task;
  }

  private planDelete(
    identifier: string,
    stored: EntityState,
    origin: TaskCtx['origin'],
    gone: boolean,
    id: string,
  ): Task<TaskCtx> | null {
    this.plan.actions.product!.delete++;
    if (this.dryRun) {
      if (origin && !gone) this.ledger.settle(origin.stream, origin.key, 'deleted', 'deleted from the PIM (deletion policy delete)');
      return null;
    }
    return {
      id: gone ? `gone:${id}` : id,
      lane: 'delete:product',
      rank: RANK.delete!,
      deps: [],
      attempts: 0,
      payload: {},
      ctx: {
        type: 'product',
        code: identifier,
        label: identifier,
        origin,
        groupKey: stored.groupKey,
        pimId: stored.pimId,
        nextHashes: stored.hashes,
        effect: 'policy',
        gone,
        statusAfter: 'deleted',
      },
    };
  }

  /**
   * A media value the mapper could not resolve to a code (a source never uploaded, or a local
   * file changed on disk since): a task that reads, hashes and uploads it after its owner.
   */
  private planMedia(media: MediaUploadRequest, planned: Task<TaskCtx>[]): void {
    if (!this.deps.readMedia) return;
    if (this.dryRun) {
      // Nothing is read in a dry run; the record would change.
      this.ledger.settle(media.origin.stream, media.origin.key, 'updated', null, false);
      return;
    }
    const ownerId = media.owner.kind === 'product' ? `product:${media.owner.identifier}` : `product_model:${media.owner.code}`;
    const ownerTask = planned.find((t) => t.id === ownerId);
    const key = valueKey(media.attribute, media.locale, media.scope);
    this.ledger.expect(media.origin.stream, media.origin.key);
    if (ownerTask) this.mediaOwners.add(ownerId);
    planned.push({
      id: `media:${ownerId}:${key}`,
      lane: 'media',
      rank: RANK.media!,
      deps: ownerTask ? [ownerId] : [],
      attempts: 0,
      payload: {},
      ctx: {
        type: media.owner.kind,
        code: media.owner.kind === 'product' ? media.owner.identifier : media.owner.code,
        label: media.owner.kind === 'product' ? media.owner.identifier : media.owner.code,
        origin: { stream: media.origin.stream, key: media.origin.key, updatedAt: media.origin.updatedAt },
        groupKey: null,
        pimId: ownerTask?.ctx.pimId ?? null,
        nextHashes: {},
        effect: 'write',
        statusAfter: 'synced',
        media,
      },
    });
  }

  /** Full run: products Ferry synced whose ERP item is gone follow the deletion policy. */
  private async planGone(seen: ReadonlySet<string>): Promise<void> {
    const policy = this.deps.settings.deletion;
    this.progress('deletions');
    for await (const keys of this.deps.state.listEntityKeys('product')) {
      this.checkAbort();
      const goneCodes = keys.filter((k) => k.originStream === 'items' && k.status === 'synced' && !seen.has(k.originKey)).map((k) => k.code);
      if (goneCodes.length === 0) continue;
      const rows = await this.deps.state.getEntities('product', goneCodes);
      for (const row of rows.values()) {
        this.deletions.gone++;
        this.notePolicy('gone', row.code);
        if (policy === 'ignore') continue;
        let task: Task<TaskCtx> | null;
        if (policy === 'delete') {
          task = this.planDelete(row.code, row, null, true, `product:${row.code}`);
        } else {
          this.plan.actions.product!.delete++;
          if (this.dryRun) continue;
          const payload: Record<string, unknown> = this.mode === 'uuid' ? { uuid: row.pimId } : { identifier: row.code };
          const nextHashes = { ...row.hashes };
          if (policy === 'disable') {
            payload.enabled = false;
            nextHashes['@enabled'] = fingerprint(false);
          } else {
            payload.categories = [];
            nextHashes['@categories'] = fingerprint([]);
          }
          task = {
            id: `gone:product:${row.code}`,
            lane: 'product',
            rank: RANK.product!,
            deps: [],
            attempts: 0,
            payload,
            ctx: {
              type: 'product',
              code: row.code,
              label: row.code,
              origin: null,
              groupKey: row.groupKey,
              pimId: row.pimId,
              nextHashes,
              effect: 'policy',
              gone: true,
              statusAfter: policy === 'disable' ? 'disabled' : 'uncategorized',
            },
          };
        }
        if (task && !this.dryRun) {
          await this.scheduler.capacity();
          this.scheduler.add(task);
        }
      }
    }
  }

  // --- applying ----------------------------------------------------------------------

  private newScheduler(): Scheduler<TaskCtx> {
    const sch = new Scheduler<TaskCtx>(
      {
        send: (lane, tasks) => this.send(lane, tasks),
        settle: (tasks, results) => this.settle(tasks, results),
        batchFailed: (tasks, err) => this.batchFailed(tasks, err),
        held: (task, reason) => this.held(task, reason),
      },
      {
        maxInFlight: this.opts.maxInFlight ?? 8,
        highWater: this.opts.highWater ?? 5000,
        // Only options, categories and product models can be parents.
        isDependable: (id) => id.startsWith('option:') || id.startsWith('category:') || id.startsWith('product_model:') || this.mediaOwners.has(id),
      },
    );
    this.schedulers.push(sch);
    return sch;
  }

  private async send(lane: string, tasks: Task<TaskCtx>[]): Promise<LineResult[]> {
    const { client } = this.deps;
    const payloads = tasks.map((t) => t.payload);
    let results;
    if (lane === 'product') results = await client.products.upsertMany(payloads as never[]);
    else if (lane === 'product_model') results = await client.productModels.upsertMany(payloads as never[]);
    else if (lane === 'category') results = await client.categories.upsertMany(payloads as never[]);
    else if (lane.startsWith('option:')) results = await client.attributeOptions(lane.slice('option:'.length)).upsertMany(payloads as never[]);
    else if (lane === 'delete:product') return Promise.all(tasks.map((t) => this.deleteOne(t)));
    else if (lane === 'media') return Promise.all(tasks.map((t) => this.uploadOne(t)));
    else throw new Error(`unknown lane ${lane}`);
    const out: LineResult[] = tasks.map(() => ({ outcome: 'failed', status: 0, message: 'no result line for this record' }));
    for (const r of results) {
      out[r.index] = { outcome: r.outcome, status: r.status, message: r.message, errors: r.errors, uuid: r.uuid, ...(r.resent ? { resent: true } : {}) };
    }
    // Every line without an HTTP status: the request never got an answer (the client turns a
    // network error of a batch call into such lines).
    if (out.length > 0 && out.every((r) => r.outcome === 'failed' && r.status === 0)) this.pimSilent(out[0]!.message ?? 'no answer');
    else this.pimAnswered();
    return out;
  }

  private async deleteOne(t: Task<TaskCtx>): Promise<LineResult> {
    const id = this.mode === 'uuid' ? t.ctx.pimId : t.ctx.code;
    try {
      await this.deps.client.products.delete(id ?? t.ctx.code);
      return { outcome: 'updated', status: 204 };
    } catch (err) {
      const status = (err as { status?: number }).status ?? 0;
      if (status === 404) return { outcome: 'updated', status: 404 }; // already gone
      if (isNetworkError(err)) {
        this.pimSilent(errorText(err));
        return { outcome: 'failed', status: 0, message: errorText(err) };
      }
      return { outcome: 'failed', status, message: errorText(err) };
    }
  }

  /**
   * Reads a media source, hashes it and makes the owner's value point at a media file with that
   * content: uploaded once per content (the upload also sets the value on that owner); another
   * owner of the same content gets the existing code by PATCH, unless its value already is it.
   * Answers 304 when nothing had to change in the PIM.
   */
  private async uploadOne(t: Task<TaskCtx>): Promise<LineResult> {
    const media = t.ctx.media!;
    const { client, state } = this.deps;
    try {
      const read = await this.deps.readMedia!(media.source);
      let file: MediaContent | null = null;
      let hash: string;
      let knownCode: string | null = null;
      if ('notModified' in read) {
        // A 304 from the image server: the content is the one uploaded before, under a known code.
        hash = read.contentHash;
        knownCode = read.code;
      } else {
        file = read;
        hash = contentHash(read.content);
      }
      const where = { attribute: media.attribute, locale: media.locale, scope: media.scope };
      // One upload per distinct content, even when two owners of it are in the same batch.
      let pending = this.uploads.get(hash);
      let uploadedHere = false;
      if (!pending) {
        const known = knownCode !== null ? { code: knownCode } : await state.getMedia(hash);
        pending = this.uploads.get(hash);
        if (!pending) {
          if (known) pending = Promise.resolve(known.code);
          else {
            uploadedHere = true;
            // Products are targeted by identifier, the documented key (a uuid target is not).
            pending = client.mediaFiles.upload({
              content: file!.content,
              filename: file!.filename,
              ...(media.owner.kind === 'product' ? { product: { identifier: media.owner.identifier, ...where } } : { productModel: { code: media.owner.code, ...where } }),
            });
          }
          this.uploads.set(hash, pending);
        }
      }
      let code: string;
      try {
        code = await pending;
      } catch (err) {
        this.uploads.delete(hash);
        throw err;
      }
      if (file) {
        await state.saveMedia({
          contentHash: hash,
          code,
          source: media.source,
          size: file.size ?? null,
          mtimeMs: file.mtimeMs ?? null,
          etag: file.etag ?? null,
          lastModified: file.lastModified ?? null,
        });
      }

      const type = media.owner.kind as EntityType;
      const owner = (await state.getEntities(type, [t.ctx.code])).get(t.ctx.code);
      const key = valueKey(media.attribute, media.locale, media.scope);
      const fp = fingerprint(code);
      const alreadyThere = owner?.hashes[key] === fp;
      if (!uploadedHere && !alreadyThere) {
        // Same content already in the PIM: point the value at it, no second upload.
        const value = { [media.attribute]: [{ locale: media.locale, scope: media.scope, data: code }] };
        let body: Record<string, unknown>;
        if (media.owner.kind === 'product_model') body = { code: media.owner.code, values: value };
        else if (this.mode === 'identifier') body = { identifier: media.owner.identifier, values: value };
        else {
          const uuid = owner?.pimId ?? t.ctx.pimId;
          if (!uuid) return { outcome: 'failed', status: 422, message: `media ${mediaSourceForDisplay(media.source)}: SKU ${media.owner.identifier} has no known uuid in the PIM yet; it is sent again on the next run` };
          body = { uuid, values: value };
        }
        const [r] = media.owner.kind === 'product' ? await client.products.upsertMany([body as never]) : await client.productModels.upsertMany([body as never]);
        if (r && r.outcome === 'failed') return { outcome: 'failed', status: r.status, message: r.message, errors: r.errors };
      }
      // Remember the value so the next run sees it unchanged.
      if (owner && !alreadyThere) {
        owner.hashes[key] = fp;
        await state.saveEntities([owner]);
      }
      return { outcome: 'updated', status: uploadedHere || !alreadyThere ? 204 : 304 };
    } catch (err) {
      // The PIM not answering is not the file's fault: retried like any line without an answer.
      if ((err as { name?: string }).name === 'AkeneoNetworkError') {
        this.pimSilent(errorText(err));
        return { outcome: 'failed', status: 0, message: `media ${mediaSourceForDisplay(media.source)}: ${errorText(err)}` };
      }
      const message = `media ${mediaSourceForDisplay(media.source)}: ${errorText(err)}`;
      // Named on the attribute, so the reject says record, field and rule.
      return { outcome: 'failed', status: (err as { status?: number }).status ?? 422, message, errors: [{ attribute: media.attribute, locale: media.locale, scope: media.scope, message }] };
    }
  }

  private async settle(tasks: Task<TaskCtx>[], results: LineResult[]): Promise<Verdict[]> {
    this.consecutiveBatchFailures = 0;
    const rows: EntityState[] = [];
    const rejects: RejectRow[] = [];
    const verdicts: Verdict[] = [];
    for (let i = 0; i < tasks.length; i++) {
      const task = tasks[i]!;
      const r = results[i]!;
      const c = task.ctx;
      if (r.outcome !== 'failed') {
        if (c.type === 'option') {
          rows.push({ type: 'option', code: c.code, pimId: null, originStream: 'attributes', originKey: c.option!.attribute, groupKey: null, hashes: {}, erpVersion: null, status: 'synced' });
        } else if (task.lane !== 'media') {
          rows.push({
            type: c.type,
            code: c.code,
            pimId: r.uuid ?? c.pimId,
            originStream: c.origin?.stream ?? 'items',
            originKey: c.origin?.key ?? c.code,
            groupKey: c.groupKey,
            hashes: c.nextHashes,
            erpVersion: c.origin?.updatedAt ?? null,
            status: c.statusAfter,
          });
        }
        if (c.effect === 'policy' && (c.statusAfter === 'disabled' || c.statusAfter === 'uncategorized' || c.statusAfter === 'deleted')) this.notePolicy(c.statusAfter, c.label);
        if (c.gone) this.deletions.applied++;
        else if (c.origin) {
          // A create whose first attempt the PIM wrote but answered with a 5xx (or not at all) is
          // answered "updated" on retry: it is still the create it was.
          // A product under Ferry's own uuid (derived from its identifier) can only be in the PIM
          // because Ferry wrote it: in this run (the client's own retry after a 5xx), or in a run
          // that died before recording it (whose counts never had it). Either way, a create.
          const ownUuid = c.type === 'product' && this.mode === 'uuid' && c.pimId !== null && c.pimId === productUuidFor(c.code);
          // The same for every entity the client resent within one call (a 500 after the write,
          // answered "updated" on the resend): the state says Ferry never wrote it (a planned
          // create), so the plan decides, not the status code of the second attempt.
          const answered = c.create && r.outcome === 'updated' && (c.maybeWritten || ownUuid || r.resent === true) ? 'created' : r.outcome;
          const outcome = c.effect === 'policy' ? 'deleted' : task.lane === 'media' ? (r.status === 304 ? 'unchanged' : 'updated') : answered;
          const reason = c.effect === 'policy' ? `${c.statusAfter} in the PIM (deletion policy ${this.deps.settings.deletion})` : null;
          this.ledger.settle(c.origin.stream, c.origin.key, outcome, reason);
        }
        verdicts.push({ kind: 'ok' });
        continue;
      }
      const verdict = await this.handleFailure(task, r, rejects);
      verdicts.push(verdict);
    }
    // Commit what the PIM confirmed, as it arrives: a crash after this line loses nothing.
    if (rows.length > 0) await this.deps.state.saveEntities(rows);
    if (rejects.length > 0) await this.addRejects(rejects);
    this.progress('items');
    return verdicts;
  }

  private async handleFailure(task: Task<TaskCtx>, r: LineResult, rejects: RejectRow[]): Promise<Verdict> {
    const c = task.ctx;
    const errors = (r.errors ?? []) as ValidationErrorItem[];
    const problem = classifyLine(r.status, r.message, errors);
    if (r.status === 0 || r.status >= 500) c.maybeWritten = true;
    if (r.status === 0 && this.pimSilentSince !== null) {
      // The PIM does not answer at all: not this record's fault. Retried until the PIM answers
      // again or sync.pimUnreachableSeconds is over (then the whole run fails).
      return { kind: 'retry', delayMs: Math.min(1000 * 2 ** Math.min(task.attempts, 4), 15_000) };
    }
    if (problem.kind === 'transient' && task.attempts < MAX_TRANSIENT_ATTEMPTS) {
      return { kind: 'retry', delayMs: 250 * 2 ** task.attempts };
    }
    if (problem.kind === 'missing_option' && task.attempts < 2 && c.type !== 'option') {
      const ids = problem.codes.map((code) => this.ensureOption({ kind: 'option', attribute: problem.attribute, code, labels: {}, erpValue: code }, this.scheduler));
      return { kind: 'retry', deps: ids };
    }
    if (problem.kind === 'missing_parent' && task.attempts < 2) {
      const parentId = `product_model:${problem.parent}`;
      const settled = this.scheduler.isSettled(parentId);
      if (this.seenIds.has(parentId) && (!settled || settled.ok)) return { kind: 'retry', deps: [parentId], delayMs: settled ? 200 : 0 };
    }
    if (problem.kind === 'duplicate_identifier' && this.mode === 'uuid' && c.type === 'product' && task.attempts < 2) {
      const existing = await this.findUuid(c.code).catch(() => null);
      if (existing && existing !== c.pimId) {
        // The SKU is already in the PIM (created outside Ferry, or before the state was reset): adopt it.
        c.pimId = existing;
        task.payload = { ...task.payload, uuid: existing };
        await this.deps.state.saveEntities([
          { type: 'product', code: c.code, pimId: existing, originStream: c.origin?.stream ?? 'items', originKey: c.origin?.key ?? c.code, groupKey: c.groupKey, hashes: {}, erpVersion: null, status: 'pending' },
        ]);
        return { kind: 'retry' };
      }
    }
    const problems = describeRejection(c.type, c.label, r.status, r.message, errors);
    const first = problems[0]!;
    if (c.gone) {
      this.deletions.failed++;
    } else if (c.origin) {
      this.ledger.settle(c.origin.stream, c.origin.key, 'rejected', first.message);
    }
    for (const p of problems) {
      const item: ReportReject = {
        stream: c.origin?.stream ?? 'attributes',
        key: c.origin?.key ?? c.code,
        entityType: c.type,
        label: c.label,
        attribute: p.attribute,
        locale: p.locale,
        scope: p.scope,
        message: p.message,
        fix: p.fix,
      };
      if (this.rejectsShown.length < 200) this.rejectsShown.push(item);
      rejects.push({ ...item, runId: this.runId ?? 0, payload: task.payload, errors: r.errors ?? (r.message ? [{ message: r.message }] : []) });
    }
    this.log?.warn({ runId: this.runId, type: c.type, code: c.code, status: r.status, problem: first.message }, 'record rejected');
    return { kind: 'failed', reason: first.message };
  }

  private async findUuid(identifier: string): Promise<string | null> {
    const search = JSON.stringify({ [this.deps.mapper.identifierAttribute]: [{ operator: 'IN', value: [identifier] }] });
    for await (const p of this.deps.client.products.list({ search, limit: 10 })) {
      if (typeof p.uuid === 'string') return p.uuid;
    }
    return null;
  }

  private async batchFailed(tasks: Task<TaskCtx>[], err: unknown): Promise<Verdict[]> {
    if (isFatal(err)) throw err;
    const status0 = (err as { status?: number }).status ?? 0;
    if (status0 === 0 || status0 >= 500) for (const t of tasks) t.ctx.maybeWritten = true;
    if (isNetworkError(err)) {
      // No answer at all: retried until the PIM answers or sync.pimUnreachableSeconds is over.
      this.pimSilent(errorText(err));
      this.log?.warn({ runId: this.runId, lane: tasks[0]?.lane, lines: tasks.length, err: errorText(err) }, 'batch got no answer; retrying its lines');
      return tasks.map((t) => ({ kind: 'retry' as const, delayMs: Math.min(1000 * 2 ** Math.min(t.attempts, 4), 15_000) }));
    }
    this.consecutiveBatchFailures++;
    if (this.consecutiveBatchFailures >= MAX_CONSECUTIVE_BATCH_FAILURES) {
      throw new Error(`the PIM failed ${this.consecutiveBatchFailures} batches in a row; last error: ${errorText(err)}`);
    }
    this.log?.warn({ runId: this.runId, lane: tasks[0]?.lane, lines: tasks.length, err: errorText(err) }, 'batch failed; retrying its lines');
    const status = (err as { status?: number }).status ?? 0;
    const rejects: RejectRow[] = [];
    const verdicts: Verdict[] = [];
    for (const t of tasks) {
      if (t.attempts < MAX_TRANSIENT_ATTEMPTS) verdicts.push({ kind: 'retry', delayMs: 500 * 2 ** t.attempts });
      else verdicts.push(await this.handleFailure(t, { outcome: 'failed', status: status >= 400 && status < 500 ? status : 503, message: errorText(err) }, rejects));
    }
    if (rejects.length > 0) await this.addRejects(rejects);
    return verdicts;
  }

  private async held(task: Task<TaskCtx>, reason: string): Promise<void> {
    const c = task.ctx;
    const skip = reason.includes('update-only');
    const message = `${c.type === 'product' ? 'SKU' : c.type === 'product_model' ? 'Product model' : c.type} ${c.label} was not sent because ${reason}`;
    if (c.gone) {
      this.deletions.failed++;
      return;
    }
    if (!c.origin) return;
    this.ledger.settle(c.origin.stream, c.origin.key, skip ? 'skipped' : 'rejected', message);
    if (skip) return;
    const item: ReportReject = { stream: c.origin.stream, key: c.origin.key, entityType: c.type, label: c.label, message, fix: 'Fix the parent first (see its own reject); this record is retried on the next run.' };
    if (this.rejectsShown.length < 200) this.rejectsShown.push(item);
    await this.addRejects([{ ...item, runId: this.runId ?? 0, payload: task.payload }]);
  }
}

export async function executeSync(deps: EngineDeps, options: SyncOptions = {}): Promise<RunReport> {
  return new SyncRun(deps, options).execute();
}
