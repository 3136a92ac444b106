/**
 * CSV/TSV rows with csv-parse, streamed. Rows keep their starting line for error
 * locations; parse errors (bad quoting) become rejects with the raw text and the
 * parser reads on. A quote left open at the end of the file fails the whole file,
 * because the rows it swallowed cannot be counted.
 */
import { Readable } from 'node:stream';
import { parse, type CsvError } from 'csv-parse';
import { InvalidUtf8 } from '../encoding.js';
import { FileFormatError, truncateRaw, type ReaderEvent } from './types.js';

export interface CsvOptions {
  delimiter: string;
  quote: string | false;
  escape?: string;
  header: boolean | string[];
  skipLines: number;
  comment?: string;
  relaxQuotes: boolean;
  /** The invalid UTF-8 bytes the decoder replaced: a row holding one is rejected (that row only). */
  invalid?: InvalidUtf8;
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

/**
 * Line numbers from byte offsets. csv-parse's own line count drifts on CRLF line ends
 * inside quoted values, but its byte offsets are exact: we count LF bytes between them
 * (native indexOf over the chunks still needed, so the cost is one pass over the file).
 */
export class LineTracker {
  private chunks: Buffer[] = [];
  private chunkStart = 0; // byte offset of chunks[0]
  private cursor = 0;
  private line = 1;

  constructor(private readonly comment: number | null) {}

  add(buf: Buffer): void {
    this.chunks.push(buf);
  }

  /** Moves the cursor to `to`, counting line feeds; returns the line at `to`. */
  advance(to: number): number {
    while (this.cursor < to && this.chunks.length) {
      const c = this.chunks[0]!;
      const from = this.cursor - this.chunkStart;
      const end = Math.min(c.length, to - this.chunkStart);
      for (let i = c.indexOf(10, from); i !== -1 && i < end; i = c.indexOf(10, i + 1)) this.line++;
      this.cursor = this.chunkStart + end;
      if (end === c.length) {
        this.chunkStart += c.length;
        this.chunks.shift();
      }
    }
    return this.line;
  }

  private byteAt(offset: number): number {
    let start = this.chunkStart;
    for (const c of this.chunks) {
      if (offset < start + c.length) return c[offset - start]!;
      start += c.length;
    }
    return -1;
  }

  /** Skips blank lines (and comment lines) at the cursor, up to `limit`: the line where the next record starts. */
  recordStart(limit: number): number {
    for (;;) {
      if (this.cursor >= limit) return this.line;
      const b = this.byteAt(this.cursor);
      if (b === 10 || b === 13) this.advance(this.cursor + 1);
      else if (this.comment !== null && b === this.comment) this.skipLine(limit);
      else return this.line;
    }
  }

  /** Skips to the start of the next line (preamble and comment lines). */
  skipLine(limit = Infinity): void {
    while (this.cursor < limit) {
      const b = this.byteAt(this.cursor);
      if (b === -1) return;
      this.advance(this.cursor + 1);
      if (b === 10) return;
    }
  }

  get offset(): number {
    return this.cursor;
  }
}

interface Parsed {
  record: string[];
  raw: string;
  info: { bytes: number };
}

/** Yields events in batches: one async step per batch, not per row, keeps the common path fast. */
export async function* readCsv(text: AsyncIterable<string | Buffer>, opts: CsvOptions, fileName: string): AsyncGenerator<ReaderEvent[]> {
  const iterator = text[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) {
    if (Array.isArray(opts.header)) yield [{ type: 'header', columns: opts.header }];
    return;
  }
  const firstText = typeof first.value === 'string' ? first.value : first.value.toString('utf8', 0, Math.min(first.value.length, 65536));
  const delimiter = opts.delimiter === 'auto' ? sniffDelimiter(firstText, opts.quote, opts.skipLines) : opts.delimiter;
  const commentByte = opts.comment && opts.comment.charCodeAt(0) < 128 ? opts.comment.charCodeAt(0) : null;
  const lines = new LineTracker(commentByte);
  const invalid = opts.invalid;
  let preambleSkipped = opts.skipLines === 0;
  /** The line where the next record starts, from the end offset of the previous one. */
  const nextStart = (limit: number): number => {
    if (!preambleSkipped) {
      preambleSkipped = true;
      for (let i = 0; i < opts.skipLines; i++) lines.skipLine(limit);
    }
    return lines.recordStart(limit);
  };
  const skips: { after: number; err: CsvError | undefined; raw: string }[] = [];
  let consumed = 0;
  let fatal: FileFormatError | null = null;
  /** Turns the skips due before record number `upTo` into rejects, in file order. */
  const flushSkips = (out: ReaderEvent[], upTo: number) => {
    while (skips.length && skips[0]!.after <= upTo) {
      const { err, raw } = skips.shift()!;
      const startOffset = lines.offset;
      const line = nextStart(Infinity);
      // The skipped text ends where its raw text does (csv-parse gives no end offset).
      lines.advance(startOffset + Buffer.byteLength(raw));
      const message = err ? err.message.replace(/^Invalid Record Length: /, '') : 'unreadable record';
      if (err?.code === 'CSV_QUOTE_NOT_CLOSED') {
        fatal = new FileFormatError(
          `${fileName}: a quote opened on line ${line} is never closed, so the rest of the file cannot be split into rows; fix the quoting (or set quote: false)`,
        );
      }
      out.push({ type: 'reject', line, raw: truncateRaw(raw), message });
    }
  };
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
      // Parsing runs ahead of our loop: place the skip after the records parsed before it.
      skips.push({ after: Number((err as { records?: number } | undefined)?.records ?? 0), err, raw: raw ?? '' });
      return undefined;
    },
  });
  // The parser gets UTF-8 bytes (validated UTF-8 input passes through untouched), so its
  // byte offsets index the chunks the line tracker holds.
  async function* all(): AsyncGenerator<Buffer> {
    const firstBuf = typeof first.value === 'string' ? Buffer.from(first.value, 'utf8') : first.value;
    lines.add(firstBuf);
    yield firstBuf;
    for (let r = await iterator.next(); !r.done; r = await iterator.next()) {
      const buf = typeof r.value === 'string' ? Buffer.from(r.value, 'utf8') : r.value;
      lines.add(buf);
      yield buf;
    }
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
      if (skips.length) flushSkips(batch, consumed);
      consumed++;
      const startOffset = lines.offset;
      const line = nextStart(item.info.bytes);
      lines.advance(item.info.bytes);
      const bad = invalid?.inStreamRange(startOffset, item.info.bytes);
      if (bad?.length) {
        if (!headerDone) {
          throw new FileFormatError(
            `${fileName}: the header row (line ${line}) holds bytes that are not UTF-8 (${bad[0]!.bytes} at byte ${bad[0]!.offset}), so the columns cannot be named; fix the export or set its encoding`,
          );
        }
        batch.push({ type: 'reject', line, raw: truncateRaw(item.raw.replaceAll('\x1a', '\ufffd')), message: InvalidUtf8.message(bad, invalid!.guess), cells: item.record });
        continue;
      }
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
      batch.push({ type: 'row', line, cells: item.record, raw: item.raw });
      if (batch.length >= 512 || parser.readableLength === 0) {
        yield batch;
        batch = [];
      }
    }
    flushSkips(batch, Infinity);
    if (batch.length) yield batch;
  } finally {
    source.destroy();
    parser.destroy();
    closeText();
  }
  if (fatal) throw fatal;
}
