/**
 * Rejected records: a row that cannot be read is reported with where it came from and its
 * raw content, and the read goes on. Nothing is silently dropped.
 */
import type { RejectedRecord, StreamName } from '../port.js';

/** Raw content kept in a reject: enough to find and fix the row, bounded so a huge blob cannot flood a report. */
export const MAX_RAW_LENGTH = 2000;

export function truncateRaw(raw: string, max = MAX_RAW_LENGTH): string {
  return raw.length <= max ? raw : `${raw.slice(0, max)}… (${raw.length - max} more characters)`;
}

/** A raw row as text: JSON for objects (bigints and buffers made printable), the string itself otherwise. */
export function rawText(raw: unknown): string {
  if (typeof raw === 'string') return truncateRaw(raw);
  try {
    return truncateRaw(
      JSON.stringify(raw, (_k, v: unknown) => {
        if (typeof v === 'bigint') return v.toString();
        if (v instanceof Uint8Array) return `<${v.length} bytes>`;
        return v;
      }) ?? String(raw),
    );
  } catch {
    return truncateRaw(String(raw));
  }
}

/** A field-level problem found while normalising a row; the adapter turns it into a RejectedRecord with the row's location. */
export class RecordProblem extends Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'RecordProblem';
  }
}

export interface RejectInput {
  location: string;
  key?: string;
  field?: string;
  raw: unknown;
  message: string;
}

/** Counts rejects per stream and forwards each to the caller's onReject. */
export class RejectCollector {
  private count = 0;
  constructor(
    private readonly stream: StreamName,
    private readonly onReject?: (rejected: RejectedRecord) => void,
  ) {}

  reject(input: RejectInput): RejectedRecord {
    const rejected: RejectedRecord = {
      stream: this.stream,
      location: input.location,
      ...(input.key !== undefined ? { key: input.key } : {}),
      ...(input.field !== undefined ? { field: input.field } : {}),
      raw: rawText(input.raw),
      message: input.message,
    };
    this.count++;
    this.onReject?.(rejected);
    return rejected;
  }

  get rejected(): number {
    return this.count;
  }
}
