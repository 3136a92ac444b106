/**
 * AdventureWorks (real sample ERP data nobody on the team wrote) loaded into Tryton by the seed
 * script, read back through the adapter and compared with the CSV files themselves.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErpRecord, LocalizedText } from '../../../src/erp/port.js';
import { createTrytonSource, type TrytonSource } from '../../../src/erp/tryton/index.js';
import { startTryton, type RunningTryton } from '../../support/tryton/index.js';
import { skipTryton, trytonErpConfig } from './helpers.js';

const AW = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../shared/data/adventureworks');
const missing = !existsSync(path.join(AW, 'Product.csv'));
if (missing && process.env.CI !== 'true') console.warn(`[skip] AdventureWorks Tryton test: ${AW} is not there.`);

function tsv(name: string): string[][] {
  return readFileSync(path.join(AW, name), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split('\t').map((c) => c.trim()));
}

describe.skipIf(skipTryton || (missing && process.env.CI !== 'true'))('Tryton with AdventureWorks loaded', () => {
  let tryton: RunningTryton;
  let source: TrytonSource;
  let items: ErpRecord[];

  beforeAll(async () => {
    if (missing) throw new Error(`AdventureWorks data is missing at ${AW} (CI=true requires ../shared).`);
    tryton = await startTryton({ seed: 'catalogue', adventureworks: true });
    source = createTrytonSource(trytonErpConfig(tryton, { languages: ['en', 'fr', 'de'], referencePrice: true }));
    items = [];
    for await (const r of source.read('items')) items.push(r);
  }, 240_000);
  afterAll(async () => {
    await source?.close();
    await tryton?.close();
  });

  it('reads every finished good with a model as a variant of its model', () => {
    const goods = tsv('Product.csv').filter((r) => r[4] === '1' && r[19]);
    const byKey = new Map(items.map((i) => [i.key, i]));
    expect(goods.length).toBe(295);
    const byModel = new Map<string, string[]>();
    for (const g of goods) {
      const item = byKey.get(g[2]!);
      expect(item, g[2]).toBeDefined();
      expect(item!.fields.aw_color ?? null).toBe(g[5] ? g[5].toLowerCase().replace(/[^a-z0-9]+/g, '_') : null);
      expect(item!.fields.aw_size ?? null).toBe(g[10] ? g[10].toLowerCase() : null);
      byModel.set(g[19]!, [...(byModel.get(g[19]!) ?? []), item!.group!]);
    }
    // One template per model: all variants of a model share one group key.
    for (const groups of byModel.values()) expect(new Set(groups).size).toBe(1);
  });

  it('keeps the real price, weight unit and English/French model descriptions', () => {
    const bike = items.find((i) => i.key === 'BK-M82B-38')!;
    expect(bike.group).toBe('BK-M82');
    expect(bike.fields.name).toMatchObject({ values: { en: 'Mountain-100' } });
    expect(bike.fields.weight).toEqual({ kind: 'quantity', amount: '20.35', unit: 'lb' });
    // Tryton 6.0 keeps the price per template: the model's first product's price (exact text).
    const firstOfModel = tsv('Product.csv').find((r) => r[4] === '1' && r[19] === '19.0')!;
    expect(bike.fields.list_price).toMatchObject({ kind: 'money', amount: firstOfModel[9] });
    const description = bike.fields.description as LocalizedText;
    expect(Object.keys(description.values).sort()).toEqual(['en', 'fr']);
    const texts = new Map(tsv('ProductDescription.csv').map((r) => [r[0]!.split('.')[0]!, r[1]!]));
    const cultures = tsv('ProductModelProductDescriptionCulture.csv').filter((r) => r[0] === '19');
    expect(description.values.fr).toBe(texts.get(cultures.find((r) => r[2] === 'fr')![1]!));
    expect(description.values.en).toBe(texts.get(cultures.find((r) => r[2] === 'en')![1]!));
    const grams = items.filter((i) => (i.fields.weight as { unit?: string } | null)?.unit === 'g');
    expect(grams.length).toBeGreaterThan(0);
  });
});
