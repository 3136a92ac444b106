/**
 * Text encodings of dropped files: detection from the first bytes, and streaming
 * decoding that stops with an error NAMING the problem (byte offset, line, what the
 * file looks like instead) rather than turning bad bytes into U+FFFD silently.
 */
import { open } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { isAscii, isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';
import chardet from 'chardet';
import type { EncodingSetting } from './config.js';

export type TextEncoding = 'utf8' | 'utf16le' | 'utf16be' | 'latin1' | 'windows-1252' | string;

export interface ResolvedEncoding {
  encoding: TextEncoding;
  /** Bytes of byte-order mark to skip. */
  bomLength: number;
  /** How we know: 'bom', 'nul-pattern', 'utf8-valid', 'guessed' (byte analysis, then chardet), 'xml-declaration' or 'config'. */
  detectedBy: string;
}

/** A file whose bytes do not fit the encoding. The message names the encoding and, when known, what the file looks like. */
export class EncodingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EncodingError';
  }
}

const HEAD_BYTES = 64 * 1024;

export async function readHead(path: string, bytes = HEAD_BYTES): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await fh.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

export function bomOf(head: Buffer): { encoding: 'utf8' | 'utf16le' | 'utf16be'; length: number } | null {
  if (head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf8', length: 3 };
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf16le', length: 2 };
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf16be', length: 2 };
  return null;
}

/**
 * UTF-16 text of mostly Latin script has a NUL in every other byte: at odd offsets
 * for little-endian ("a\0b\0"), at even offsets for big-endian. Returns which, if any.
 */
export function nulPattern(head: Buffer, from = 0): 'utf16le' | 'utf16be' | null {
  const end = Math.min(head.length, from + 8192);
  let even = 0;
  let odd = 0;
  let pairs = 0;
  for (let i = from; i + 1 < end; i += 2) {
    pairs++;
    if (head[i] === 0) even++;
    if (head[i + 1] === 0) odd++;
  }
  if (pairs < 2) return null;
  if (odd / pairs > 0.3 && even / pairs < 0.05) return 'utf16le';
  if (even / pairs > 0.3 && odd / pairs < 0.05) return 'utf16be';
  return null;
}

/** NUL bytes that are not confined to a few rows (at most 1 line in 100, or one): binary or UTF-16/32 text. */
function hasNul(head: Buffer, from: number): boolean {
  let at = head.indexOf(0, from);
  if (at === -1) return false;
  let lines = 1;
  for (let i = head.indexOf(10); i !== -1; i = head.indexOf(10, i + 1)) lines++;
  let nulLines = 0;
  let lastLine = -1;
  for (; at !== -1; at = head.indexOf(0, at + 1)) {
    const lineStart = head.lastIndexOf(10, at) + 1;
    if (lineStart === lastLine) continue;
    lastLine = lineStart;
    if (++nulLines > Math.max(1, lines / 100)) return true;
  }
  return false;
}

/** Whether the head is valid UTF-8, ignoring a multi-byte sequence cut off at the end of the sample. */
function headIsUtf8(head: Buffer, from: number): boolean {
  const end = completeUtf8Prefix(head, head.length);
  return isUtf8(head.subarray(from, end));
}

function hasNonAscii(head: Buffer, from: number): boolean {
  for (let i = from; i < head.length; i++) if (head[i]! >= 0x80) return true;
  return false;
}

/**
 * Single high bytes between ASCII (é, ü, ç in "Crème") are the mark of Western 8-bit
 * text; chardet is unreliable on short samples with few of them (it says Shift_JIS).
 */
function westernSingleByte(sample: Buffer): 'latin1' | 'windows-1252' | null {
  let high = 0;
  let c1 = false;
  for (let i = 0; i < sample.length; i++) {
    const b = sample[i]!;
    if (b < 0x80) continue;
    const prev = i > 0 ? sample[i - 1]! : 0;
    const next = i + 1 < sample.length ? sample[i + 1]! : 0;
    if (prev >= 0x80 || next >= 0x80) return null;
    if (b < 0xa0) c1 = true;
    high++;
  }
  if (!high) return null;
  return c1 ? 'windows-1252' : 'latin1';
}

/**
 * UTF-8 with some bad rows rather than another encoding: the head holds valid multi-byte
 * UTF-8 characters at least a quarter as many as the bad bytes (text in another encoding
 * forms valid UTF-8 only by accident), or the bad bytes sit on few lines (at most 1 in 20, or
 * two) and are not Western 8-bit text (isolated accented letters, the mark of a Latin-1
 * export). Wrongly choosing UTF-8 is loud (rows rejected, naming the encoding to set);
 * wrongly choosing another encoding garbles every row silently, so UTF-8 gets the benefit.
 */
function utf8WithBadRows(head: Buffer): boolean {
  const body = head.subarray(0, completeUtf8Prefix(head, head.length));
  let lines = 1;
  for (let i = body.indexOf(10); i !== -1; i = body.indexOf(10, i + 1)) lines++;
  let badBytes = 0;
  let multibyte = 0;
  let badLines = 0;
  let lastBadLine = -1;
  let western = false;
  const countLeads = (seg: Buffer) => {
    if (isAscii(seg)) return;
    for (let i = 0; i < seg.length; i++) if (seg[i]! >= 0xc0) multibyte++;
  };
  let from = 0;
  for (let at = firstInvalidUtf8(body); at < body.length; from = at + 1, at = from + firstInvalidUtf8(body.subarray(from))) {
    countLeads(body.subarray(from, at));
    badBytes++;
    const lineStart = body.lastIndexOf(10, at) + 1;
    if (lineStart !== lastBadLine) {
      lastBadLine = lineStart;
      badLines++;
      const nl = body.indexOf(10, at);
      if (!western && westernSingleByte(body.subarray(lineStart, nl === -1 ? body.length : nl)) !== null) western = true;
    }
  }
  countLeads(body.subarray(from));
  if (multibyte * 4 >= badBytes) return true;
  return !western && badLines <= Math.max(2, lines / 20);
}

/** A guess of the real encoding of bytes that are not UTF-8, as an iconv-lite name. */
export function guessEncoding(sample: Buffer): string | null {
  const western = westernSingleByte(sample);
  if (western) return western;
  const guess = chardet.detect(sample);
  if (!guess) return null;
  const g = guess.toLowerCase();
  if (g === 'iso-8859-1') return 'latin1';
  if (g === 'utf-8') return 'utf8';
  if (g === 'utf-16le') return 'utf16le';
  if (g === 'utf-16be') return 'utf16be';
  return iconv.encodingExists(g) ? g : null;
}

function describeGuess(sample: Buffer): string {
  const nul = nulPattern(sample);
  if (nul) return `it looks like ${label(nul)} without a byte-order mark`;
  const g = guessEncoding(sample);
  return g ? `it looks like ${label(g)}` : 'its encoding could not be recognised';
}

export function label(encoding: string): string {
  switch (encoding) {
    case 'utf8':
      return 'UTF-8';
    case 'utf16le':
      return 'UTF-16LE';
    case 'utf16be':
      return 'UTF-16BE';
    case 'latin1':
      return 'ISO-8859-1 (latin1)';
    default:
      return encoding;
  }
}

const XML_DECL = /^<\?xml[^>]*\bencoding\s*=\s*["']([A-Za-z0-9._-]+)["']/;

/**
 * Decides how to decode a file from its configured encoding and its first bytes.
 * Throws EncodingError when the configured encoding contradicts the bytes.
 */
export function resolveEncoding(setting: EncodingSetting, head: Buffer, fileName: string, opts: { xml?: boolean } = {}): ResolvedEncoding {
  const bom = bomOf(head);
  const where = `${fileName}`;
  if (bom) {
    if (setting === 'auto' || setting === bom.encoding) return { encoding: bom.encoding, bomLength: bom.length, detectedBy: 'bom' };
    throw new EncodingError(
      `${where} starts with a ${label(bom.encoding)} byte-order mark but the configured encoding is ${label(setting)}; set encoding: ${bom.encoding} (or auto)`,
    );
  }
  const nul = nulPattern(head);
  if (setting === 'auto') {
    if (nul) return { encoding: nul, bomLength: 0, detectedBy: 'nul-pattern' };
    if (opts.xml) {
      const m = XML_DECL.exec(head.subarray(0, 200).toString('latin1'));
      const declared = m?.[1]?.toLowerCase();
      if (declared && declared !== 'utf-8' && declared !== 'utf8' && iconv.encodingExists(declared)) {
        return { encoding: declared === 'iso-8859-1' ? 'latin1' : declared, bomLength: 0, detectedBy: 'xml-declaration' };
      }
    }
    if (headIsUtf8(head, 0)) {
      if (hasNul(head, 0)) {
        throw new EncodingError(`${where} contains NUL bytes: it is binary or UTF-16/UTF-32 text without a byte-order mark; set the encoding explicitly`);
      }
      return { encoding: 'utf8', bomLength: 0, detectedBy: 'utf8-valid' };
    }
    if (utf8WithBadRows(head)) return { encoding: 'utf8', bomLength: 0, detectedBy: 'utf8-valid' };
    const g = guessEncoding(head);
    if (g && g !== 'utf8') return { encoding: g, bomLength: 0, detectedBy: 'guessed' };
    return { encoding: 'windows-1252', bomLength: 0, detectedBy: 'guessed' };
  }
  if (setting === 'utf8') {
    if (nul) throw new EncodingError(`${where} is not UTF-8: every other byte is NUL, it looks like ${label(nul)} without a byte-order mark; set encoding: ${nul}`);
    if (hasNul(head, 0)) throw new EncodingError(`${where} is not UTF-8 text: it contains NUL bytes (binary or UTF-16/32); check the export`);
    return { encoding: 'utf8', bomLength: 0, detectedBy: 'config' };
  }
  if (setting === 'utf16le' || setting === 'utf16be') {
    if (nul && nul !== setting) {
      throw new EncodingError(`${where} is not ${label(setting)}: its NUL bytes sit where ${label(nul)} puts them; set encoding: ${nul}`);
    }
    if (!nul && !hasNul(head, 0) && head.length >= 4 && headIsUtf8(head, 0)) {
      throw new EncodingError(`${where} is not ${label(setting)}: it has no NUL bytes and is valid UTF-8; set encoding: utf8 (or auto)`);
    }
    return { encoding: setting, bomLength: 0, detectedBy: 'config' };
  }
  // 8-bit encodings decode any byte, so the checks are about what would be garbled.
  if (nul) throw new EncodingError(`${where} is not ${label(setting)}: every other byte is NUL, it looks like ${label(nul)} without a byte-order mark; set encoding: ${nul}`);
  if (hasNonAscii(head, 0) && headIsUtf8(head, 0)) {
    throw new EncodingError(
      `${where} is UTF-8 with non-ASCII characters; reading it as ${label(setting)} would garble them (é would become Ã©); set encoding: utf8 (or auto)`,
    );
  }
  return { encoding: setting, bomLength: 0, detectedBy: 'config' };
}

/** Length of the longest prefix of buf[0..end) that does not end inside a UTF-8 multi-byte sequence. */
function completeUtf8Prefix(buf: Buffer, end: number): number {
  // Look back at most 3 bytes for a lead byte whose sequence runs past the end.
  for (let back = 1; back <= 3 && end - back >= 0; back++) {
    const b = buf[end - back]!;
    if (b < 0x80) return end; // ASCII: nothing cut
    if (b >= 0xc0) {
      const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
      return need > back ? end - back : end;
    }
  }
  return end;
}

/** Offset of the first invalid UTF-8 sequence in buf (only called once isUtf8 said there is one). */
export function firstInvalidUtf8(buf: Buffer): number {
  let i = 0;
  while (i < buf.length) {
    const b = buf[i]!;
    let need: number;
    if (b < 0x80) {
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) need = 2;
    else if (b >= 0xf0 && b <= 0xf4) need = 3;
    else return i;
    for (let k = 1; k <= need; k++) {
      const c = buf[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
    }
    if (!isUtf8(buf.subarray(i, i + need + 1))) return i; // overlong, surrogate or > U+10FFFF
    i += need + 1;
  }
  return buf.length;
}

/** Line numbers of byte offsets, counted forward from the last one asked (offsets come in file order). */
class LineCounter {
  private offset = 0;
  private line = 1;

  constructor(private readonly path: string) {}

  async lineAt(offset: number): Promise<number> {
    if (offset < this.offset) {
      this.offset = 0;
      this.line = 1;
    }
    if (offset > this.offset) {
      for await (const chunk of createReadStream(this.path, { start: this.offset, end: offset - 1 })) {
        const b = chunk as Buffer;
        for (let i = b.indexOf(10); i !== -1; i = b.indexOf(10, i + 1)) this.line++;
      }
      this.offset = offset;
    }
    return this.line;
  }
}

function hex(buf: Buffer, at: number, count = 4): string {
  return [...buf.subarray(at, at + count)].map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join(' ');
}

/** A byte that is not part of valid UTF-8 (it reaches the readers as U+001A SUBSTITUTE). */
export interface InvalidByte {
  /** Offset in the file. */
  offset: number;
  /** Offset in the decoded byte stream the readers see (the file less its byte-order mark). */
  streamOffset: number;
  line: number;
  /** The bad byte and the three after it, in hex: `FF FE 41 42`. */
  bytes: string;
  /** A NUL byte (valid UTF-8, but never text). */
  nul?: boolean;
}

/**
 * The invalid UTF-8 bytes met while decoding, in file order. The decoder replaces each with
 * the one byte 0x1A (SUBSTITUTE), so byte offsets and lines stay exact and the row around it
 * can still be split; the readers ask here whether a row holds one and reject that row only.
 */
export class InvalidUtf8 {
  /** Not yet claimed by a row: the readers ask in file order, so older entries are dropped as they pass. */
  readonly found: InvalidByte[] = [];

  /** The invalid bytes inside [from, to) of the decoded stream (asked in stream order). */
  inStreamRange(from: number, to: number): InvalidByte[] {
    const f = this.found;
    if (!f.length) return [];
    let n = 0;
    while (n < f.length && f[n]!.streamOffset < from) n++;
    if (n) f.splice(0, n);
    let m = 0;
    while (m < f.length && f[m]!.streamOffset < to) m++;
    return m ? f.splice(0, m) : [];
  }

  /** The invalid bytes on lines [from, to] (asked in line order). */
  onLines(from: number, to: number): InvalidByte[] {
    const f = this.found;
    if (!f.length) return [];
    let n = 0;
    while (n < f.length && f[n]!.line < from) n++;
    if (n) f.splice(0, n);
    let m = 0;
    while (m < f.length && f[m]!.line <= to) m++;
    return m ? f.splice(0, m) : [];
  }

  /** The reject message for a row holding these bytes. */
  static message(bad: InvalidByte[], guess: string | null): string {
    const first = bad[0]!;
    if (first.nul) {
      const more = bad.length > 1 ? ` (and ${bad.length - 1} more bad bytes in this row)` : '';
      return `a NUL byte (00) at byte ${first.offset} (line ${first.line})${more}: binary data inside a text export; the row is rejected and the rest of the file is read; fix this row in the export`;
    }
    const more = bad.length > 1 ? ` (and ${bad.length - 1} more in this row)` : '';
    const other = guess && guess !== 'utf8' ? `; if the whole export is ${label(guess)}, set encoding: ${guess}` : '';
    return `invalid UTF-8: bytes ${first.bytes} at byte ${first.offset} (line ${first.line})${more}; the row is rejected and the rest of the file is read; fix this row in the export${other}`;
  }

  /** What the bad bytes look like, for the fix in the message. */
  guess: string | null = null;
}

/**
 * Streams the file as text. UTF-8 is validated chunk by chunk (native isUtf8, so valid
 * files cost one pass); an invalid byte is replaced by 0x1A and recorded in `invalid`, so
 * only the row holding it is rejected (see InvalidUtf8). Exception: when the encoding was
 * configured as utf8 and the file has shown no multi-byte UTF-8 character before bytes that
 * read as Western 8-bit text, the configuration contradicts the file: it fails, naming the
 * encoding to set. Other encodings go through iconv-lite's streaming decoders.
 */
export function decodeFile(path: string, fileName: string, enc: ResolvedEncoding, signal?: AbortSignal, invalid?: InvalidUtf8): AsyncGenerator<string> {
  return decode(path, fileName, enc, signal, false, invalid) as AsyncGenerator<string>;
}

/** Like decodeFile, but validated UTF-8 passes through as bytes (no decode/encode round trip for the CSV parser). */
export function decodeFileToUtf8Bytes(path: string, fileName: string, enc: ResolvedEncoding, signal?: AbortSignal, invalid?: InvalidUtf8): AsyncGenerator<string | Buffer> {
  return decode(path, fileName, enc, signal, true, invalid);
}

const SUBSTITUTE = 0x1a;

/** The line around `at` within the chunk (for telling Western 8-bit text from garbage). */
function lineAround(buf: Buffer, at: number): Buffer {
  const start = buf.lastIndexOf(10, at) + 1;
  const nl = buf.indexOf(10, at);
  return buf.subarray(start, nl === -1 ? buf.length : nl);
}

async function* decode(
  path: string,
  fileName: string,
  enc: ResolvedEncoding,
  signal: AbortSignal | undefined,
  bytes: boolean,
  invalid: InvalidUtf8 = new InvalidUtf8(),
): AsyncGenerator<string | Buffer> {
  const stream = createReadStream(path, { start: enc.bomLength, highWaterMark: 256 * 1024 });
  const lines = new LineCounter(path);
  const configured = enc.detectedBy === 'config';
  let sawMultibyte = false;
  try {
    if (enc.encoding === 'utf8') {
      let carry: Buffer | null = null;
      let consumed = enc.bomLength;
      for await (const chunk of stream) {
        if (signal?.aborted) return;
        let buf = chunk as Buffer;
        if (carry) {
          buf = Buffer.concat([carry, buf]);
          carry = null;
        }
        const end = completeUtf8Prefix(buf, buf.length);
        let body = end === buf.length ? buf : buf.subarray(0, end);
        if (!isUtf8(body)) {
          body = Buffer.from(body); // our copy: bad bytes are replaced in place
          // Lines inside the chunk are counted in memory from the chunk's first line.
          let lineAtScan = await lines.lineAt(consumed);
          let scanned = 0;
          for (let from = 0, at = firstInvalidUtf8(body); at < body.length; from = at + 1, at = from + firstInvalidUtf8(body.subarray(from))) {
            if (!sawMultibyte && !isAscii(body.subarray(from, at))) sawMultibyte = true;
            for (let i = body.indexOf(10, scanned); i !== -1 && i < at; i = body.indexOf(10, i + 1)) lineAtScan++;
            scanned = at;
            const offset = consumed + at;
            const around = lineAround(body, at);
            if (configured && !sawMultibyte && westernSingleByte(around) !== null) {
              throw new EncodingError(
                `${fileName} is not valid UTF-8: bytes ${hex(body, at)} at byte ${offset} (line ${lineAtScan}); ${describeGuess(around)}; set encoding to match the export (e.g. encoding: ${guessEncoding(around) ?? 'windows-1252'})`,
              );
            }
            // A file that already showed UTF-8 text is UTF-8: no other encoding to suggest.
            if (!sawMultibyte) invalid.guess ??= guessEncoding(around);
            invalid.found.push({ offset, streamOffset: offset - enc.bomLength, line: lineAtScan, bytes: hex(body, at) });
            body[at] = SUBSTITUTE;
          }
        }
        if (body.indexOf(0) !== -1) {
          // A NUL byte never belongs in a text export (a few of them: see hasNul): that row is rejected.
          let lineAtScan = await lines.lineAt(consumed);
          let scanned = 0;
          for (let at = body.indexOf(0); at !== -1; at = body.indexOf(0, at + 1)) {
            for (let i = body.indexOf(10, scanned); i !== -1 && i < at; i = body.indexOf(10, i + 1)) lineAtScan++;
            scanned = at;
            invalid.found.push({ offset: consumed + at, streamOffset: consumed + at - enc.bomLength, line: lineAtScan, bytes: hex(body, at), nul: true });
            body[at] = SUBSTITUTE;
          }
          invalid.found.sort((a, b) => a.offset - b.offset);
        }
        if (!sawMultibyte && !isAscii(body)) sawMultibyte = true;
        if (end !== buf.length) carry = Buffer.from(buf.subarray(end));
        consumed += body.length;
        if (body.length) yield bytes ? body : body.toString('utf8');
      }
      if (carry && carry.length) {
        // A multi-byte character cut off by the end of the file: the last row is the bad one.
        for (let i = 0; i < carry.length; i++) {
          const offset = consumed + i;
          invalid.found.push({ offset, streamOffset: offset - enc.bomLength, line: await lines.lineAt(offset), bytes: hex(carry, i) });
          carry[i] = SUBSTITUTE;
        }
        yield bytes ? carry : carry.toString('utf8');
      }
      return;
    }
    const decoder = iconv.getDecoder(enc.encoding, { stripBOM: false });
    for await (const chunk of stream) {
      if (signal?.aborted) return;
      const s = decoder.write(chunk as Buffer);
      if (s) yield s;
    }
    const rest = decoder.end();
    if (rest) yield rest;
  } finally {
    stream.destroy();
  }
}
