/**
 * Runs through the job queue (src/jobs, pg-boss on the PostgreSQL state): the API the CLI (and
 * later the Console) uses to enqueue a run, wait for it and schedule runs, and what a `ferry worker`
 * process does with each job. A queued run is one run row and one run lock, in three kinds of part
 * (src/sync/shards.ts): the plan (categories, options, deletions, the item keys in scope cut into
 * shards), the shards (the engine on their keys, on any worker) and the settle (one report, the
 * watermarks moved, the lock released).
 *
 * The lock's owner is `queue:<uuid>`, no process's: it outlives the worker that planned the run,
 * kept fresh by whichever worker works on one of its parts; with no worker alive it goes stale
 * after sync.lockTimeoutSeconds and the next run takes it over, as after a dead `ferry sync`.
 *
 * About 510 lines on purpose: the enqueue/wait API and the worker's three part handlers share the
 * run's life cycle (lock, keep-alive, stop requests, retries) and read best side by side; what a
 * part does beside the engine lives in queued-parts.ts.
 */
import { randomUUID } from 'node:crypto';
import type PgBoss from 'pg-boss';
import type { AkeneoClient, PimInfo, TokenCache } from '../akeneo/index.js';
import type { FerryConfig } from '../config/schema.js';
import { JobQueue, QUEUES, type RunJob, type ScheduleJob, type ShardJob } from '../jobs/queue.js';
import type { Logger } from '../logging.js';
import { buildPimStructure, loadPimStructure, structureParts, type PimStructure, type PimStructureParts } from '../mapping/index.js';
import { lockNameFor, openStateStore, type RunReport, type SyncOptions } from '../sync/index.js';
import { isOwnerAlive } from '../sync/lock.js';
import { addReferenceData, mergeRunReports } from '../sync/merge-reports.js';
import type { SyncMode } from '../sync/report.js';
import { cancelReason, watchRunCancel } from '../sync/run-cancel.js';
import { emptyRunReport, modeOf, recordFailedStart } from '../sync/run-record.js';
import { planShards } from '../sync/shards.js';
import { RunLockedError, type StateStore } from '../sync/state/port.js';
import { errorText } from '../sync/stages/errors.js';
import type { ReferenceOutcome } from '../sync/stages/references.js';
import { createPimClient } from './pim-client.js';
import { consumeDropFiles, countReferenceDataOnce, createdEarlier, dropFolderSource, settleReferenceData, writtenLog } from './queued-parts.js';
import { markExportedInErp, runSync } from './run-sync.js';

/** What a queued run may be asked (JSON: it travels in the queue). */
export type QueuedRunOptions = Pick<SyncOptions, 'full' | 'since' | 'keys' | 'categoryKeys' | 'category' | 'verify' | 'repair' | 'confirmDestructive'>;

export interface QueuedRunProgress {
  phase: 'waiting' | 'planning' | 'shards' | 'settling' | 'done';
  shardsDone: number;
  shardsTotal: number | null;
  /** Records settled so far by the parts that finished. */
  settled: number;
  /** PIM requests (and 429s among them) of the parts that finished: the Console's live page shows them as they grow. */
  requests: number;
  throttled: number;
}

export interface JobQueueApi {
  /** Takes the run lock and the run row (RunLockedError while another run holds it) and sends the plan job. */
  enqueueRun(options: QueuedRunOptions): Promise<{ runId: number }>;
  /**
   * Resolves with the run's one report once settled; rejects when no worker works on it for the
   * lock timeout, or when `signal` aborts (the caller stops following: the run goes on).
   */
  waitForRun(runId: number, onProgress?: (p: QueuedRunProgress) => void, signal?: AbortSignal): Promise<RunReport>;
  /**
   * Every occurrence of `cron` in time zone `tz` enqueues a run with `options`, once however many
   * workers run; the run says it was started by `startedBy` (default `schedule:<name>`).
   */
  schedule(name: string, cron: string, tz: string, options: QueuedRunOptions, startedBy?: string): Promise<void>;
  unschedule(name: string): Promise<void>;
  /** The schedules in the queue, by the names given to schedule(). */
  schedules(): Promise<{ name: string; cron: string; tz: string | undefined }[]>;
  close(): Promise<void>;
}

/** Whether `ferry sync` goes through the queue: `jobs.workers: true` with a PostgreSQL state. */
export function queuedRunsEnabled(config: FerryConfig): boolean {
  return config.jobs.workers && config.state.driver === 'postgres';
}

function queueSettings(config: FerryConfig, logger: Logger) {
  if (config.state.driver !== 'postgres' || !config.state.url) {
    throw new Error('jobs.workers needs the state in PostgreSQL: set state.url (postgres://user:password@host:5432/database); the queue lives in the same database.');
  }
  const j = config.jobs;
  return {
    url: config.state.url,
    schema: config.state.schema ?? 'public',
    shardExpireSeconds: j.shardExpireSeconds,
    retryLimit: j.retryLimit,
    maintenanceSeconds: j.maintenanceSeconds,
    pollSeconds: j.pollSeconds,
    onError: (err: Error) => logger.warn({ err: err.message }, 'job queue error'),
  };
}

const HEARTBEAT_MS = 5_000;
/** How often a part of a queued run looks for a stop request. */
const CANCEL_POLL_MS = 1_000;

/** The report of a part that did nothing: the run was stopped before it began. */
function stoppedPart(runId: number, mode: SyncMode, startedAt: Date, reason: string): RunReport {
  return { ...emptyRunReport(runId, mode, 'interrupted', startedAt), interrupted: { unsettled: 0, reason } };
}

/** Options of a queued run as JSON (no undefined, nothing else). */
function runOptionsOf(o: QueuedRunOptions): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify({ full: o.full, since: o.since, keys: o.keys, categoryKeys: o.categoryKeys, category: o.category, verify: o.verify, repair: o.repair, confirmDestructive: o.confirmDestructive }),
  ) as Record<string, unknown>;
}

/** Who a queued run says started it: `startedBy` for people, `schedule` (the queue's name of it) when a schedule's occurrence did. */
interface RunOrigin {
  startedBy: string;
  schedule?: string;
}

async function enqueue(config: FerryConfig, queue: JobQueue, state: StateStore, options: QueuedRunOptions, origin?: RunOrigin): Promise<{ runId: number }> {
  const lockName = lockNameFor(config.pim);
  const owner = `queue:${randomUUID()}`;
  await state.acquireLock(lockName, owner, config.sync.lockTimeoutSeconds * 1000, isOwnerAlive);
  try {
    const json = runOptionsOf(options);
    // Who started it goes with the run's options: the Console shows it for a run a worker queued.
    const runId = await state.startRun(modeOf(options), { ...json, queued: true, ...origin }, owner);
    await state.heartbeat(lockName, owner, runId);
    // Runs left "running" by a dead process are over: say so in their history.
    await state.markInterrupted(runId);
    await queue.enqueueRun({ runId, lockName, owner, options: json });
    return { runId };
  } catch (err) {
    await state.releaseLock(lockName, owner).catch(() => undefined);
    throw err;
  }
}

export async function openJobQueue(config: FerryConfig, logger: Logger): Promise<JobQueueApi> {
  const queue = await JobQueue.open(queueSettings(config, logger));
  const state = await openStateStore(config.state);
  return {
    enqueueRun: (options) => enqueue(config, queue, state, options),
    waitForRun: (runId, onProgress, signal) => waitForRun(config, queue, state, runId, onProgress, signal),
    async schedule(name, cron, tz, options, startedBy) {
      await queue.schedule(name, cron, tz, { options: runOptionsOf(options), startedBy: startedBy ?? `schedule:${name}` });
    },
    unschedule: (name) => queue.unschedule(name),
    schedules: async () => (await queue.schedules()).map(({ name, cron, tz }) => ({ name, cron, tz })),
    async close() {
      await queue.close(5_000);
      await state.close();
    },
  };
}

async function waitForRun(config: FerryConfig, queue: JobQueue, state: StateStore, runId: number, onProgress?: (p: QueuedRunProgress) => void, signal?: AbortSignal): Promise<RunReport> {
  const quietLimitMs = config.sync.lockTimeoutSeconds * 1000;
  let last = '';
  for (;;) {
    signal?.throwIfAborted();
    const run = await queue.getRun(runId);
    if (!run) throw new Error(`run #${runId} is not a queued run`);
    if (run.status === 'settled') {
      const report = run.report as RunReport;
      onProgress?.({ phase: 'done', shardsDone: run.shards ?? 0, shardsTotal: run.shards, settled: report.counts.read, requests: report.requests?.total ?? 0, throttled: report.requests?.throttled ?? 0 });
      return report;
    }
    const row = await state.getRun(runId);
    // Another run found this one dead (no worker kept its lock fresh) and ended it.
    if (row && row.status !== 'running') return row.report as RunReport;
    const parts = await queue.partReports(runId);
    const reports = parts.map((p) => p.report as RunReport);
    const settled = reports.reduce((n, r) => n + (r.counts?.read ?? 0), 0);
    const requests = reports.reduce((n, r) => n + (r.requests?.total ?? 0), 0);
    const throttled = reports.reduce((n, r) => n + (r.requests?.throttled ?? 0), 0);
    const shardsDone = parts.filter((p) => p.part > 0).length;
    const phase: QueuedRunProgress['phase'] = run.status === 'planning' ? (run.touched ? 'planning' : 'waiting') : shardsDone === run.shards ? 'settling' : 'shards';
    const progress = { phase, shardsDone, shardsTotal: run.shards, settled, requests, throttled };
    const key = JSON.stringify(progress);
    if (key !== last) onProgress?.(progress);
    last = key;
    if (Date.now() - run.updatedAt.getTime() > quietLimitMs) {
      throw new Error(
        `no worker has worked on run #${runId} for ${config.sync.lockTimeoutSeconds}s: start ferry worker (docs/operations.md, "Workers"); the run stays queued and is finished when one starts, unless another run takes the lock first.`,
      );
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

export interface WorkerOptions {
  concurrency: number;
  logger: Logger;
  /** How often the worker looks for schedules added since it started. */
  scheduleScanMs?: number;
}

/**
 * A `ferry worker`: takes plan, shard and settle jobs and the schedules' occurrences, until
 * close(). Each of its `concurrency` slots has its own PIM client (its requests counted in its
 * own report; with `pim.limits.shared` every client draws from the one budget).
 */
export async function startWorker(config: FerryConfig, options: WorkerOptions): Promise<{ close(): Promise<void> }> {
  const { logger } = options;
  const queue = await JobQueue.open(queueSettings(config, logger));
  const state = await openStateStore(config.state);
  const clients: AkeneoClient[] = [];
  // The slots' clients ask one token per PIM connection between them (closed together, below).
  const tokens: TokenCache = new Map();
  const clientFor = (slot: number) => (clients[slot] ??= createPimClient(config.pim, { logger, tokens }));
  const parts = new RunParts(config, queue, state, logger);
  let slot = 0;
  const slotted = <T extends object>(fn: (job: PgBoss.JobWithMetadata<T>, client: AkeneoClient) => Promise<void>) => {
    const mine = slot++;
    return async (job: PgBoss.JobWithMetadata<T>) => {
      try {
        await fn(job, clientFor(mine));
      } catch (err) {
        // pg-boss retries it (or gives up after jobs.retryLimit): said here, or a retry is silent.
        const left = job.retryLimit - job.retryCount;
        logger.warn({ queue: job.name, jobId: job.id, data: jobSummary(job.data), err: errorText(err) }, left > 0 ? `job failed; retried (${left} attempt${left === 1 ? '' : 's'} left)` : 'job failed; no attempt left');
        throw err;
      }
    };
  };
  // One slot per job kind, plus `concurrency` shard slots: a plan or settle never waits behind shards.
  await queue.work<RunJob>(QUEUES.plan, 1, slotted((job, client) => parts.plan(job, client)));
  await queue.work<RunJob>(QUEUES.settle, 1, slotted((job, client) => parts.settle(job.data.runId, client)));
  for (let i = 0; i < options.concurrency; i++) await queue.work<ShardJob>(QUEUES.shard, 1, slotted((job, client) => parts.shard(job, client)));

  const watched = new Set<string>();
  const scan = async () => {
    for (const s of await queue.schedules()) {
      if (watched.has(s.queue)) continue;
      watched.add(s.queue);
      await queue.work<ScheduleJob>(s.queue, 1, async (job) => {
        try {
          const { runId } = await enqueue(config, queue, state, job.data.options as QueuedRunOptions, { startedBy: job.data.startedBy ?? `schedule:${s.name}`, schedule: s.name });
          logger.info({ schedule: s.name, runId }, 'scheduled run queued');
        } catch (err) {
          if (!(err instanceof RunLockedError)) throw err;
          logger.warn({ schedule: s.name, err: err.message }, 'scheduled run skipped: another run is in progress');
        }
      });
    }
  };
  await scan();
  const timer = setInterval(() => void scan().catch((err: Error) => logger.warn({ err: err.message }, 'could not read the schedules')), options.scheduleScanMs ?? 30_000);
  timer.unref();
  logger.info({ concurrency: options.concurrency }, 'worker started');
  return {
    async close() {
      clearInterval(timer);
      await queue.close();
      await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
      await state.close();
    },
  };
}

/** A job's data for a log line: a shard's keys are counted, not listed. */
function jobSummary(data: object): Record<string, unknown> {
  const d = data as Record<string, unknown>;
  return Array.isArray(d['keys']) ? { ...d, keys: d['keys'].length } : d;
}

/** What the plan keeps in the queue for the shards (JobQueue.keepStructure): the PIM as it found it. */
interface PlanStructure {
  parts: PimStructureParts;
  pim: PimInfo;
}

/** What a part leaves for the settle beside its report. */
interface PartExtra {
  /** The plan, erp.type files: the files it read to their end (the settle consumes them). */
  dropFiles?: string[];
  /** A shard, EE: the reference entity records and assets its items named. */
  referenceCodes?: string[];
  /** A shard, EE: what it did to each of them (the settle counts one that several shards met once). */
  referenceOutcomes?: Record<string, ReferenceOutcome>;
}

/** What each kind of job does. */
class RunParts {
  /** The PIM structure per run, loaded by this worker's first shard of it (the plan settled it before any shard). */
  private readonly structures = new Map<number, Promise<{ structure: PimStructure; pim: PimInfo | null }>>();

  constructor(
    private readonly config: FerryConfig,
    private readonly queue: JobQueue,
    private readonly state: StateStore,
    private readonly logger: Logger,
  ) {}

  /**
   * Keeps the run's lock and row alive while this worker works on one of its parts, with the
   * counts of the parts finished so far (what `ferry runs` shows for a running run). False when
   * the lock was taken over: the run is over, this part does nothing.
   */
  private async keepAlive(runId: number, lockName: string, owner: string): Promise<(() => void) | null> {
    const beat = async () => {
      const held = await this.state.heartbeat(lockName, owner, runId);
      await this.queue.touch(runId);
      const reports = (await this.queue.partReports(runId)).map((p) => p.report as RunReport);
      const row = await this.state.getRun(runId);
      if (row) await this.state.heartbeatRun(runId, mergeRunReports(reports, { runId, mode: row.mode as SyncMode, startedAt: row.startedAt, watermarks: { before: {}, after: {} } }));
      return held;
    };
    if (!(await beat())) return null;
    const timer = setInterval(() => void beat().catch(() => undefined), HEARTBEAT_MS);
    timer.unref();
    return () => clearInterval(timer);
  }

  private structureOf(runId: number): (client: AkeneoClient) => ReturnType<typeof loadPimStructure> {
    return async (client) => {
      let loading = this.structures.get(runId);
      if (!loading) {
        // One run at a time per connection: the structures of earlier runs are done with.
        this.structures.clear();
        // The plan's, as it kept it in the queue; the PIM's own when it kept none. Options and
        // categories the plan wrote since are in the state, where the shards look for them.
        loading = this.queue.runStructure(runId).then(async (kept) => {
          const plan = kept as PlanStructure | null;
          return plan ? { structure: buildPimStructure(plan.parts), pim: plan.pim } : { structure: await loadPimStructure(client), pim: null };
        });
        loading.catch(() => this.structures.delete(runId));
        this.structures.set(runId, loading);
      }
      const { structure, pim } = await loading;
      // Each slot's client: the plan's detection, not one more call at every shard's start.
      if (pim) client.adoptPimInfo(pim);
      return structure;
    };
  }

  /**
   * The Console's stop request for the run (StateStore.requestRunCancel), looked up now and then
   * polled while the part works: `abort` aborts with who asked, and `asked()` says who (a stopped
   * part is not retried).
   */
  private async watchStop(runId: number, abort: AbortController): Promise<{ asked: () => string | null; close: () => void }> {
    let asked = (await this.state.runCancelRequest(runId))?.requestedBy ?? null;
    const stopWith = (by: string) => {
      asked = by;
      abort.abort(cancelReason(by));
    };
    if (asked !== null) {
      stopWith(asked);
      return { asked: () => asked, close: () => undefined };
    }
    const close = watchRunCancel(this.state, () => runId, stopWith, CANCEL_POLL_MS);
    return { asked: () => asked, close };
  }

  private retriesLeft(job: PgBoss.JobWithMetadata<object>): boolean {
    return job.retryCount < job.retryLimit;
  }

  async plan(job: PgBoss.JobWithMetadata<RunJob>, client: AkeneoClient): Promise<void> {
    const { runId } = job.data;
    const run = await this.queue.getRun(runId);
    // Planned already (this is a retry after the shards went): nothing to do twice.
    if (!run || run.status !== 'planning') return;
    const stop = await this.keepAlive(runId, run.lockName, run.owner);
    if (!stop) return this.lost(runId);
    const startedAt = new Date();
    let planned = false;
    const abort = new AbortController();
    const cancel = await this.watchStop(runId, abort);
    try {
      if (cancel.asked()) {
        // Stopped from the Console before the plan began: no shard, the settle ends the run interrupted.
        await this.queue.planned(runId, [], {});
        await this.queue.partDone(runId, 0, 'interrupted', stoppedPart(runId, modeOf(run.options as QueuedRunOptions), startedAt, String(abort.signal.reason)));
        return;
      }
      // A drop folder: the plan takes the manifest of its files, which every part then reads.
      const files = await dropFolderSource(this.config, this.queue, runId, true);
      const report = await runSync(this.config, {
        ...(run.options as QueuedRunOptions),
        ...(files ? { openSource: files.openSource } : {}),
        logger: this.logger,
        client,
        state: this.state,
        signal: abort.signal,
        lockTimeoutMs: this.config.sync.lockTimeoutSeconds * 1000,
        // Kept for the shards (JobQueue.keepStructure): they start without listing the PIM again.
        loadStructure: async (pim) => {
          const structure = await loadPimStructure(pim);
          await this.queue.keepStructure(runId, { parts: structureParts(structure), pim: await pim.detect() } satisfies PlanStructure);
          return structure;
        },
        part: {
          role: 'plan',
          runId,
          onPlan: async (plan) => {
            const shards = planShards(plan.groups, this.config.jobs.shardItems);
            planned = await this.queue.planned(runId, shards, plan.watermarks);
            this.logger.info({ runId, groups: plan.groups.length, shards: shards.length }, 'run planned');
          },
        },
      });
      if (!planned) {
        // Stopped from the Console: not retried, the plan's report ends the run.
        if ((report.status === 'failed' || report.status === 'interrupted') && this.retriesLeft(job) && !cancel.asked()) throw new Error(report.error ?? `plan of run #${runId} ${report.status}`);
        // Given up: the run settles with the plan's report alone (failed), and no shard.
        await this.queue.planned(runId, [], {});
      }
      await this.queue.partDone(runId, 0, report.status, report, files ? { dropFiles: files.readWhole() } : null);
    } catch (err) {
      // The ERP or the state could not even be opened: retried; the last attempt settles the run failed.
      if (planned || this.retriesLeft(job)) throw err;
      await this.queue.planned(runId, [], {});
      await this.queue.partDone(runId, 0, 'failed', await recordFailedStart(this.state, { part: { role: 'shard', runId } }, startedAt, err));
    } finally {
      cancel.close();
      stop();
    }
  }

  async shard(job: PgBoss.JobWithMetadata<ShardJob>, client: AkeneoClient): Promise<void> {
    const { runId, part, keys } = job.data;
    const run = await this.queue.getRun(runId);
    if (!run || run.status !== 'sharded') return;
    const stop = await this.keepAlive(runId, run.lockName, run.owner);
    if (!stop) return this.lost(runId);
    // Stopped before pg-boss hands the shard to another worker: two attempts never overlap.
    const abort = new AbortController();
    const startedAt = new Date();
    const cancel = await this.watchStop(runId, abort);
    const deadline = setTimeout(() => abort.abort(`shard ${part} of run #${runId} ran for 90% of jobs.shardExpireSeconds`), job.expireInSeconds * 900);
    try {
      if (cancel.asked()) {
        // The run was stopped from the Console before this shard began: it does nothing.
        await this.queue.partDone(runId, part, 'interrupted', stoppedPart(runId, 'keys', startedAt, String(abort.signal.reason)));
        return;
      }
      // The tokens come while the shard reads the ERP and maps its first groups, not after.
      client.warmUp();
      const o = run.options as QueuedRunOptions;
      const files = await dropFolderSource(this.config, this.queue, runId, false);
      let reference: PartExtra | null = null;
      const written = writtenLog(this.queue, runId, part);
      const report = await runSync(this.config, {
        keys,
        ...(o.confirmDestructive ? { confirmDestructive: true } : {}),
        ...(files ? { openSource: files.openSource } : {}),
        logger: this.logger,
        client,
        state: this.state,
        signal: abort.signal,
        loadStructure: this.structureOf(runId),
        part: {
          role: 'shard',
          runId,
          createdEarlier: createdEarlier(this.queue, this.state, runId, part, job.retryCount > 0),
          claimOptions: (codes) => this.queue.claimOptions(runId, part, codes),
          onWritten: (records) => written.add(records),
          onReferenceData: ({ named, outcomes }) => (reference = { ...(named ? { referenceCodes: named } : {}), referenceOutcomes: outcomes }),
        },
      });
      await written.flush();
      if ((report.status === 'failed' || report.status === 'interrupted') && this.retriesLeft(job) && !cancel.asked()) throw new Error(report.error ?? `shard ${part} of run #${runId} ${report.status}`);
      await this.queue.partDone(runId, part, report.status, report, reference);
    } catch (err) {
      // Retried while attempts are left; the last one's failure is the shard's report (its records unsettled).
      if (this.retriesLeft(job)) throw err;
      await this.queue.partDone(runId, part, 'failed', await recordFailedStart(this.state, { keys, part: { role: 'shard', runId } }, startedAt, err));
    } finally {
      clearTimeout(deadline);
      cancel.close();
      stop();
    }
  }

  /** One report from the parts', the watermarks moved (unless a part failed), the run finished, the lock released. Idempotent. */
  async settle(runId: number, client: AkeneoClient): Promise<void> {
    const run = await this.queue.getRun(runId);
    if (!run || run.status === 'settled') return;
    const row = await this.state.getRun(runId);
    if (!row) return;
    const parts = await this.queue.partReports(runId);
    const extras = parts.map((p) => (p.extra ?? {}) as PartExtra);
    const reports = parts.map((p) => p.report as RunReport);
    const before = reports[0]?.watermarks.before ?? {};
    const ok = (s: RunReport['status']) => s !== 'failed' && s !== 'interrupted';
    const moves = reports.length > 0 && reports.every((r) => ok(r.status)) && run.watermarks !== null;
    const after = moves ? { ...before, ...run.watermarks } : before;
    const report = mergeRunReports(reports, { runId, mode: row.mode as SyncMode, startedAt: row.startedAt, watermarks: { before, after } });
    countReferenceDataOnce(report, reports, extras);
    const options = run.options as QueuedRunOptions;
    const all = reports.length > 0 && reports.every((r) => ok(r.status));
    // EE, a full run: records and assets no shard's items named follow the deletion policy, as at
    // the end of a one-process full run (which skips it for a drop folder: it is never the whole ERP).
    if (all && options.full && !options.category && !options.keys?.length && this.config.erp.type !== 'files') {
      const referenceData = await settleReferenceData(this.config, this.state, client, extras.map((e) => e.referenceCodes ?? null));
      if (referenceData) addReferenceData(report, referenceData);
    }
    // A drop folder: the files the plan read to their end move as after a one-process run, the run settled.
    if (ok(report.status)) await consumeDropFiles(this.config, this.queue, this.state, runId, extras[0]?.dropFiles ?? [], this.logger);
    if (moves) for (const [stream, at] of Object.entries(after)) if (at && at !== before[stream]) await this.state.setWatermark(stream, at);
    // The products Ferry exported that this import brought back become in_erp, as after a one-process run.
    if (this.config.export && ok(report.status)) await markExportedInErp(this.config, { logger: this.logger, state: this.state }, report);
    await this.state.finishRun(runId, report.status, report);
    await this.state.releaseLock(run.lockName, run.owner);
    await this.queue.settled(runId, report);
    this.logger.info({ runId, status: report.status, counts: report.counts, shards: run.shards }, 'run settled');
  }

  /** The lock went to another run (no worker kept it fresh for the lock timeout): this run's parts stop. */
  private lost(runId: number): void {
    this.logger.warn({ runId }, 'the run lock was taken over by another run; this part of the run is dropped');
  }
}
