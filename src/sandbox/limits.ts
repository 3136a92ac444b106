/**
 * SaaS throttling as Akeneo documents it: 4 concurrent calls per connection, 10 per instance,
 * 100 requests/s per instance, attribute-option writes 3/s. Over-use answers 429 + Retry-After.
 * Rates are token buckets (bursts up to the per-second budget are tolerated, as SaaS does).
 */
export interface LimitsConfig {
  perConnection: number;
  perInstance: number;
  requestsPerSecond: number;
  optionWritesPerSecond: number;
}

export const SAAS_LIMITS: LimitsConfig = { perConnection: 4, perInstance: 10, requestsPerSecond: 100, optionWritesPerSecond: 3 };

class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly now: () => number,
  ) {
    this.tokens = ratePerSecond;
    this.last = now();
  }

  /** Takes one token; returns 0 when granted, else the seconds to wait. */
  take(): number {
    const t = this.now();
    this.tokens = Math.min(this.ratePerSecond, this.tokens + ((t - this.last) / 1000) * this.ratePerSecond);
    this.last = t;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - this.tokens) / this.ratePerSecond));
  }
}

/** Which limit refused a call: a connection's or the instance's concurrency, the request rate, the option-write rate. */
export type ThrottleReason = 'connection' | 'instance' | 'rate' | 'optionRate';
export type Admission = { ok: true; release: () => void } | { ok: false; retryAfter: number; message: string; reason: ThrottleReason };

export class Limiter {
  private readonly inflight = new Map<string, number>();
  private total = 0;
  private readonly requests: TokenBucket;
  private readonly optionWrites: TokenBucket;

  constructor(
    private readonly config: LimitsConfig | undefined,
    now: () => number = Date.now,
  ) {
    this.requests = new TokenBucket(config?.requestsPerSecond ?? 1, now);
    this.optionWrites = new TokenBucket(config?.optionWritesPerSecond ?? 1, now);
  }

  admit(connection: string, isOptionWrite: boolean): Admission {
    const cfg = this.config;
    if (cfg) {
      const current = this.inflight.get(connection) ?? 0;
      if (current >= cfg.perConnection) {
        return { ok: false, retryAfter: 1, message: 'You have exceeded the limit of concurrent API requests for this connection.', reason: 'connection' };
      }
      if (this.total >= cfg.perInstance) {
        return { ok: false, retryAfter: 1, message: 'You have exceeded the limit of concurrent API requests.', reason: 'instance' };
      }
      const wait = this.requests.take();
      if (wait > 0) return { ok: false, retryAfter: wait, message: 'You have exceeded the limit of API requests per second.', reason: 'rate' };
      if (isOptionWrite) {
        const w = this.optionWrites.take();
        if (w > 0) return { ok: false, retryAfter: w, message: 'You have exceeded the limit of attribute option requests per second.', reason: 'optionRate' };
      }
    }
    this.inflight.set(connection, (this.inflight.get(connection) ?? 0) + 1);
    this.total++;
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        this.total--;
        const n = (this.inflight.get(connection) ?? 1) - 1;
        if (n <= 0) this.inflight.delete(connection);
        else this.inflight.set(connection, n);
      },
    };
  }

  current(connection?: string): number {
    return connection === undefined ? this.total : (this.inflight.get(connection) ?? 0);
  }
}
