/**
 * XML records, streamed: a small tag scanner follows the element path chunk by chunk
 * (skipping comments, CDATA, processing instructions and the DOCTYPE) and cuts out
 * each record element; fast-xml-parser then parses that one record. Memory is one
 * record, whatever the file size.
 *
 * Values stay text (no number parsing: decimals are exact); attributes appear as
 * `@name`, an element's text next to attributes as `#text`.
 *
 * Why not saxes: after a stray end tag saxes closes every open element up to the root, so
 * one malformed record would end the file; this scanner resynchronises on the record and
 * reads on. It is linear in the input (long comments and CDATA are consumed once).
 */
import { XMLParser } from 'fast-xml-parser';
import { FileFormatError, truncateRaw, type ReaderEvent } from './types.js';

const TAG_NAME = /^<\/?([^\s/>]+)/;

export class XmlRecordScanner {
  private buf = '';
  private pos = 0;
  private line = 1;
  private lineScan = 0;
  private stack: string[] = [];
  private recordStart = -1;
  private recordParts: string[] = [];
  private recordLine = 0;
  private recordDepth = -1;
  private recordName = '';
  private sawRoot = false;
  private readonly path: string[];
  private readonly anywhere: boolean;

  constructor(
    recordPath: string,
    private readonly fileName: string,
  ) {
    this.path = recordPath.split('/').filter(Boolean);
    if (!this.path.length) throw new FileFormatError(`${fileName}: XML needs recordPath (e.g. catalog/products/product, or just product)`);
    this.anywhere = this.path.length === 1;
  }

  private lineAt(idx: number): number {
    for (let k = this.buf.indexOf('\n', this.lineScan); k !== -1 && k < idx; k = this.buf.indexOf('\n', k + 1)) this.line++;
    this.lineScan = Math.max(this.lineScan, idx);
    return this.line;
  }

  private fail(idx: number, message: string): never {
    throw new FileFormatError(`${this.fileName}:${this.lineAt(idx)}: ${message}`);
  }

  private matches(name: string): boolean {
    if (this.anywhere) return name === this.path[0] || name.endsWith(`:${this.path[0]}`);
    if (this.stack.length !== this.path.length - 1 || name !== this.path[this.path.length - 1]) return false;
    for (let i = 0; i < this.stack.length; i++) if (this.stack[i] !== this.path[i]) return false;
    return true;
  }

  /** End index (exclusive) of the open tag starting at idx, honouring quoted attribute values, or -1. */
  private tagEnd(idx: number): number {
    let quote = 0;
    for (let i = idx + 1; i < this.buf.length; i++) {
      const c = this.buf.charCodeAt(i);
      if (quote) {
        if (c === quote) quote = 0;
      } else if (c === 34 || c === 39) quote = c;
      else if (c === 62) return i + 1;
    }
    return -1;
  }

  /** A fatal error met in the last chunk, raised once its complete records are handed out. */
  error: FileFormatError | null = null;

  push(chunk: string): { text: string; line: number }[] {
    const out: { text: string; line: number }[] = [];
    try {
      this.scan(chunk, out);
    } catch (e) {
      if (!(e instanceof FileFormatError)) throw e;
      this.error = e;
    }
    return out;
  }

  /**
   * The terminator of a comment, CDATA section or processing instruction that runs past the
   * end of the text read so far. Its text is consumed chunk by chunk (kept only as part of a
   * record), never rescanned: a 32 MB CDATA section costs one pass, not one per chunk.
   */
  private openUntil: string | null = null;

  /** Consumes an unterminated construct up to the end of the buffer, keeping a tail that may hold the start of its terminator. */
  private consumeOpen(from: number, terminator: string): void {
    this.openUntil = terminator;
    this.pos = Math.max(from, this.buf.length - (terminator.length - 1));
  }

  private scan(chunk: string, out: { text: string; line: number }[]): void {
    this.buf = this.buf.length > this.pos ? this.buf.slice(this.pos) + chunk : chunk;
    this.lineScan = Math.max(0, this.lineScan - this.pos);
    if (this.recordStart !== -1) this.recordStart -= this.pos;
    this.pos = 0;
    const b = this.buf;
    if (this.openUntil) {
      const e = b.indexOf(this.openUntil);
      if (e === -1) this.consumeOpen(0, this.openUntil);
      else {
        this.pos = e + this.openUntil.length;
        this.openUntil = null;
      }
    }
    while (!this.openUntil) {
      const lt = b.indexOf('<', this.pos);
      if (lt === -1) {
        this.pos = b.length;
        break;
      }
      let end: number;
      const open = b.startsWith('<!--', lt) ? '-->' : b.startsWith('<![CDATA[', lt) ? ']]>' : b.startsWith('<?', lt) ? '?>' : null;
      if (open) {
        const from = lt + (open === '-->' ? 4 : open === ']]>' ? 9 : 2);
        const e = b.indexOf(open, from);
        if (e === -1 && b.length - lt >= 9) {
          this.consumeOpen(from, open);
          break;
        }
        end = e === -1 ? -1 : e + open.length;
      } else if (b.startsWith('<!', lt)) {
        // DOCTYPE, possibly with an internal subset in [ ].
        const bracket = b.indexOf('[', lt);
        const gt = b.indexOf('>', lt);
        if (bracket !== -1 && (gt === -1 || bracket < gt)) {
          const e = b.indexOf(']>', bracket);
          end = e === -1 ? -1 : e + 2;
        } else end = gt === -1 ? -1 : gt + 1;
      } else if (b.length - lt < 2) {
        end = -1;
      } else {
        end = this.tagEnd(lt);
        if (end !== -1) {
          const closing = b.charCodeAt(lt + 1) === 47;
          const selfClosing = !closing && b.charCodeAt(end - 2) === 47;
          const m = TAG_NAME.exec(b.slice(lt, Math.min(end, lt + 300)));
          if (!m) this.fail(lt, `malformed tag ${JSON.stringify(b.slice(lt, Math.min(end, lt + 40)))}`);
          const name = m[1]!;
          if (closing) {
            const top = this.stack[this.stack.length - 1];
            if (top !== name) {
              // Inside a record, a stray or missing end tag spoils only that record (the
              // parser rejects it): resynchronise on the nearest open element of that name.
              const at = this.stack.lastIndexOf(name);
              if (this.recordStart === -1 || (at !== -1 && at < this.recordDepth)) {
                this.fail(lt, top ? `</${name}> closes <${top}>` : `unexpected </${name}>`);
              }
              if (at !== -1) this.stack.length = at + 1;
            }
            const matched = top === name || this.stack[this.stack.length - 1] === name;
            if (matched) this.stack.pop();
            if (matched && this.recordStart !== -1 && this.stack.length === this.recordDepth) {
              this.recordParts.push(b.slice(this.recordStart, end));
              out.push({ text: this.recordParts.join(''), line: this.recordLine });
              this.recordParts = [];
              this.recordStart = -1;
            }
          } else {
            if (this.stack.length === 0) {
              if (this.sawRoot) this.fail(lt, `a second root element <${name}>`);
              this.sawRoot = true;
            }
            if (this.recordStart === -1 && this.matches(name)) {
              this.recordStart = lt;
              this.recordLine = this.lineAt(lt);
              this.recordDepth = this.stack.length;
              this.recordName = name;
              if (selfClosing) {
                out.push({ text: b.slice(lt, end), line: this.recordLine });
                this.recordStart = -1;
              }
            }
            if (!selfClosing) this.stack.push(name);
          }
        }
      }
      if (end === -1) {
        // The construct continues in the next chunk.
        this.pos = lt;
        break;
      }
      this.pos = end;
    }
    // Keep the unfinished tail; move the record's finished part out of the buffer.
    if (this.recordStart !== -1 && this.recordStart < this.pos) {
      this.recordParts.push(b.slice(this.recordStart, this.pos));
      this.recordStart = this.pos;
    }
    this.lineAt(this.pos);
  }

  end(): void {
    if (this.openUntil) this.fail(this.buf.length, `the file ends inside a ${this.openUntil === '-->' ? 'comment' : this.openUntil === ']]>' ? 'CDATA section' : 'processing instruction'}: the XML is truncated`);
    if (this.stack.length) this.fail(this.buf.length, `the file ends inside <${this.stack[this.stack.length - 1]}>: the XML is truncated`);
    if (!this.sawRoot) throw new FileFormatError(`${this.fileName}: no XML element found`);
  }

  get name(): string {
    return this.recordName;
  }
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  textNodeName: '#text',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: false,
});

export async function* readXml(text: AsyncIterable<string>, recordPath: string, fileName: string): AsyncGenerator<ReaderEvent[]> {
  const scanner = new XmlRecordScanner(recordPath, fileName);
  for await (const chunk of text) {
    const batch: ReaderEvent[] = [];
    for (const rec of scanner.push(chunk)) {
      let parsed: Record<string, unknown>;
      try {
        parsed = parser.parse(rec.text, true) as Record<string, unknown>;
      } catch (e) {
        const err = e as { message?: string; err?: { msg?: string } };
        batch.push({ type: 'reject', line: rec.line, raw: truncateRaw(rec.text), message: `${fileName}:${rec.line}: malformed XML record: ${err.err?.msg ?? err.message ?? String(e)}` });
        continue;
      }
      const value = parsed[scanner.name];
      const cells = value && typeof value === 'object' ? (value as Record<string, unknown>) : { '#text': value ?? '' };
      batch.push({ type: 'row', line: rec.line, cells, raw: rec.text });
    }
    if (batch.length) yield batch;
    if (scanner.error) throw scanner.error;
  }
  scanner.end();
}
