import { describe, expect, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createDeflateRaw, crc32, deflateRawSync } from 'node:zlib';
import { dropFolder, readAll, source } from './helpers.js';
import { checkZipLimits } from '../../../src/erp/files/formats/zip-limits.js';

interface Part {
  name: string;
  data: Buffer;
  size: number;
  crc: number;
  /** Size written in the headers (a forged one when it differs from `size`). */
  declared?: number;
}

function part(name: string, text: string | Buffer): Part {
  const raw = Buffer.isBuffer(text) ? text : Buffer.from(text);
  return { name, data: deflateRawSync(raw), size: raw.length, crc: crc32(raw) };
}

/** `mb` MiB of one repeated letter, deflated in a stream (the test never holds it whole). */
async function repeatedPart(name: string, before: string, mb: number, after: string): Promise<Part> {
  const deflate = createDeflateRaw();
  const out: Buffer[] = [];
  deflate.on('data', (c: Buffer) => out.push(c));
  const done = new Promise((r) => deflate.on('end', r));
  const chunk = Buffer.alloc(1024 * 1024, 'a');
  let crc = crc32(before);
  deflate.write(before);
  for (let i = 0; i < mb; i++) {
    deflate.write(chunk);
    crc = crc32(chunk, crc);
  }
  deflate.end(after);
  crc = crc32(after, crc);
  await done;
  return { name, data: Buffer.concat(out), size: before.length + mb * 1024 * 1024 + after.length, crc };
}

/** A minimal zip (deflated entries, central directory, end record). */
function zip(parts: Part[]): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const p of parts) {
    const name = Buffer.from(p.name);
    const size = p.declared ?? p.size;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(p.crc >>> 0, 14);
    local.writeUInt32LE(p.data.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(20, 4);
    cd.writeUInt16LE(20, 6);
    cd.writeUInt16LE(8, 10);
    cd.writeUInt32LE(p.crc >>> 0, 16);
    cd.writeUInt32LE(p.data.length, 20);
    cd.writeUInt32LE(size, 24);
    cd.writeUInt16LE(name.length, 28);
    cd.writeUInt32LE(offset, 42);
    locals.push(local, name, p.data);
    central.push(cd, name);
    offset += 30 + name.length + p.data.length;
  }
  const cdBuf = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(parts.length, 8);
  end.writeUInt16LE(parts.length, 10);
  end.writeUInt32LE(cdBuf.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cdBuf, end]);
}

function workbook(sharedStrings: Part, sheet = part('xl/worksheets/sheet1.xml', '<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>')): Buffer {
  return zip([
    part('[Content_Types].xml', '<Types/>'),
    part('xl/workbook.xml', '<workbook><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'),
    sharedStrings,
    sheet,
  ]);
}

describe('files adapter: XLSX decompression limits', () => {
  it('a small XLSX that expands to a 256 MiB shared string is refused with a clear error, before any XML is parsed; memory stays low', async () => {
    const strings = await repeatedPart('xl/sharedStrings.xml', '<sst><si><t>', 256, '</t></si></sst>');
    const file = workbook(strings);
    expect(file.length).toBeLessThan(400 * 1024);
    const dir = await dropFolder({ 'items.xlsx': file });
    const src = source(dir);
    const rssBefore = process.memoryUsage().rss;
    const { records, rejects } = await readAll(src);
    const grown = process.memoryUsage().rss - rssBefore;
    expect(records).toEqual([]);
    expect(src.stats().files[0]!.status).toBe('failed');
    expect(rejects[0]!.message).toMatch(/items\.xlsx is refused: its part xl\/sharedStrings\.xml expands \d+ times \(256 MiB from \d+ KiB; the limit is 200 times\): a decompression bomb/);
    expect(grown).toBeLessThan(64 * 1024 * 1024);
  });

  it('a forged header (declares 1 KB, inflates to 2 MiB) is refused during the counting pass', async () => {
    const strings = await repeatedPart('xl/sharedStrings.xml', '<sst><si><t>', 2, '</t></si></sst>');
    strings.declared = 1000;
    const dir = await dropFolder({ 'items.xlsx': workbook(strings) });
    const src = source(dir);
    const { rejects } = await readAll(src);
    expect(rejects[0]!.message).toMatch(/its part xl\/sharedStrings\.xml declares 1000 bytes but inflates to more \(a forged zip header\)/);
  });

  it('a cell text over 1,000,000 bytes is refused (one that compresses poorly, so the ratio does not catch it)', async () => {
    let seed = 7;
    const letters = Buffer.alloc(1_200_000);
    for (let i = 0; i < letters.length; i++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      letters[i] = 97 + (seed % 26);
    }
    const sheet = part('xl/worksheets/sheet1.xml', Buffer.concat([Buffer.from('<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>'), letters, Buffer.from('</t></is></c></row></sheetData></worksheet>')]));
    const dir = await dropFolder({ 'items.xlsx': workbook(part('xl/sharedStrings.xml', '<sst/>'), sheet) });
    const src = source(dir);
    const { rejects } = await readAll(src);
    expect(rejects[0]!.message).toMatch(/xl\/worksheets\/sheet1\.xml holds a text of more than 1,000,000 bytes \(a cell or a shared string; Excel itself stops at 32,767 characters\)/);
  });

  it('the total uncompressed size is capped (checked on the declared sizes and again while inflating)', async () => {
    const dir = await dropFolder();
    const path = join(dir, 'big.xlsx');
    await writeFile(path, workbook(part('xl/sharedStrings.xml', `<sst>${Array.from({ length: 50_000 }, (_, i) => `<si><t>item ${i * 7919}</t></si>`).join('')}</sst>`)));
    await expect(checkZipLimits(path, 'big.xlsx', { maxUncompressedBytes: 100_000, maxRatio: 200, maxTextChars: 1000 })).rejects.toThrow(
      /big\.xlsx is refused: it expands to \d+ MiB of XML \(the limit for a workbook is \d+ MiB\); split the export or export CSV/,
    );
    await expect(checkZipLimits(path, 'big.xlsx')).resolves.toBeUndefined();
  });
});
