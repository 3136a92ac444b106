/**
 * Is the PIM answering? A request with no answer at all (network error, timeout) is not the
 * record's fault: its lines are retried. Past `sync.pimUnreachableSeconds` without any answer,
 * the run fails as a whole (PimUnreachableError) instead of rejecting records one by one.
 */
import type { RunContext } from './context.js';
import { PimUnreachableError } from './errors.js';

export class PimWatch {
  /** Since when no request got any answer from the PIM (null: it answers). */
  silentSince: number | null = null;
  private lastError = '';
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly ctx: RunContext,
    /** Called once when the limit is over: stop sending (the context's stopError is set). */
    private readonly onDead: (err: PimUnreachableError) => void,
  ) {}

  answered(): void {
    this.silentSince = null;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** A request got no answer at all. Past the limit without any answer, the run fails. */
  silent(error: string): void {
    this.lastError = error;
    if (this.silentSince !== null) return;
    this.silentSince = Date.now();
    const { ctx } = this;
    const limit = ctx.opts.pimUnreachableMs ?? 180_000;
    ctx.log?.warn({ runId: ctx.runId, err: error, limitMs: limit }, 'the PIM does not answer; retrying');
    this.timer = setTimeout(() => {
      if (this.silentSince === null || ctx.stopError) return;
      const err = new PimUnreachableError(new Date(this.silentSince), this.lastError, limit);
      ctx.stopError = err;
      ctx.log?.error({ runId: ctx.runId, err: err.message }, 'the PIM stopped answering: the run fails');
      this.onDead(err);
    }, limit);
  }

  /** The run is over: no timer outlives it. */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
  }
}
