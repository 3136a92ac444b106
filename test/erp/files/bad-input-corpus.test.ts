/**
 * A corpus of bad rows through the files adapter: every bad row is exactly one record-level
 * reject naming file and line (and the key when it reads cleanly), every good row lands,
 * nothing fails the file. (The chaos suite of the hardening work runs its own, larger corpus
 * end to end; this one pins the adapter's part.)
 */
import { describe, expect, it } from 'vitest';
import { dropFolder, readAll, source } from './helpers.js';

const header = 'sku,name,qty,price,released,updated,active,weight,cost\n';
const good = (k: string, name = 'ok') => `${k},${name},1,2.50,2024-05-01,2024-05-01T10:00:00Z,yes,1.5,9.90\n`;

/** [kind, row bytes, expected key of the reject (undefined: none readable), message pattern] */
const BAD: [string, Buffer, string | undefined, RegExp][] = [
  ['empty key', Buffer.from(good('')), undefined, /no key: column "sku" is empty/],
  ['blank key', Buffer.from(good('   ')), undefined, /no key/],
  ['bad integer', Buffer.from('B-3,x,1.5x,2.50,2024-05-01,2024-05-01T10:00:00Z,yes,1,1\n'), 'B-3', /column "qty".*not/],
  ['decimal comma', Buffer.from('B-4,x,1,"2,50",2024-05-01,2024-05-01T10:00:00Z,yes,1,1\n'), 'B-4', /column "price".*"2,50" is not a number/],
  ['unsafe integer', Buffer.from('B-5,x,99999999999999999999,2.50,2024-05-01,2024-05-01T10:00:00Z,yes,1,1\n'), 'B-5', /column "qty"/],
  ['impossible date', Buffer.from('B-6,x,1,2.50,2024-13-45,2024-05-01T10:00:00Z,yes,1,1\n'), 'B-6', /column "released"/],
  ['bad datetime', Buffer.from('B-7,x,1,2.50,2024-05-01,yesterday,yes,1,1\n'), 'B-7', /column "updated"/],
  ['bad boolean', Buffer.from('B-8,x,1,2.50,2024-05-01,2024-05-01T10:00:00Z,maybe,1,1\n'), 'B-8', /column "active"/],
  ['bad quantity', Buffer.from('B-9,x,1,2.50,2024-05-01,2024-05-01T10:00:00Z,yes,heavy,1\n'), 'B-9', /column "weight"/],
  ['bad money', Buffer.from('B-10,x,1,2.50,2024-05-01,2024-05-01T10:00:00Z,yes,1,€€\n'), 'B-10', /column "cost"/],
  ['too many cells', Buffer.from('B-11,x,1,2.50,2024-05-01,2024-05-01T10:00:00Z,yes,1,1,extra\n'), 'B-11', /the row has 10 cells but the header has 9 columns \(extra from column 10\)/],
  ['too few cells', Buffer.from('B-12,x,1\n'), 'B-12', /the row has 3 cells but the header has 9 columns/],
  ['invalid UTF-8 in a name', Buffer.concat([Buffer.from('B-13,x'), Buffer.from([0xff, 0xfe]), Buffer.from(',1,2.50,2024-05-01,2024-05-01T10:00:00Z,yes,1,1\n')]), 'B-13', /invalid UTF-8: bytes FF FE/],
  ['invalid UTF-8 in the key', Buffer.concat([Buffer.from('B-14'), Buffer.from([0xc3, 0x28]), Buffer.from(',x,1,2.50,2024-05-01,2024-05-01T10:00:00Z,yes,1,1\n')]), undefined, /invalid UTF-8: bytes C3 28/],
  ['Latin-1 text in a UTF-8 file', Buffer.concat([Buffer.from('B-15,Cr'), Buffer.from([0xe8]), Buffer.from('me,1,2.50,2024-05-01,2024-05-01T10:00:00Z,yes,1,1\n')]), 'B-15', /invalid UTF-8: bytes E8 6D 65 2C/],
  ['NUL byte', Buffer.concat([Buffer.from('B-16,a'), Buffer.from([0]), Buffer.from('b,1,2.50,2024-05-01,2024-05-01T10:00:00Z,yes,1,1\n')]), 'B-16', /a NUL byte \(00\)/],
];

/** Rows that look odd but are valid input for the adapter: they land as records (the mapper has its own rules). */
const ODD_BUT_GOOD: [string, string][] = [
  ['formula-looking value', good('G-1', '=SUM(A1:A9)')],
  ['key with spaces and a slash', good('G 2/x')],
  ['70,000-character text', good('G-3', 'a'.repeat(70_000))],
  ['emoji and CJK', good('G-4', '🚲 自行车')],
  ['CRLF line end', good('G-5').replace('\n', '\r\n')],
  ['stray quote inside a quoted value (relaxQuotes: true, the default)', 'G-6,"a"b",1,2.50,2024-05-01,2024-05-01T10:00:00Z,yes,1.5,9.90\n'],
];

describe('files adapter: bad-input corpus', () => {
  it(`${BAD.length} kinds of bad rows: one reject each, with line and key; ${ODD_BUT_GOOD.length} odd but valid rows and every good row land`, async () => {
    const parts: Buffer[] = [Buffer.from(header), Buffer.from(good('OK-0', 'Vélo'))];
    const lineOf = new Map<string, number>();
    let line = 3;
    let n = 0;
    for (const [kind, row] of BAD) {
      parts.push(Buffer.from(good(`OK-${++n}`)));
      line++;
      parts.push(Buffer.from('\n')); // an empty line: skipped, never a reject
      line++;
      parts.push(row);
      lineOf.set(kind, line);
      line++;
    }
    for (const [, row] of ODD_BUT_GOOD) parts.push(Buffer.from(row));
    parts.push(Buffer.from(good('OK-last')));
    const dir = await dropFolder({ 'items.csv': Buffer.concat(parts) });
    const src = source(dir, {
      streams: {
        items: {
          updatedAt: 'updated',
          active: { column: 'active', meaning: 'active' },
          fields: {
            qty: { type: 'integer' },
            price: { type: 'decimal' },
            released: { type: 'date' },
            weight: { type: 'quantity', unit: 'kg' },
            cost: { type: 'money', currency: 'EUR' },
          },
        },
      },
    });
    const { records, rejects } = await readAll(src);
    const summary = BAD.map(([kind], i) => ({ kind, reject: rejects[i] }));
    expect(rejects, JSON.stringify(rejects.map((r) => r.message), null, 1)).toHaveLength(BAD.length);
    for (const [i, [kind, , key, message]] of BAD.entries()) {
      const r = summary[i]!.reject!;
      expect(r.location, kind).toMatch(new RegExp(`^items\\.csv:${lineOf.get(kind)}(:\\d+)?$`));
      expect(r.key, kind).toBe(key);
      expect(r.message, kind).toMatch(message);
      expect(r.raw.length, kind).toBeGreaterThan(0);
    }
    const keys = records.map((r) => r.key);
    expect(keys).toEqual(['OK-0', ...BAD.map((_, i) => `OK-${i + 1}`), 'G-1', 'G 2/x', 'G-3', 'G-4', 'G-5', 'G-6', 'OK-last']);
    expect(records.find((r) => r.key === 'G-3')!.fields.name).toHaveLength(70_000);
    expect(src.stats().files[0]).toMatchObject({ status: 'read', rejected: BAD.length });
  });
});
