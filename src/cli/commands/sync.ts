/**
 * `ferry sync`, `ferry runs`, `ferry quickstart`: the main job and its history.
 * Prints and exits; the work is done in src/sync.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_CONFIG_FILE } from '../../config/load.js';
import { connectionConfig, connectionSection } from '../../config/deployment.js';
import { createLogger } from '../../logging.js';
import { stateConfigSchema, syncConfigSchema } from '../../sync/config.js';
import { isOwnerAlive } from '../../sync/lock.js';
import { readConnectionQueue } from '../../sync/connection-lock.js';
import { runOf, stateKeyOf } from '../../sync/connection-wait.js';
import type { StateConfig } from '../../sync/config.js';
import { exitCodeFor, formatReport, jsonSummary, rejectsCsv, summaryLine, type RunReport } from '../../sync/report.js';
import { openStateStore } from '../../sync/index.js';
import { runSync } from '../../app/run-sync.js';
import { announcingRunId, cancelReason, watchRunCancel } from '../../sync/run-cancel.js';
import type { StateStore } from '../../sync/state/port.js';
import { createProgressBar, silentProgress } from '../../sync/progress.js';
import { estimateLine } from '../../sync/estimate.js';
import { estimateIfLarge } from '../../app/estimate.js';
import type { FerryConfig } from '../../config/schema.js';
import { runQuickstart } from '../../app/quickstart.js';
import { openJobQueue, queuedRunsEnabled, type QueuedRunProgress } from '../../app/jobs.js';
import type { Logger } from '../../logging.js';
import type { SyncOptions, SyncProgress } from '../../sync/engine.js';
import { createHumanLogger } from '../human-log.js';
import { connectionFrom, errorText, printJson, UserError, withConfigOption } from '../output.js';

interface SyncCliOptions {
  config?: string;
  connection?: string;
  full?: boolean;
  since?: string;
  keys?: string;
  category?: string;
  dryRun?: boolean;
  verify?: boolean;
  repair?: boolean;
  yes?: boolean;
  json?: boolean;
  progress?: boolean;
  /** --no-wait: a queued run is only enqueued. */
  wait?: boolean;
}

/** Turns the flags into engine options, refusing contradictions with a clear message. */
export function syncOptionsFromFlags(o: SyncCliOptions): SyncOptions {
  const selectors = [o.full && '--full', o.since && '--since', o.keys && '--keys', o.category && '--category'].filter(Boolean);
  if (selectors.length > 1) throw new UserError(`${selectors.join(' and ')} cannot be combined; pick one way to select the records.`);
  if (o.since !== undefined && Number.isNaN(Date.parse(o.since))) {
    throw new UserError(`--since ${o.since} is not an ISO date; write e.g. --since 2026-01-31 or --since 2026-01-31T22:00:00Z.`);
  }
  const keys = o.keys
    ?.split(',')
    .map((k) => k.trim())
    .filter(Boolean);
  if (o.keys !== undefined && (!keys || keys.length === 0)) throw new UserError('--keys needs at least one ERP key, e.g. --keys SKU-1,SKU-2.');
  if (o.repair && !o.verify) throw new UserError('--repair works with --verify: ferry sync --verify --repair.');
  return {
    ...(o.full ? { full: true } : {}),
    ...(o.since ? { since: new Date(o.since).toISOString() } : {}),
    ...(keys ? { keys } : {}),
    ...(o.category ? { category: o.category } : {}),
    ...(o.dryRun ? { dryRun: true } : {}),
    ...(o.verify ? { verify: true } : {}),
    ...(o.repair ? { repair: true } : {}),
    ...(o.yes ? { confirmDestructive: true } : {}),
  };
}

function progressLine(runId: number, p: QueuedRunProgress): string {
  switch (p.phase) {
    case 'waiting':
      return `run #${runId} queued: waiting for a worker (ferry worker)`;
    case 'planning':
      return `run #${runId}: planning (categories, options, reading the ERP's keys)`;
    case 'shards':
      return `run #${runId}: ${p.shardsDone}/${p.shardsTotal ?? '?'} shards done, ${p.settled} records settled in ${p.requests} PIM requests`;
    case 'settling':
      return `run #${runId}: every shard done, settling the report`;
    case 'done':
      return `run #${runId}: done`;
  }
}

/**
 * `ferry sync` with jobs.workers: enqueues the run and (unless --no-wait) waits for the workers to
 * settle it, printing its progress on stderr and then the same report and exit code as a run here.
 * Ctrl-C stops the waiting, not the run: the workers finish it.
 */
async function syncThroughQueue(config: FerryConfig, options: SyncOptions, o: SyncCliOptions, logger: Logger): Promise<void> {
  const jobs = await openJobQueue(config, logger);
  let detached = false;
  const onSignal = () => {
    detached = true;
  };
  try {
    const { runId } = await jobs.enqueueRun(options);
    if (o.wait === false) {
      if (o.json) printJson({ runId, status: 'queued' });
      else process.stdout.write(`run #${runId} queued; follow it with ferry runs show ${runId}\n`);
      return;
    }
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const quiet = o.json === true || o.progress === false;
    const waiting = jobs.waitForRun(runId, (p) => {
      if (!quiet) process.stderr.write(`${progressLine(runId, p)}\n`);
    });
    const stopped = new Promise<null>((resolve) => {
      const t = setInterval(() => {
        if (!detached) return;
        clearInterval(t);
        resolve(null);
      }, 200);
      void waiting.finally(() => clearInterval(t)).catch(() => undefined);
    });
    const report = await Promise.race([waiting, stopped]);
    if (!report) {
      process.stderr.write(`stopped waiting; run #${runId} goes on in the workers (ferry runs show ${runId})\n`);
      process.exitCode = 130;
      return;
    }
    printReport(report, o.json === true);
    process.exitCode = exitCodeFor(report, { droppedValuesExit: config.sync.droppedValuesExitCode });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await jobs.close();
  }
}

function printReport(report: RunReport, json: boolean): void {
  if (json) printJson(jsonSummary(report));
  else process.stdout.write(`${formatReport(report)}\n${summaryLine(report)}\n`);
}

/** Which state `ferry runs` reads, and the lock settings to tell its live and waiting runs by. */
interface HistorySettings {
  state: StateConfig;
  staleAfterMs: number;
  lockDir: string | undefined;
}

/** The config's state when there is one, else the default file (or --state). */
async function historySettings(opts: { config?: string; connection?: string; state?: string }): Promise<HistorySettings> {
  const defaults = syncConfigSchema.parse({});
  const fallback = { staleAfterMs: defaults.lockTimeoutSeconds * 1000, lockDir: defaults.lockDir };
  if (opts.state) return { ...fallback, state: stateConfigSchema.parse({ path: opts.state }) };
  const file = opts.config ?? DEFAULT_CONFIG_FILE;
  if (!existsSync(file)) {
    if (opts.config && opts.config !== DEFAULT_CONFIG_FILE) throw new UserError(`${file} does not exist; pass --config FILE or --state PATH.`);
    const state = stateConfigSchema.parse({});
    if (!existsSync(state.path)) throw new UserError(`no run history: neither ${file} nor ${state.path} exists. Run ferry sync (or npm start) first.`);
    return { ...fallback, state };
  }
  // Only the state: and sync: sections: the history needs no PIM or ERP secrets in the environment.
  const src = await connectionFrom(opts);
  const stateSection = connectionSection(src, 'state', stateConfigSchema, process.env, {});
  const syncSection = connectionSection(src, 'sync', syncConfigSchema, process.env, {});
  return {
    state: { ...stateSection, path: resolve(src.baseDir, stateSection.path) },
    staleAfterMs: syncSection.lockTimeoutSeconds * 1000,
    // As the run opens it: relative to the working directory, like every sync.lockDir.
    lockDir: syncSection.lockDir,
  };
}

/**
 * The state store for `ferry runs`. Runs left `running` by a process that is gone (dead pid on
 * this host, or no heartbeat for the lock timeout) are marked interrupted first, so the history
 * never shows a dead run running.
 */
async function stateFor(opts: { config?: string; connection?: string; state?: string }, known?: HistorySettings) {
  const settings = known ?? (await historySettings(opts));
  const state = await openStateStore(settings.state);
  await state.markDeadRuns(isOwnerAlive, settings.staleAfterMs);
  return state;
}

/** This state's runs waiting for another tenant's run on their PIM connection (they have no history row yet). */
function waitingLines(settings: HistorySettings): string[] {
  const mine = stateKeyOf(settings.state);
  const { holders, waiters } = readConnectionQueue(settings.lockDir, settings.staleAfterMs, isOwnerAlive);
  return waiters
    .filter((w) => w.stateKey === mine)
    .map((w) => {
      const holder = holders.find((h) => h.name === w.name);
      const ahead = waiters.filter((o) => o.name === w.name).map((o) => o.tenant);
      const before = ahead.slice(0, ahead.indexOf(w.tenant));
      const what = holder?.holder ? runOf(holder.holder.tenant, holder.runId) : before.length > 0 ? runOf(before[0]!, null) : 'another run';
      return `waiting   since ${w.since}  for ${what} (same PIM connection)${before.length > 0 ? `, queued after ${before.join(', ')}` : ''}  [${w.owner}]`;
    });
}

function fmtRunLine(r: { id: number; mode: string; status: string; startedAt: string; finishedAt: string | null; report: unknown }): string {
  const rep = r.report as Partial<RunReport> | null;
  const c = rep?.counts;
  const ms = r.finishedAt ? Date.parse(r.finishedAt) - Date.parse(r.startedAt) : null;
  const counts = c ? `${c.read} read, ${c.created} created, ${c.updated} updated, ${c.unchanged} unchanged, ${c.rejected} rejected, ${c.skipped} skipped, ${c.disabled ?? 0} disabled, ${c.deleted} deleted` : '';
  // A failed run says why on its own line of the history.
  const error = rep?.error ? `  error: ${rep.error.length > 160 ? `${rep.error.slice(0, 157)}…` : rep.error}` : '';
  return `#${r.id}  ${r.startedAt}  ${r.mode.padEnd(8)} ${r.status.padEnd(11)} ${ms !== null ? `${(ms / 1000).toFixed(1)}s`.padStart(8) : '       -'}  ${counts}${error}`;
}

/** ERP items above which a full `ferry sync` on a terminal starts with the estimate's line. */
const ESTIMATE_ABOVE_ITEMS = 10_000;

async function printLargeImportEstimate(config: FerryConfig): Promise<void> {
  try {
    const report = await estimateIfLarge(config, ESTIMATE_ABOVE_ITEMS);
    if (report) process.stderr.write(`${estimateLine(report.estimate)} — details: ferry estimate\n`);
  } catch {
    // An estimate is a courtesy: the run itself reports an unreachable ERP or PIM properly.
  }
}

export function registerSyncCommands(program: Command): void {
  withConfigOption(
    program
      .command('sync')
      .description('Bring what changed in the ERP into the PIM (delta from the last run by default).')
      .option('--full', 'read every ERP record (also detects items gone from the ERP)')
      .option('--since <iso>', 'read records changed since this date')
      .option('--keys <list>', 'only these ERP item keys (comma-separated)')
      .option('--category <code>', 'only items in this ERP category and its subcategories')
      .option('--dry-run', 'print the plan (counts per action; payloads with --keys), write nothing')
      .option('--verify', 'also read the PIM back and report drift on ERP-owned attributes')
      .option('--repair', 'with --verify: send the drifted values and missing entities again')
      .option('--yes', 'confirm the destructive steps: a product model whose family variant changes is deleted and created again (its products kept)')
      .option('--json', 'print one JSON object (runId, mode, status, counts, requests, durationMs)')
      .option('--no-progress', 'no progress bar even on a terminal')
      .option('--no-wait', "do not wait: refused at once while another tenant's run holds this PIM connection; with jobs.workers, enqueue the run and print its id"),
  ).action(async (o: SyncCliOptions) => {
    const options = syncOptionsFromFlags(o);
    const src = await connectionFrom(o);
    const config = connectionConfig(src);
    // jobs.workers: the run goes to the queue, `ferry worker` processes run it (a dry run writes nothing: it stays here).
    if (queuedRunsEnabled(config) && !options.dryRun) {
      const logger = createLogger({ level: process.env.FERRY_LOG_LEVEL ?? 'warn' }, process.stderr);
      await syncThroughQueue(config, options, o, logger);
      return;
    }
    const tty = process.stderr.isTTY === true && !o.json && o.progress !== false;
    // A terminal gets the bar and only warnings, as human lines; machines get every JSON line on stderr.
    const logger = process.stderr.isTTY === true ? createHumanLogger() : createLogger({ level: process.env.FERRY_LOG_LEVEL ?? 'info' }, process.stderr);
    // A full run of a large catalog on a terminal first says what to expect (ferry estimate, one line).
    if (tty && options.full && !options.dryRun) await printLargeImportEstimate(config);
    const bar = tty ? createProgressBar() : silentProgress;
    const started = Date.now();
    // SIGTERM / Ctrl-C end the run gracefully: the batches in flight settle, the report is stored
    // and printed, then the exit code says which signal (143 / 130). A second signal exits at once.
    const stop = new AbortController();
    let stoppedBy: NodeJS.Signals | null = null;
    const onSignal = (sig: NodeJS.Signals) => {
      const code = sig === 'SIGINT' ? 130 : 143;
      if (stoppedBy) process.exit(code);
      stoppedBy = sig;
      process.stderr.write(`\n${sig}: finishing the batches in flight and storing the report (${sig} again to quit at once)\n`);
      stop.abort(`${sig} received`);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    // The Console may ask to stop this run (its Cancel button): a row in the state (file or PostgreSQL), polled.
    let runId: number | null = null;
    let state: StateStore | undefined;
    let stopWatching = () => {};
    if (!options.dryRun) {
      state = announcingRunId(await openStateStore(config.state), (id) => (runId = id));
      stopWatching = watchRunCancel(state, () => runId, (by) => {
        process.stderr.write(`\nthe Console asked to stop this run (${by}): finishing the batches in flight and storing the report\n`);
        stop.abort(cancelReason(by));
      });
    }
    let report: RunReport;
    try {
      report = await runSync(config, {
        ...options,
        logger,
        onProgress: (p) => bar.update(p),
        signal: stop.signal,
        ...(state ? { state } : {}),
        ...(src.name ? { tenant: src.name } : {}),
        // Another tenant's run on this PIM connection: wait for it, saying so (--no-wait: refused at once).
        lockWait: {
          ...(o.wait === false ? { timeoutMs: 0 } : {}),
          onWaiting: (w) =>
            process.stderr.write(
              `waiting for ${w.waitingFor}${w.ahead.length > 0 ? ` (queued after ${w.ahead.join(', ')})` : ''}: same PIM connection; ` +
                `up to ${config.sync.lockWaitSeconds} s (sync.lockWaitSeconds), Ctrl-C to give up, --no-wait not to wait\n`,
            ),
        },
      });
    } catch (err) {
      // The run could not even start (PIM or ERP unreachable, credentials refused):
      // --json still gets its one object, with status failed.
      if (!o.json) throw err;
      const zero = { read: 0, created: 0, updated: 0, unchanged: 0, rejected: 0, skipped: 0, deleted: 0 };
      printJson({
        runId: null,
        mode: options.keys ? 'keys' : options.category ? 'category' : options.full ? 'full' : options.since ? 'since' : 'delta',
        status: 'failed',
        counts: zero,
        requests: { total: 0, writes: 0, retried: 0, throttled: 0 },
        durationMs: Date.now() - started,
        error: errorText(err),
      });
      process.exitCode = 1;
      return;
    } finally {
      stopWatching();
      await state?.close().catch(() => undefined);
      bar.stop();
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    }
    printReport(report, o.json === true);
    const signalled = stoppedBy as NodeJS.Signals | null;
    process.exitCode = signalled ? (signalled === 'SIGINT' ? 130 : 143) : exitCodeFor(report, { droppedValuesExit: config.sync.droppedValuesExitCode });
  });

  const runs = program
    .command('runs')
    .description('The history of sync runs.')
    .option('--last <n>', 'how many runs to list', '20')
    .option('--json', 'print JSON')
    .option('--state <path>', 'state database (default: from the config, else ./data/ferry.db)');
  withConfigOption(runs);
  runs.action(async (o: { last: string; json?: boolean; config?: string; connection?: string; state?: string }) => {
    const n = Number(o.last);
    if (!Number.isInteger(n) || n < 1) throw new UserError(`--last ${o.last} is not a positive whole number.`);
    const settings = await historySettings(o);
    const state = await stateFor(o, settings);
    try {
      const rows = await state.listRuns(n);
      // A run waiting its turn behind another tenant's has no history row yet: said above the history.
      const waiting = o.json ? [] : waitingLines(settings);
      if (o.json) printJson(rows.map((r) => ({ id: r.id, mode: r.mode, status: r.status, startedAt: r.startedAt, finishedAt: r.finishedAt, counts: (r.report as Partial<RunReport> | null)?.counts ?? null, error: (r.report as Partial<RunReport> | null)?.error ?? null })));
      else if (rows.length === 0) process.stdout.write([...waiting, 'No runs yet.'].join('\n') + '\n');
      else process.stdout.write([...waiting, ...rows.map(fmtRunLine)].join('\n') + '\n');
    } finally {
      await state.close();
    }
  });

  const show = runs
    .command('show <id>')
    .description("Print a run's report; --rejects exports its rejected records as CSV.")
    .option('--rejects', 'print the rejected records as CSV (for a spreadsheet)')
    .option('--json', 'print the full report as JSON')
    .option('--state <path>', 'state database (default: from the config, else ./data/ferry.db)');
  withConfigOption(show);
  show.action(async (id: string, own: { rejects?: boolean; json?: boolean; config?: string; connection?: string; state?: string }) => {
    // Options also defined on `runs` (--state, --config, --connection, --json) may land on either command.
    const parent = runs.opts<{ json?: boolean; config?: string; connection?: string; state?: string }>();
    const connection = own.connection ?? parent.connection;
    const o = { ...own, state: own.state ?? parent.state, config: own.config !== DEFAULT_CONFIG_FILE ? own.config : parent.config, json: own.json ?? parent.json, ...(connection !== undefined ? { connection } : {}) };
    const runId = Number(id.replace(/^#/, ''));
    if (!Number.isInteger(runId)) throw new UserError(`${id} is not a run id; ferry runs lists them.`);
    const state = await stateFor(o);
    try {
      const run = await state.getRun(runId);
      if (!run) throw new UserError(`run #${runId} does not exist; ferry runs lists the runs.`);
      if (o.rejects) {
        process.stdout.write(rejectsCsv(await state.getRejects(runId)));
        return;
      }
      if (o.json) {
        printJson({ ...run, records: await state.getRunRecords(runId) });
        return;
      }
      const report = run.report as RunReport | null;
      if (!report) process.stdout.write(`${fmtRunLine(run)}\n(no report: the run is ${run.status})\n`);
      else if (run.status === 'running') process.stdout.write(`Run #${run.id} is still running; its progress at the last heartbeat:\n${formatReport({ ...report, status: 'running' as never, interrupted: undefined })}\n`);
      else process.stdout.write(`${formatReport(report)}\n`);
    } finally {
      await state.close();
    }
  });

  program
    .command('quickstart')
    .description('Demo: a local PIM sandbox, the generated demo ERP, bootstrap, and a first full sync, with its report.')
    .option('--items <n>', 'items in the generated demo ERP', '500')
    .option('--data <dir>', 'where the demo ERP and the state live', './data')
    .option('--json', 'print the run summary as JSON')
    .option('--keep', 'keep the sandbox running after the sync (Ctrl-C to stop)')
    .action(async (o: { items: string; data: string; json?: boolean; keep?: boolean }) => {
      const items = Number(o.items);
      if (!Number.isInteger(items) || items < 1) throw new UserError(`--items ${o.items} is not a positive whole number.`);
      const tty = process.stderr.isTTY === true && !o.json;
      const bar = tty ? createProgressBar() : silentProgress;
      const say = (line: string) => {
        if (!o.json) process.stdout.write(`${line}\n`);
      };
      try {
        const report = await runQuickstart({
          items,
          dataDir: o.data,
          keep: o.keep === true,
          say,
          onProgress: (p: SyncProgress) => bar.update(p),
          onReport: (r: RunReport) => {
            bar.stop();
            printReport(r, o.json === true);
          },
        });
        process.exitCode = exitCodeFor(report);
      } finally {
        bar.stop();
      }
    });
}
