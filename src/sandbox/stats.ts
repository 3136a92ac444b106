/** Request accounting behind GET /_sandbox/stats. */
export interface SandboxStats {
  /** `METHOD /route/pattern` → status → count */
  requests: Record<string, Record<string, number>>;
  totalRequests: number;
  /**
   * NDJSON lines received by collection PATCH calls that were answered 200, per route: the
   * writes the PIM processed (a sub-model is a line like its root model), what the fair-use
   * ceiling of lines per batch latency is about.
   */
  lines: Record<string, number>;
  peakConcurrent: { instance: number; perConnection: Record<string, number> };
  /**
   * Most API calls admitted within any one second (sliding window, measured at arrival), over
   * the instance, and of attribute-option writes: what the SaaS rate limits count.
   */
  peakPerSecond: { requests: number; optionWrites: number };
  /**
   * Seconds of admitted API calls, summed (admission to response): the slot-seconds a client
   * used. Over a run's wall time, its average concurrency — how busy it kept the slots it had.
   */
  busySeconds: number;
  /**
   * The same, second by second from the first admitted call (index = seconds since it): where a
   * run left slots idle (its start, its tail, a stall in between).
   */
  busyPerSecond: number[];
  /** API calls admitted past the limits, per connection (client id): how the load was spread. */
  requestsPerConnection: Record<string, number>;
  throttled429: number;
  /** The 429s the limits answered, by the limit: `connection`, `instance` (concurrency), `rate`, `optionRate` (injected faults are not here). */
  throttledBy: Record<string, number>;
  faultsInjected: Record<string, number>;
  products: number;
  productModels: number;
  mediaFiles: number;
}

/** Arrival times within the last second, to know the most calls any one-second window saw. */
class SlidingSecond {
  private readonly times: number[] = [];
  private head = 0;
  peak = 0;

  add(now: number): void {
    while (this.head < this.times.length && now - this.times[this.head]! >= 1000) this.head++;
    if (this.head > 1024) {
      this.times.splice(0, this.head);
      this.head = 0;
    }
    this.times.push(now);
    this.peak = Math.max(this.peak, this.times.length - this.head);
  }

  reset(): void {
    this.times.length = 0;
    this.head = 0;
    this.peak = 0;
  }
}

export class StatsCollector {
  private readonly requestWindow = new SlidingSecond();
  private readonly optionWindow = new SlidingSecond();
  private readonly perConnection = new Map<string, number>();
  private requests = new Map<string, Map<number, number>>();
  private readonly lines = new Map<string, number>();
  private total = 0;
  private peakInstance = 0;
  private peakPerConnection = new Map<string, number>();
  private throttled = 0;
  private readonly throttledReasons = new Map<string, number>();
  private faults = new Map<string, number>();
  private busyMs = 0;
  /** performance.now() of the first admitted call since the last reset: second 0 of busyPerSecond. */
  private origin: number | null = null;
  /** Busy milliseconds per second since origin. */
  private busyBySecond: number[] = [];

  record(route: string, status: number, lines = 0): void {
    if (lines > 0 && status === 200) this.lines.set(route, (this.lines.get(route) ?? 0) + lines);
    let byStatus = this.requests.get(route);
    if (!byStatus) {
      byStatus = new Map();
      this.requests.set(route, byStatus);
    }
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
    this.total++;
    if (status === 429) this.throttled++;
  }

  concurrency(connection: string, connectionNow: number, instanceNow: number): void {
    if (instanceNow > this.peakInstance) this.peakInstance = instanceNow;
    if (connectionNow > (this.peakPerConnection.get(connection) ?? 0)) this.peakPerConnection.set(connection, connectionNow);
  }

  /** An API call went past the limits (auth, concurrency, rates) and will be handled. */
  admitted(connection: string, isOptionWrite: boolean, now: number = performance.now()): void {
    this.origin ??= now;
    this.requestWindow.add(now);
    if (isOptionWrite) this.optionWindow.add(now);
    this.perConnection.set(connection, (this.perConnection.get(connection) ?? 0) + 1);
  }

  /** An admitted call ended after `ms`, at `now`. */
  busy(ms: number, now: number = performance.now()): void {
    this.busyMs += ms;
    if (this.origin === null) return;
    // Spread over the seconds it covered.
    let from = Math.max(0, now - ms - this.origin);
    const to = now - this.origin;
    while (from < to) {
      const second = Math.floor(from / 1000);
      const end = Math.min(to, (second + 1) * 1000);
      this.busyBySecond[second] = (this.busyBySecond[second] ?? 0) + (end - from);
      from = end;
    }
  }

  /** A call the limits refused (429), by the limit that refused it. */
  throttledBy(reason: string): void {
    this.throttledReasons.set(reason, (this.throttledReasons.get(reason) ?? 0) + 1);
  }

  fault(kind: string): void {
    this.faults.set(kind, (this.faults.get(kind) ?? 0) + 1);
  }

  snapshot(counts: { products: number; productModels: number; mediaFiles: number }): SandboxStats {
    const requests: SandboxStats['requests'] = {};
    for (const [route, byStatus] of this.requests) {
      requests[route] = Object.fromEntries([...byStatus].map(([s, n]) => [String(s), n]));
    }
    return {
      requests,
      totalRequests: this.total,
      lines: Object.fromEntries(this.lines),
      peakConcurrent: { instance: this.peakInstance, perConnection: Object.fromEntries(this.peakPerConnection) },
      peakPerSecond: { requests: this.requestWindow.peak, optionWrites: this.optionWindow.peak },
      requestsPerConnection: Object.fromEntries(this.perConnection),
      busySeconds: Number((this.busyMs / 1000).toFixed(1)),
      busyPerSecond: Array.from(this.busyBySecond, (ms) => Number(((ms ?? 0) / 1000).toFixed(2))),
      throttled429: this.throttled,
      throttledBy: Object.fromEntries(this.throttledReasons),
      faultsInjected: Object.fromEntries(this.faults),
      ...counts,
    };
  }

  reset(): void {
    this.requests.clear();
    this.lines.clear();
    this.total = 0;
    this.peakInstance = 0;
    this.peakPerConnection.clear();
    this.throttled = 0;
    this.throttledReasons.clear();
    this.busyMs = 0;
    this.origin = null;
    this.busyBySecond = [];
    this.faults.clear();
    this.requestWindow.reset();
    this.optionWindow.reset();
    this.perConnection.clear();
  }
}
