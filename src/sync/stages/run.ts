/**
 * The run: its lifecycle around the other stages. Takes the run lock and the run's row in the
 * state (with a heartbeat carrying its counts so far), learns how the PIM addresses products,
 * hears stop requests, moves the watermarks when the run covered everything since them, and at
 * the end lets the batches in flight settle, closes the outcome ledger, stores each record's
 * outcome and the report, and releases the lock.
 */
import type { EngineDeps, SyncOptions } from '../engine.js';
import { takeRunLock, type HeldLock } from '../lock.js';
import type { SyncPimClient } from '../pim.js';
import type { RunReport, SyncMode, VerifySummary } from '../report.js';
import { chunks } from '../../util/chunks.js';
import { verifyAgainstPim } from '../verify.js';
import { Applier } from './applying.js';
import { RunContext } from './context.js';
import { abortReason, errorText, SyncInterruptedError } from './errors.js';
import { MediaUploads } from './media.js';
import { PimWatch } from './pim-watch.js';
import { PlannedIds } from './planned.js';
import { Planner } from './planning.js';
import { RecordReader, type ItemScope, type ItemsRead } from './reading.js';
import { laterOf } from '../../util/timestamps.js';
import { buildReport } from './run-report.js';
import { FamilyVariantChanges } from '../family-variant-change.js';

const STREAMS = ['items', 'groups', 'categories'] as const;

/** Why a group record gave no product model, from how many of its items this run mapped. */
export function groupSkipReason(items: number | undefined): string {
  if (items === undefined || items === 0) return 'no item of this group was read in this run, so it gave no product model';
  if (items === 1) return 'the group has a single item, kept as a simple product (mapping.structure.variants.singleGroupAsSimpleProduct)';
  return `the group's ${items} items stay simple products: no family variant of their family fits them (see ferry check)`;
}

function syncModeOf(opts: SyncOptions): SyncMode {
  if ((opts.keys && opts.keys.length > 0) || opts.categoryKeys?.length) return 'keys';
  if (opts.category) return 'category';
  if (opts.full) return 'full';
  if (opts.since) return 'since';
  return 'delta';
}

/** The since-dates a run reads from: items, groups and categories changed after them. */
export interface RunScope {
  mode: SyncMode;
  since: string | undefined;
  groupSince: string | undefined;
  categorySince: string | undefined;
}

export class SyncRun {
  readonly ctx: RunContext;
  readonly reading: RecordReader;
  readonly planning: Planner;
  readonly applying: Applier;
  /** What the run planned that later tasks may wait for (options, parents). */
  readonly planned: PlannedIds;
  readonly mode: SyncMode;
  private readonly pim: PimWatch;
  private readonly startedAt = new Date();
  private readonly statsBefore: ReturnType<SyncPimClient['stats']>;
  private readonly watermarksBefore: Record<string, string | null> = {};
  private watermarksAfter: Record<string, string | null> = {};
  private lock: HeldLock | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private fatal: unknown = null;
  private interrupted: SyncInterruptedError | null = null;
  private verifySummary: VerifySummary | undefined;

  private constructor(deps: EngineDeps, opts: SyncOptions) {
    const ctx = (this.ctx = new RunContext(deps, opts));
    this.mode = syncModeOf(opts);
    this.statsBefore = deps.client.stats();
    this.pim = new PimWatch(ctx, (err) => void this.applying.stop(err, 5_000));
    const media = new MediaUploads(ctx, this.pim);
    const planned = (this.planned = new PlannedIds(ctx));
    this.applying = new Applier(ctx, this.pim, media, planned);
    // A dry run sends nothing: no scheduler hears what settled at planning.
    this.planning = new Planner(ctx, media, planned, ctx.dryRun ? null : this.applying);
    this.reading = new RecordReader(ctx);
  }

  /** Reads the watermarks the run starts from; from here on a stop request is heard. */
  static async open(deps: EngineDeps, opts: SyncOptions): Promise<SyncRun> {
    const run = new SyncRun(deps, opts);
    for (const s of STREAMS) run.watermarksBefore[s] = await deps.state.getWatermark(s);
    run.watermarksAfter = { ...run.watermarksBefore };
    opts.signal?.addEventListener('abort', run.onAbort, { once: true });
    return run;
  }

  /** A stop request: the schedulers send nothing more; the producer unwinds at its next check. */
  private readonly onAbort = (): void => {
    const err = new SyncInterruptedError(abortReason(this.ctx.opts.signal!));
    this.ctx.log?.warn({ runId: this.ctx.runId, reason: err.why }, 'stop requested: finishing the batches in flight');
    void this.applying.stop(err);
  };

  /** What the run reads: the since-dates of a delta / --since run (none for --full, --keys, --category). */
  get scope(): RunScope {
    const { mode, watermarksBefore } = this;
    const optSince = this.ctx.opts.since;
    const since = mode === 'full' || mode === 'keys' || mode === 'category' ? undefined : (optSince ?? watermarksBefore.items ?? undefined);
    const delta = mode === 'delta' || mode === 'since';
    return {
      mode,
      since,
      categorySince: delta ? (optSince ?? watermarksBefore.categories ?? undefined) : undefined,
      groupSince: delta ? (optSince ?? watermarksBefore.groups ?? since) : undefined,
    };
  }

  /** Takes the run lock and the run's row (not in a dry run), learns the PIM's endpoint mode and the retry queue. */
  async begin(): Promise<void> {
    const { ctx, mode } = this;
    const { deps, opts } = ctx;
    const { state } = deps;
    ctx.checkAbort();
    if (opts.part) {
      // A part of a queued run: the queue took the lock and the run row (src/app/jobs.ts).
      ctx.runId = opts.part.runId;
    } else if (!ctx.dryRun) {
      const taken = await takeRunLock(state, deps.lockName, {
        staleAfterMs: opts.lockTimeoutMs ?? 120_000,
        heartbeatMs: opts.heartbeatMs ?? 10_000,
        onLost: () => ctx.log?.warn({ lock: deps.lockName }, 'run lock taken over by another run'),
      });
      const lock = (this.lock = taken.lock);
      const runId = (ctx.runId = await state.startRun(mode, this.describeOptions(), lock.owner));
      lock.setRunId(runId);
      deps.connectionLock?.setRunId(runId);
      // Runs left "running" by a dead process are over: say so in their history.
      await state.markInterrupted(runId);
      // The run's own sign of life, with its counts so far: if this process dies, the next
      // `ferry runs` / `ferry sync` shows it interrupted, with those counts and its real duration.
      this.heartbeat = setInterval(() => {
        const snapshot = this.report('interrupted', null, true);
        state.heartbeatRun(runId, snapshot).catch(() => undefined);
      }, opts.heartbeatMs ?? 10_000);
      this.heartbeat.unref();
    }
    ctx.log?.info({ runId: ctx.runId, mode, dryRun: ctx.dryRun }, 'sync started');
    ctx.mode = (await deps.client.detect()).endpointMode;
    ctx.fvChanges = new FamilyVariantChanges({
      client: deps.client,
      state: deps.state,
      mode: ctx.mode,
      dryRun: ctx.dryRun,
      confirmed: opts.confirmDestructive === true,
      ownedAttributes: deps.mapper.ownedAttributes,
      identifierAttribute: deps.mapper.identifierAttribute,
      updateOnly: deps.settings.updateOnly,
    });
    await this.reading.loadRetries(mode);
  }

  /** --verify: compares the state with the PIM (--repair mends it); returns the item keys to send again. */
  async verify(): Promise<string[]> {
    const { ctx } = this;
    const { deps, opts } = ctx;
    if (!opts.verify) return [];
    ctx.progress('verify');
    const result = await verifyAgainstPim({
      client: deps.client,
      state: deps.state,
      mode: ctx.mode,
      ownedAttributes: deps.mapper.ownedAttributes,
      ...(deps.attributes ? { attributes: deps.attributes } : {}),
      repair: opts.repair === true && !ctx.dryRun,
    });
    this.verifySummary = result.summary;
    return result.itemKeysToResend;
  }

  /**
   * Watermarks move only when every record read has settled and the selection covered
   * everything since the previous watermark.
   */
  async moveWatermarks(): Promise<void> {
    const { ctx, mode, watermarksBefore } = this;
    const since = ctx.opts.since;
    const covers = mode === 'full' || mode === 'delta' || (mode === 'since' && !!since && (!watermarksBefore.items || Date.parse(since) <= Date.parse(watermarksBefore.items)));
    if (ctx.dryRun || !covers) return;
    for (const s of STREAMS) {
      const next = laterOf(watermarksBefore[s] ?? null, this.reading.maxUpdatedAt[s] ?? null);
      if (next && next !== watermarksBefore[s]) {
        // A part of a queued run only computes them: the settle moves them once every shard settled.
        if (!ctx.opts.part) await ctx.deps.state.setWatermark(s, next);
        this.watermarksAfter[s] = next;
      }
    }
  }

  /** Where the watermarks go after this run (moveWatermarks computed them). */
  nextWatermarks(): Record<string, string | null> {
    return { ...this.watermarksAfter };
  }

  /**
   * The plan part of a queued run reads the items in scope for their keys: through a reader of
   * its own, so they are not records of the plan (the shards count them), while their change dates
   * still give the items' and groups' next watermarks.
   */
  async readItemKeys(scope: ItemScope): Promise<ItemsRead> {
    const sub = new RunContext(this.ctx.deps, { ...this.ctx.opts, onProgress: undefined });
    // Rows the ERP could not give as records are rejects of the run that no shard reads (they are
    // no item in scope): the plan counts and stores them, as a one-process run's read does. The
    // extra copies of a duplicated key are the shard's that reads the key.
    sub.addRejects = (rows) => this.ctx.addRejects(rows.filter((r) => !sub.duplicateKeys.has(r.key)));
    const reader = new RecordReader(sub);
    await reader.loadRetries(this.mode);
    const read = await reader.readItems({ ...scope, keysOnly: true });
    for (const e of sub.ledger.all()) {
      if (e.outcome !== 'rejected' || sub.duplicateKeys.has(e.key) || !this.ctx.ledger.read(e.stream, e.key)) continue;
      this.ctx.ledger.settle(e.stream, e.key, 'rejected', e.reason, false);
      if (sub.unretriableKeys.has(e.key)) this.ctx.unretriableKeys.add(e.key);
    }
    for (const r of sub.rejectsShown) if (!sub.duplicateKeys.has(r.key)) this.ctx.showReject(r);
    this.reading.maxUpdatedAt.items = reader.maxUpdatedAt.items ?? null;
    this.reading.maxUpdatedAt.groups = reader.maxUpdatedAt.groups ?? null;
    return read;
  }

  /** The run stopped early: a stop request, or an error (the run fails). */
  stopped(err: unknown): void {
    const { ctx } = this;
    if (err instanceof SyncInterruptedError) {
      this.interrupted = err;
      ctx.log?.warn({ runId: ctx.runId, reason: err.why }, 'sync interrupted');
    } else {
      this.fatal = err;
      ctx.log?.error({ runId: ctx.runId, err: errorText(err) }, 'sync failed');
    }
  }

  /** Ends the run, however it went: in-flight batches settle, outcomes and report are stored, the lock released. */
  async end(): Promise<RunReport> {
    const { ctx, interrupted } = this;
    const { state } = ctx.deps;
    ctx.opts.signal?.removeEventListener('abort', this.onAbort);
    // Whatever ended the run, the batches already sent settle (and are committed) before the
    // report is written: nothing the PIM confirmed is forgotten, nothing new is sent.
    const stopReason = interrupted ?? this.fatal;
    // A stop waits for every batch in flight; a failure only a little (a dead PIM may never answer them).
    if (stopReason) await this.applying.stop(stopReason, interrupted ? undefined : 5_000);
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.pim.close();

    if (!stopReason) {
      const unsettled = ctx.ledger.finalize((stream, key) => (stream === 'groups' ? groupSkipReason(ctx.groupSizes.get(key)) : 'nothing to write for this record'));
      if (unsettled.length > 0 && !this.fatal) this.fatal = new Error(`${unsettled.length} records did not settle (first: ${unsettled[0]!.stream} ${unsettled[0]!.key}); this is a Ferry bug`);
    }
    const status: RunReport['status'] = interrupted ? 'interrupted' : this.fatal ? 'failed' : ctx.ledger.counts().counts.rejected > 0 ? 'rejects' : 'succeeded';
    const report = this.report(status, this.fatal, stopReason !== null, interrupted?.why);

    if (!ctx.dryRun && ctx.runId !== null) {
      try {
        await this.persistOutcomes(stopReason !== null);
        // A part's report is one of several: the settle stores the run's (src/app/jobs.ts).
        if (!ctx.opts.part) await state.finishRun(ctx.runId, status, report);
      } catch (err) {
        ctx.log?.error({ err: errorText(err) }, 'could not store the run report');
      }
    }
    if (this.lock) await this.lock.release().catch(() => undefined);
    ctx.log?.info({ runId: ctx.runId, status, counts: report.counts, requests: report.requests, durationMs: report.durationMs }, 'sync finished');
    return report;
  }

  private report(status: RunReport['status'], fatal: unknown, settledOnly: boolean, interruptedWhy?: string): RunReport {
    return buildReport(this.ctx, {
      mode: this.mode,
      startedAt: this.startedAt,
      statsBefore: this.statsBefore,
      watermarksBefore: this.watermarksBefore,
      watermarksAfter: this.watermarksAfter,
      status,
      fatal,
      verify: this.verifySummary,
      batches: this.applying.batchesSent(),
      settledOnly,
      ...(interruptedWhy !== undefined ? { interruptedWhy } : {}),
    });
  }

  private describeOptions(): Record<string, unknown> {
    const o = this.ctx.opts;
    return { full: o.full, since: o.since, keys: o.keys, category: o.category, verify: o.verify, repair: o.repair, ...(o.categoryKeys ? { categoryKeys: o.categoryKeys } : {}) };
  }

  /** Stores each record's outcome; an interrupted run only those that settled (the rest is read again). */
  private async persistOutcomes(settledOnly: boolean): Promise<void> {
    const { ctx } = this;
    const { state } = ctx.deps;
    const rows = [];
    const retry: { stream: string; key: string; reason: string }[] = [];
    const clear: { stream: string; key: string }[] = [];
    for (const e of ctx.ledger.all()) {
      if (settledOnly && !ctx.ledger.settledEntry(e)) continue;
      if (e.outcome && e.outcome !== 'unchanged') rows.push({ stream: e.stream, key: e.key, entityType: e.type, outcome: e.outcome, reason: e.reason });
      if (e.outcome === 'rejected' && !ctx.duplicateKeys.has(e.key) && !ctx.unretriableKeys.has(e.key)) retry.push({ stream: e.stream, key: e.key, reason: e.reason ?? 'rejected' });
      else clear.push({ stream: e.stream, key: e.key });
    }
    for (const part of chunks(rows, 5000)) await state.recordOutcomes(ctx.runId!, part);
    await state.queueRetries(retry);
    await state.clearRetries(clear.filter((c) => this.reading.wasQueued(c.stream, c.key)));
  }
}
