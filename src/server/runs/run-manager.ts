/**
 * Runs started from the Console: in this process, through the same runSync the CLI calls,
 * on the same state store, so the engine's lock keeps one run per PIM connection whoever
 * started it. Each run is a job: its progress (SyncOptions.onProgress plus the client's
 * request counts) is fanned out to SSE listeners, and it is cancelled through an AbortSignal.
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
import type { StateStore } from '../../sync/state/port.js';
import { readConnectionQueue } from '../../sync/connection-lock.js';
import { stateKeyOf } from '../../sync/connection-wait.js';
import { isOwnerAlive } from '../../sync/lock.js';
import { cancelRequestOf, requestRunCancel } from '../../sync/run-cancel.js';
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
  events: EventEmitter;
  /** Settles when the run and its after-run hook (notifications) are over. */
  finished: Promise<void>;
}

export interface RunManagerDeps {
  config: FerryConfig;
  db: ConsoleDb;
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

  constructor(private readonly deps: RunManagerDeps) {}

  /** A configuration saved from the Console: the next run uses it (a run going keeps its own). */
  async useConfig(config: FerryConfig): Promise<void> {
    this.deps.config = config;
    const old = this.client;
    this.client = null;
    if (old && !this.active) await old.close().catch(() => undefined);
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

  private lockedRunElsewhere(): number | null {
    return this.lockRowElsewhere()?.run_id ?? null;
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

  isCancellable(runId: number): boolean {
    return this.active?.runId === runId || (this.stopsElsewhere() && this.heldElsewhere(runId));
  }

  /**
   * Whether a terminal's run hears a stop request: it polls the state's SQLite file for one
   * (src/sync/run-cancel.ts). A PostgreSQL state has no such channel yet: such a run is stopped
   * where it runs (Ctrl-C, or stopping the worker).
   */
  private stopsElsewhere(): boolean {
    return this.deps.config.state.driver === 'sqlite';
  }

  /** Whether another live process (a terminal's `ferry sync`) runs this run now, holding the lock. */
  heldElsewhere(runId: number): boolean {
    return this.lockedRunElsewhere() === runId;
  }

  /**
   * Asks the process running `runId` in a terminal to stop (it polls the state file for the
   * request; see src/sync/run-cancel.ts). False when no live process holds that run.
   */
  requestCancelElsewhere(runId: number, requestedBy: string): boolean {
    if (!this.stopsElsewhere() || !this.heldElsewhere(runId)) return false;
    requestRunCancel(this.deps.db, runId, requestedBy);
    return true;
  }

  /** Who asked to stop the run (a request to another process), or null. */
  cancelRequested(runId: number): string | null {
    return cancelRequestOf(this.deps.db, runId)?.requestedBy ?? null;
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
      events: new EventEmitter(),
      finished: Promise.resolve(),
    };
    job.last.jobId = job.jobId;
    job.events.setMaxListeners(100);
    this.jobs.set(job.jobId, job);
    if (!request.dryRun) this.active = job;
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
    for (const j of this.jobs.values()) if (j.state === 'running') j.abort.abort(new Error('the Console is stopping'));
    await this.idle();
    await this.client?.close().catch(() => undefined);
    this.client = null;
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
      job.finishedAt = Date.now();
      if (this.active === job) this.active = null;
      emit({ phase: 'done', read: job.last.read, settled: job.last.settled }, true);
      const status = await this.finalStatus(job);
      job.done = { runId: job.runId, jobId: job.jobId, status, counts: job.report?.counts ?? null, error: job.error ?? job.report?.error ?? null };
      job.events.emit('done', job.done);
      try {
        await this.deps.onFinished?.({ jobId: job.jobId, runId: job.runId, dryRun: job.request.dryRun, report: job.report, error: job.error, startedBy: job.startedBy });
      } catch (err) {
        logger.warn({ err: scrubSecrets(String(err)) }, 'after-run hook failed');
      }
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
