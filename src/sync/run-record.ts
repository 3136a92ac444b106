/**
 * What a run leaves in the history besides the engine's own report: a run that fails before
 * the engine starts (the PIM unreachable while its structure is read) is still a run of the
 * history, with its error; and the ERP adapter's warnings (e.g. Tryton's fuzzy translations)
 * are kept in the report instead of reaching only stderr.
 */
import type { Logger } from '../logging.js';
import { scrubSecrets } from '../logging.js';
import { emptyCounts, type RunReport, type SyncMode } from './report.js';
import type { SyncOptions } from './engine.js';
import type { StateStore } from './state/port.js';

/** At most this many adapter warnings are kept in a report (with the total). */
const MAX_WARNINGS = 100;

export function modeOf(o: SyncOptions): SyncMode {
  if (o.keys && o.keys.length > 0) return 'keys';
  if (o.category) return 'category';
  if (o.full) return 'full';
  if (o.since) return 'since';
  return 'delta';
}

const BUILTIN_ERRORS = new Set(['Error', 'TypeError', 'RangeError', 'ReferenceError', 'SyntaxError']);

function errorText(err: unknown): string {
  const plain = err instanceof Error && err.toString === Error.prototype.toString && !BUILTIN_ERRORS.has(err.name);
  return scrubSecrets(plain ? (err as Error).message : String(err));
}

/**
 * The report of a run (or a queued run's part) that wrote nothing: zero counts, no request. The
 * caller says why (status, and `error` or `interrupted`).
 */
export function emptyRunReport(runId: number | null, mode: SyncMode, status: RunReport['status'], startedAt: Date, dryRun = false): RunReport {
  const finishedAt = new Date();
  const zero = () => emptyCounts();
  return {
    runId,
    mode,
    status,
    dryRun,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: finishedAt.getTime() - startedAt.getTime(),
    counts: zero(),
    byType: { category: zero(), product_model: zero(), product: zero() },
    requests: { total: 0, writes: 0, retried: 0, throttled: 0 },
    batches: {},
    rejects: [],
    warnings: [],
    warningsTotal: 0,
    deletions: { policy: 'ignore', gone: 0, applied: 0, failed: 0 },
    watermarks: { before: {}, after: {} },
  };
}

/** Stores a failed run for an error raised before the engine could start, and returns its report. */
export async function recordFailedStart(state: StateStore, options: SyncOptions, startedAt: Date, err: unknown): Promise<RunReport> {
  const mode = modeOf(options);
  const report: RunReport = { ...emptyRunReport(null, mode, 'failed', startedAt, options.dryRun === true), error: `before reading the ERP: ${errorText(err)}` };
  // A part of a queued run has its run row already: the job fails, the queue retries it.
  if (options.dryRun || options.part) return report;
  report.runId = await state.startRun(mode, { full: options.full, since: options.since, keys: options.keys, category: options.category });
  await state.finishRun(report.runId, 'failed', report);
  return report;
}

export interface WarningCollector {
  logger: Logger;
  /** The messages collected so far (first MAX_WARNINGS) and how many there were. */
  take(): { messages: string[]; total: number };
}

/**
 * A logger that logs as `logger` does and also keeps every warning's message (and its child
 * loggers do the same), for the run report.
 */
export function collectWarnings(logger: Logger): WarningCollector {
  const messages: string[] = [];
  let total = 0;
  const keep = (args: unknown[]) => {
    total++;
    if (messages.length >= MAX_WARNINGS) return;
    const msg = args.find((a) => typeof a === 'string') ?? (args[0] as { msg?: string } | undefined)?.msg ?? '(warning without a message)';
    messages.push(scrubSecrets(String(msg)));
  };
  const wrap = (target: Logger): Logger =>
    new Proxy(target, {
      get(obj, prop, receiver) {
        if (prop === 'warn') {
          return (...args: unknown[]) => {
            keep(args);
            return (obj.warn as (...a: unknown[]) => void)(...args);
          };
        }
        if (prop === 'child') return (...args: unknown[]) => wrap((obj.child as unknown as (...a: unknown[]) => Logger)(...args));
        const v = Reflect.get(obj, prop, receiver) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(obj) : v;
      },
    });
  return { logger: wrap(logger), take: () => ({ messages: [...messages], total }) };
}
