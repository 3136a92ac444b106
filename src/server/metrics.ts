/**
 * /metrics: Prometheus text from prom-client. Run and record figures come from the state
 * (so runs started in a terminal count too); PIM request figures from the client's own
 * request events (src/akeneo/events.ts), so the client needs no change.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RequestEvent } from '../akeneo/events.js';
import type { RunHistory } from '../sync/state/run-history.js';

export interface ConsoleMetrics {
  registry: Registry;
  /** Feed of the PIM client's request events. */
  onPimRequest(e: RequestEvent): void;
  /** How late a schedule fired (seconds after its slot). */
  observeScheduleLag(seconds: number): void;
}

export function createMetrics(history: RunHistory, options: { defaults?: boolean } = {}): ConsoleMetrics {
  const registry = new Registry();
  if (options.defaults !== false) collectDefaultMetrics({ register: registry, prefix: 'ferry_' });

  new Gauge({
    name: 'ferry_runs',
    help: 'Sync runs in the state store, by status',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      const { byStatus } = await history.runTotals();
      this.reset();
      for (const [status, n] of Object.entries(byStatus)) this.set({ status }, n);
    },
  });
  new Gauge({
    name: 'ferry_run_records',
    help: 'Records of the runs in the state store, by outcome (unchanged records are counted in the reports)',
    labelNames: ['outcome'],
    registers: [registry],
    async collect() {
      const { byOutcome: sums } = await history.runTotals();
      this.reset();
      for (const [outcome, n] of Object.entries(sums)) this.set({ outcome }, n);
    },
  });
  const duration = new Histogram({
    name: 'ferry_pim_request_duration_seconds',
    help: 'PIM API request durations, by route template and HTTP status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const throttled = new Counter({ name: 'ferry_pim_throttled_total', help: 'PIM answers 429 Too Many Requests', registers: [registry] });
  const concurrency = new Gauge({ name: 'ferry_pim_concurrency_limit', help: "The client governor's concurrency limit (shrinks on repeated 429s)", registers: [registry] });
  const lag = new Histogram({
    name: 'ferry_schedule_lag_seconds',
    help: 'How long after its slot a schedule started its run (or recorded its skip)',
    buckets: [1, 5, 15, 30, 60, 300, 900, 3600],
    registers: [registry],
  });
  return {
    registry,
    onPimRequest(e) {
      duration.observe({ method: e.method, route: e.route, status: e.status === undefined ? (e.error ?? 'network') : String(e.status) }, e.durationMs / 1000);
      if (e.status === 429) throttled.inc();
      concurrency.set(e.concurrencyLimit);
    },
    observeScheduleLag(seconds) {
      lag.observe(Math.max(0, seconds));
    },
  };
}
