/**
 * Real data through the files adapter: Microsoft's AdventureWorks export (MIT), in
 * ../shared/data/adventureworks/. Header-less TSV with the column order from
 * COLUMNS.txt; ProductModel.csv and ProductReview.csv are comma-separated and quote
 * with ^…^ instead of "…". Skipped with a note when the data is absent, except in CI.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ErpRecord, LocalizedText } from '../../../src/erp/port.js';
import { dropFolder, readAll, source } from './helpers.js';

const repoRoot = resolve(fileURLToPath(import.meta.url), '../../../..');
const DATA = resolve(repoRoot, '../shared/data/adventureworks');
const present = existsSync(join(DATA, 'Product.csv')) && existsSync(join(DATA, 'COLUMNS.txt'));
if (!present) {
  if (process.env.CI === 'true') throw new Error(`AdventureWorks data missing at ${DATA} (CI always has it)`);
  console.warn(`[skip] AdventureWorks data not found at ${DATA}: real-data tests of the files adapter are skipped`);
}

/** `Product.csv: ProductId:INT, Name:VARCHAR(50), …` → column names per file. */
function columnsOf(file: string): string[] {
  const line = readFileSync(join(DATA, 'COLUMNS.txt'), 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${file}:`));
  if (!line) throw new Error(`${file} not in COLUMNS.txt`);
  return line
    .slice(file.length + 1)
    .split(/,\s*(?=\w+:)/) // not inside DECIMAL(19,4)
    .map((c) => c.trim().split(':')[0]!);
}

async function dropOf(...files: string[]): Promise<string> {
  const dir = await dropFolder();
  for (const f of files) await copyFile(join(DATA, f), join(dir, f));
  return dir;
}

describe.skipIf(!present)('files adapter on AdventureWorks', () => {
  it('reads the 504 products (header-less TSV with the COLUMNS.txt list) with units, models and colours', async () => {
    const dir = await dropOf('Product.csv');
    const src = source(dir, {
      streams: {
        items: {
          pattern: 'Product.csv',
          format: 'tsv',
          header: columnsOf('Product.csv'),
          key: 'ProductNumber',
          updatedAt: 'ModifiedDate',
          group: 'ProductModelId',
          categories: 'ProductSubcategoryId',
          integerKeys: true,
          active: { column: 'SellEndDate', meaning: 'inactive-if-set' },
          fields: {
            name: { type: 'localized', columns: { en: 'Name' } },
            color: 'Color',
            size: 'Size',
            size_unit: 'SizeUnitMeasureCode',
            weight: { type: 'quantity', column: 'Weight', unitColumn: 'WeightUnitMeasureCode' },
            list_price: { type: 'money', column: 'ListPrice', currency: 'USD' },
            finished: { type: 'boolean', column: 'FinishedGoodsFlag' },
            sell_start: { type: 'date', column: 'SellStartDate' },
          },
          includeUnmapped: false,
        },
      },
    });
    const { records, rejects } = await readAll(src);
    expect(rejects).toEqual([]);
    expect(records).toHaveLength(504);
    expect(src.stats().totals).toMatchObject({ rows: 504, records: 504, rejected: 0 });
    const frame = records.find((r) => r.key === 'FR-R92B-58')!;
    expect(frame).toEqual({
      stream: 'items',
      key: 'FR-R92B-58',
      updatedAt: '2014-02-08T10:01:36.827Z',
      group: '6',
      categories: ['14'],
      active: true,
      fields: {
        name: { kind: 'localized', values: { en: 'HL Road Frame - Black, 58' } },
        color: 'Black',
        size: '58',
        size_unit: 'CM',
        weight: { kind: 'quantity', amount: '2.24', unit: 'LB' },
        list_price: { kind: 'money', amount: '1431.5', currency: 'USD' },
        finished: true,
        sell_start: '2008-04-30',
      },
    });
    expect(records.filter((r) => r.fields.finished === true)).toHaveLength(295);
    expect(records.filter((r) => r.fields.size === 'XL' && r.fields.size_unit === null).length).toBeGreaterThan(0);
    expect(records.filter((r) => (r.fields.weight as { unit?: string } | null)?.unit === 'G')).toHaveLength(29);
    // 98 products have a SellEndDate: archived.
    expect(records.filter((r) => r.active === false)).toHaveLength(98);
    const models = new Set([...records.map((r) => r.group)].filter(Boolean));
    expect(models.has('19')).toBe(true);
  });

  it('reads ProductModel.csv, comma-separated and quoted with ^…^ around XML', async () => {
    const dir = await dropOf('ProductModel.csv');
    const src = source(dir, {
      streams: {
        groups: {
          pattern: 'ProductModel.csv',
          delimiter: ',',
          quote: '^',
          header: columnsOf('ProductModel.csv'),
          key: 'ProductModelId',
          updatedAt: 'ModifiedDate',
          fields: { name: { type: 'localized', columns: { en: 'Name' } }, catalog: { type: 'text', column: 'CatalogDescription' } },
          includeUnmapped: false,
        },
      },
    });
    const { records, rejects } = await readAll(src, 'groups');
    expect(rejects).toEqual([]);
    expect(records).toHaveLength(128);
    const m100 = records.find((r) => r.key === '19')!;
    expect(m100.fields.name).toEqual({ kind: 'localized', values: { en: 'Mountain-100' } });
    expect(m100.fields.catalog).toMatch(/^<\?xml-stylesheet[^]*<\/p1:ProductDescription>$/);
    expect(records.filter((r) => r.fields.catalog !== null)).toHaveLength(6);
  });

  it('reads ProductReview.csv: ^-quoted multi-line comments', async () => {
    const dir = await dropOf('ProductReview.csv');
    const src = source(dir, {
      streams: { items: { pattern: 'ProductReview.csv', delimiter: ',', quote: '^', header: columnsOf('ProductReview.csv'), key: 'ProductReviewId', integerKeys: true } },
    });
    const { records, rejects } = await readAll(src);
    expect(rejects).toEqual([]);
    expect(records.map((r) => r.key)).toEqual(['1', '2', '3', '4']);
    expect(records[0]!.fields.Comments).toMatch(/^I can't believe I'm singing the praises of a pair of socks[^]*\nI won't go on another trip without them!$/);
  });

  it('gives the six description languages of every model (language-column merge), also from a UTF-16LE copy', async () => {
    const dir = await dropOf('ProductModelProductDescriptionCulture.csv');
    // The original Microsoft export of ProductDescription is UTF-16LE: read such a copy.
    const utf8 = readFileSync(join(DATA, 'ProductDescription.csv'), 'utf8');
    await writeFile(join(dir, 'ProductDescription.csv'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(utf8, 'utf16le')]));
    const src = source(dir, {
      format: 'tsv',
      streams: {
        groups: {
          pattern: 'ProductModelProductDescriptionCulture.csv',
          header: columnsOf('ProductModelProductDescriptionCulture.csv'),
          key: 'ProductModelId',
          languageColumn: 'CultureId',
          fields: { description: { type: 'localized', column: 'ProductDescriptionId' } },
          includeUnmapped: false,
        },
        items: { pattern: 'ProductDescription.csv', header: columnsOf('ProductDescription.csv'), key: 'ProductDescriptionId' },
      },
    });
    const links = await readAll(src, 'groups');
    const texts = await readAll(src, 'items');
    expect(links.rejects).toEqual([]);
    expect(texts.rejects).toEqual([]);
    expect(texts.records).toHaveLength(762);
    expect(src.stats().files.find((f) => f.file === 'ProductDescription.csv')!.encoding).toBe('UTF-16LE (bom)');
    const textOf = new Map(texts.records.map((r: ErpRecord) => [r.key, r.fields.Description as string]));
    expect(links.records).toHaveLength(127);
    for (const m of links.records) expect(Object.keys((m.fields.description as LocalizedText).values).sort()).toEqual(['ar', 'en', 'fr', 'he', 'th', 'zh-cht']);
    const m100 = (links.records.find((r) => r.key === '19')!.fields.description as LocalizedText).values;
    expect(textOf.get(m100.en!)).toMatch(/^Top-of-the-line competition mountain bike/);
    expect(textOf.get(m100.fr!)).toMatch(/^VTT de compétition haut de gamme/);
    expect(textOf.get(m100['zh-cht']!)).toMatch(/^高档竞赛山地车/);
    expect(textOf.get('746')).toBe('High-quality 1" threadless headset with a grease port for quick lubrication.');
  });
});
