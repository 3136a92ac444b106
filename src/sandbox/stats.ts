/** Request accounting behind GET /_sandbox/stats. */
export interface SandboxStats {
  /** `METHOD /route/pattern` → status → count */
  requests: Record<string, Record<string, number>>;
  totalRequests: number;
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
  /** API calls admitted past the limits, per connection (client id): how the load was spread. */
  requestsPerConnection: Record<string, number>;
  throttled429: number;
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
  private total = 0;
  private peakInstance = 0;
  private peakPerConnection = new Map<string, number>();
  private throttled = 0;
  private faults = new Map<string, number>();
  private busyMs = 0;

  record(route: string, status: number): void {
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
    this.requestWindow.add(now);
    if (isOptionWrite) this.optionWindow.add(now);
    this.perConnection.set(connection, (this.perConnection.get(connection) ?? 0) + 1);
  }

  /** An admitted call ended after `ms`. */
  busy(ms: number): void {
    this.busyMs += ms;
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
      peakConcurrent: { instance: this.peakInstance, perConnection: Object.fromEntries(this.peakPerConnection) },
      peakPerSecond: { requests: this.requestWindow.peak, optionWrites: this.optionWindow.peak },
      requestsPerConnection: Object.fromEntries(this.perConnection),
      busySeconds: Number((this.busyMs / 1000).toFixed(1)),
      throttled429: this.throttled,
      faultsInjected: Object.fromEntries(this.faults),
      ...counts,
    };
  }

  reset(): void {
    this.requests.clear();
    this.total = 0;
    this.peakInstance = 0;
    this.peakPerConnection.clear();
    this.throttled = 0;
    this.busyMs = 0;
    this.faults.clear();
    this.requestWindow.reset();
    this.optionWindow.reset();
    this.perConnection.clear();
  }
}
