/**
 * One file → records: picks the format reader, decodes the text, compiles the record
 * builder when the header is known, and turns every bad row into a reject that names
 * file, line and column (or key and field) with the row's raw content.
 */
import type { ErpRecord, RejectedRecord } from '../port.js';
import { decodeFile, decodeFileToUtf8Bytes, InvalidUtf8, label, readHead, resolveEncoding } from './encoding.js';
import type { DropFile } from './folder.js';
import { readCsv } from './formats/csv.js';
import { readJson, readNdjson } from './formats/json.js';
import { FileFormatError, truncateRaw, type ReaderEvent } from './formats/types.js';
import { compileBuilder, mergeLanguageRows, RowError, type RecordBuilder } from './normalize.js';
import { delimiterFor, formatOf, type StreamPlan } from './plan.js';
import { addReject, type FileReport } from './report.js';

export interface ReadFileOptions {
  signal?: AbortSignal;
  /** Called for each reject (after it is counted in the report). */
  onReject?: (r: RejectedRecord) => void;
  /** Stop after this many rows (describe's sample). */
  maxRows?: number;
}

async function* events(file: DropFile, plan: StreamPlan, report: FileReport, invalid: InvalidUtf8, signal?: AbortSignal): AsyncGenerator<ReaderEvent[]> {
  const format = formatOf(file.name, plan);
  if (format === 'xlsx') {
    report.encoding = null;
    const { readXlsx } = await import('./formats/xlsx.js');
    yield* readXlsx(file.path, { sheet: plan.sheet, header: plan.header, skipLines: plan.skipLines }, file.name);
    return;
  }
  const head = await readHead(file.path);
  const enc = resolveEncoding(plan.encoding, head, file.name, { xml: format === 'xml' });
  report.encoding = `${label(enc.encoding)}${enc.detectedBy === 'config' ? '' : ` (${enc.detectedBy})`}`;
  const text = () => decodeFile(file.path, file.name, enc, signal, invalid);
  switch (format) {
    case 'csv':
    case 'tsv':
      yield* readCsv(
        decodeFileToUtf8Bytes(file.path, file.name, enc, signal, invalid),
        {
          delimiter: delimiterFor(plan, format),
          quote: plan.quote,
          escape: plan.escape,
          header: plan.header,
          skipLines: plan.skipLines,
          comment: plan.comment,
          relaxQuotes: plan.relaxQuotes,
          invalid,
        },
        file.name,
      );
      return;
    case 'json':
      yield* readJson(text(), plan.recordPath, file.name);
      return;
    case 'ndjson':
      yield* readNdjson(text(), file.name);
      return;
    case 'xml':
      yield* (await import('./formats/xml.js')).readXml(text(), plan.recordPath, file.name);
      return;
  }
}

function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/**
 * Yields the file's records. Throws (EncodingError, FileFormatError) when the file
 * cannot be read on; the caller marks it failed. Rejects are counted in `report`.
 */
export async function* readFileRecords(file: DropFile, plan: StreamPlan, report: FileReport, opts: ReadFileOptions = {}): AsyncGenerator<ErpRecord> {
  for await (const batch of readFileBatches(file, plan, report, opts)) yield* batch;
}

/** Same as readFileRecords, in batches (one async step per batch keeps large files fast). */
export async function* readFileBatches(file: DropFile, plan: StreamPlan, report: FileReport, opts: ReadFileOptions = {}): AsyncGenerator<ErpRecord[]> {
  if (file.size === 0) {
    // Not even a header: an export that failed to write is more likely than an empty catalogue.
    throw new FileFormatError(`${file.name} is empty (0 bytes): the export wrote nothing; check the exporter`);
  }
  const mtimeIso = new Date(file.mtimeMs).toISOString();
  let builder: RecordBuilder | null = null;
  const format = formatOf(file.name, plan);
  const tabular = format === 'csv' || format === 'tsv' || format === 'xlsx';
  if (!tabular) builder = compileBuilder(plan, { tabular: false }, file.name, mtimeIso);
  const merged = plan.languageColumn ? new Map<string, ErpRecord>() : null;
  const relax = plan.relaxColumnCount;

  const reject = (line: number, column: number | undefined, raw: string, message: string, key?: string, field?: string) => {
    const location = column ? `${file.name}:${line}:${column}` : `${file.name}:${line}`;
    const r: RejectedRecord = {
      stream: plan.stream,
      location,
      raw: truncateRaw(raw),
      message: message.startsWith(file.name) ? message : `${location}: ${message}`,
    };
    if (key !== undefined) r.key = key;
    if (field !== undefined) r.field = field;
    addReject(report, r);
    opts.onReject?.(r);
  };

  const invalid = new InvalidUtf8();
  for await (const batch of events(file, plan, report, invalid, opts.signal)) {
    if (opts.signal?.aborted) return;
    const out: ErpRecord[] = [];
    for (const ev of batch) {
      if (ev.type === 'header') {
        builder = compileBuilder(plan, { tabular: true, columns: ev.columns }, file.name, mtimeIso);
        continue;
      }
      report.rows++;
      if (!tabular && invalid.found.length && ev.raw.includes('\x1a')) {
        // A document record (JSON, NDJSON, XML) holding a byte that was not UTF-8: that record is rejected.
        const bad = invalid.onLines(ev.line, ev.line + countLines(ev.raw));
        if (bad.length) {
          const cells = ev.cells;
          reject(ev.line, undefined, ev.raw.replaceAll('\x1a', '\ufffd'), InvalidUtf8.message(bad, invalid.guess), cells && builder ? builder.keyOf(cells) : undefined);
          continue;
        }
      }
      if (ev.type === 'reject') {
        reject(ev.line, ev.column, ev.raw, ev.message, ev.cells && builder ? builder.keyOf(ev.cells) : undefined);
        continue;
      }
      if (!builder) throw new FileFormatError(`${file.name}: a row came before the header`);
      if (tabular && !relax) {
        const cells = ev.cells as unknown[];
        const width = builder.width;
        if (cells.length !== width) {
          let extraEmpty = cells.length > width;
          for (let i = width; extraEmpty && i < cells.length; i++) if (cells[i] !== '' && cells[i] !== null) extraEmpty = false;
          if (!extraEmpty) {
            const column = Math.min(cells.length, width) + 1;
            reject(
              ev.line,
              column,
              ev.raw,
              cells.length < width
                ? `the row has ${cells.length} cells but the header has ${width} columns (missing from column ${column}); check delimiters and quoting`
                : `the row has ${cells.length} cells but the header has ${width} columns (extra from column ${column}); an unquoted delimiter inside a value?`,
              // The key names the reject when its column comes before the shift.
              builder.keyIndex >= 0 && builder.keyIndex < column - 1 ? builder.keyOf(cells) : undefined,
            );
            continue;
          }
        }
      }
      let record: ErpRecord;
      try {
        record = builder.build(ev.cells);
      } catch (e) {
        if (e instanceof RowError) {
          const keyPart = e.key ? `key ${e.key}, ` : '';
          reject(ev.line, e.column, ev.raw, tabular || !e.field ? e.message : `${keyPart}${e.message}`, e.key, e.field);
          continue;
        }
        throw e;
      }
      if (merged) {
        const prev = merged.get(record.key);
        if (prev) mergeLanguageRows(prev, record, builder.localizedFields);
        else merged.set(record.key, record);
      } else out.push(record);
      if (opts.maxRows !== undefined && report.rows >= opts.maxRows) {
        if (out.length) yield out;
        return;
      }
    }
    if (out.length) yield out;
  }
  if (merged && merged.size) yield [...merged.values()];
}
