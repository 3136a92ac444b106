import { describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { dropFolder, readAll, source, utf16be } from './helpers.js';
import { resolveEncoding } from '../../../src/erp/files/encoding.js';

const TEXT = 'sku\tname\tnote\nA-1\tVélo électrique\t"tab\tinside"\nA-2\tFahrrad größe\tœuvre 3€\nA-3\t自行车\tδ\n';
const expected = [
  ['A-1', 'Vélo électrique', 'tab\tinside'],
  ['A-2', 'Fahrrad größe', 'œuvre 3€'],
  ['A-3', '自行车', 'δ'],
];

async function readTsv(content: Buffer, encoding?: string) {
  const dir = await dropFolder({ 'items.tsv': content });
  const src = source(dir, encoding ? { encoding: encoding as 'auto' } : {});
  const out = await readAll(src);
  return { ...out, report: src.stats().files[0]! };
}

const rows = (r: { records: { key: string; fields: Record<string, unknown> }[] }) => r.records.map((x) => [x.key, x.fields.name, x.fields.note]);

describe('files adapter: encodings', () => {
  it('reads UTF-16LE with a BOM (auto-detected)', async () => {
    const r = await readTsv(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(TEXT, 'utf16le')]));
    expect(r.rejects).toEqual([]);
    expect(rows(r)).toEqual(expected);
    expect(r.report.encoding).toBe('UTF-16LE (bom)');
  });

  it('reads UTF-16BE without a BOM, auto-detected from its NUL pattern and when configured', async () => {
    const auto = await readTsv(utf16be(TEXT));
    expect(rows(auto)).toEqual(expected);
    expect(auto.report.encoding).toBe('UTF-16BE (nul-pattern)');
    const configured = await readTsv(utf16be(TEXT), 'utf16be');
    expect(rows(configured)).toEqual(expected);
  });

  it('reads UTF-8 with a BOM and strips it from the first column name', async () => {
    const r = await readTsv(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(TEXT, 'utf8')]));
    expect(rows(r)).toEqual(expected);
  });

  it('detects latin1/windows-1252 when auto and reads it right', async () => {
    const text = 'sku;name;note\nA-1;Vélo électrique à assistance;Crème brûlée\nA-2;Größe über alles;naïve façade\n'.repeat(5);
    const dir = await dropFolder({ 'items.csv': iconv.encode(text, 'latin1') });
    const src = source(dir, { delimiter: ';' });
    const { records, rejects } = await readAll(src);
    expect(rejects).toEqual([]);
    expect(records[0]!.fields.name).toBe('Vélo électrique à assistance');
    expect(records[1]!.fields.note).toBe('naïve façade');
    expect(src.stats().files[0]!.encoding).toMatch(/guessed/);
  });

  it('reads windows-1252 when configured (€ and curly quotes)', async () => {
    const text = 'sku,name\nA,“Prix” 5€\n';
    const dir = await dropFolder({ 'items.csv': iconv.encode(text, 'windows-1252') });
    const { records } = await readAll(source(dir, { encoding: 'windows-1252' }));
    expect(records[0]!.fields.name).toBe('“Prix” 5€');
  });

  it('names invalid UTF-8: byte offset, line, and what the file looks like; the file fails', async () => {
    const good = 'sku,name\n' + Array.from({ length: 300 }, (_, i) => `K${i},ok ${i}\n`).join('');
    // Past the 64 KiB sniffing window would be better, but the explicit utf8 setting validates every chunk anyway.
    const bad = Buffer.concat([Buffer.from(good), iconv.encode('K999,Crème brûlée\n', 'latin1')]);
    const dir = await dropFolder({ 'items.csv': bad });
    const src = source(dir, { encoding: 'utf8' });
    const { records, rejects } = await readAll(src);
    const report = src.stats().files[0]!;
    expect(report.status).toBe('failed');
    expect(report.error).toMatch(/items\.csv is not valid UTF-8: bytes E8 .* at byte \d+ \(line 302\)/);
    expect(report.error).toMatch(/ISO-8859-1|windows-125/);
    expect(rejects.at(-1)!.message).toMatch(/not valid UTF-8/);
    expect(records.length).toBeLessThanOrEqual(300);
  });

  it('names a UTF-16 file read as UTF-8, and a UTF-8 file read as latin1', async () => {
    const asUtf8 = await readTsv(Buffer.from(TEXT, 'utf16le'), 'utf8');
    expect(asUtf8.report.status).toBe('failed');
    expect(asUtf8.report.error).toMatch(/is not UTF-8: every other byte is NUL, it looks like UTF-16LE without a byte-order mark; set encoding: utf16le/);
    const asLatin1 = await readTsv(Buffer.from(TEXT, 'utf8'), 'latin1');
    expect(asLatin1.report.error).toMatch(/is UTF-8 with non-ASCII characters; reading it as ISO-8859-1 \(latin1\) would garble them/);
    const wrongBom = await readTsv(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(TEXT, 'utf16le')]), 'utf16be');
    expect(wrongBom.report.error).toMatch(/starts with a UTF-16LE byte-order mark but the configured encoding is UTF-16BE/);
    const wrongEndian = await readTsv(Buffer.from(TEXT, 'utf16le'), 'utf16be');
    expect(wrongEndian.report.error).toMatch(/is not UTF-16BE: its NUL bytes sit where UTF-16LE puts them/);
  });

  it('resolveEncoding: declared XML encodings and plain ASCII', () => {
    expect(resolveEncoding('auto', Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?><a/>'), 'f.xml', { xml: true }).encoding).toBe('latin1');
    expect(resolveEncoding('auto', Buffer.from('a,b\n1,2\n'), 'f.csv')).toEqual({ encoding: 'utf8', bomLength: 0, detectedBy: 'utf8-valid' });
  });
});

describe('files adapter: multi-byte text across read chunks', () => {
  it('decodes UTF-8 and UTF-16 files far larger than one read chunk without splitting characters', async () => {
    const words = ['Vélo', 'größe', '自行车', 'δρόμος', '🚲 bike', 'עברית', 'ไทย'];
    const lines = ['sku\tname'];
    for (let i = 0; i < 40_000; i++) lines.push(`K${i}\t${words[i % words.length]} ${i}`);
    const text = `${lines.join('\n')}\n`;
    for (const [content, enc] of [
      [Buffer.from(text, 'utf8'), 'auto'],
      [Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]), 'auto'],
      [utf16be(text), 'utf16be'],
    ] as const) {
      expect(content.length).toBeGreaterThan(600_000);
      const dir = await dropFolder({ 'items.tsv': content });
      const { records, rejects } = await readAll(source(dir, { encoding: enc }));
      expect(rejects).toEqual([]);
      expect(records).toHaveLength(40_000);
      for (let i = 0; i < records.length; i++) expect(records[i]!.fields.name).toBe(`${words[i % words.length]} ${i}`);
      expect(records[39_999]!.fields.name).toBe(`${words[39_999 % words.length]} 39999`);
    }
  });
});
