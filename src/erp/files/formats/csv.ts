/**
 * CSV/TSV rows with csv-parse, streamed. Rows keep their starting line for error
 * locations; parse errors (bad quoting) become rejects with the raw text and the
 * parser reads on. A quote left open at the end of the file fails the whole file,
 * because the rows it swallowed cannot be counted.
 */
import { Readable } from 'node:stream';
import { parse, type CsvError } from 'csv-parse';
import { FileFormatError, truncateRaw, type ReaderEvent } from './types.js';

export interface CsvOptions {
  delimiter: string;
  quote: string | false;
  escape?: string;
  header: boolean | string[];
  skipLines: number;
  comment?: string;
  relaxQuotes: boolean;
}

const CANDIDATES = [',', ';', '\t', '|'];

/** Picks the delimiter that occurs most in the first line, outside quotes. */
export function sniffDelimiter(firstText: string, quote: string | false, skipLines = 0): string {
  const lines = firstText.split(/\r?\n/, skipLines + 2);
  const line = lines[skipLines] ?? '';
  const counts = new Map<string, number>();
  let quoted = false;
  for (const ch of line) {
    if (quote && ch === quote) quoted = !quoted;
    else if (!quoted && CANDIDATES.includes(ch)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  }
  let best = ',';
  let bestCount = 0;
  for (const [d, c] of counts) if (c > bestCount) [best, bestCount] = [d, c];
  return best;
}

/** Line where a record starts: csv-parse reports the line where it ends. */
function startLine(endLine: number, raw: string): number {
  let last = raw.length - 1;
  while (last >= 0 && (raw.charCodeAt(last) === 10 || raw.charCodeAt(last) === 13)) last--;
  let first = 0;
  while (first <= last && (raw.charCodeAt(first) === 10 || raw.charCodeAt(first) === 13)) first++;
  let n = 0;
  for (let k = raw.indexOf('\n', first); k !== -1 && k <= last; k = raw.indexOf('\n', k + 1)) n++;
  return endLine - n;
}

interface Parsed {
  record: string[];
  raw: string;
  info: { lines: number };
}

/** Yields events in batches: one async step per batch, not per row, keeps the common path fast. */
export async function* readCsv(text: AsyncIterable<string>, opts: CsvOptions, fileName: string): AsyncGenerator<ReaderEvent[]> {
  const iterator = text[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) {
    if (Array.isArray(opts.header)) yield [{ type: 'header', columns: opts.header }];
    return;
  }
  const delimiter = opts.delimiter === 'auto' ? sniffDelimiter(first.value, opts.quote, opts.skipLines) : opts.delimiter;
  const pending: ReaderEvent[] = [];
  let fatal: FileFormatError | null = null;
  const parser = parse({
    delimiter,
    quote: opts.quote === false ? null : opts.quote,
    escape: opts.escape ?? (opts.quote === false ? null : opts.quote),
    comment: opts.comment,
    from_line: opts.skipLines + 1,
    relax_quotes: opts.relaxQuotes,
    relax_column_count: true, // counted against the header by the caller, with a better message
    skip_empty_lines: true,
    skip_records_with_error: true,
    info: true,
    raw: true,
    bom: true,
    on_skip: (err: CsvError | undefined, raw: string | undefined) => {
      const line = startLine(Number(err?.lines ?? 0), raw ?? '');
      const message = err ? err.message.replace(/^Invalid Record Length: /, '') : 'unreadable record';
      if (err?.code === 'CSV_QUOTE_NOT_CLOSED') {
        fatal = new FileFormatError(
          `${fileName}: a quote opened on line ${line} is never closed, so the rest of the file cannot be split into rows; fix the quoting (or set quote: false)`,
        );
      }
      pending.push({ type: 'reject', line, raw: truncateRaw(raw ?? ''), message: `${message}` });
      return undefined;
    },
  });
  async function* all(): AsyncGenerator<string> {
    yield first.value as string;
    for (let r = await iterator.next(); !r.done; r = await iterator.next()) yield r.value;
  }
  // Closing the text source (and its file handle) when we stop early.
  const closeText = () => void iterator.return?.(undefined)?.catch(() => undefined);
  const source = Readable.from(all(), { objectMode: false });
  source.on('error', (e) => parser.destroy(e));
  source.pipe(parser);
  let headerDone = opts.header !== true;
  let generateNames = opts.header === false;
  let batch: ReaderEvent[] = [];
  if (Array.isArray(opts.header)) batch.push({ type: 'header', columns: opts.header });
  try {
    for await (const item of parser as AsyncIterable<Parsed>) {
      if (pending.length) batch.push(...pending.splice(0));
      if (!headerDone) {
        headerDone = true;
        batch.push({ type: 'header', columns: item.record.map((c) => c.trim()) });
        continue;
      }
      if (generateNames) {
        // No names given: column1, column2, … from the first row's width.
        generateNames = false;
        batch.push({ type: 'header', columns: item.record.map((_, i) => `column${i + 1}`) });
      }
      batch.push({ type: 'row', line: startLine(item.info.lines, item.raw), cells: item.record, raw: item.raw });
      if (batch.length >= 512 || parser.readableLength === 0) {
        yield batch;
        batch = [];
      }
    }
    if (pending.length) batch.push(...pending.splice(0));
    if (batch.length) yield batch;
  } finally {
    source.destroy();
    parser.destroy();
    closeText();
  }
  if (fatal) throw fatal;
}
