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
  const { size: _s, mtimeMs: _m, status, ...rest } = report;
  return `${JSON.stringify({ ...rest, status: status === 'failed' ? 'failed' : 'done', movedTo }, null, 2)}\n`;
}

export function reportText(report: FileReport, movedTo: string): string {
  const lines = [
    `${report.file}: ${report.status === 'failed' ? 'FAILED' : 'done'} (${report.stream}, ${report.format}${report.encoding ? `, ${report.encoding}` : ''})`,
    `read ${report.startedAt} → ${report.finishedAt ?? '?'}; moved to ${movedTo}`,
    `rows ${report.rows}, records ${report.records}, rejected ${report.rejected}, skipped ${report.skipped}`,
  ];
  if (report.error) lines.push('', `error: ${report.error}`);
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
