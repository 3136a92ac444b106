/**
 * What the stages of one run share: its inputs (deps, options), its id and the PIM's endpoint
 * mode once known, the outcome ledger, the findings the report lists (rejects, warnings, the
 * plan of a dry run, deletion, update-only and scope counts), the stop check and progress.
 * Every stage reads and adds to it; the run stage turns it into the report.
 */
import type { Logger } from 'pino';
import type { EngineDeps, SyncOptions, SyncProgress } from '../engine.js';
import type { EndpointMode } from '../diff.js';
import { Ledger } from '../ledger.js';
import type { PlanSummary, ReportReject, RunReport } from '../report.js';
import type { RejectRow } from '../state/port.js';
import type { FamilyVariantChanges } from '../family-variant-change.js';
import { abortReason, SyncInterruptedError } from './errors.js';
import type { ReferenceDataReport } from './references.js';

/** Rejects and warnings the report lists in full (the state keeps them all). */
const SHOWN = 200;

type PolicyKind = keyof NonNullable<RunReport['deletionRecords']>;

function emptyPlan(): PlanSummary {
  const mk = () => ({ create: 0, update: 0, unchanged: 0, delete: 0, skip: 0, reject: 0 });
  return { actions: { option: mk(), category: mk(), product_model: mk(), product: mk() } };
}

export class RunContext {
  readonly dryRun: boolean;
  readonly log: Logger | undefined;
  /** The run's row in the state (null in a dry run, and before the lock is taken). */
  runId: number | null = null;
  /** How the PIM addresses products (client.detect()). */
  mode: EndpointMode = 'uuid';
  /** Set when the run must stop for good (the PIM stopped answering). */
  stopError: Error | null = null;

  /** Every ERP record read, and the one outcome each ends in. */
  readonly ledger = new Ledger();
  readonly rejectsShown: ReportReject[] = [];
  readonly warnings: ReportReject[] = [];
  warningsTotal = 0;
  /** Records some of whose values the mapping dropped (with a warning) while the rest went through. */
  readonly partialRecords = new Set<string>();
  /** Dry run: what would be done, by entity type. */
  readonly plan = emptyPlan();
  readonly payloads: NonNullable<PlanSummary['payloads']> = [];
  readonly deletions: RunReport['deletions'];
  /** What the deletion policy did, by effect, with the first names (the report's lists). */
  readonly policyDone: NonNullable<RunReport['deletionRecords']> = {
    disabled: { count: 0, names: [] },
    uncategorized: { count: 0, names: [] },
    deleted: { count: 0, names: [] },
    gone: { count: 0, names: [] },
  };
  /** Update-only mode: entities unknown to the state found in the PIM / not found there. */
  readonly updateOnlyCounts = { foundInPim: 0, notInPim: 0 };
  /** --category: items read from the ERP outside the category (not counted, not sent). */
  outOfScope = 0;
  /** --keys: keys the ERP does not have. */
  keysNotFound: string[] = [];
  /** Items per group mapped in this run: why a group gave no product model depends on it. */
  readonly groupSizes = new Map<string, number>();
  /** Ledger keys of extra copies of duplicated rows (never queued for retry: the key they stand for is read anyway). */
  readonly duplicateKeys = new Set<string>();
  /** Rejects of rows whose key could not be read (their location stands in for it). */
  readonly unretriableKeys = new Set<string>();
  /** Family-variant changes (src/sync/family-variant-change.ts): set by the run once the endpoint mode is known. */
  fvChanges: FamilyVariantChanges | null = null;
  /** EE: what the reference data stage (references.ts) did to records and assets; null when the mapping has none. */
  referenceData: ReferenceDataReport | null = null;

  constructor(
    readonly deps: EngineDeps,
    readonly opts: SyncOptions,
  ) {
    this.dryRun = opts.dryRun === true;
    this.log = deps.logger;
    this.deletions = { policy: deps.settings.deletion, gone: 0, applied: 0, failed: 0 };
  }

  /**
   * Whether the source only sees its current input (the files adapter: a drop file moved to
   * done/ is never read again), so the records of a group must be kept to map it whole later.
   */
  get inputOnly(): boolean {
    return this.deps.source.kind === 'files';
  }

  /** Throws when the run was asked to stop: called wherever new work would start. */
  checkAbort(): void {
    if (this.stopError) throw this.stopError;
    const signal = this.opts.signal;
    if (signal?.aborted) throw new SyncInterruptedError(abortReason(signal));
  }

  progress(phase: SyncProgress['phase']): void {
    this.opts.onProgress?.({ phase, read: this.ledger.size, settled: this.ledger.settledCount() });
  }

  /** A reject for the report's list (the first ones; the state keeps them all through addRejects). */
  showReject(item: ReportReject): void {
    if (this.rejectsShown.length < SHOWN) this.rejectsShown.push(item);
  }

  showWarning(item: ReportReject): void {
    this.warningsTotal++;
    if (this.warnings.length < SHOWN) this.warnings.push(item);
  }

  notePolicy(kind: PolicyKind, name: string): void {
    const entry = this.policyDone[kind];
    entry.count++;
    if (entry.names.length < 50) entry.names.push(name);
  }

  /** Stores rejects with the run (not in a dry run). */
  async addRejects(rows: RejectRow[]): Promise<void> {
    if (this.dryRun || this.runId === null || rows.length === 0) return;
    await this.deps.state.addRejects(rows.map((r) => ({ ...r, runId: this.runId! })));
  }
}
