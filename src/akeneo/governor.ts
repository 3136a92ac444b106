/**
 * The rate governor: how many calls may run at once and how many may start per second.
 *
 * Akeneo SaaS allows 4 concurrent calls per connection, 10 per instance (shared with other
 * connections) and 100 requests/s per instance, with attribute-option writes capped at 3/s.
 * The concurrency limit is adaptive: repeated 429s mean someone else uses the instance's
 * share, so we shrink; sustained success lets us grow back to the configured cap.
 */
import { setTimeout as sleep } from 'node:timers/promises';

/** A FIFO of waiters, so no caller starves behind later ones. */
type Waiter = () => void;

export class AdaptiveConcurrencyLimiter {
  private active = 0;
  private current: number;
  private readonly waiters: Waiter[] = [];
  private throttledInARow = 0;
  private successesSinceChange = 0;
  private peakActive = 0;

  private lastShrinkAt = -Infinity;

  constructor(
    private readonly max: number,
    private readonly options: { shrinkAfter429s?: number; growAfterSuccesses?: number; shrinkCooldownMs?: number; now?: () => number } = {},
  ) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`concurrency must be a positive integer, got ${max}`);
    this.current = max;
  }

  get limit(): number {
    return this.current;
  }
  get inFlight(): number {
    return this.active;
  }
  get peak(): number {
    return this.peakActive;
  }
  get queued(): number {
    return this.waiters.length;
  }

  /** Waits for a slot; returns the time waited (ms). Call release() exactly once afterwards. */
  async acquire(): Promise<number> {
    if (this.active < this.current && this.waiters.length === 0) {
      this.take();
      return 0;
    }
    const start = performance.now();
    await new Promise<void>((resolve) => this.waiters.push(resolve));
    return performance.now() - start;
  }

  release(): void {
    this.active--;
    this.drain();
  }

  /**
   * A call was throttled (429): after a few in a row, halve the limit (not below 1). The calls
   * in flight when the PIM started refusing all come back 429 together; one such burst counts
   * once, hence the cooldown between two shrinks.
   */
  onThrottled(): void {
    this.successesSinceChange = 0;
    const now = (this.options.now ?? performance.now.bind(performance))();
    if (now - this.lastShrinkAt < (this.options.shrinkCooldownMs ?? 1000)) {
      // Part of the burst that already caused the last shrink.
      this.throttledInARow = 0;
      return;
    }
    this.throttledInARow++;
    if (
      this.throttledInARow >= (this.options.shrinkAfter429s ?? 2) &&
      this.current > 1
    ) {
      this.current = Math.max(1, Math.floor(this.current / 2));
      this.throttledInARow = 0;
      this.lastShrinkAt = now;
    }
  }

  /** A call succeeded: after enough successes at this level, allow one more concurrent call. */
  onSuccess(): void {
    this.throttledInARow = 0;
    if (this.current >= this.max) return;
    this.successesSinceChange++;
    if (this.successesSinceChange >= (this.options.growAfterSuccesses ?? 10) * this.current) {
      this.current++;
      this.successesSinceChange = 0;
      this.drain();
    }
  }

  private take(): void {
    this.active++;
    if (this.active > this.peakActive) this.peakActive = this.active;
  }

  private drain(): void {
    while (this.active < this.current && this.waiters.length > 0) {
      this.take();
      this.waiters.shift()!();
    }
  }
}

/**
 * A request-rate budget: at most `perSecond` starts in any sliding one-second window.
 *
 * This is a token bucket whose tokens come back exactly one second after they were spent
 * (bucket size = perSecond). Unlike a classic bucket refilled continuously, it never lets
 * a burst plus the refill exceed the limit inside one second, which is how a server that
 * counts calls per second sees them.
 */
export class RateBudget {
  private readonly starts: number[] = [];
  private chain: Promise<void> = Promise.resolve();
  private readonly windowMs = 1000;

  constructor(
    private readonly perSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(perSecond > 0)) throw new RangeError(`rate must be positive, got ${perSecond}`);
  }

  /** The bucket size: whole calls allowed per window (a fractional rate widens the window). */
  private get capacity(): number {
    return Math.max(1, Math.floor(this.perSecond));
  }
  private get window(): number {
    return this.perSecond >= 1 ? this.windowMs : this.windowMs / this.perSecond;
  }

  /** Waits until a call may start; returns the time waited (ms). Callers are served in order. */
  take(): Promise<number> {
    const requested = this.now();
    const turn = this.chain.then(async () => {
      for (;;) {
        const t = this.now();
        while (this.starts.length > 0 && t - this.starts[0]! >= this.window) this.starts.shift();
        if (this.starts.length < this.capacity) {
          this.starts.push(t);
          return;
        }
        await sleep(this.window - (t - this.starts[0]!) + 1);
      }
    });
    this.chain = turn;
    return turn.then(() => this.now() - requested);
  }
}

/**
 * The limits one PIM instance sets, as the governor applies them: every connection has its own
 * concurrency cap, the instance a shared one and the request and option-write rates.
 */
export interface GovernorLimits {
  /** How many Akeneo Connections the calls are spread across (1 for one connection or an App). */
  connections: number;
  /** Concurrent calls per connection (Akeneo SaaS: 4). */
  perConnection: number;
  /** Concurrent calls over all connections, Ferry's share of the instance (SaaS: 10 × instanceShare). */
  instance: number;
  /** Request starts per second over all connections (SaaS: 100 × instanceShare). */
  requestsPerSecond: number;
  /** Attribute-option writes per second (SaaS: 3 × instanceShare). */
  optionWritesPerSecond: number;
}

/** The right to send one call on one connection; release it once the answer (or failure) is in. */
export interface CallPermit {
  /** Index of the connection to send the call on (0 … connections − 1). */
  readonly connection: number;
  /** Time spent waiting for the slot and the rate budgets (ms). */
  readonly waitMs: number;
  release(): void;
}

/**
 * What the transport asks before each call. The in-process governor below serves one process; a
 * shared one (src/budget, wired by src/app) makes several processes share one instance's budget.
 */
export interface CallGovernor {
  /**
   * Waits for a concurrency slot on a connection (`connection` pins one, e.g. its own token
   * request), then for the rate budgets (`optionWrite`: the option-write budget as well).
   */
  acquire(call: { optionWrite: boolean; connection?: number }): Promise<CallPermit>;
  /** The PIM answered 429 on this connection: the budget shrinks after repeated ones. */
  onThrottled(connection: number): void;
  /** A call was answered (not throttled): the budget grows back towards its cap. */
  onSuccess(connection: number): void;
  /** The concurrency limit in force now (instance-wide, as this process sees it). */
  readonly limit: number;
  /** The most calls this process had in flight at once. */
  readonly peak: number;
  /** Releases what the governor holds outside the process (leases, database connections). */
  close(): Promise<void>;
}

/** The effective instance concurrency: never more than the connections can carry together. */
export function instanceCap(limits: GovernorLimits): number {
  return Math.max(1, Math.min(limits.instance, limits.connections * limits.perConnection));
}

/**
 * The in-process governor: one adaptive instance limiter (it shrinks on 429s), a fixed cap per
 * connection, and the two rate budgets. A call takes an instance slot first (FIFO), then the
 * least busy connection with room: since the instance cap never exceeds what the connections
 * carry together, a holder of an instance slot always finds one, except when it pins a
 * connection, and then it waits for that connection alone.
 */
export class LocalGovernor implements CallGovernor {
  private readonly instanceSlots: AdaptiveConcurrencyLimiter;
  private readonly active: number[];
  private readonly pinnedWaiters: { connection: number; resolve: () => void }[] = [];
  private readonly rate: RateBudget;
  private readonly optionRate: RateBudget;

  constructor(readonly limits: GovernorLimits) {
    if (!Number.isInteger(limits.connections) || limits.connections < 1) throw new RangeError(`connections must be a positive integer, got ${limits.connections}`);
    this.instanceSlots = new AdaptiveConcurrencyLimiter(instanceCap(limits));
    this.active = Array.from({ length: limits.connections }, () => 0);
    this.rate = new RateBudget(limits.requestsPerSecond);
    this.optionRate = new RateBudget(limits.optionWritesPerSecond);
  }

  get limit(): number {
    return this.instanceSlots.limit;
  }
  get peak(): number {
    return this.instanceSlots.peak;
  }
  /** Calls in flight per connection (tests, stats). */
  inFlight(): readonly number[] {
    return [...this.active];
  }

  async acquire(call: { optionWrite: boolean; connection?: number }): Promise<CallPermit> {
    // The option budget (3/s) is awaited before taking a slot, so option writes queued behind it
    // do not hold slots that other calls could use meanwhile.
    let waitMs = call.optionWrite ? await this.optionRate.take() : 0;
    waitMs += await this.instanceSlots.acquire();
    let connection: number;
    if (call.connection !== undefined) {
      const pinned = call.connection;
      if (!(pinned >= 0 && pinned < this.active.length)) throw new RangeError(`no connection ${pinned}`);
      if (this.active[pinned]! >= this.limits.perConnection) {
        const start = performance.now();
        await new Promise<void>((resolve) => this.pinnedWaiters.push({ connection: pinned, resolve }));
        waitMs += performance.now() - start;
      }
      connection = pinned;
    } else {
      connection = this.leastBusy();
    }
    this.active[connection]!++;
    try {
      waitMs += await this.rate.take();
    } catch (err) {
      this.free(connection);
      throw err;
    }
    let released = false;
    return {
      connection,
      waitMs,
      release: () => {
        if (released) return;
        released = true;
        this.free(connection);
      },
    };
  }

  onThrottled(): void {
    this.instanceSlots.onThrottled();
  }
  onSuccess(): void {
    this.instanceSlots.onSuccess();
  }
  async close(): Promise<void> {}

  private leastBusy(): number {
    let best = 0;
    for (let i = 1; i < this.active.length; i++) if (this.active[i]! < this.active[best]!) best = i;
    return best;
  }

  private free(connection: number): void {
    this.active[connection]!--;
    const i = this.pinnedWaiters.findIndex((w) => w.connection === connection);
    if (i >= 0) {
      // The pinned waiter already holds its instance slot: hand it this connection's slot.
      const [w] = this.pinnedWaiters.splice(i, 1);
      w!.resolve();
      this.instanceSlots.release();
      return;
    }
    this.instanceSlots.release();
  }
}
