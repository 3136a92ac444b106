/**
 * Text encodings of dropped files: detection from the first bytes, and streaming
 * decoding that stops with an error NAMING the problem (byte offset, line, what the
 * file looks like instead) rather than turning bad bytes into U+FFFD silently.
 */
import { open } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { isUtf8 } from 'node:buffer';
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

function hasNul(head: Buffer, from: number): boolean {
  return head.indexOf(0, from) !== -1;
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

async function lineOfOffset(path: string, offset: number): Promise<number> {
  let line = 1;
  if (offset === 0) return line;
  for await (const chunk of createReadStream(path, { end: offset - 1 })) {
    const b = chunk as Buffer;
    for (let i = b.indexOf(10); i !== -1; i = b.indexOf(10, i + 1)) line++;
  }
  return line;
}

function hex(buf: Buffer, at: number): string {
  return [...buf.subarray(at, at + 4)].map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join(' ');
}

/**
 * Streams the file as text. UTF-8 is validated chunk by chunk (native isUtf8) and an
 * invalid sequence stops the read with its byte offset, line and a guess of the real
 * encoding; other encodings go through iconv-lite's streaming decoders.
 */
export function decodeFile(path: string, fileName: string, enc: ResolvedEncoding, signal?: AbortSignal): AsyncGenerator<string> {
  return decode(path, fileName, enc, signal, false) as AsyncGenerator<string>;
}

/** Like decodeFile, but validated UTF-8 passes through as bytes (no decode/encode round trip for the CSV parser). */
export function decodeFileToUtf8Bytes(path: string, fileName: string, enc: ResolvedEncoding, signal?: AbortSignal): AsyncGenerator<string | Buffer> {
  return decode(path, fileName, enc, signal, true);
}

async function* decode(path: string, fileName: string, enc: ResolvedEncoding, signal: AbortSignal | undefined, bytes: boolean): AsyncGenerator<string | Buffer> {
  const stream = createReadStream(path, { start: enc.bomLength, highWaterMark: 256 * 1024 });
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
        const body = end === buf.length ? buf : buf.subarray(0, end);
        if (!isUtf8(body)) {
          const at = firstInvalidUtf8(body);
          const offset = consumed + at;
          const line = await lineOfOffset(path, offset);
          throw new EncodingError(
            `${fileName} is not valid UTF-8: bytes ${hex(body, at)} at byte ${offset} (line ${line}); ${describeGuess(body)}; set encoding to match the export (e.g. encoding: ${guessEncoding(body) ?? 'windows-1252'})`,
          );
        }
        if (end !== buf.length) carry = Buffer.from(buf.subarray(end));
        consumed += body.length;
        if (body.length) yield bytes ? body : body.toString('utf8');
      }
      if (carry && carry.length) {
        throw new EncodingError(`${fileName} is not valid UTF-8: it ends inside a multi-byte character (byte ${consumed}); the file is truncated or not UTF-8`);
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
