/**
 * Runs started from the Console: in this process, through the same runSync the CLI calls,
 * on the same state store, so the engine's lock keeps one run per PIM connection whoever
 * started it. Each run is a job: its progress (SyncOptions.onProgress plus the client's
 * request counts) is fanned out to SSE listeners, and it is cancelled through an AbortSignal.
 *
 * With the job queue (`jobs.workers` and a PostgreSQL state, src/app/jobs.ts) a sync that writes
 * goes to the queue instead, as `ferry sync` does: the job follows it (waitForRun: waiting,
 * planning, shards done, settling) and its report is the settle's; Stop leaves a request in the
 * state, which the run's plan and shards poll. Dry runs and exports stay in this process.
 *
 * Size (~540 lines): one job table for the three ways a Console run goes (in process, queued,
 * waiting for another tenant) so the SSE, cancel and history code sees one kind of job; the
 * queued and waiting paths are the parts to move out first if it grows.
 */
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import type { AkeneoClient } from '../../akeneo/index.js';
import type { RequestEventListener } from '../../akeneo/events.js';
import type { FerryConfig } from '../../config/schema.js';
import { scrubSecrets, type Logger } from '../../logging.js';
import { runSync } from '../../app/run-sync.js';
import { createPimClient } from '../../app/pim-client.js';
import { lockNameFor, openStateStore, type RunReport, type SyncOptions, type SyncProgress } from '../../sync/index.js';
import { announcingRunId } from '../../sync/run-cancel.js';
import { addBeforeValues } from './plan-changes.js';
import { RunLockedError, type StateStore } from '../../sync/state/port.js';
import { readConnectionQueue } from '../../sync/connection-lock.js';
import { stateKeyOf } from '../../sync/connection-wait.js';
import { isOwnerAlive } from '../../sync/lock.js';
import { openJobQueue, queuedRunsEnabled, type JobQueueApi, type QueuedRunOptions, type QueuedRunProgress } from '../../app/jobs.js';
import type { Job, RunDone, RunProgress, StartRunBody } from '../api/contract.js';
import type { ConsoleDb } from '../store/db.js';
import { runExport as realRunExport } from '../../app/run-export.js';

/** The export the Console runs: src/app/run-export.ts (tests may wrap it). */
export type ExportRunner = typeof realRunExport;
import type { RunsReader } from '../store/runs-read.js';

export class RunConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunConflictError';
  }
}

export interface RunRequest {
  /** `export`: PIM → ERP (runExport), with `keys` the products to export (all tagged ones without). */
  mode: 'delta' | 'full' | 'keys' | 'category' | 'since' | 'export';
  keys?: string[];
  /** With mode keys: ERP category keys read alongside (a retry of rejected categories). */
  categoryKeys?: string[];
  category?: string;
  since?: string;
  dryRun: boolean;
}

interface LiveJob {
  jobId: string;
  runId: number | null;
  request: RunRequest;
  startedBy: string;
  state: Job['state'];
  report: RunReport | null;
  error: string | null;
  startedAt: number;
  finishedAt: number | null;
  last: RunProgress;
  done: RunDone | null;
  abort: AbortController;
  /** A run in the job queue: this process only follows it (the workers run it). */
  queued: boolean;
  /** Stops following a queued run (the Console stopping); the run goes on in the workers. */
  detach: AbortController;
  events: EventEmitter;
  /** Settles when the run and its after-run hook (notifications) are over. */
  finished: Promise<void>;
}

export interface RunManagerDeps {
  config: FerryConfig;
  db: ConsoleDb;
  /** The Console's open state store: stop requests for runs of other processes, their rows. */
  state: StateStore;
  runs: RunsReader;
  logger: Logger;
  onPimRequest?: RequestEventListener;
  /** Called once a run ended (notifications, metrics); errors are logged, never thrown. */
  onFinished?: (job: { jobId: string; runId: number | null; dryRun: boolean; report: RunReport | null; error: string | null; startedBy: string }) => Promise<void> | void;
  /** How long POST /runs waits for the engine to number the run (ms). */
  waitForRunIdMs?: number;
  /** Runs exports (mode `export`); default src/app/run-export.ts. */
  runExport?: ExportRunner;
  /** The connection's name in a deployment: whose run another tenant's waits for. */
  tenant?: string;
}

/** How many bodies a Console dry run keeps in its plan (with before / after for the first 200). */
export const PLAN_PAYLOAD_LIMIT = 500;

/** The engine options for a Console request (the CLI's flags, as data). */
export function syncOptionsFor(r: RunRequest): SyncOptions {
  return { ...selectorOptions(r), ...(r.dryRun ? { planPayloadLimit: PLAN_PAYLOAD_LIMIT } : {}) };
}

function selectorOptions(r: RunRequest): SyncOptions {
  switch (r.mode) {
    case 'full':
      return { full: true, dryRun: r.dryRun };
    case 'keys':
      return { keys: r.keys ?? [], ...(r.categoryKeys?.length ? { categoryKeys: r.categoryKeys } : {}), dryRun: r.dryRun };
    case 'category':
      return { category: r.category!, dryRun: r.dryRun };
    case 'since':
      return { since: new Date(r.since!).toISOString(), dryRun: r.dryRun };
    case 'export':
      throw new Error('an export is not a sync: RunManager runs it through runExport');
    default:
      return { dryRun: r.dryRun };
  }
}

/** A Console request as a queued run's options (JSON in the queue). */
function queuedOptionsFor(r: RunRequest): QueuedRunOptions {
  const { dryRun: _dryRun, planPayloadLimit: _limit, ...options } = syncOptionsFor(r);
  return options;
}

export function runRequestFrom(body: StartRunBody): RunRequest {
  const mode = body.mode ?? 'delta';
  return {
    mode,
    dryRun: body.dryRun === true,
    ...(mode === 'keys' && body.keys ? { keys: body.keys } : {}),
    ...(mode === 'category' && body.category ? { category: body.category } : {}),
    ...(mode === 'since' && body.since ? { since: body.since } : {}),
  };
}

export class RunManager {
  private readonly jobs = new Map<string, LiveJob>();
  private client: AkeneoClient | null = null;
  private active: LiveJob | null = null;
  private queue: Promise<JobQueueApi> | null = null;

  constructor(private readonly deps: RunManagerDeps) {}

  /** A configuration saved from the Console: the next run uses it (a run going keeps its own). */
  async useConfig(config: FerryConfig): Promise<void> {
    this.deps.config = config;
    const old = this.client;
    this.client = null;
    if (old && !this.active) await old.close().catch(() => undefined);
    // The queue's settings may have changed too: the next run opens it again.
    const queue = this.queue;
    if (queue && !this.active) {
      this.queue = null;
      await queue.then((q) => q.close()).catch(() => undefined);
    }
  }

  /** Whether syncs that write go through the job queue (`jobs.workers` with a PostgreSQL state). */
  queuedRuns(): boolean {
    return queuedRunsEnabled(this.deps.config);
  }

  /** The job queue, opened on first use and kept open (pg-boss on the state's database). */
  jobQueue(): Promise<JobQueueApi> {
    if (!this.queue) {
      const opening = openJobQueue(this.deps.config, this.deps.logger);
      this.queue = opening;
      // A database away now may be back at the next call.
      opening.catch(() => {
        if (this.queue === opening) this.queue = null;
      });
    }
    return this.queue;
  }

  /** The shared PIM client: its token and governor outlive one run (as a long-lived CLI process would). */
  pimClient(): AkeneoClient {
    this.client ??= createPimClient(this.deps.config.pim, { ...(this.deps.onPimRequest ? { onEvent: this.deps.onPimRequest } : {}) });
    return this.client;
  }

  isBusy(): boolean {
    return this.active !== null;
  }

  /**
   * Whether another process (a terminal's `ferry sync`) holds this connection's lock with a fresh
   * heartbeat: the engine's connection lock (locks.db in the lock directory, shared by every state
   * file), read only. A run that races past this check still meets the engine's own lock.
   */
  lockedElsewhere(): string | null {
    const row = this.lockRowElsewhere();
    if (row) return `run${row.run_id !== null ? ` #${row.run_id}` : ''} (${row.owner})`;
    const waiting = this.waitingElsewhere();
    return waiting ? `run waiting for its turn on the PIM connection (${waiting.owner})` : null;
  }

  /**
   * The connection lock's holder when it is a run of this connection (this state): another
   * tenant's run on the same PIM connection is not a conflict, a run started here waits for it.
   * A holder that does not say whose run it is (an older Ferry) counts as this connection's.
   */
  private lockRowElsewhere(): { owner: string; run_id: number | null } | null {
    const { config } = this.deps;
    const name = lockNameFor(config.pim);
    const holder = readConnectionQueue(config.sync.lockDir, config.sync.lockTimeoutSeconds * 1000, isOwnerAlive).holders.find((h) => h.name === name);
    if (!holder || (holder.holder && holder.holder.stateKey !== stateKeyOf(config.state))) return null;
    return { owner: holder.owner, run_id: holder.runId };
  }

  /** A run of this connection started elsewhere (a terminal) waiting for its turn: a second one is not queued. */
  private waitingElsewhere(): { owner: string } | null {
    const { config } = this.deps;
    const mine = stateKeyOf(config.state);
    return readConnectionQueue(config.sync.lockDir, config.sync.lockTimeoutSeconds * 1000, isOwnerAlive).waiters.find((w) => w.stateKey === mine) ?? null;
  }

  /**
   * Whether the Console can stop a running run: its own, or a sync another process runs (a
   * terminal's `ferry sync`, the workers of a queued run), which polls the state for a stop
   * request (src/sync/run-cancel.ts), on either store. A terminal's `ferry export` does not.
   */
  isCancellable(runId: number, mode?: string): boolean {
    return this.active?.runId === runId || mode !== 'export';
  }

  /**
   * Asks the process running `runId` elsewhere to stop: a request in the state, which a terminal's
   * run and a queued run's plan and shards poll. False when the run is not going (finished, or
   * its process gone: such runs are marked interrupted first, as `ferry runs` does).
   */
  async requestCancelElsewhere(runId: number, requestedBy: string): Promise<boolean> {
    const { state, config } = this.deps;
    await state.markDeadRuns(isOwnerAlive, config.sync.lockTimeoutSeconds * 1000);
    const row = await state.getRun(runId);
    if (!row || row.status !== 'running' || row.mode === 'export') return false;
    await state.requestRunCancel(runId, requestedBy);
    return true;
  }

  /** Who asked to stop the run (a request to another process), or null. */
  async cancelRequested(runId: number): Promise<string | null> {
    return (await this.deps.state.runCancelRequest(runId))?.requestedBy ?? null;
  }

  job(idOrRun: string | number): LiveJob | null {
    if (typeof idOrRun === 'string') return this.jobs.get(idOrRun) ?? null;
    for (const j of this.jobs.values()) if (j.runId === idOrRun) return j;
    return null;
  }

  describe(j: LiveJob): Job {
    return {
      jobId: j.jobId,
      runId: j.runId,
      state: j.state,
      dryRun: j.request.dryRun,
      request: j.request,
      report: j.report as Job['report'],
      error: j.error,
    };
  }

  /**
   * Starts a run and answers once the engine numbered it (or the run already ended, or the
   * wait ran out: then `runId` is null and the job id serves). Refuses with RunConflictError
   * while a run of this connection goes (dry runs take no lock and are always allowed).
   */
  async start(request: RunRequest, startedBy: string): Promise<{ jobId: string; runId: number | null }> {
    if (!request.dryRun) {
      if (this.active) throw new RunConflictError(`a run is already going (${this.active.runId ? `run #${this.active.runId}` : 'starting'}, started by ${this.active.startedBy}); wait for it or cancel it.`);
      const other = this.lockedElsewhere();
      if (other) throw new RunConflictError(`another sync ${other} holds this connection's lock; wait for it to finish.`);
    }
    this.prune();
    const queued = !request.dryRun && request.mode !== 'export' && this.queuedRuns();
    const job: LiveJob = {
      jobId: `job-${randomBytes(6).toString('hex')}`,
      runId: null,
      request,
      startedBy,
      state: 'running',
      report: null,
      error: null,
      startedAt: Date.now(),
      finishedAt: null,
      last: { runId: null, jobId: null, phase: 'starting', read: 0, settled: 0, requests: 0, throttled: 0, elapsedMs: 0, etaSeconds: null, cancelling: false },
      done: null,
      abort: new AbortController(),
      queued,
      detach: new AbortController(),
      events: new EventEmitter(),
      finished: Promise.resolve(),
    };
    job.last.jobId = job.jobId;
    job.events.setMaxListeners(100);
    if (!request.dryRun) this.active = job;
    if (queued) return this.startQueued(job);
    this.jobs.set(job.jobId, job);
    const numbered = new Promise<void>((resolve) => {
      job.events.once('numbered', resolve);
      // Waiting for another tenant's run: answered at once, the job's progress says whose.
      job.events.once('waiting', resolve);
      job.events.once('done', resolve);
      setTimeout(resolve, this.deps.waitForRunIdMs ?? 5000).unref();
    });
    job.finished = this.execute(job);
    await numbered;
    return { jobId: job.jobId, runId: job.runId };
  }

  cancel(runOrJob: number | string, requestedBy?: string): boolean {
    const job = this.job(runOrJob);
    if (!job || job.state !== 'running') return false;
    if (job.queued) {
      // The workers run it: they hear the request through the state (and the follow sees it end).
      if (job.runId === null) return false;
      void this.deps.state.requestRunCancel(job.runId, requestedBy ?? 'the Console').catch((err: unknown) => this.deps.logger.warn({ runId: job.runId, err: scrubSecrets(String(err)) }, 'could not store the stop request'));
      job.last = { ...job.last, cancelling: true };
      job.events.emit('progress', job.last);
      return true;
    }
    job.last = { ...job.last, cancelling: true };
    job.abort.abort(new Error(`cancelled from the Console${requestedBy ? ` by ${requestedBy}` : ''}`));
    job.events.emit('progress', job.last);
    return true;
  }

  subscribe(job: LiveJob, listener: { progress: (p: RunProgress) => void; done: (d: RunDone) => void }): () => void {
    job.events.on('progress', listener.progress);
    job.events.on('done', listener.done);
    return () => {
      job.events.off('progress', listener.progress);
      job.events.off('done', listener.done);
    };
  }

  /** Resolves when every job and its after-run hook have ended (tests, shutdown). */
  async idle(): Promise<void> {
    await Promise.all([...this.jobs.values()].map((j) => j.finished));
  }

  async close(): Promise<void> {
    // A queued run goes on in the workers: this process only stops following it.
    for (const j of this.jobs.values()) if (j.state === 'running') (j.queued ? j.detach : j.abort).abort(new Error('the Console is stopping'));
    await this.idle();
    await this.client?.close().catch(() => undefined);
    this.client = null;
    const queue = this.queue;
    this.queue = null;
    await queue?.then((q) => q.close()).catch(() => undefined);
  }

  /**
   * A sync through the job queue: enqueued here (the run lock and the run row are taken now, so a
   * run going elsewhere is the same 409 as before), then followed until the settle.
   */
  private async startQueued(job: LiveJob): Promise<{ jobId: string; runId: number | null }> {
    try {
      const queue = await this.jobQueue();
      const { runId } = await queue.enqueueRun(queuedOptionsFor(job.request));
      job.runId = runId;
      this.deps.runs.setStartedBy(runId, job.startedBy);
      this.jobs.set(job.jobId, job);
      job.last = { ...job.last, runId, phase: 'waiting' };
      job.finished = this.followQueued(job, queue);
      return { jobId: job.jobId, runId };
    } catch (err) {
      if (this.active === job) this.active = null;
      if (err instanceof RunLockedError) throw new RunConflictError(err.message);
      throw err;
    }
  }

  private async followQueued(job: LiveJob, queue: JobQueueApi): Promise<void> {
    const { logger } = this.deps;
    const onProgress = (p: QueuedRunProgress) => {
      const elapsedMs = Date.now() - job.startedAt;
      job.last = { ...job.last, phase: p.phase, read: p.settled, settled: p.settled, requests: p.requests, throttled: p.throttled, shardsDone: p.shardsDone, shardsTotal: p.shardsTotal, elapsedMs, etaSeconds: null };
      job.events.emit('progress', job.last);
    };
    try {
      job.report = await queue.waitForRun(job.runId!, onProgress, job.detach.signal);
      job.state = 'finished';
    } catch (err) {
      if (job.detach.signal.aborted) {
        // The Console stops: the run is the workers' to finish; nothing to tell.
        job.finishedAt = Date.now();
        if (this.active === job) this.active = null;
        return;
      }
      job.state = 'failed';
      job.error = scrubSecrets(err instanceof Error ? err.message : String(err));
      logger.warn({ jobId: job.jobId, runId: job.runId, err: job.error }, 'console run in the queue could not be followed');
    }
    job.last = { ...job.last, requests: job.report?.requests.total ?? job.last.requests, throttled: job.report?.requests.throttled ?? job.last.throttled, elapsedMs: Date.now() - job.startedAt };
    await this.conclude(job);
  }

  private prune(): void {
    const hourAgo = Date.now() - 3_600_000;
    for (const [id, j] of this.jobs) if (j.finishedAt !== null && j.finishedAt < hourAgo) this.jobs.delete(id);
  }

  private async execute(job: LiveJob): Promise<void> {
    const { config, logger } = this.deps;
    const client = this.pimClient();
    const base = client.stats();
    let lastEmit = 0;
    const emit = (p: SyncProgress | null, force = false) => {
      const stats = client.stats();
      const elapsedMs = Date.now() - job.startedAt;
      const read = p?.read ?? job.last.read;
      const settled = p?.settled ?? job.last.settled;
      const rate = settled / Math.max(1, elapsedMs / 1000);
      // A new phase is always told (a short run may go through one inside the 250 ms throttle).
      const newPhase = p !== null && p.phase !== job.last.phase;
      job.last = {
        ...job.last,
        runId: job.runId,
        phase: p?.phase ?? job.last.phase,
        read,
        settled,
        requests: stats.total - base.total,
        throttled: stats.throttled - base.throttled,
        elapsedMs,
        etaSeconds: settled > 0 && read > settled && rate > 0 ? Math.round((read - settled) / rate) : null,
        // The wait is over once the engine reports anything.
        ...(p !== null ? { waitingFor: undefined } : {}),
      };
      const now = Date.now();
      if (force || newPhase || now - lastEmit >= 250) {
        lastEmit = now;
        job.events.emit('progress', job.last);
      }
    };
    let state: StateStore | null = null;
    try {
      if (job.request.mode === 'export') {
        await this.executeExport(job, (p) => emit(p));
        return;
      }
      state = announcingRunId(await openStateStore(config.state), (id) => {
        job.runId = id;
        this.deps.runs.setStartedBy(id, job.startedBy);
        emit(null, true);
        job.events.emit('numbered');
      });
      const options: SyncOptions = { ...syncOptionsFor(job.request), signal: job.abort.signal };
      const report = await runSync(config, {
        ...options,
        client,
        state,
        logger,
        onProgress: (p) => emit(p),
        ...(this.deps.tenant ? { tenant: this.deps.tenant } : {}),
        // Another tenant's run on the same PIM connection: this one waits its turn, and says so.
        lockWait: {
          onWaiting: (w) => {
            job.last = { ...job.last, phase: 'waiting', waitingFor: w.ahead.length > 0 ? `${w.waitingFor}, then ${w.ahead.join(', ')}` : w.waitingFor };
            job.events.emit('progress', job.last);
            job.events.emit('waiting');
          },
        },
      });
      // A preview shows each planned value next to the PIM's current one.
      if (job.request.dryRun) await addBeforeValues(client, report);
      job.report = report;
      job.state = 'finished';
    } catch (err) {
      job.state = 'failed';
      job.error = scrubSecrets(err instanceof Error ? err.message : String(err));
      logger.warn({ jobId: job.jobId, err: job.error }, 'console run failed to run');
    } finally {
      await state?.close().catch(() => undefined);
      emit({ phase: 'done', read: job.last.read, settled: job.last.settled }, true);
      await this.conclude(job);
    }
  }

  /** A job ended: the listeners (SSE) get `done` with the status the history holds, then the after-run hook runs. */
  private async conclude(job: LiveJob): Promise<void> {
    job.finishedAt = Date.now();
    if (this.active === job) this.active = null;
    if (job.last.phase !== 'done') {
      job.last = { ...job.last, phase: 'done' };
      job.events.emit('progress', job.last);
    }
    const status = await this.finalStatus(job);
    job.done = { runId: job.runId, jobId: job.jobId, status, counts: job.report?.counts ?? null, error: job.error ?? job.report?.error ?? null };
    job.events.emit('done', job.done);
    try {
      await this.deps.onFinished?.({ jobId: job.jobId, runId: job.runId, dryRun: job.request.dryRun, report: job.report, error: job.error, startedBy: job.startedBy });
    } catch (err) {
      this.deps.logger.warn({ err: scrubSecrets(String(err)) }, 'after-run hook failed');
    }
  }

  /**
   * An export job: runExport on this Console's PIM client and state store, numbered in the same
   * history as the syncs (mode `export`, report `direction: export`).
   */
  private async executeExport(job: LiveJob, emit: (p: SyncProgress) => void): Promise<void> {
    const { config, logger } = this.deps;
    const runExport = this.deps.runExport ?? realRunExport;
    const state = announcingRunId(await openStateStore(config.state), (id) => {
      job.runId = id;
      this.deps.runs.setStartedBy(id, job.startedBy);
      emit({ phase: 'export' as SyncProgress['phase'], read: 0, settled: 0 });
      job.events.emit('numbered');
    });
    try {
      const report = await runExport(config, {
        ...(job.request.keys?.length ? { keys: job.request.keys } : {}),
        dryRun: job.request.dryRun,
        signal: job.abort.signal,
        client: this.pimClient(),
        state,
        logger,
        onProgress: (p) => emit({ phase: 'export' as SyncProgress['phase'], read: p.read, settled: p.exported + p.failed + p.skipped }),
      });
      job.report = report;
      job.state = report.status === 'failed' && report.runId === null ? 'failed' : 'finished';
      if (job.state === 'failed') job.error = scrubSecrets(report.error ?? 'the export failed');
    } finally {
      await state.close().catch(() => undefined);
    }
  }

  /** The status the history holds (the engine may have stored `interrupted` for a cancelled run). */
  private async finalStatus(job: LiveJob): Promise<RunDone['status']> {
    if (job.runId !== null) {
      const row = await this.deps.runs.getRun(job.runId).catch(() => null);
      if (row && row.summary.status !== 'running') return row.summary.status as RunDone['status'];
    }
    if (job.report) return job.report.status;
    return 'failed';
  }
}
