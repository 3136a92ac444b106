/**
 * The sync engine: ERP → mapping → diff against state → ordered, pipelined batch writes →
 * per-line outcomes committed to state → report. It knows no adapter, no SQL and no HTTP:
 * it gets an ErpSource, a Mapper, a StateStore and the PIM client's write surface.
 *
 * `executeSync` composes the stages of src/sync/stages/, one job each:
 * - run.ts: the run's lifecycle (lock, heartbeat, watermarks, outcomes stored, report);
 * - reading.ts: the ERP streams in scope, whole groups;
 * - planning.ts: mapped entities diffed against the state → tasks (with adoption.ts for
 *   update-only, collisions.ts, deletions.ts for the deletion policy);
 * - media.ts: media sources read, uploaded once per content;
 * - applying.ts: the scheduler's batches, per-line settlement, failure classes.
 *
 * Invariants (each is tested):
 * - every ERP record read ends in exactly one outcome; the counts add up;
 * - an unchanged entity costs zero requests; a changed one carries only its changed values;
 * - a child is sent only after its parent succeeded, and is held (rejected, with the reason)
 *   when the parent failed;
 * - a product's uuid is reserved in the state before its first write, so a run killed
 *   mid-way never creates a duplicate when the next run resends it;
 * - watermarks move only at the end of a run that settled every record it read.
 */
import type { Logger } from 'pino';
import type { ErpSource } from '../erp/port.js';
import type { ReferenceDataCollector } from '../mapping/reference-data.js';
import type { Mapper } from '../mapping/types.js';
import type { HeldLock } from './lock.js';
import type { MediaReader } from './media-source.js';
import type { SyncPimClient } from './pim.js';
import type { RunReport } from './report.js';
import type { StateStore } from './state/port.js';
import { planGone } from './stages/deletions.js';
import { planOptionLabels } from './stages/option-labels.js';
import { ReferenceDataStage } from './stages/references.js';
import { SyncRun } from './stages/run.js';
import type { ItemGroup, RunPart } from './shards.js';
import type { VerifyAttribute } from './verify.js';

export { groupSkipReason } from './stages/run.js';

export type DeletionPolicy = 'ignore' | 'disable' | 'uncategorize' | 'delete';

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
  /** EE: the records and assets the items name (mapping.referenceEntities / assetFamilies), written before the products. */
  referenceData?: ReferenceDataCollector;
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
  /** Read exactly these ERP category keys (the Console's retry of rejected categories), also alongside `keys`. */
  categoryKeys?: string[];
  /** A dry run keeps the bodies it would send (plan.payloads) in every mode, up to this many (with --keys: all). */
  planPayloadLimit?: number;
  /**
   * The destructive steps are confirmed (`ferry sync --yes`): a product model whose family
   * variant changes is deleted and created again (its products detached first, then attached
   * again). Without it such a model is rejected with how to go on.
   */
  confirmDestructive?: boolean;
  /**
   * Part of a run spread over workers by the job queue (src/sync/shards.ts): the caller holds the
   * run lock and the run's row; the plan hands over the item keys in scope, a shard syncs `keys`.
   */
  part?: RunPart;
}

/**
 * One sync run: the steps of README's "How a sync works", each a stage. Any error or stop
 * request ends the steps early; `end` then settles what is in flight and writes the report.
 */
export async function executeSync(deps: EngineDeps, options: SyncOptions = {}): Promise<RunReport> {
  const run = await SyncRun.open(deps, options);
  try {
    await run.begin();
    const resend = await run.verify();
    const part = options.part;
    // A queued run's plan reads the item keys while the categories are written (the shards need
    // them, its key read does not): the categories' round trips are off the shards' start.
    const { allowed, written } = await syncCategories(run, part?.role === 'plan');
    if (part?.role === 'plan') {
      const onPlan = part.onPlan;
      await planItems(run, resend, allowed, written, async (groups) => {
        await run.moveWatermarks();
        await onPlan({ groups, watermarks: run.nextWatermarks() });
      });
    } else {
      await written;
      await syncItems(run, resend, allowed);
      await run.moveWatermarks();
    }
  } catch (err) {
    run.stopped(err);
  }
  return run.end();
}

/**
 * Categories first (unless --keys): read, mapped, diffed and written, all settled before any item
 * refers to them. Returns the --category subtree and when the writes settled: awaited here unless
 * `inBackground` (the caller awaits `written` before anything refers to them).
 */
async function syncCategories(run: SyncRun, inBackground = false): Promise<{ allowed: ReadonlySet<string> | null; written: Promise<void> }> {
  const { ctx, reading, planning, applying, scope } = run;
  if (scope.mode === 'keys' && !run.ctx.opts.categoryKeys?.length) return { allowed: null, written: Promise.resolve() };
  ctx.checkAbort();
  applying.begin();
  const read = await reading.readCategories(scope.categorySince);
  if (read.records.length > 0) applying.add(await planning.planCategories(read.records));
  const written = ctx.dryRun ? Promise.resolve() : applying.finish();
  if (!inBackground) await written;
  // Awaited later: never an unhandled rejection meanwhile.
  else written.catch(() => undefined);
  return { allowed: read.allowed, written };
}

/**
 * The plan part of a queued run: options as a one-process run sends them, then the items in scope
 * read (with their whole groups) for their keys only and handed to `planned` — the shards sync
 * them —, then a full run's deletions, which need every key the ERP has but no shard waits for
 * (they touch only products no item in scope names).
 */
async function planItems(run: SyncRun, resend: string[], allowed: ReadonlySet<string> | null, categoriesWritten: Promise<void>, planned: (groups: ItemGroup[]) => Promise<void>): Promise<void> {
  const { ctx, applying, scope } = run;
  ctx.checkAbort();
  applying.begin();
  if (scope.mode !== 'keys') await applying.feed(await planOptionLabels(ctx, run.planned));
  const read = await run.readItemKeys({ mode: scope.mode, since: scope.since, groupSince: scope.groupSince, extraItemKeys: resend, allowed });
  // Before any deletion policy and before the shards: every category is in the PIM.
  await categoriesWritten;
  const groups: ItemGroup[] = [];
  for (const part of read.index.chunks(1000)) for (const [key, items] of part) groups.push({ key, items: items.map((i) => i.key) });
  await planned(groups);
  if (scope.mode === 'full' && !ctx.opts.category) {
    for await (const tasks of planGone(ctx, read.seenItemKeys)) await applying.feed(tasks);
    if (!ctx.dryRun && !ctx.inputOnly) await ctx.deps.state.pruneGroupMembers('items', read.seenItemKeys);
  }
  if (!ctx.dryRun) await applying.finish();
  ctx.progress('done');
}

/**
 * Items: read in scope with their whole groups; then, a chunk of groups at a time, mapped,
 * diffed against the state and fed to the batches as planned; then a full run's deletions.
 */
async function syncItems(run: SyncRun, resend: string[], allowed: ReadonlySet<string> | null): Promise<void> {
  const { ctx, reading, planning, applying, scope } = run;
  const { opts } = ctx;
  ctx.checkAbort();
  applying.begin();
  // Options as the ERP labels them, in the items' phase: items wait for the options they use.
  if (scope.mode !== 'keys') await applying.feed(await planOptionLabels(ctx, run.planned));
  const read = await reading.readItems({ mode: scope.mode, since: scope.since, groupSince: scope.groupSince, extraItemKeys: resend, allowed });
  const shard = opts.part?.role === 'shard' ? opts.part : null;
  // A shard retried: what its earlier attempt created stays created (asked before anything is written).
  if (shard?.createdEarlier && !ctx.dryRun) {
    const earlier = await shard.createdEarlier([...ctx.ledger.records()]);
    ctx.ledger.keepCreated(earlier.created, earlier.unconfirmed, earlier.updated);
  }
  ctx.progress('items');
  const references = ctx.deps.referenceData ? new ReferenceDataStage(ctx, ctx.deps.referenceData) : null;
  for (const part of read.index.chunks(opts.groupChunk ?? 200)) {
    ctx.checkAbort();
    // Records and assets the chunk's products link are settled before the products are planned.
    if (references) await references.write(part.flatMap(([, items]) => items), read.groups);
    await applying.feed(await planning.planGroups(part, read.groups, read.inPim));
    ctx.progress('items');
    // Let the event loop deliver batch answers between chunks: the state store may be
    // synchronous (SQLite), and without this the planner would starve the pipeline.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  // The settle applies a queued full run's deletion policy to what no shard's items named, and
  // counts a record or asset several shards met once.
  if (references && shard?.onReferenceData) shard.onReferenceData({ named: references.namedCodes(), outcomes: references.outcomesByCode() });
  if (scope.mode === 'full' && !opts.category) {
    for await (const tasks of planGone(ctx, read.seenItemKeys)) await applying.feed(tasks);
    if (references && !ctx.inputOnly) await references.gone();
    // Items gone from the ERP are no group's members any more (a drop folder is never the whole ERP).
    if (!ctx.dryRun && !ctx.inputOnly) await ctx.deps.state.pruneGroupMembers('items', read.seenItemKeys);
  }
  if (!ctx.dryRun) await applying.finish();
  ctx.progress('done');
}
