/**
 * The delta window: which records a `since` read must return.
 *
 * `since` is INCLUSIVE (a record stamped exactly at the watermark is read again, so two
 * records sharing the watermark's timestamp are never split across runs) and widened by
 * the adapter's skew margin (a row committed late by a long transaction, or stamped by a
 * clock slightly behind ours, still falls inside the window). Re-reads are cheap: the sync
 * engine dedups by value hash.
 */
import { ErpError } from '../port.js';

/** Parses an ISO-8601 watermark; a date without time means midnight UTC. Throws a config ErpError naming the value. */
export function parseSince(since: string): Date {
  const text = since.trim();
  const looksIso = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(text);
  const date = looksIso ? new Date(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text.replace(' ', 'T')) : new Date(NaN);
  if (Number.isNaN(date.getTime())) {
    throw new ErpError(`since "${since}" is not an ISO-8601 date-time; use e.g. 2024-05-01T12:00:00Z`, 'config');
  }
  return date;
}

export interface DeltaWindow {
  /** The watermark as given. */
  since: Date;
  /** The inclusive lower bound actually queried: since − margin. */
  from: Date;
  marginSeconds: number;
}

/** The window a `since` read covers: every record with updatedAt >= since − marginSeconds. */
export function deltaWindow(since: string, marginSeconds: number): DeltaWindow {
  const at = parseSince(since);
  const margin = Math.max(0, marginSeconds);
  return { since: at, from: new Date(at.getTime() - margin * 1000), marginSeconds: margin };
}

/** Whether a record stamped `updatedAt` belongs to the window (inclusive; a record without date always does). */
export function inWindow(updatedAt: string | null, window: DeltaWindow | undefined): boolean {
  if (!window || updatedAt === null) return true;
  const t = Date.parse(updatedAt);
  return Number.isNaN(t) || t >= window.from.getTime();
}
