/**
 * How a run ends early and how its errors read: a graceful stop, a PIM that stopped answering,
 * and the error text that reports and logs show (never with a credential in it).
 */
import { scrubSecrets } from '../../logging.js';

/** The PIM gave no answer at all (connection refused, reset, timeout) for longer than the limit. */
export class PimUnreachableError extends Error {
  constructor(
    readonly since: Date,
    readonly lastError: string,
    limitMs: number,
  ) {
    super(
      `the PIM stopped answering at ${since.toISOString()} and gave no answer for ${Math.round(limitMs / 1000)} s ` +
        `(sync.pimUnreachableSeconds); last error: ${lastError}. The run stopped; check that the PIM is up and reachable, ` +
        `then run ferry sync again: what was not written is sent then.`,
    );
    this.name = 'PimUnreachableError';
  }
}

/** The run was stopped on purpose (SyncOptions.signal). */
export class SyncInterruptedError extends Error {
  constructor(readonly why: string) {
    super(`the run was stopped: ${why}`);
    this.name = 'SyncInterruptedError';
  }
}

export function abortReason(signal: AbortSignal): string {
  const r: unknown = signal.reason;
  if (typeof r === 'string') return r;
  if (r instanceof Error && r.name !== 'AbortError') return r.message;
  return 'stop requested';
}

/** No HTTP answer at all: the request failed on the network (or timed out) before any status came back. */
export function isNetworkError(err: unknown): boolean {
  const e = err as { name?: string; status?: number } | null;
  return e?.name === 'AkeneoNetworkError' || (e !== null && typeof e === 'object' && e.status === 0);
}

/** An error no retry can cure: the run stops (the PIM refused the credentials). */
export function isFatal(err: unknown): boolean {
  const name = (err as { name?: string } | null)?.name;
  return name === 'AkeneoAuthError';
}

const BUILTIN_ERRORS = new Set(['Error', 'TypeError', 'RangeError', 'ReferenceError', 'SyntaxError', 'EvalError', 'URIError', 'AggregateError']);

/** An error as reports and logs show it: never with a credential in it (a token, a password in a URL). */
export function errorText(err: unknown): string {
  // The message alone ("another sync run … is in progress"), not "RunLockedError: …", unless the
  // error writes its own sentence (AkeneoError's toString names the call and the status).
  // JavaScript's own errors (TypeError: …) keep their name: they point at a bug.
  const plain = err instanceof Error && err.toString === Error.prototype.toString && !BUILTIN_ERRORS.has(err.name);
  return scrubSecrets(plain ? err.message : String(err));
}
