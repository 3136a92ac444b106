import { describe, expect, it } from 'vitest';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ErpRecord } from '../../../src/erp/port.js';
import { dropFolder, readAll, source } from './helpers.js';

const records: ErpRecord[] = [
  {
    stream: 'items',
    key: 'A-1',
    updatedAt: '2024-05-01T10:00:00.000Z',
    group: 'M1',
    categories: ['bikes', 'road'],
    active: true,
    fields: {
      name: { kind: 'localized', values: { en: 'Bike, "red"', fr: 'Vélo\nrouge' } },
      weight: { kind: 'quantity', amount: '12.50', unit: 'kg' },
      price: { kind: 'money', amount: '999.00', currency: 'EUR' },
      cost: { kind: 'decimal', value: '0.10' },
      tags: ['a', 'b'],
      stock: 4,
      ean: null,
    },
  },
  { stream: 'items', key: 'A-2', updatedAt: null, active: false, fields: { name: { kind: 'localized', values: { en: 'Helmet' } }, extra: 'only here' } },
];

describe('files adapter: sink', () => {
  it('writes one CSV export per run into out/, a result per record, readable back with the same config', async () => {
    const dir = await dropFolder();
    const config = {
      languages: ['en', 'fr'],
      streams: {
        items: {
          key: 'sku',
          updatedAt: 'updated',
          group: 'model',
          categories: 'cats',
          active: 'active',
          fields: {
            weight: { type: 'quantity' as const, unitColumn: 'weight_unit' },
            price: { type: 'money' as const, currencyColumn: 'price_currency' },
            cost: { type: 'decimal' as const },
            tags: { type: 'multiselect' as const },
            stock: { type: 'integer' as const },
          },
        },
      },
    };
    const sink = source(dir, config);
    const bad = { stream: 'items', key: '', updatedAt: null, fields: {} } as ErpRecord;
    expect(await sink.upsert('items', [records[0]!, bad])).toEqual([
      { key: 'A-1', outcome: 'created' },
      { key: '', outcome: 'failed', message: 'the record has no key' },
    ]);
    expect(await sink.upsert('items', [records[1]!, { ...records[0]!, fields: { ...records[0]!.fields, stock: 5 } }])).toEqual([
      { key: 'A-2', outcome: 'created' },
      { key: 'A-1', outcome: 'updated' },
    ]);
    expect((await readdir(join(dir, 'out'))).every((n) => n.endsWith('.partial'))).toBe(true);
    await sink.close();
    const out = await readdir(join(dir, 'out'));
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^items-\d{8}T\d{6}Z\.csv$/);
    const text = await readFile(join(dir, 'out', out[0]!), 'utf8');
    expect(text.split('\n')[0]).toBe('sku,updated,model,cats,active,name_en,name_fr,weight,weight_unit,price,price_currency,cost,tags,stock,ean,extra');
    expect(text).toContain('"Bike, ""red"""');

    // Round trip: the export is a valid drop file for the same configuration.
    const back = await dropFolder({ 'items-export.csv': text });
    const reader = source(back, config);
    const read = await readAll(reader);
    expect(read.rejects).toEqual([]);
    expect(read.records.map((r) => r.key)).toEqual(['A-2', 'A-1']);
    const a1 = read.records[1]!;
    expect(a1).toMatchObject({ key: 'A-1', updatedAt: '2024-05-01T10:00:00.000Z', group: 'M1', categories: ['bikes', 'road'], active: true });
    expect(a1.fields).toEqual({ ...records[0]!.fields, stock: 5, extra: null });
    expect(read.records[0]!.active).toBe(false);
  });

  it('writes NDJSON when configured', async () => {
    const dir = await dropFolder();
    const sink = source(dir, { sinkFormat: 'ndjson' });
    await sink.upsert('groups', [{ stream: 'groups', key: 'G', updatedAt: null, fields: { n: 1 } }]);
    await sink.close();
    const [name] = await readdir(join(dir, 'out'));
    expect(name).toMatch(/^groups-.*\.ndjson$/);
    expect(JSON.parse((await readFile(join(dir, 'out', name!), 'utf8')).trim())).toEqual({ stream: 'groups', key: 'G', updatedAt: null, fields: { n: 1 } });
  });
});

describe('files adapter: check and describe', () => {
  it('check: names a missing folder with the fix', async () => {
    const src = source('/nonexistent/ferry-drop');
    const c = await src.check();
    expect(c.ok).toBe(false);
    expect(c.problems[0]).toMatch(/drop folder \/nonexistent\/ferry-drop does not exist; create it or fix erp\.folder/);
    await expect(readAll(src)).rejects.toThrow(/does not exist/);
  });

  it('check: files waiting per stream, unmatched files, failed files', async () => {
    const dir = await dropFolder({ 'items-1.csv': 'sku\nA\n', 'items-2.csv': 'sku\nB\n', 'categories.xml': '<a/>', 'readme.md': '#' });
    await mkdir(join(dir, 'failed'));
    await writeFile(join(dir, 'failed', 'items-0.csv'), 'x');
    const c = await source(dir).check();
    expect(c.system).toBe(`files in ${dir}`);
    expect(c.details).toMatchObject({ 'items.files': 2, 'items.next': 'items-1.csv', 'items.encoding': 'UTF-8 (utf8-valid)', 'groups.files': 0, 'unmatched files': 'readme.md', 'failed files': 1 });
    // categories.xml has no recordPath: check says so before any run.
    expect(c.ok).toBe(false);
    expect(c.problems).toEqual([expect.stringMatching(/^categories: categories\.xml: XML needs recordPath/)]);
  });

  it('check: probes the next file of each stream (encoding, missing columns, sample rejects)', async () => {
    const dir = await dropFolder({ 'items.csv': 'sku,qty\nA,1\nB,x\n', 'groups.csv': 'code\nG\n' });
    const c = await source(dir, {
      streams: { items: { fields: { qty: { type: 'integer' } } }, groups: { key: 'model' } },
    }).check();
    expect(c.problems).toEqual([expect.stringMatching(/^groups: groups\.csv: column "model" \(key\) is not in the file; its columns are: code/)]);
    expect(c.details['items.sample rejects']).toMatch(/^1 of the first 2 rows, e\.g\. items\.csv:3:2: column "qty"/);
    expect(await readdir(dir)).toEqual(['groups.csv', 'items.csv']);
  });

  it('describe: declared types plus types inferred from the header and a sample', async () => {
    const dir = await dropFolder({
      'items.csv': 'sku,name_en,name_de,weight,unit,qty,price,launch,changed,flag,url\nA,Chair,Stuhl,1.5,kg,3,9.90,2024-01-01,2024-01-01 10:00:00,yes,https://x.test/a\nB,Desk,,2,lb,,10,2024-02-01,2024-01-01 11:00:00,no,https://x.test/b\n',
    });
    const src = source(dir, { languages: ['en', 'de'], streams: { items: { fields: { weight: { type: 'quantity', unitColumn: 'unit' } } } } });
    const [d] = await src.describe();
    expect(d!.stream).toBe('items');
    const byName = Object.fromEntries(d!.fields.map((f) => [f.name, f]));
    expect(byName.weight).toMatchObject({ type: 'quantity', units: ['kg', 'lb'] });
    expect(byName.name).toMatchObject({ type: 'localized', languages: ['de', 'en'] });
    expect(byName.qty).toMatchObject({ type: 'integer', nullable: true });
    expect(byName.price).toMatchObject({ type: 'decimal', hot: true });
    expect(byName.launch!.type).toBe('date');
    expect(byName.changed!.type).toBe('datetime');
    expect(byName.flag!.type).toBe('boolean');
    expect(byName.url!.type).toBe('url');
    expect(d!.supportsDelta).toBe(true);
    expect(d!.deltaStrategy).toMatch(/done\//);
    // describe reads a sample only and moves nothing.
    await src.close();
    expect(await readdir(dir)).toEqual(['items.csv']);
  });

  it('rejects an invalid configuration with the path of the problem', () => {
    expect(() => source('/tmp', { streams: { items: { fields: { w: { type: 'quantity' } } } } } as never)).toThrow(
      /streams\.items\.fields\.w: a quantity field needs `unit` \(fixed\) or `unitColumn`/,
    );
    expect(() => source('/tmp', { encoding: 'ebcdic' } as never)).toThrow(/encoding/);
  });
});

describe('files adapter: sink runs in the same second', () => {
  it('never overwrites an earlier export of the same stream', async () => {
    const dir = await dropFolder();
    for (const key of ['A', 'B']) {
      const sink = source(dir, { sinkFormat: 'ndjson' });
      await sink.upsert('items', [{ stream: 'items', key, updatedAt: null, fields: {} }]);
      await sink.close();
    }
    const out = (await readdir(join(dir, 'out'))).sort();
    expect(out).toHaveLength(2);
    const keys = await Promise.all(out.map(async (n) => JSON.parse(await readFile(join(dir, 'out', n), 'utf8')).key));
    expect(keys.sort()).toEqual(['A', 'B']);
  });
});
