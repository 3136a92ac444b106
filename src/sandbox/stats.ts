/** Request accounting behind GET /_sandbox/stats. */
export interface SandboxStats {
  /** `METHOD /route/pattern` → status → count */
  requests: Record<string, Record<string, number>>;
  totalRequests: number;
  peakConcurrent: { instance: number; perConnection: Record<string, number> };
  throttled429: number;
  faultsInjected: Record<string, number>;
  products: number;
  productModels: number;
  mediaFiles: number;
}

export class StatsCollector {
  private requests = new Map<string, Map<number, number>>();
  private total = 0;
  private peakInstance = 0;
  private peakPerConnection = new Map<string, number>();
  private throttled = 0;
  private faults = new Map<string, number>();

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
    this.faults.clear();
  }
}
