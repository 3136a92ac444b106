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
