/**
 * The report written beside every processed file (`<file>.report.json` and
 * `<file>.report.txt`): what was read, what was rejected where and why, or why the
 * file could not be read at all.
 */
import type { RejectedRecord, StreamName } from '../port.js';

/** Rejects kept per file in memory and in the report; the counts stay exact beyond it. */
export const REPORT_REJECT_LIMIT = 1000;

export interface FileReport {
  file: string;
  stream: StreamName;
  format: string;
  encoding: string | null;
  /** reading: in progress; read: fully read, waiting for commit; failed: unreadable (goes to failed/). */
  status: 'reading' | 'read' | 'failed';
  startedAt: string;
  finishedAt: string | null;
  /** Rows found in the file (data rows, excluding the header). */
  rows: number;
  /** Records handed to the caller. */
  records: number;
  rejected: number;
  /** Records left out by `since`/`keys` filters (counted, never silent). */
  skipped: number;
  rejects: RejectedRecord[];
  rejectsOmitted: number;
  error: string | null;
  /** Keys of this file still waiting to succeed: the file is kept in retry/ until none is left. */
  retryKeys?: string[];
  /** File size and mtime when reading started: a file changed since is not moved. */
  size: number;
  mtimeMs: number;
}

export function newReport(file: string, stream: StreamName, format: string, size: number, mtimeMs: number): FileReport {
  return {
    file,
    stream,
    format,
    encoding: null,
    status: 'reading',
    startedAt: new Date().toISOString(),
    finishedAt: null,
    rows: 0,
    records: 0,
    rejected: 0,
    skipped: 0,
    rejects: [],
    rejectsOmitted: 0,
    error: null,
    size,
    mtimeMs,
  };
}

export function addReject(report: FileReport, r: RejectedRecord): void {
  report.rejected++;
  if (report.rejects.length < REPORT_REJECT_LIMIT) report.rejects.push(r);
  else report.rejectsOmitted++;
}

export function reportJson(report: FileReport, movedTo: string): string {
  const { size: _s, mtimeMs: _m, status: _status, ...rest } = report;
  return `${JSON.stringify({ ...rest, status: statusWord(report), movedTo }, null, 2)}\n`;
}

function statusWord(report: FileReport): 'failed' | 'retry' | 'done' {
  return report.status === 'failed' ? 'failed' : report.retryKeys?.length ? 'retry' : 'done';
}

export function reportText(report: FileReport, movedTo: string): string {
  const word = statusWord(report);
  const lines = [
    `${report.file}: ${word === 'failed' ? 'FAILED' : word === 'retry' ? 'kept for retry' : 'done'} (${report.stream}, ${report.format}${report.encoding ? `, ${report.encoding}` : ''})`,
    `read ${report.startedAt} → ${report.finishedAt ?? '?'}; moved to ${movedTo}`,
    `rows ${report.rows}, records ${report.records}, rejected ${report.rejected}, skipped ${report.skipped}`,
  ];
  if (report.error) lines.push('', `error: ${report.error}`);
  if (word === 'retry') {
    const keys = report.retryKeys!;
    lines.push(
      '',
      `kept in the retry folder until these ${keys.length} keys succeed (a later file or a fix in the PIM); delete it from there to give up: ${keys.slice(0, 50).join(', ')}${keys.length > 50 ? ` … (+${keys.length - 50})` : ''}`,
    );
  }
  if (report.rejects.length) {
    lines.push('', 'rejected:');
    for (const r of report.rejects) {
      lines.push(`  ${r.location}${r.key ? ` [${r.key}]` : ''}: ${r.message}`);
      lines.push(`    raw: ${r.raw.replace(/\r?\n/g, '\\n').slice(0, 300)}`);
    }
    if (report.rejectsOmitted) lines.push(`  … and ${report.rejectsOmitted} more (not listed)`);
  }
  return `${lines.join('\n')}\n`;
}
