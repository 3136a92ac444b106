/**
 * Applying: planned tasks go through the scheduler (batches of ≤100 per lane, in dependency
 * order, pipelined), each line's answer is settled (state row committed, outcome in the ledger)
 * as it arrives, and failures are classed: retried (transient, no answer, a missing option or
 * parent the run can still create, a SKU already in the PIM), held (a parent failed) or rejected
 * with a message in business words.
 *
 * Needs only the PIM client, the state store and the run context: a worker running one shard of
 * a planned run feeds it that shard's tasks.
 */
import type { ValidationErrorItem } from '../../akeneo/model.js';
import { classifyLine, describeRejection } from '../classify.js';
import { productUuidFor } from '../product-uuid.js';
import type { ReportReject } from '../report.js';
import { Scheduler, type LineResult, type Verdict } from '../scheduler.js';
import type { EntityState, RejectRow } from '../state/port.js';
import type { RunContext } from './context.js';
import { errorText, isFatal, isNetworkError } from './errors.js';
import type { MediaUploads } from './media.js';
import type { PimWatch } from './pim-watch.js';
import type { PlannedIds } from './planned.js';
import { AWAIT_OPTION_LANE, type SettledNotes, type SyncTask, type TaskCtx } from './tasks.js';

const MAX_TRANSIENT_ATTEMPTS = 4;
const MAX_CONSECUTIVE_BATCH_FAILURES = 6;
/**
 * How long a shard waits for an option another shard claimed (it may wait its turn behind other
 * option writes at 3/s) before writing the option itself: the other shard may have died or failed.
 */
const AWAIT_OPTION_MS = 20_000;
const AWAIT_OPTION_POLL_MS = 200;

export class Applier implements SettledNotes {
  private scheduler!: Scheduler<TaskCtx>;
  private readonly schedulers: Scheduler<TaskCtx>[] = [];
  private consecutiveBatchFailures = 0;

  constructor(
    private readonly ctx: RunContext,
    private readonly pim: PimWatch,
    private readonly media: MediaUploads,
    private readonly planned: PlannedIds,
  ) {}

  /** Starts a phase: a fresh scheduler, so a phase's tasks all settle before the next one's (categories before items). */
  begin(): void {
    const { opts } = this.ctx;
    this.scheduler = new Scheduler<TaskCtx>(
      {
        send: (lane, tasks) => this.send(lane, tasks),
        settle: (tasks, results) => this.settle(tasks, results),
        batchFailed: (tasks, err) => this.batchFailed(tasks, err),
        held: (task, reason) => this.held(task, reason),
      },
      {
        maxInFlight: opts.maxInFlight ?? 8,
        highWater: opts.highWater ?? 5000,
        // Only options, categories and product models can be parents.
        isDependable: (id) => id.startsWith('option:') || id.startsWith('category:') || id.startsWith('product_model:') || this.media.isOwner(id),
      },
    );
    this.schedulers.push(this.scheduler);
  }

  /** Adds tasks at once (a phase whose size is bounded, like the category tree). */
  add(tasks: readonly SyncTask[]): void {
    for (const t of tasks) this.scheduler.add(t);
  }

  /** Adds tasks under back-pressure: the producer waits while the pipeline is full. Options go in at once. */
  async feed(tasks: readonly SyncTask[]): Promise<void> {
    const scheduler = this.scheduler;
    for (const t of tasks) {
      if (t.ctx.type !== 'option') await scheduler.capacity();
      scheduler.add(t);
    }
  }

  /** Resolves when every task of the phase settled. */
  finish(): Promise<void> {
    return this.scheduler.finish();
  }

  markSettled(id: string, ok: boolean, reason?: string): void {
    this.scheduler.markSettled(id, ok, reason);
  }

  /** Sends nothing more; the batches in flight settle (at most graceMs when given). */
  async stop(reason: unknown, graceMs?: number): Promise<void> {
    await Promise.all(this.schedulers.map((sch) => sch.stop(reason, graceMs)));
  }

  /** Batches sent per lane, over all phases. */
  batchesSent(): Record<string, number> {
    const batches: Record<string, number> = {};
    for (const sch of this.schedulers) for (const [lane, n] of sch.batchesSent) if (!lane.startsWith(AWAIT_OPTION_LANE)) batches[lane] = (batches[lane] ?? 0) + n;
    return batches;
  }

  private async send(lane: string, tasks: SyncTask[]): Promise<LineResult[]> {
    const { client } = this.ctx.deps;
    const payloads = tasks.map((t) => t.payload);
    let results;
    if (lane === 'product') results = await client.products.upsertMany(payloads as never[]);
    else if (lane === 'product_model') results = await client.productModels.upsertMany(payloads as never[]);
    else if (lane === 'category') results = await client.categories.upsertMany(payloads as never[]);
    else if (lane.startsWith('option:')) results = await client.attributeOptions(lane.slice('option:'.length)).upsertMany(payloads as never[]);
    else if (lane.startsWith(AWAIT_OPTION_LANE)) return this.awaitOptions(tasks);
    else if (lane === 'delete:product') return Promise.all(tasks.map((t) => this.deleteOne(t)));
    else if (lane === 'media') return Promise.all(tasks.map((t) => this.media.upload(t)));
    else throw new Error(`unknown lane ${lane}`);
    const out: LineResult[] = tasks.map(() => ({ outcome: 'failed', status: 0, message: 'no result line for this record' }));
    for (const r of results) {
      out[r.index] = { outcome: r.outcome, status: r.status, message: r.message, errors: r.errors, uuid: r.uuid, ...(r.resent ? { resent: true } : {}) };
    }
    // Every line without an HTTP status: the request never got an answer (the client turns a
    // network error of a batch call into such lines).
    if (out.length > 0 && out.every((r) => r.outcome === 'failed' && r.status === 0)) this.pim.silent(out[0]!.message ?? 'no answer');
    else this.pim.answered();
    return out;
  }

  /**
   * Options another shard of the run claimed: no request, the state is asked until it says they
   * are written (then their dependents go), or AWAIT_OPTION_MS is over (settle then writes them).
   */
  private async awaitOptions(tasks: SyncTask[]): Promise<LineResult[]> {
    const codes = tasks.map((t) => t.ctx.code);
    const part = this.ctx.opts.part;
    const deadline = Date.now() + ((part?.role === 'shard' ? part.awaitOptionMs : undefined) ?? AWAIT_OPTION_MS);
    for (;;) {
      const stored = await this.ctx.deps.state.getEntities('option', codes);
      const written = new Set([...stored.values()].filter((row) => row.status === 'synced').map((row) => row.code));
      const over = Date.now() >= deadline || this.ctx.opts.signal?.aborted === true;
      if (over || codes.every((c) => written.has(c))) {
        return codes.map((c): LineResult => (written.has(c) ? { outcome: 'updated', status: 200 } : { outcome: 'failed', status: 0, message: 'not written by the shard that claimed it' }));
      }
      await new Promise((resolve) => setTimeout(resolve, AWAIT_OPTION_POLL_MS));
    }
  }

  /** An awaited option: written by the other shard, or (it did not) written by this one now. */
  private awaited(task: SyncTask, r: LineResult): Verdict {
    if (r.outcome !== 'failed') return { kind: 'ok' };
    const option = task.ctx.option!;
    task.lane = `option:${option.attribute}`;
    task.ctx.awaitOnly = false;
    this.ctx.plan.actions.option!.create++;
    this.ctx.log?.info({ runId: this.ctx.runId, option: task.ctx.code }, 'the shard that claimed this option did not write it in time: this shard writes it');
    return { kind: 'retry' };
  }

  private async deleteOne(t: SyncTask): Promise<LineResult> {
    const id = this.ctx.mode === 'uuid' ? t.ctx.pimId : t.ctx.code;
    try {
      await this.ctx.deps.client.products.delete(id ?? t.ctx.code);
      return { outcome: 'updated', status: 204 };
    } catch (err) {
      const status = (err as { status?: number }).status ?? 0;
      if (status === 404) return { outcome: 'updated', status: 404 }; // already gone
      if (isNetworkError(err)) {
        this.pim.silent(errorText(err));
        return { outcome: 'failed', status: 0, message: errorText(err) };
      }
      return { outcome: 'failed', status, message: errorText(err) };
    }
  }

  private async settle(tasks: SyncTask[], results: LineResult[]): Promise<Verdict[]> {
    const { ctx } = this;
    this.consecutiveBatchFailures = 0;
    const rows: EntityState[] = [];
    const rejects: RejectRow[] = [];
    const verdicts: Verdict[] = [];
    // Collected only for a shard that keeps them (ShardHooks.onWritten): a one-process run builds nothing.
    const onWritten = ctx.opts.part?.role === 'shard' ? ctx.opts.part.onWritten : undefined;
    const written: { stream: string; key: string; outcome: 'created' | 'updated' }[] | null = onWritten ? [] : null;
    for (let i = 0; i < tasks.length; i++) {
      const task = tasks[i]!;
      const r = results[i]!;
      const c = task.ctx;
      if (c.awaitOnly) {
        verdicts.push(this.awaited(task, r));
        continue;
      }
      if (r.outcome !== 'failed') {
        if (c.type === 'option') {
          rows.push({ type: 'option', code: c.code, pimId: null, originStream: 'attributes', originKey: c.option!.attribute, groupKey: null, hashes: c.nextHashes, erpVersion: null, status: 'synced' });
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
        if (c.effect === 'policy' && (c.statusAfter === 'disabled' || c.statusAfter === 'uncategorized' || c.statusAfter === 'deleted')) ctx.notePolicy(c.statusAfter, c.label);
        if (c.gone) ctx.deletions.applied++;
        else if (c.origin) {
          // A create whose first attempt the PIM wrote but answered with a 5xx (or not at all) is
          // answered "updated" on retry: it is still the create it was.
          // A product under Ferry's own uuid (derived from its identifier) can only be in the PIM
          // because Ferry wrote it: in this run (the client's own retry after a 5xx), or in a run
          // that died before recording it (whose counts never had it). Either way, a create.
          const ownUuid = c.type === 'product' && ctx.mode === 'uuid' && c.pimId !== null && c.pimId === productUuidFor(c.code);
          // The same for every entity the client resent within one call (a 500 after the write,
          // answered "updated" on the resend): the state says Ferry never wrote it (a planned
          // create), so the plan decides, not the status code of the second attempt.
          const answered = c.create && r.outcome === 'updated' && (c.maybeWritten || ownUuid || r.resent === true) ? 'created' : r.outcome;
          const outcome = c.effect === 'policy' ? (c.statusAfter === 'disabled' ? 'disabled' : 'deleted') : task.lane === 'media' ? (r.status === 304 ? 'unchanged' : 'updated') : answered;
          const reason = c.effect === 'policy' ? `${c.statusAfter} in the PIM (deletion policy ${ctx.deps.settings.deletion})` : null;
          ctx.ledger.settle(c.origin.stream, c.origin.key, outcome, reason);
          if (written && (outcome === 'created' || outcome === 'updated')) written.push({ stream: c.origin.stream, key: c.origin.key, outcome });
        }
        verdicts.push({ kind: 'ok' });
        continue;
      }
      const verdict = await this.handleFailure(task, r, rejects);
      verdicts.push(verdict);
    }
    // Commit what the PIM confirmed, as it arrives: a crash after this line loses nothing.
    if (rows.length > 0) await ctx.deps.state.saveEntities(rows);
    // A shard's retry counts what this attempt wrote as written, not unchanged (ShardHooks.onWritten: not awaited, off the batches' path).
    if (written?.length) onWritten?.(written);
    if (rejects.length > 0) await ctx.addRejects(rejects);
    ctx.progress('items');
    return verdicts;
  }

  /** A failed line: retried, or rejected with its problems (added to `rejects`). */
  private async handleFailure(task: SyncTask, r: LineResult, rejects: RejectRow[]): Promise<Verdict> {
    const { ctx } = this;
    const c = task.ctx;
    const errors = (r.errors ?? []) as ValidationErrorItem[];
    const problem = classifyLine(r.status, r.message, errors);
    if (r.status === 0 || r.status >= 500) c.maybeWritten = true;
    if (r.status === 0 && this.pim.silentSince !== null) {
      // The PIM does not answer at all: not this record's fault. Retried until the PIM answers
      // again or sync.pimUnreachableSeconds is over (then the whole run fails).
      return { kind: 'retry', delayMs: Math.min(1000 * 2 ** Math.min(task.attempts, 4), 15_000) };
    }
    if (problem.kind === 'transient' && task.attempts < MAX_TRANSIENT_ATTEMPTS) {
      return { kind: 'retry', delayMs: 250 * 2 ** task.attempts };
    }
    if (problem.kind === 'missing_option' && task.attempts < 2 && c.type !== 'option') {
      const created: SyncTask[] = [];
      const ids = problem.codes.map((code) => this.planned.option({ kind: 'option', attribute: problem.attribute, code, labels: {}, erpValue: code }, created));
      this.add(created);
      return { kind: 'retry', deps: ids };
    }
    if (problem.kind === 'missing_parent' && task.attempts < 2) {
      const parentId = `product_model:${problem.parent}`;
      const settled = this.scheduler.isSettled(parentId);
      if (this.planned.has(parentId) && (!settled || settled.ok)) return { kind: 'retry', deps: [parentId], delayMs: settled ? 200 : 0 };
    }
    if (problem.kind === 'duplicate_identifier' && ctx.mode === 'uuid' && c.type === 'product' && task.attempts < 2) {
      const existing = await this.findUuid(c.code).catch(() => null);
      if (existing && existing !== c.pimId) {
        // The SKU is already in the PIM (created outside Ferry, or before the state was reset): adopt it.
        c.pimId = existing;
        task.payload = { ...task.payload, uuid: existing };
        await ctx.deps.state.saveEntities([
          { type: 'product', code: c.code, pimId: existing, originStream: c.origin?.stream ?? 'items', originKey: c.origin?.key ?? c.code, groupKey: c.groupKey, hashes: {}, erpVersion: null, status: 'pending' },
        ]);
        return { kind: 'retry' };
      }
    }
    const problems = describeRejection(c.type, c.label, r.status, r.message, errors);
    const first = problems[0]!;
    if (c.gone) {
      ctx.deletions.failed++;
    } else if (c.origin) {
      ctx.ledger.settle(c.origin.stream, c.origin.key, 'rejected', first.message);
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
      ctx.showReject(item);
      rejects.push({ ...item, runId: ctx.runId ?? 0, payload: task.payload, errors: r.errors ?? (r.message ? [{ message: r.message }] : []) });
    }
    ctx.log?.warn({ runId: ctx.runId, type: c.type, code: c.code, status: r.status, problem: first.message }, 'record rejected');
    return { kind: 'failed', reason: first.message };
  }

  private async findUuid(identifier: string): Promise<string | null> {
    const { client, mapper } = this.ctx.deps;
    const search = JSON.stringify({ [mapper.identifierAttribute]: [{ operator: 'IN', value: [identifier] }] });
    for await (const p of client.products.list({ search, limit: 10 })) {
      if (typeof p.uuid === 'string') return p.uuid;
    }
    return null;
  }

  private async batchFailed(tasks: SyncTask[], err: unknown): Promise<Verdict[]> {
    const { ctx } = this;
    if (isFatal(err)) throw err;
    const status0 = (err as { status?: number }).status ?? 0;
    if (status0 === 0 || status0 >= 500) for (const t of tasks) t.ctx.maybeWritten = true;
    if (isNetworkError(err)) {
      // No answer at all: retried until the PIM answers or sync.pimUnreachableSeconds is over.
      this.pim.silent(errorText(err));
      ctx.log?.warn({ runId: ctx.runId, lane: tasks[0]?.lane, lines: tasks.length, err: errorText(err) }, 'batch got no answer; retrying its lines');
      return tasks.map((t) => ({ kind: 'retry' as const, delayMs: Math.min(1000 * 2 ** Math.min(t.attempts, 4), 15_000) }));
    }
    this.consecutiveBatchFailures++;
    if (this.consecutiveBatchFailures >= MAX_CONSECUTIVE_BATCH_FAILURES) {
      throw new Error(`the PIM failed ${this.consecutiveBatchFailures} batches in a row; last error: ${errorText(err)}`);
    }
    ctx.log?.warn({ runId: ctx.runId, lane: tasks[0]?.lane, lines: tasks.length, err: errorText(err) }, 'batch failed; retrying its lines');
    const status = (err as { status?: number }).status ?? 0;
    const rejects: RejectRow[] = [];
    const verdicts: Verdict[] = [];
    for (const t of tasks) {
      if (t.attempts < MAX_TRANSIENT_ATTEMPTS) verdicts.push({ kind: 'retry', delayMs: 500 * 2 ** t.attempts });
      else verdicts.push(await this.handleFailure(t, { outcome: 'failed', status: status >= 400 && status < 500 ? status : 503, message: errorText(err) }, rejects));
    }
    if (rejects.length > 0) await ctx.addRejects(rejects);
    return verdicts;
  }

  /** A task never sent because something it depends on failed (or update-only skipped it). */
  private async held(task: SyncTask, reason: string): Promise<void> {
    const { ctx } = this;
    const c = task.ctx;
    const skip = reason.includes('update-only');
    const message = `${c.type === 'product' ? 'SKU' : c.type === 'product_model' ? 'Product model' : c.type} ${c.label} was not sent because ${reason}`;
    if (c.gone) {
      ctx.deletions.failed++;
      return;
    }
    if (!c.origin) return;
    ctx.ledger.settle(c.origin.stream, c.origin.key, skip ? 'skipped' : 'rejected', message);
    if (skip) return;
    const item: ReportReject = { stream: c.origin.stream, key: c.origin.key, entityType: c.type, label: c.label, message, fix: 'Fix the parent first (see its own reject); this record is retried on the next run.' };
    ctx.showReject(item);
    await ctx.addRejects([{ ...item, runId: ctx.runId ?? 0, payload: task.payload }]);
  }
}
