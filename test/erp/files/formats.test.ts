import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { dropFolder, readAll, source } from './helpers.js';
import { JsonArrayScanner, quoteNumbers } from '../../../src/erp/files/formats/json.js';
import { XmlRecordScanner } from '../../../src/erp/files/formats/xml.js';

describe('files adapter: XLSX', () => {
  it('streams the chosen sheet: strings, exact numbers, dates, formulas, rich text; bad cells rejected with row and column', async () => {
    const dir = await dropFolder();
    const path = join(dir, 'items.xlsx');
    // Written with the streaming writer too, as a big ERP export would be.
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path, useSharedStrings: true, useStyles: true });
    const notes = wb.addWorksheet('Notes');
    notes.addRow(['not the data']).commit();
    notes.commit();
    const ws = wb.addWorksheet('Articles');
    ws.addRow(['sku', 'name', 'price', 'weight', 'released', 'total']).commit();
    ws.addRow(['X-1', 'Chair', 19.9, 1.25, new Date(Date.UTC(2024, 4, 17)), { formula: 'C2*2', result: 39.8 }]).commit();
    ws.addRow(['X-2', { richText: [{ text: 'Bold ' }, { text: 'table' }] }, 'n/a', 3, new Date(Date.UTC(2023, 0, 1)), 6]).commit();
    for (let i = 3; i <= 2000; i++) ws.addRow([`X-${i}`, `Item ${i}`, i / 100, i, new Date(Date.UTC(2024, 0, 1)), i * 2]).commit();
    ws.commit();
    await wb.commit();

    const src = source(dir, {
      streams: {
        items: {
          sheet: 'Articles',
          fields: { price: { type: 'decimal' }, weight: { type: 'quantity', unit: 'kg' }, released: { type: 'date' }, total: { type: 'decimal' } },
        },
      },
    });
    const { records, rejects } = await readAll(src);
    expect(records).toHaveLength(1999);
    expect(records[0]).toMatchObject({
      key: 'X-1',
      fields: {
        name: 'Chair',
        price: { kind: 'decimal', value: '19.9' },
        weight: { kind: 'quantity', amount: '1.25', unit: 'kg' },
        released: '2024-05-17',
        total: { kind: 'decimal', value: '39.8' },
      },
    });
    expect(rejects).toHaveLength(1);
    expect(rejects[0]!.location).toBe('items.xlsx:3:3');
    expect(rejects[0]!.message).toMatch(/column "price".*"n\/a" is not a number/);
    expect(rejects[0]!.raw).toContain('Bold table');
    expect(src.stats().files[0]).toMatchObject({ rows: 2000, rejected: 1, format: 'xlsx' });
  });

  it('reads a header-less sheet with a column list, skipping preamble rows; absent trailing cells are empty, not a short row', async () => {
    const dir = await dropFolder();
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Data');
    ws.addRow(['Export 2024-05-01']);
    ws.addRow(['A', 'Alpha', 1]);
    ws.addRow(['B', 'Beta']);
    await wb.xlsx.writeFile(join(dir, 'items.xlsx'));
    const src = source(dir, { header: ['code', 'label', 'n'], skipLines: 1, streams: { items: { fields: { n: { type: 'integer' } } } } });
    const { records, rejects } = await readAll(src);
    expect(rejects).toEqual([]);
    expect(records.map((r) => [r.key, r.fields.label, r.fields.n])).toEqual([
      ['A', 'Alpha', 1],
      ['B', 'Beta', null],
    ]);
  });

  it('names a missing sheet and fails a file that is not a workbook', async () => {
    const dir = await dropFolder({ 'items.xlsx': 'this is not a zip' });
    const src = source(dir);
    const { rejects } = await readAll(src);
    expect(src.stats().files[0]!.status).toBe('failed');
    expect(rejects[0]!.message).toMatch(/items\.xlsx is not a readable XLSX workbook/);

    const dir2 = await dropFolder();
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('Only').addRow(['sku']);
    await wb.xlsx.writeFile(join(dir2, 'items.xlsx'));
    const src2 = source(dir2, { sheet: 'Missing' });
    const r2 = await readAll(src2);
    expect(r2.rejects[0]!.message).toMatch(/has no worksheet "Missing"; its sheets are: Only/);
  });
});

describe('files adapter: JSON and NDJSON', () => {
  it('reads records at a record path with exact numbers, nested paths and language maps; malformed records are rejected and reading goes on', async () => {
    const json = `{
  "meta": {"exported": "2024-05-01", "items": [1, 2]},
  "data": {
    "products": [
      {"sku": "P-1", "price": 12.50, "big": 12345678901234567890, "dims": {"w": 1.0e1, "unit": "cm"}, "name": {"en": "Desk", "fr": "Bureau"}, "tags": ["a", "b"], "active": true},
      {"sku": "P-2", "price": 0.1, "name": {"en": "Lamp \\"LED\\" [x]"} , "oops": },
      {"sku": "P-3", "price": "7", "name": [{"lang": "en", "text": "Shelf"}, {"lang": "de", "text": "Regal"}]},
      "not an object",
      {"price": 1}
    ],
    "after": {"ignored": [ {"sku": "NO"} ]}
  }
}`;
    const dir = await dropFolder({ 'items.json': json });
    const src = source(dir, {
      recordPath: 'data.products',
      streams: {
        items: {
          key: 'sku',
          fields: {
            price: { type: 'decimal' },
            big: { type: 'decimal' },
            width: { type: 'quantity', column: 'dims.w', unitColumn: 'dims.unit' },
            name: { type: 'localized' },
            active: { type: 'boolean' },
          },
        },
      },
    });
    const { records, rejects } = await readAll(src);
    expect(records.map((r) => r.key)).toEqual(['P-1', 'P-3']);
    expect(records[0]!.fields).toMatchObject({
      price: { kind: 'decimal', value: '12.50' },
      big: { kind: 'decimal', value: '12345678901234567890' },
      width: { kind: 'quantity', amount: '10', unit: 'cm' },
      name: { kind: 'localized', values: { en: 'Desk', fr: 'Bureau' } },
      tags: ['a', 'b'],
      active: true,
    });
    expect(records[1]!.fields.name).toEqual({ kind: 'localized', values: { en: 'Shelf', de: 'Regal' } });
    expect(rejects.map((r) => r.location)).toEqual(['items.json:6', 'items.json:8', 'items.json:9']);
    expect(rejects[0]!.message).toMatch(/malformed JSON record/);
    expect(rejects[0]!.raw).toContain('"oops": }');
    expect(rejects[1]!.message).toMatch(/must be a JSON object, got string/);
    expect(rejects[2]!.message).toMatch(/no key/);
  });

  it('reads a top-level array, and names a wrong record path with the keys it found', async () => {
    const dir = await dropFolder({ 'items.json': '[{"sku":"A"},{"sku":"B"}]', 'groups.json': '{"models": [], "version": 2}' });
    const src = source(dir);
    expect((await readAll(src)).records.map((r) => r.key)).toEqual(['A', 'B']);
    const g = await readAll(src, 'groups');
    expect(g.rejects[0]!.message).toMatch(/top level is not an array of records; set recordPath to the key of the array, one of: models, version/);
  });

  it('scanner: splits elements across any chunking', () => {
    const text = '{"x":{"list":[{"a":"]}\\"","b":[1,{"c":2}]} , 3 ,"s",{"d":{}}]}}';
    const expected = ['{"a":"]}\\"","b":[1,{"c":2}]}', '3', '"s"', '{"d":{}}'];
    for (const size of [1, 2, 3, 5, 7, 64]) {
      const sc = new JsonArrayScanner(['x', 'list'], 'f.json');
      const got: string[] = [];
      for (let i = 0; i < text.length; i += size) got.push(...sc.push(text.slice(i, i + size)).map((e) => e.text));
      sc.end();
      expect(got).toEqual(expected);
    }
    expect(quoteNumbers('{"a":-1.5e3,"b":"12","c":[0,7]}')).toBe('{"a":"-1.5e3","b":"12","c":["0","7"]}');
  });

  it('reads NDJSON line by line, rejecting bad lines with their line number', async () => {
    const dir = await dropFolder({ 'items.ndjson': '{"sku":"A","qty":1}\n\n{"sku":"B",\n{"sku":"C","qty":"2"}\n' });
    const src = source(dir, { streams: { items: { fields: { qty: { type: 'integer' } } } } });
    const { records, rejects } = await readAll(src);
    expect(records.map((r) => [r.key, r.fields.qty])).toEqual([
      ['A', 1],
      ['C', 2],
    ]);
    expect(rejects.map((r) => r.location)).toEqual(['items.ndjson:3']);
  });
});

describe('files adapter: XML', () => {
  it('reads records at a record path with attributes, language variants and units', async () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE catalog>
<catalog>
  <!-- <products><product sku="FAKE"/></products> -->
  <header><product sku="NOT-A-RECORD"/></header>
  <products>
    <product sku="X-1" updated="2024-01-02T03:04:05Z">
      <name lang="en">Table &amp; chairs</name>
      <name lang="fr">Table et chaises</name>
      <weight unit="kg">12.50</weight>
      <price>0099.90</price>
      <note><![CDATA[<b>bold</b> > text]]></note>
    </product>
    <product sku="X-2"><name lang="en">Broken</weight></product>
    <product sku="X-3"><name lang="en">Stool</name><weight unit="lb">3</weight><price>5</price></product>
  </products>
</catalog>`;
    const dir = await dropFolder({ 'items.xml': xml });
    const src = source(dir, {
      recordPath: 'catalog/products/product',
      streams: {
        items: {
          key: '@sku',
          updatedAt: '@updated',
          fields: { name: { type: 'localized' }, weight: { type: 'quantity', unitColumn: 'weight/@unit' }, price: { type: 'decimal' } },
        },
      },
    });
    const { records, rejects } = await readAll(src);
    expect(records.map((r) => r.key)).toEqual(['X-1', 'X-3']);
    expect(records[0]).toMatchObject({
      updatedAt: '2024-01-02T03:04:05.000Z',
      fields: {
        name: { kind: 'localized', values: { en: 'Table & chairs', fr: 'Table et chaises' } },
        weight: { kind: 'quantity', amount: '12.50', unit: 'kg' },
        price: { kind: 'decimal', value: '99.90' },
        note: '<b>bold</b> > text',
      },
    });
    expect(records[1]!.fields.weight).toEqual({ kind: 'quantity', amount: '3', unit: 'lb' });
    expect(rejects).toHaveLength(1);
    expect(rejects[0]!.location).toBe('items.xml:14');
  });

  it('scanner: finds records by name at any depth across any chunking, and names truncated files', () => {
    const text = '<a><b x="1>2"><item id="1"><item-x/></item></b><item id="2"/><?pi ?><item id="3">t</item></a>';
    for (const size of [1, 3, 10, 1000]) {
      const sc = new XmlRecordScanner('item', 'f.xml');
      const got: string[] = [];
      for (let i = 0; i < text.length; i += size) got.push(...sc.push(text.slice(i, i + size)).map((r) => r.text));
      sc.end();
      expect(got).toEqual(['<item id="1"><item-x/></item>', '<item id="2"/>', '<item id="3">t</item>']);
    }
    const sc = new XmlRecordScanner('a/item', 'f.xml');
    sc.push('<a><item>1</item><item>');
    expect(() => sc.end()).toThrow(/f\.xml:1: the file ends inside <item>: the XML is truncated/);
  });
});
