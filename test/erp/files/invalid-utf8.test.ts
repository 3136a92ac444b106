import { describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { dropFolder, readAll, source } from './helpers.js';

const BAD = Buffer.from([0xff, 0xfe, 0xc3, 0x28]); // no UTF-8 at all: a lone FF, FE, and C3 without its continuation

/** n rows of text, with the bytes `bad` inside the name of row `badRow` (1-based data row). */
function rowsWithBad(n: number, badRow: number, row: (i: number) => string, bad: Buffer, header = ''): Buffer {
  const parts: Buffer[] = [Buffer.from(header)];
  for (let i = 1; i <= n; i++) {
    const text = row(i);
    if (i !== badRow) parts.push(Buffer.from(text));
    else {
      const at = text.indexOf('NAME');
      parts.push(Buffer.from(text.slice(0, at)), bad, Buffer.from(text.slice(at + 4)));
    }
  }
  return Buffer.concat(parts);
}

describe('files adapter: invalid UTF-8 rejects that row only', () => {
  it('CSV: 4,000 rows with bad bytes in row 2,000 → 3,999 records and one reject naming file, line, byte offset, bytes and key', async () => {
    const content = rowsWithBad(4000, 2000, (i) => `K-${i},${i === 2000 ? 'NAME' : `Vélo ${i}`},${i}.50\n`, BAD, 'sku,name,price\n');
    const dir = await dropFolder({ 'items.csv': content });
    const src = source(dir, { streams: { items: { fields: { price: { type: 'decimal' } } } } });
    const { records, rejects } = await readAll(src);
    expect(records).toHaveLength(3999);
    expect(records.map((r) => r.key)).not.toContain('K-2000');
    expect(records[1998]!.key).toBe('K-1999');
    expect(records[1999]!.key).toBe('K-2001');
    expect(rejects).toHaveLength(1);
    const offset = content.indexOf(BAD);
    expect(rejects[0]).toMatchObject({ key: 'K-2000', location: 'items.csv:2001' });
    expect(rejects[0]!.message).toContain(`items.csv:2001: invalid UTF-8: bytes FF FE C3 28 at byte ${offset} (line 2001)`);
    expect(rejects[0]!.message).toMatch(/fix this row in the export/);
    expect(rejects[0]!.raw).toBe('K-2000,\ufffd\ufffd\ufffd(,2000.50\n');
    const report = src.stats().files[0]!;
    expect(report).toMatchObject({ status: 'read', rows: 4000, records: 3999, rejected: 1 });
  });

  it('TSV far past the first read chunk and the 64 KiB sniffing window, Latin-1 bytes in a UTF-8 file: that row only', async () => {
    const latin1 = iconv.encode('Crème brûlée', 'latin1');
    const content = rowsWithBad(20_000, 15_000, (i) => `K-${i}\t${i === 15_000 ? 'NAME' : `Größe ${i}`}\n`, latin1, 'sku\tname\n');
    expect(content.length).toBeGreaterThan(300_000);
    const dir = await dropFolder({ 'items.tsv': content });
    const src = source(dir);
    const { records, rejects } = await readAll(src);
    expect(records).toHaveLength(19_999);
    expect(rejects).toHaveLength(1);
    expect(rejects[0]!.key).toBe('K-15000');
    expect(rejects[0]!.message).toMatch(/items\.tsv:15001: invalid UTF-8: bytes E8 6D 65 20 at byte \d+ \(line 15001\) \(and 2 more in this row\)/);
    // The file showed UTF-8 text before: no other encoding is suggested.
    expect(rejects[0]!.message).not.toMatch(/set encoding/);
  });

  it('plain ASCII, then Latin-1 bytes past the sniffing window (auto): the row is rejected, suggesting the encoding', async () => {
    const latin1 = iconv.encode('Crème', 'latin1');
    const content = rowsWithBad(20_000, 15_000, (i) => `K-${i}\t${i === 15_000 ? 'NAME' : `plain ${i}`}\n`, latin1, 'sku\tname\n');
    const dir = await dropFolder({ 'items.tsv': content });
    const { records, rejects } = await readAll(source(dir));
    expect(records).toHaveLength(19_999);
    expect(rejects[0]!.message).toMatch(/fix this row in the export; if the whole export is ISO-8859-1 \(latin1\), set encoding: latin1/);
  });

  it('several bad rows, one in the key: each is one reject; a bad key is not used as the record key', async () => {
    const content = Buffer.concat([
      Buffer.from('sku,name\nA,ok\n'),
      Buffer.from(Array.from({ length: 200 }, (_, i) => `V-${i},Vélo\n`).join('')),
      Buffer.from('B,x'),
      BAD,
      Buffer.from('\n'),
      Buffer.from('C'),
      Buffer.from([0x80]),
      Buffer.from(',y\nD,ok\n'),
    ]);
    const dir = await dropFolder({ 'items.csv': content });
    const { records, rejects } = await readAll(source(dir));
    expect(records.map((r) => r.key).filter((k) => !k.startsWith('V-'))).toEqual(['A', 'D']);
    expect(records).toHaveLength(202);
    expect(rejects.map((r) => [r.location, r.key])).toEqual([
      ['items.csv:203', 'B'],
      ['items.csv:204', undefined],
    ]);
  });

  it('a file ending inside a multi-byte character: the last row is rejected, the rest delivered', async () => {
    const content = Buffer.concat([Buffer.from('sku,name\nA,ok\nB,caf'), Buffer.from([0xc3])]);
    const dir = await dropFolder({ 'items.csv': content });
    const { records, rejects } = await readAll(source(dir));
    expect(records.map((r) => r.key)).toEqual(['A']);
    expect(rejects).toHaveLength(1);
    expect(rejects[0]).toMatchObject({ key: 'B', location: 'items.csv:3' });
  });

  it('a header with bad bytes fails the file (its columns cannot be named)', async () => {
    const dir = await dropFolder({ 'items.csv': Buffer.concat([Buffer.from('sku,na'), BAD, Buffer.from('me\nA,1\n')]) });
    const src = source(dir);
    const { records, rejects } = await readAll(src);
    expect(records).toEqual([]);
    expect(src.stats().files[0]!.status).toBe('failed');
    expect(rejects[0]!.message).toMatch(/the header row \(line 1\) holds bytes that are not UTF-8/);
  });

  it('NDJSON, JSON and XML: the record holding the bytes is rejected with its key, the others are delivered', async () => {
    const ndjson = rowsWithBad(300, 150, (i) => `{"sku":"K-${i}","name":"${i === 150 ? 'NAME' : `Vélo ${i}`}"}\n`, BAD);
    const json = Buffer.concat([
      Buffer.from('{"items":[\n'),
      rowsWithBad(300, 150, (i) => `{"sku":"K-${i}","name":"${i === 150 ? 'NAME' : `n${i}`}"}${i < 300 ? ',' : ''}\n`, BAD),
      Buffer.from(']}\n'),
    ]);
    const xml = Buffer.concat([
      Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\n<catalog>\n'),
      rowsWithBad(300, 150, (i) => `<item sku="K-${i}">\n  <name>${i === 150 ? 'NAME' : `n${i}`}</name>\n</item>\n`, BAD),
      Buffer.from('</catalog>\n'),
    ]);
    for (const [name, content, config] of [
      ['items.ndjson', ndjson, {}],
      ['items.json', json, { recordPath: 'items' }],
      ['items.xml', xml, { recordPath: 'item', key: '@sku' }],
    ] as const) {
      const dir = await dropFolder({ [name]: content });
      const src = source(dir, { streams: { items: config } });
      const { records, rejects } = await readAll(src);
      expect(records, name).toHaveLength(299);
      expect(rejects, name).toHaveLength(1);
      expect(rejects[0]!.key, name).toBe('K-150');
      expect(rejects[0]!.message, name).toMatch(/invalid UTF-8: bytes FF FE C3 28 at byte \d+ \(line \d+\)/);
      expect(src.stats().files[0]!.status, name).toBe('read');
    }
  });

  it('describe and check do not fail on such a file; they show the reject', async () => {
    const content = rowsWithBad(50, 3, (i) => `K-${i},${i === 3 ? 'NAME' : 'ok'}\n`, BAD, 'sku,name\n');
    const dir = await dropFolder({ 'items.csv': content });
    const src = source(dir, {}, { readOnly: true });
    const described = await src.describe();
    expect(described[0]!.fields.map((f) => f.name)).toContain('name');
    const check = await src.check();
    expect(check.problems).toEqual([]);
    expect(String(check.details['items.sample rejects'])).toMatch(/invalid UTF-8/);
  });

  it('a configured utf8 that the file contradicts (Western 8-bit text, no UTF-8 before it) still fails the file, naming the encoding to set', async () => {
    const content = Buffer.concat([Buffer.from('sku,name\nA,plain\n'), iconv.encode('B,Crème brûlée\n', 'latin1'), Buffer.from('C,plain\n')]);
    const dir = await dropFolder({ 'items.csv': content });
    const src = source(dir, { encoding: 'utf8' });
    await readAll(src);
    expect(src.stats().files[0]!.status).toBe('failed');
    expect(src.stats().files[0]!.error).toMatch(/set encoding to match the export \(e\.g\. encoding: latin1\)/);
    // The same bytes after UTF-8 text are one bad row, configured or auto.
    const afterUtf8 = Buffer.concat([Buffer.from('sku,name\nA,Vélo\n'), iconv.encode('B,Crème brûlée\n', 'latin1'), Buffer.from('C,plain\n')]);
    const dir2 = await dropFolder({ 'items.csv': afterUtf8 });
    const r2 = await readAll(source(dir2, { encoding: 'utf8' }));
    expect(r2.records.map((r) => r.key)).toEqual(['A', 'C']);
    expect(r2.rejects.map((r) => r.key)).toEqual(['B']);
    const dir3 = await dropFolder({ 'items.csv': Buffer.concat([afterUtf8, Buffer.from('D,x\n'.repeat(100))]) });
    const r3 = await readAll(source(dir3));
    expect(r3.rejects.map((r) => r.key)).toEqual(['B']);
  });
});

describe('files adapter: a NUL byte in a row of a text export rejects that row', () => {
  it('CSV and NDJSON: the row with the NUL is rejected (key kept), the others delivered; a file full of NULs still fails as binary/UTF-16', async () => {
    const csv = Buffer.concat([Buffer.from('sku,name\nA,ok\nB,bad'), Buffer.from([0]), Buffer.from('name\nC,ok\n'), Buffer.from('D,ok\n'.repeat(200))]);
    const dir = await dropFolder({ 'items.csv': csv });
    const { records, rejects } = await readAll(source(dir));
    expect(records).toHaveLength(202);
    expect(rejects).toHaveLength(1);
    expect(rejects[0]).toMatchObject({ key: 'B', location: 'items.csv:3' });
    expect(rejects[0]!.message).toMatch(/items\.csv:3: a NUL byte \(00\) at byte 19 \(line 3\): binary data inside a text export; the row is rejected/);

    const nd = Buffer.concat([Buffer.from('{"sku":"A"}\n{"sku":"B","name":"x'), Buffer.from([0]), Buffer.from('"}\n{"sku":"C"}\n')]);
    const dir2 = await dropFolder({ 'items.ndjson': nd });
    const r2 = await readAll(source(dir2));
    expect(r2.records.map((r) => r.key)).toEqual(['A', 'C']);
    expect(r2.rejects.map((r) => r.key)).toEqual(['B']);

    const binary = Buffer.alloc(4000, 0);
    for (let i = 0; i < binary.length; i += 7) binary[i] = 10;
    const dir3 = await dropFolder({ 'items.csv': Buffer.concat([Buffer.from('sku\n'), binary]) });
    const src3 = source(dir3);
    await readAll(src3);
    expect(src3.stats().files[0]!.status).toBe('failed');
  });
});
