/** What every format reader yields: an optional header, then rows or rejects, in file order. */

export interface HeaderEvent {
  type: 'header';
  columns: string[];
}
export interface RowEvent {
  type: 'row';
  /** 1-based line (or spreadsheet row) where the record starts. */
  line: number;
  /** Tabular formats: cells by position. Document formats: the record object. */
  cells: unknown[] | Record<string, unknown>;
  raw: string;
}
export interface RejectEvent {
  type: 'reject';
  line: number;
  column?: number;
  raw: string;
  message: string;
  /** The row's cells when it could be split (its key, when readable, names the reject). */
  cells?: unknown[] | Record<string, unknown>;
}
export type ReaderEvent = HeaderEvent | RowEvent | RejectEvent;

/** The file cannot be read on (broken structure, wrong encoding): it goes to failed/. */
export class FileFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FileFormatError';
  }
}

export const RAW_LIMIT = 2000;
export function truncateRaw(raw: string): string {
  return raw.length > RAW_LIMIT ? `${raw.slice(0, RAW_LIMIT)}… (${raw.length} characters)` : raw;
}
