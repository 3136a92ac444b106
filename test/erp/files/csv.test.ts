import { describe, expect, it } from 'vitest';
import { dropFolder, readAll, source } from './helpers.js';

describe('files adapter: CSV/TSV', () => {
  it('reads a header CSV into normalized records with typed fields', async () => {
    const dir = await dropFolder({
      'items-1.csv': [
        'sku,name_en,name_fr,weight,weight_unit,price,updated_at,model,active,cats,ean',
        'A-1,"Bike, red","Vélo ""rouge""",12.50,kg,1299.90,2024-03-01 10:00:00,M-1,1,bikes|road,0123',
        'A-2,"Multi',
        'line",Vélo,0.5,lb,-3,2024-03-02T10:00:00+02:00,M-1,no,,',
      ].join('\n'),
    });
    const src = source(dir, {
      languages: ['en', 'fr'],
      streams: {
        items: {
          key: 'sku',
          updatedAt: 'updated_at',
          group: 'model',
          active: 'active',
          categories: 'cats',
          fields: { weight: { type: 'quantity', unitColumn: 'weight_unit' }, price: { type: 'decimal' } },
        },
      },
    });
    const { records, rejects } = await readAll(src);
    expect(rejects).toEqual([]);
    expect(records).toHaveLength(2);
    expect(records[0]).toEqual({
      stream: 'items',
      key: 'A-1',
      updatedAt: '2024-03-01T10:00:00.000Z',
      group: 'M-1',
      categories: ['bikes', 'road'],
      active: true,
      fields: {
        weight: { kind: 'quantity', amount: '12.50', unit: 'kg' },
        price: { kind: 'decimal', value: '1299.90' },
        name: { kind: 'localized', values: { en: 'Bike, red', fr: 'Vélo "rouge"' } },
        ean: '0123',
      },
    });
    expect(records[1]!.fields.name).toEqual({ kind: 'localized', values: { en: 'Multi\nline', fr: 'Vélo' } });
    expect(records[1]!.updatedAt).toBe('2024-03-02T08:00:00.000Z');
    expect(records[1]!.active).toBe(false);
    expect(records[1]!.categories).toEqual([]);
    expect(records[1]!.fields.ean).toBeNull();
    expect(src.stats().totals).toMatchObject({ files: 1, rows: 2, records: 2, rejected: 0 });
  });

  it('rejects bad rows with file:line:column and raw content, and reads on', async () => {
    const dir = await dropFolder({
      'items.csv': [
        'sku,name,qty,price,released',
        'A-1,ok,1,2.5,2024-01-31',
        'A-2,short row,3',
        'A-3,"quoted, with comma",x7,1.0,2024-01-01',
        'A-4,bad date,2,1.0,2024-02-30',
        'A-5,"multi',
        'line",5,abc,2024-01-01',
        ',no key,1,1,2024-01-01',
        'A-7,extra,1,1,2024-01-01,surprise',
        'A-8,last,8,8.8,2024-12-31',
      ].join('\n'),
    });
    const src = source(dir, {
      streams: { items: { key: 'sku', fields: { qty: { type: 'integer' }, price: { type: 'decimal' }, released: { type: 'date' } } } },
    });
    const { records, rejects } = await readAll(src);
    expect(records.map((r) => r.key)).toEqual(['A-1', 'A-8']);
    expect(rejects.map((r) => r.location)).toEqual(['items.csv:3:4', 'items.csv:4:3', 'items.csv:5:5', 'items.csv:6:4', 'items.csv:8:1', 'items.csv:9:6']);
    expect(rejects[0]!.message).toMatch(/3 cells but the header has 5 columns/);
    expect(rejects[0]!.raw).toBe('A-2,short row,3\n');
    expect(rejects[1]!.message).toMatch(/column "qty".*"x7" is not a number/);
    expect(rejects[1]!.key).toBe('A-3');
    expect(rejects[1]!.field).toBe('qty');
    expect(rejects[2]!.message).toMatch(/"2024-02-30" is not a valid calendar date/);
    expect(rejects[3]!.message).toMatch(/column "price".*"abc" is not a number/);
    expect(rejects[3]!.raw).toBe('A-5,"multi\nline",5,abc,2024-01-01\n');
    expect(rejects[4]!.message).toMatch(/no key: column "sku" is empty/);
    expect(rejects[5]!.message).toMatch(/extra from column 6/);
    expect(records[1]!.fields).toEqual({ name: 'last', qty: 8, price: { kind: 'decimal', value: '8.8' }, released: '2024-12-31' });
    expect(src.stats().totals).toMatchObject({ rows: 8, records: 2, rejected: 6 });
  });

  it('reads header-less files with a column list, and generated names with header: false', async () => {
    const dir = await dropFolder({ 'items.tsv': 'A\t1.0\tx\nB\t2.0\ty\n', 'groups.csv': 'G1;Group one\nG2;Group two\n' });
    const src = source(dir, {
      streams: {
        items: { header: ['code', 'weight', 'tag'], fields: { weight: { type: 'decimal' } } },
        groups: { header: false, delimiter: ';', key: 'column1' },
      },
    });
    const items = await readAll(src, 'items');
    expect(items.records.map((r) => [r.key, r.fields])).toEqual([
      ['A', { weight: { kind: 'decimal', value: '1.0' }, tag: 'x' }],
      ['B', { weight: { kind: 'decimal', value: '2.0' }, tag: 'y' }],
    ]);
    const groups = await readAll(src, 'groups');
    expect(groups.records.map((r) => [r.key, r.fields.column2])).toEqual([
      ['G1', 'Group one'],
      ['G2', 'Group two'],
    ]);
  });

  it('sniffs the delimiter, honours custom quote/escape, comments, preamble lines and decimal commas', async () => {
    const dir = await dropFolder({
      'items.csv': ['Export from ERP 2024-01-01', 'sku;price;note', '# a comment', "A;1.234,50;'it''s; fine'", "B;0,5;'x'"].join('\r\n'),
    });
    const src = source(dir, {
      delimiter: 'auto',
      quote: "'",
      comment: '#',
      skipLines: 1,
      decimalSeparator: ',',
      thousandsSeparator: '.',
      streams: { items: { fields: { price: { type: 'decimal' } } } },
    });
    const { records, rejects } = await readAll(src);
    expect(rejects).toEqual([]);
    expect(records.map((r) => [r.key, r.fields.price, r.fields.note])).toEqual([
      ['A', { kind: 'decimal', value: '1234.50' }, "it's; fine"],
      ['B', { kind: 'decimal', value: '0.5' }, 'x'],
    ]);
  });

  it('merges per-language rows (language column) into one localized record', async () => {
    const dir = await dropFolder({
      'groups.csv': ['model,lang,description,brand', 'M1,en,Light bike,Acme', 'M2,en,Heavy bike,Acme', 'M1,fr,Vélo léger,', 'M1,de  ,Leichtes Rad,Other'].join('\n'),
    });
    const src = source(dir, {
      streams: { groups: { key: 'model', languageColumn: 'lang', fields: { description: { type: 'localized' } }, includeUnmapped: true } },
    });
    const { records } = await readAll(src, 'groups');
    expect(records).toHaveLength(2);
    const m1 = records.find((r) => r.key === 'M1')!;
    expect(m1.fields.description).toEqual({ kind: 'localized', values: { en: 'Light bike', fr: 'Vélo léger', de: 'Leichtes Rad' } });
    expect(m1.fields.brand).toBe('Acme');
  });

  it('fails a file whose configured column is missing, naming the columns it has', async () => {
    const dir = await dropFolder({ 'items.csv': 'sku,name\nA,x\n' });
    const src = source(dir, { streams: { items: { fields: { weight: { type: 'decimal' } } } } });
    const { records, rejects } = await readAll(src);
    expect(records).toEqual([]);
    expect(rejects).toHaveLength(1);
    expect(rejects[0]!.message).toMatch(/column "weight" \(field weight\) is not in the file; its columns are: sku, name/);
    expect(src.stats().files[0]!.status).toBe('failed');
  });

  it('fails a file with an unclosed quote (the swallowed rows cannot be counted) after reading the rows before it', async () => {
    const dir = await dropFolder({ 'items.csv': 'sku,name\nA,fine\nB,"never closed\nC,lost\n' });
    const src = source(dir);
    const { records, rejects } = await readAll(src);
    expect(records.map((r) => r.key)).toEqual(['A']);
    expect(rejects.some((r) => /quote opened on line 3 is never closed/.test(r.message))).toBe(true);
    expect(src.stats().files[0]!.status).toBe('failed');
  });

  it('applies keys and limit, counting what it skips', async () => {
    const rows = ['sku,n', ...Array.from({ length: 50 }, (_, i) => `K${i},${i}`)];
    const dir = await dropFolder({ 'items.csv': rows.join('\n') });
    const src = source(dir);
    const byKeys = await readAll(src, 'items', { keys: ['K3', 'K40'] });
    expect(byKeys.records.map((r) => r.key)).toEqual(['K3', 'K40']);
    expect(src.stats().files[0]!.skipped).toBe(48);
    const limited = await readAll(src, 'items', { limit: 5 });
    expect(limited.records).toHaveLength(5);
  });
});

describe('files adapter: relaxColumnCount', () => {
  it('reads short rows as empty cells and ignores extra ones when relaxed', async () => {
    const dir = await dropFolder({ 'items.csv': 'sku,a,b\nX,1\nY,1,2,3\n' });
    const { records, rejects } = await readAll(source(dir, { relaxColumnCount: true }));
    expect(rejects).toEqual([]);
    expect(records.map((r) => [r.key, r.fields.a, r.fields.b])).toEqual([
      ['X', '1', null],
      ['Y', '1', '2'],
    ]);
  });
});

describe('files adapter: line numbers', () => {
  it('stay exact with CRLF, CRLF inside quotes, blank and comment lines, a preamble and multi-byte text', async () => {
    const lines = [
      'Exported by ERP',
      'sku,qty,note',
      'A,1,"two\r\nlines"',
      '',
      '# a comment, with a comma',
      'B,1,"ünïcödé 自行车"',
      'C,bad,x',
      '',
      'D,2,"x',
      'y',
      'z"',
      'E,oops,y',
    ];
    const dir = await dropFolder({ 'items.csv': lines.join('\r\n') + '\r\n' });
    const src = source(dir, { skipLines: 1, comment: '#', streams: { items: { fields: { qty: { type: 'integer' } } } } });
    const { records, rejects } = await readAll(src);
    expect(records.map((r) => r.key)).toEqual(['A', 'B', 'D']);
    expect(records[0]!.fields.note).toBe('two\r\nlines');
    expect(rejects.map((r) => r.location)).toEqual(['items.csv:8:2', 'items.csv:13:2']);
  });
});
