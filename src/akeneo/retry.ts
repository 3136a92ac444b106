/** When a failed call may be sent again, and how long to wait first. */

/** Statuses that say "try again later": the server did not (fully) process the call. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599 && status !== 501 && status !== 505);
}

/**
 * Retry-After as milliseconds: either delta-seconds or an HTTP date. Undefined when absent
 * or unparseable; capped so a hostile or broken header cannot park the client for hours.
 */
export function parseRetryAfter(value: string | undefined, now = Date.now(), capMs = 120_000): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.min(capMs, Math.round(Number(text) * 1000));
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.min(capMs, Math.max(0, date - now));
}

/**
 * Exponential backoff with "full jitter" over the upper half: attempt 1 waits 0.5–1 s,
 * attempt 2 1–2 s, … capped at maxMs. Jitter spreads the retries of parallel callers.
 */
export function backoffDelay(attempt: number, baseMs = 1000, maxMs = 30_000, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
