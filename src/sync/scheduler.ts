/**
 * The apply pipeline: batches of ≤100 writes, sent in dependency order, several in flight
 * at once so the client's rate governor always has work for every slot it may use.
 *
 * - Lanes: one per batchable endpoint (options of one attribute, categories, product models,
 *   products). A lane's rank orders them: options → categories → root models → sub-models →
 *   products. A batch only ever holds one lane.
 * - Dependencies: a task names the ids it waits for (its parent model, the options it uses).
 *   It becomes ready when they all succeeded, and is held with the reason when one failed.
 * - Full batches go first. A partial batch is sent only when the producer has nothing more
 *   to add right now (finished, or paused by back-pressure), so a delta run of N changes
 *   costs ceil(N/100) requests per lane, not one request per trickle. Then (finished or
 *   paused), a lane whose tasks still wait for parents in flight keeps its partial batch
 *   until they join it (or nothing is in flight any more): the tail of a run — and a small
 *   run such as a queued run's shard, all tail — sends root models, sub-models and products
 *   in one batch per 100 each, not a trickle of half-empty batches as each parent settles.
 * - Nothing to send while the producer still plans: once it yields (after a chunk of adds), a
 *   partial batch that other tasks wait for goes at once (with the other such batches, never
 *   beside a full one). A shard's first options
 *   are never a full batch, and its models and products cannot start without them: held until
 *   the producer finished, they kept a queued run's shards idle for seconds at their start.
 * - Back-pressure: the producer awaits `capacity()` so memory stays bounded however big
 *   the catalog is.
 */

export interface Task<C = unknown> {
  /** Id others may depend on: `product_model:CODE`, `option:color:red`, … */
  id: string;
  lane: string;
  rank: number;
  deps: string[];
  payload: Record<string, unknown>;
  attempts: number;
  ctx: C;
}

export interface LineResult {
  outcome: 'created' | 'updated' | 'failed';
  status: number;
  message?: string;
  errors?: unknown[];
  uuid?: string;
  /** The client resent the request after an attempt the PIM may have processed. */
  resent?: boolean;
}

export type Verdict =
  | { kind: 'ok' }
  | { kind: 'failed'; reason: string }
  | { kind: 'retry'; deps?: string[]; delayMs?: number };

export interface SchedulerHooks<C> {
  /** Sends one batch; returns one result per task, in order. Throws for a whole-request failure. */
  send(lane: string, tasks: Task<C>[]): Promise<LineResult[]>;
  /** Decides each line's fate (commits state for successes). Called once per batch. */
  settle(tasks: Task<C>[], results: LineResult[]): Promise<Verdict[]>;
  /** A whole batch failed: retry it (after a delay), fail its lines, or abort the run (throw). */
  batchFailed(tasks: Task<C>[], error: unknown): Promise<Verdict[]>;
  /** A task was held because a dependency failed; it will never be sent. */
  held(task: Task<C>, reason: string): Promise<void> | void;
}

export interface SchedulerOptions {
  batchSize?: number;
  /** Batches in flight at once (the client governor queues what exceeds its own concurrency). */
  maxInFlight?: number;
  /** Pending tasks above which the producer is paused. */
  highWater?: number;
  /**
   * Whether anything may depend on this id. Outcomes of ids nothing depends on (products)
   * are not remembered, so memory does not grow with the catalog.
   */
  isDependable?: (id: string) => boolean;
}

interface Settled {
  ok: boolean;
  reason?: string;
}

export class Scheduler<C> {
  private readonly batchSize: number;
  private readonly maxInFlight: number;
  private readonly highWater: number;
  private readonly isDependable: (id: string) => boolean;
  private readonly lanes = new Map<string, { rank: number; queue: Task<C>[] }>();
  private readonly waiting = new Map<string, Task<C>[]>();
  private readonly missingDeps = new Map<Task<C>, number>();
  /** Per lane, how many of its tasks wait for a dependency (in missingDeps). */
  private readonly waitingInLane = new Map<string, number>();
  private readonly settled = new Map<string, Settled>();
  private inFlight = 0;
  /** Of inFlight: partial batches sent because others waited for them and nothing else was in flight. */
  private unblocking = 0;
  /** A look for such batches is queued for when the producer yields (setImmediate after add()). */
  private idleCheckQueued = false;
  /** The producer has yielded: pump() may send a partial batch others wait for. */
  private producerYielded = false;
  private delayed = 0;
  private pending = 0;
  private producerDone = false;
  private producerPaused = false;
  private failure: unknown = null;
  /** stop() was called: nothing new is sent; in-flight batches settle. */
  private stopping = false;
  private stoppedWaiters: (() => void)[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private capacityWaiters: (() => void)[] = [];
  private doneResolve!: () => void;
  private doneReject!: (err: unknown) => void;
  private readonly done: Promise<void>;
  /** Batches sent, per lane (for reports and tests). */
  readonly batchesSent = new Map<string, number>();
  peakInFlight = 0;

  constructor(
    private readonly hooks: SchedulerHooks<C>,
    options: SchedulerOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 100;
    this.maxInFlight = options.maxInFlight ?? 8;
    this.highWater = options.highWater ?? 5000;
    this.isDependable = options.isDependable ?? (() => true);
    this.done = new Promise<void>((resolve, reject) => {
      this.doneResolve = resolve;
      this.doneReject = reject;
    });
    // Never an unhandled rejection: finish() re-awaits it.
    this.done.catch(() => undefined);
  }

  get pendingTasks(): number {
    return this.pending;
  }

  /** Records the outcome of something that was not sent through this scheduler (unchanged, rejected at planning). */
  markSettled(id: string, ok: boolean, reason?: string): void {
    if (this.settled.has(id)) return;
    if (!this.isDependable(id) && !this.waiting.has(id)) return;
    this.settled.set(id, { ok, reason });
    this.release(id);
  }

  isSettled(id: string): Settled | undefined {
    return this.settled.get(id);
  }

  add(task: Task<C>): void {
    this.pending++;
    this.enqueue(task);
    this.pump();
    if (!this.idleCheckQueued) {
      // After the producer's synchronous run of adds (a chunk), not after each: a parent is not
      // sent alone because its first child was added before its siblings.
      this.idleCheckQueued = true;
      setImmediate(() => {
        this.idleCheckQueued = false;
        this.producerYielded = true;
        try {
          this.pump();
        } finally {
          this.producerYielded = false;
        }
      });
    }
  }

  /** Resolves when the producer may add more. */
  async capacity(): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.pending < this.highWater) return;
    this.producerPaused = true;
    this.pump();
    await new Promise<void>((resolve) => this.capacityWaiters.push(resolve));
    this.producerPaused = false;
    if (this.failure) throw this.failure;
  }

  /** The producer has added everything; resolves when every task settled. */
  async finish(): Promise<void> {
    this.producerDone = true;
    this.pump();
    this.checkDone();
    await this.done;
  }

  /**
   * Graceful stop (SIGTERM, Ctrl-C): sends nothing more, drops the delayed retries, lets the
   * batches already on the wire settle (their results are committed as usual) and resolves
   * then. finish() and capacity() reject with `reason` so the producer unwinds.
   */
  async stop(reason: unknown, graceMs?: number): Promise<void> {
    if (!this.stopping) {
      this.stopping = true;
      for (const t of this.timers) clearTimeout(t);
      this.delayed -= this.timers.size;
      this.timers.clear();
      this.fail(reason);
    }
    if (this.inFlight === 0) return;
    const settled = new Promise<void>((resolve) => this.stoppedWaiters.push(resolve));
    if (graceMs === undefined) return settled;
    // A failing run waits only so long: a PIM that does not answer may never settle them.
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([settled, waited]);
    clearTimeout(timer);
  }

  private enqueue(task: Task<C>): void {
    let missing = 0;
    for (const dep of task.deps) {
      const s = this.settled.get(dep);
      if (s === undefined) {
        missing++;
        const list = this.waiting.get(dep) ?? [];
        list.push(task);
        this.waiting.set(dep, list);
      } else if (!s.ok) {
        void this.hold(task, `${dep.replace(':', ' ')} was not written: ${s.reason ?? 'it failed'}`);
        return;
      }
    }
    if (missing > 0) {
      this.missingDeps.set(task, missing);
      this.waitingInLane.set(task.lane, (this.waitingInLane.get(task.lane) ?? 0) + 1);
      return;
    }
    this.makeReady(task);
  }

  private makeReady(task: Task<C>): void {
    let lane = this.lanes.get(task.lane);
    if (!lane) {
      lane = { rank: task.rank, queue: [] };
      this.lanes.set(task.lane, lane);
    }
    lane.queue.push(task);
  }

  private async hold(task: Task<C>, reason: string): Promise<void> {
    try {
      await this.hooks.held(task, reason);
    } catch (err) {
      this.fail(err);
    }
    this.markSettled(task.id, false, reason);
    this.taskDone();
  }

  private release(id: string): void {
    const waiters = this.waiting.get(id);
    if (!waiters) return;
    this.waiting.delete(id);
    const s = this.settled.get(id)!;
    for (const task of waiters) {
      const left = this.missingDeps.get(task);
      if (left === undefined) continue; // already held by another failed dependency
      if (!s.ok) {
        this.stopWaiting(task);
        void this.hold(task, `${id.replace(':', ' ')} was not written: ${s.reason ?? 'it failed'}`);
        continue;
      }
      if (left <= 1) {
        this.stopWaiting(task);
        this.makeReady(task);
      } else {
        this.missingDeps.set(task, left - 1);
      }
    }
    this.pump();
  }

  private stopWaiting(task: Task<C>): void {
    this.missingDeps.delete(task);
    this.waitingInLane.set(task.lane, (this.waitingInLane.get(task.lane) ?? 1) - 1);
  }

  private pick(): { lane: string; queue: Task<C>[]; unblocking?: boolean } | null {
    const ordered = [...this.lanes.entries()].filter(([, l]) => l.queue.length > 0).sort((a, b) => a[1].rank - b[1].rank);
    for (const [name, l] of ordered) if (l.queue.length >= this.batchSize) return { lane: name, queue: l.queue };
    if (!this.producerDone && !this.producerPaused) {
      // Idle but for batches sent this way: a partial batch others wait for goes now (see the header).
      if (!this.producerYielded || this.inFlight > this.unblocking) return null;
      for (const [name, l] of ordered) if (l.queue.some((t) => this.waiting.has(t.id))) return { lane: name, queue: l.queue, unblocking: true };
      return null;
    }
    // The producer adds nothing now (done, or paused until tasks settle). A lane whose tasks wait
    // for parents in flight keeps its partial batch for them; nothing in flight: nothing will join
    // a partial batch, send it (also what ends a run whose tasks wait for parents nobody planned:
    // checkDone holds them once all is sent).
    for (const [name, l] of ordered) {
      if (this.inFlight === 0 || (this.waitingInLane.get(name) ?? 0) === 0) return { lane: name, queue: l.queue };
    }
    return null;
  }

  private pump(): void {
    while (!this.failure && this.inFlight < this.maxInFlight) {
      const next = this.pick();
      if (!next) break;
      const batch = next.queue.splice(0, this.batchSize);
      this.inFlight++;
      const unblocking = next.unblocking === true;
      if (unblocking) this.unblocking++;
      this.peakInFlight = Math.max(this.peakInFlight, this.inFlight);
      this.batchesSent.set(next.lane, (this.batchesSent.get(next.lane) ?? 0) + 1);
      void this.run(next.lane, batch).finally(() => {
        this.inFlight--;
        if (unblocking) this.unblocking--;
        if (this.inFlight === 0 && this.stoppedWaiters.length > 0) {
          const waiters = this.stoppedWaiters;
          this.stoppedWaiters = [];
          for (const w of waiters) w();
        }
        this.pump();
        this.checkDone();
      });
    }
  }

  private async run(lane: string, batch: Task<C>[]): Promise<void> {
    let verdicts: Verdict[];
    try {
      let results: LineResult[];
      try {
        results = await this.hooks.send(lane, batch);
      } catch (err) {
        verdicts = await this.hooks.batchFailed(batch, err);
        this.apply(batch, verdicts);
        return;
      }
      verdicts = await this.hooks.settle(batch, results);
      this.apply(batch, verdicts);
    } catch (err) {
      if (!this.stopping) this.fail(err);
    }
  }

  private apply(batch: Task<C>[], verdicts: Verdict[]): void {
    batch.forEach((task, i) => {
      const v = verdicts[i] ?? { kind: 'failed', reason: 'no result line for this record' };
      if (v.kind === 'ok') {
        this.markSettled(task.id, true);
        this.taskDone();
      } else if (v.kind === 'failed') {
        this.markSettled(task.id, false, v.reason);
        this.taskDone();
      } else {
        task.attempts++;
        if (v.deps) task.deps = v.deps;
        if (v.delayMs && v.delayMs > 0) {
          if (this.stopping) return;
          this.delayed++;
          const timer = setTimeout(() => {
            this.timers.delete(timer);
            this.delayed--;
            this.enqueue(task);
            this.pump();
            this.checkDone();
          }, v.delayMs);
          this.timers.add(timer);
        } else {
          this.enqueue(task);
        }
      }
    });
    this.pump();
  }

  private taskDone(): void {
    this.pending--;
    if (this.pending < this.highWater) {
      const waiters = this.capacityWaiters;
      this.capacityWaiters = [];
      for (const w of waiters) w();
    }
  }

  private fail(err: unknown): void {
    if (this.failure) return;
    this.failure = err;
    const waiters = this.capacityWaiters;
    this.capacityWaiters = [];
    for (const w of waiters) w();
    this.doneReject(err);
  }

  private checkDone(): void {
    if (!this.producerDone || this.failure) return;
    if (this.inFlight > 0 || this.delayed > 0) return;
    for (const l of this.lanes.values()) if (l.queue.length > 0) return;
    if (this.missingDeps.size > 0) {
      // Dependencies nobody will ever settle (a parent that was never planned): hold the children.
      const stuck = [...this.missingDeps.keys()];
      this.missingDeps.clear();
      this.waitingInLane.clear();
      this.waiting.clear();
      for (const task of stuck) {
        const dep = task.deps.find((d) => !this.settled.has(d)) ?? task.deps[0] ?? '?';
        void this.hold(task, `${dep.replace(':', ' ')} is not in the PIM and was not part of this run`);
      }
      // hold() settles asynchronously; check again once they are counted.
      setImmediate(() => this.checkDone());
      return;
    }
    if (this.pending > 0) {
      setImmediate(() => this.checkDone());
      return;
    }
    this.doneResolve();
  }
}
