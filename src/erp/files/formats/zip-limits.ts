/**
 * Decompression limits for zip-based files (XLSX), checked before any XML of the workbook is
 * parsed: a hostile 300 KB file can expand to gigabytes (one 300 MB shared string took ~1 GB
 * of memory in exceljs). The check reads the zip's central directory, then inflates every
 * entry once with node:zlib, streaming and counting (memory stays a few chunks), and refuses:
 * - more uncompressed bytes in all than `maxUncompressedBytes`;
 * - an entry that expands more than `maxRatio` times (above 1 MiB, where ratios mean something);
 * - an entry that inflates to more than it declares (a forged header);
 * - a text node (a cell value, a shared string run) longer than `maxTextChars` bytes of text.
 * Why not a streaming XLSX reader that caps sizes itself: none of the maintained ones does
 * (exceljs's unzip trusts the stream); this pass costs one native inflate of the file.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInflateRaw } from 'node:zlib';
import { FileFormatError } from './types.js';

export interface ZipLimits {
  maxUncompressedBytes: number;
  maxRatio: number;
  maxTextChars: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxUncompressedBytes: 1024 * 1024 * 1024,
  maxRatio: 200,
  // Excel's own cell limit is 32,767 characters; a PIM text area holds 65,535.
  maxTextChars: 1_000_000,
};

interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

async function centralDirectory(path: string, fileName: string): Promise<{ entries: ZipEntry[]; read: (pos: number, len: number) => Promise<Buffer>; close: () => Promise<void> }> {
  const fh = await open(path, 'r');
  const size = (await fh.stat()).size;
  const read = async (pos: number, len: number): Promise<Buffer> => {
    const buf = Buffer.alloc(len);
    const { bytesRead } = await fh.read(buf, 0, len, pos);
    return buf.subarray(0, bytesRead);
  };
  try {
    const tailLen = Math.min(size, 65_557);
    const tail = await read(size - tailLen, tailLen);
    let at = -1;
    for (let i = tail.length - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === EOCD) {
        at = i;
        break;
      }
    }
    if (at === -1) throw new FileFormatError(`${fileName} is not a readable XLSX workbook: it is not a zip file (no end of central directory)`);
    const count = tail.readUInt16LE(at + 10);
    const cdSize = tail.readUInt32LE(at + 12);
    const cdOffset = tail.readUInt32LE(at + 16);
    if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
      throw new FileFormatError(`${fileName} is a ZIP64 archive (over 4 GB or 65,535 entries): far beyond what an XLSX export should be; export CSV instead`);
    }
    const cd = await read(cdOffset, cdSize);
    const entries: ZipEntry[] = [];
    let p = 0;
    for (let n = 0; n < count; n++) {
      if (p + 46 > cd.length || cd.readUInt32LE(p) !== CENTRAL) throw new FileFormatError(`${fileName} is not a readable XLSX workbook: its zip directory is damaged`);
      const nameLen = cd.readUInt16LE(p + 28);
      entries.push({
        method: cd.readUInt16LE(p + 10),
        compressedSize: cd.readUInt32LE(p + 20),
        uncompressedSize: cd.readUInt32LE(p + 24),
        localHeaderOffset: cd.readUInt32LE(p + 42),
        name: cd.toString('utf8', p + 46, p + 46 + nameLen),
      });
      p += 46 + nameLen + cd.readUInt16LE(p + 30) + cd.readUInt16LE(p + 32);
    }
    return { entries, read, close: () => fh.close() };
  } catch (e) {
    await fh.close();
    throw e;
  }
}

/** Counts one entry's inflated bytes and its longest text node; throws past a limit. */
async function inflateAndMeasure(path: string, dataStart: number, entry: ZipEntry, fileName: string, limits: ZipLimits, budget: { left: number }): Promise<void> {
  if (entry.compressedSize === 0) return;
  const raw = createReadStream(path, { start: dataStart, end: dataStart + entry.compressedSize - 1 });
  const source = entry.method === 8 ? raw.pipe(createInflateRaw()) : raw;
  raw.on('error', (e) => source.destroy(e));
  const xml = entry.name.endsWith('.xml');
  let total = 0;
  let gap = 0; // bytes since the last '<' or '>': the length of the text node being read
  try {
    for await (const chunk of source) {
      const b = chunk as Buffer;
      total += b.length;
      if (total > entry.uncompressedSize) {
        throw new FileFormatError(`${fileName} is refused: its part ${entry.name} declares ${entry.uncompressedSize} bytes but inflates to more (a forged zip header)`);
      }
      budget.left -= b.length;
      if (budget.left < 0) {
        throw new FileFormatError(
          `${fileName} is refused: it expands to more than ${Math.round(limits.maxUncompressedBytes / 1048576)} MiB of XML (the limit for a workbook); split the export or export CSV`,
        );
      }
      if (xml) {
        // Bytes of text between two tags (a cell value, a shared-string run), counted whole across chunks.
        const longest = maxRunIn(b, gap);
        const lastTag = Math.max(b.lastIndexOf(60), b.lastIndexOf(62));
        gap = lastTag === -1 ? gap + b.length : b.length - lastTag - 1;
        if (longest > limits.maxTextChars) {
          throw new FileFormatError(
            `${fileName} is refused: ${entry.name} holds a text of more than ${limits.maxTextChars.toLocaleString('en')} bytes (a cell or a shared string; Excel itself stops at 32,767 characters)`,
          );
        }
      }
    }
  } finally {
    source.destroy();
    raw.destroy();
  }
}

/** The longest run of bytes without '<' or '>' in b, the first run continuing `carried` bytes from the chunk before. */
function maxRunIn(b: Buffer, carried: number): number {
  let max = 0;
  let start = 0;
  let first = true;
  for (;;) {
    const lt = b.indexOf(60, start);
    const gt = b.indexOf(62, start);
    const next = lt === -1 ? gt : gt === -1 ? lt : Math.min(lt, gt);
    const end = next === -1 ? b.length : next;
    const run = end - start + (first ? carried : 0);
    if (run > max) max = run;
    if (next === -1) return max;
    first = false;
    start = next + 1;
  }
}

/** Throws a FileFormatError naming the limit when the zip at `path` exceeds one; else resolves. */
export async function checkZipLimits(path: string, fileName: string, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Promise<void> {
  const { entries, read, close } = await centralDirectory(path, fileName);
  try {
    let declared = 0;
    for (const e of entries) {
      declared += e.uncompressedSize;
      if (e.method !== 0 && e.method !== 8) throw new FileFormatError(`${fileName} is not a readable XLSX workbook: ${e.name} uses zip compression method ${e.method}`);
      if (e.uncompressedSize > 1048576 && e.uncompressedSize > limits.maxRatio * Math.max(1, e.compressedSize)) {
        throw new FileFormatError(
          `${fileName} is refused: its part ${e.name} expands ${Math.round(e.uncompressedSize / Math.max(1, e.compressedSize))} times (${Math.round(e.uncompressedSize / 1048576)} MiB from ${Math.ceil(e.compressedSize / 1024)} KiB; the limit is ${limits.maxRatio} times): a decompression bomb, not an export`,
        );
      }
    }
    if (declared > limits.maxUncompressedBytes) {
      throw new FileFormatError(
        `${fileName} is refused: it expands to ${Math.round(declared / 1048576)} MiB of XML (the limit for a workbook is ${Math.round(limits.maxUncompressedBytes / 1048576)} MiB); split the export or export CSV`,
      );
    }
    const budget = { left: limits.maxUncompressedBytes };
    for (const e of entries) {
      const local = await read(e.localHeaderOffset, 30);
      if (local.length < 30 || local.readUInt32LE(0) !== LOCAL) throw new FileFormatError(`${fileName} is not a readable XLSX workbook: the zip entry ${e.name} is damaged`);
      const dataStart = e.localHeaderOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
      await inflateAndMeasure(path, dataStart, e, fileName, limits, budget);
    }
  } catch (e) {
    if (e instanceof FileFormatError) throw e;
    throw new FileFormatError(`${fileName} is not a readable XLSX workbook: ${(e as Error).message}`);
  } finally {
    await close();
  }
}
