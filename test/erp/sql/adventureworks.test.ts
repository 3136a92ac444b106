/**
 * Real ERP data through the SQL adapter: AdventureWorks products, models and their
 * descriptions in six languages, loaded into a fresh PostgreSQL database (layout:
 * ../shared/reference/erp-sources.md §3.1 — header-less TSV, ProductModel.csv comma-separated
 * with ^…^ enclosures, column order in COLUMNS.txt).
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import { createSqlSource, type SqlSource } from '../../../src/erp/sql/index.js';
import type { ErpRecord, RejectedRecord } from '../../../src/erp/port.js';
import { createPgDatabase, IN_CI, pgProblem, serviceGate, type TestDatabase } from './databases.js';

const DATA = resolve(import.meta.dirname, '../../../../shared/data/adventureworks');
const hasData = existsSync(resolve(DATA, 'COLUMNS.txt'));
if (!hasData) {
  const note = `AdventureWorks data not found at ${DATA}; the AdventureWorks SQL test is skipped.`;
  if (IN_CI) throw new Error(`CI=true but ${note}`);
  console.warn(`[skip] ${note}`);
}
const enabled = hasData && serviceGate('PostgreSQL (127.0.0.1:5432)', await pgProblem());

interface Column {
  name: string;
  type: string;
}

function columnsOf(file: string): Column[] {
  const line = readFileSync(resolve(DATA, 'COLUMNS.txt'), 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${file}:`));
  if (!line) throw new Error(`COLUMNS.txt has no line for ${file}`);
  return line
    .slice(file.length + 1)
    // Split on the comma before the next "Name:", not inside DECIMAL(19,4).
    .split(/,\s*(?=\w+:)/)
    .map((c) => {
      const [name, type] = c.trim().split(':');
      return { name: name!.toLowerCase(), type: type! };
    });
}

/** Splits one file into rows: `sep` between fields, `quote` around a field (doubled inside to escape it). */
function parseDelimited(text: string, sep: string, quote: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === quote) {
        if (text[i + 1] === quote && quote === '"') {
          field += quote;
          i++;
        } else quoted = false;
      } else field += ch;
    } else if (ch === quote && field === '') quoted = true;
    else if (ch === sep) {
      row.push(field);
      field = '';
    } else if (ch === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else if (ch !== '\r') field += ch;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

function pgType(type: string): string {
  if (/^(INT|SMALLINT|TINYINT)$/.test(type)) return 'integer';
  if (type.startsWith('DECIMAL')) return type.replace('DECIMAL', 'numeric');
  if (type === 'DATETIME') return 'timestamp(3)';
  if (type === 'BOOLEAN') return 'boolean';
  return 'text';
}

async function loadTable(knex: Knex, file: string, sep: string, quote: string): Promise<number> {
  const columns = columnsOf(file);
  const table = file.replace(/\.csv$/, '').toLowerCase();
  await knex.schema.createTable(table, (t) => {
    for (const c of columns) t.specificType(c.name, pgType(c.type));
  });
  const rows = parseDelimited(readFileSync(resolve(DATA, file), 'utf8'), sep, quote);
  const records = rows.map((cells, n) => {
    if (cells.length !== columns.length) throw new Error(`${file}:${n + 1}: ${cells.length} fields, COLUMNS.txt lists ${columns.length}`);
    return Object.fromEntries(
      columns.map((c, i) => {
        const raw = cells[i]!;
        if (raw === '') return [c.name, null];
        // Ids are exported as floats ("19.0").
        if (pgType(c.type) === 'integer') return [c.name, String(Math.trunc(Number(raw)))];
        return [c.name, raw];
      }),
    );
  });
  for (let i = 0; i < records.length; i += 100) await knex(table).insert(records.slice(i, i + 100));
  return records.length;
}

describe.skipIf(!enabled)('SQL adapter on AdventureWorks (PostgreSQL)', () => {
  let db: TestDatabase;
  let source: SqlSource;
  const loaded: Record<string, number> = {};

  beforeAll(async () => {
    db = await createPgDatabase();
    for (const file of ['Product.csv', 'ProductDescription.csv', 'ProductModelProductDescriptionCulture.csv', 'ProductSubcategory.csv', 'ProductCategory.csv']) {
      loaded[file] = await loadTable(db.knex, file, '\t', '"');
    }
    loaded['ProductModel.csv'] = await loadTable(db.knex, 'ProductModel.csv', ',', '^');
    await db.knex.raw(`create view model_descriptions as
      select c.productmodelid, trim(c.cultureid) as lang, d.description
      from productmodelproductdescriptionculture c join productdescription d on d.productdescriptionid = c.productdescriptionid`);
    source = createSqlSource({
      type: 'sql',
      client: 'pg',
      connection: db.connection,
      deltaMarginSeconds: 0,
      batchSize: 100,
      streams: {
        items: {
          query: 'select p.*, (p.sellenddate is null and p.discontinueddate is null) as selling from product p',
          key: 'productnumber',
          updatedAt: 'modifieddate',
          group: 'productmodelid',
          groupChanges: { table: 'productmodel', key: 'productmodelid', updatedAt: 'modifieddate' },
          categories: 'productsubcategoryid',
          active: 'selling',
          fields: {
            name: 'name',
            color: { column: 'color', type: 'select' },
            size: 'size',
            weight: { type: 'quantity', amount: 'weight', unit: 'weightunitmeasurecode' },
            list_price: { type: 'money', amount: 'listprice', fixedCurrency: 'USD' },
            standard_cost: { column: 'standardcost', type: 'decimal' },
            make: { column: 'makeflag', type: 'boolean' },
          },
        },
        groups: {
          table: 'productmodel',
          key: 'productmodelid',
          updatedAt: 'modifieddate',
          fields: {
            name: 'name',
            description: { type: 'localized', translations: { table: 'model_descriptions', key: 'productmodelid', language: 'lang', value: 'description' } },
          },
        },
        categories: {
          query: `select cast(productsubcategoryid as text) as code, 'cat-' || productcategoryid as parent, name, modifieddate from productsubcategory
                  union all select 'cat-' || productcategoryid, null, name, modifieddate from productcategory`,
          key: 'code',
          parent: 'parent',
          updatedAt: 'modifieddate',
          fields: { name: 'name' },
        },
      },
    });
  });
  afterAll(async () => {
    await source?.close();
    await db?.drop();
  });

  async function readAll(stream: 'items' | 'groups' | 'categories', since?: string) {
    const records: ErpRecord[] = [];
    const rejects: RejectedRecord[] = [];
    for await (const r of source.read(stream, { ...(since ? { since } : {}), onReject: (x) => rejects.push(x) })) records.push(r);
    return { records, rejects, byKey: new Map(records.map((r) => [r.key, r])) };
  }

  it('reads every product with its model, colour, size, weight unit and exact prices', async () => {
    const { records, rejects, byKey } = await readAll('items');
    expect(rejects).toEqual([]);
    expect(records).toHaveLength(loaded['Product.csv']!);
    const bike = byKey.get('BK-M82S-38')!;
    expect(bike.group).toBe('19');
    expect(bike.fields.name).toBe('Mountain-100 Silver, 38');
    expect(bike.fields.color).toBe('Silver');
    expect(bike.fields.size).toBe('38');
    expect(bike.fields.weight).toEqual({ kind: 'quantity', amount: '20.35', unit: 'lb' });
    expect(bike.fields.list_price).toEqual({ kind: 'money', amount: '3399.9900', currency: 'USD' });
    expect(bike.active).toBe(false);
    expect(bike.categories).toEqual(['1']);
    const variants = records.filter((r) => r.group === '19');
    expect(variants).toHaveLength(8);
    const units = new Set(records.flatMap((r) => (r.fields.weight && typeof r.fields.weight === 'object' && !Array.isArray(r.fields.weight) && r.fields.weight.kind === 'quantity' ? [r.fields.weight.unit] : [])));
    expect([...units].sort()).toEqual(['g', 'lb']);
    // Components have no model.
    expect(records.filter((r) => r.group === null).length).toBeGreaterThan(100);
  });

  it('reads models with their descriptions in six languages', async () => {
    const { records, rejects, byKey } = await readAll('groups');
    expect(rejects).toEqual([]);
    expect(records).toHaveLength(loaded['ProductModel.csv']!);
    const model = byKey.get('19')!;
    expect(model.fields.name).toBe('Mountain-100');
    const description = model.fields.description as { kind: string; values: Record<string, string> };
    expect(Object.keys(description.values).sort()).toEqual(['ar', 'en', 'fr', 'he', 'th', 'zh-cht']);
    expect(description.values.en!.length).toBeGreaterThan(10);
    expect(description.values.fr).not.toBe(description.values.en);
  });

  it('reads the category tree from a query stream', async () => {
    const { records } = await readAll('categories');
    expect(records).toHaveLength(loaded['ProductSubcategory.csv']! + loaded['ProductCategory.csv']!);
    const keys = new Set(records.map((r) => r.key));
    for (const r of records) if (r.parent !== null) expect(keys.has(r.parent!)).toBe(true);
  });

  it('delta: the shared modification stamp is a tie read inclusively; a model edit brings its products', async () => {
    const all = await readAll('items', '2014-02-08T10:01:36.827Z');
    expect(all.records).toHaveLength(loaded['Product.csv']!);
    // A delta read returns exactly the records whose effective change (own or model's) is in the window.
    const full = await readAll('items');
    const since = '2014-02-09T00:00:00.000Z';
    const after = await readAll('items', since);
    const expected = full.records.filter((r) => r.updatedAt !== null && r.updatedAt >= since).map((r) => r.key);
    expect(after.records.map((r) => r.key)).toEqual(expected);
    expect(expected.length).toBeLessThan(full.records.length);
    await db.knex('productmodel').where('productmodelid', 19).update({ modifieddate: '2024-05-01 12:00:00' });
    const edited = await readAll('items', '2024-05-01T12:00:00Z');
    expect(edited.records.map((r) => r.key).sort()).toEqual(
      (await readAll('items')).records.filter((r) => r.group === '19').map((r) => r.key).sort(),
    );
    expect(edited.records.every((r) => r.updatedAt === '2024-05-01T12:00:00.000Z')).toBe(true);
  });
});
