/** Observability: one event per HTTP attempt, consumed by logs and metrics. Never carries secrets or query strings. */
export interface RequestEvent {
  /** HTTP method. */
  method: string;
  /** Route template, e.g. `/api/rest/v1/products-uuid/{uuid}`; the concrete path and query are left out on purpose. */
  route: string;
  /** HTTP status, absent when the network failed. */
  status?: number;
  /** Time on the wire (ms), from sending to the last byte of the answer. */
  durationMs: number;
  /** 1 for the first try, 2 for the first retry, … */
  attempt: number;
  /** Time spent waiting for the governor (concurrency slot + rate budget) and any backoff before this attempt (ms). */
  waitMs: number;
  /** Set when the call will be retried: the delay before the next attempt (ms). */
  retryInMs?: number;
  /** Network error code (ECONNRESET, TIMEOUT, …) when there was no HTTP answer. */
  error?: string;
  /** Lines sent, for NDJSON batches. */
  lines?: number;
  /** Concurrency limit in force when the attempt started (it shrinks on repeated 429s). */
  concurrencyLimit: number;
}

export type RequestEventListener = (event: RequestEvent) => void;

export interface ClientStats {
  /** HTTP attempts sent. */
  total: number;
  /** Attempts that write (POST, PATCH, DELETE). */
  writes: number;
  /** Attempts that were retries of an earlier one. */
  retried: number;
  /** 429 answers received. */
  throttled: number;
}
