/**
 * Variant axes inferred on Microsoft's AdventureWorks products (../shared/data/adventureworks,
 * header-less tab-separated Product.csv): products grouped by their product model, select-like
 * fields Color, Size, Style, Class, ProductLine. Mountain-100 comes in two colours and four sizes
 * with a list price per colour, so it is laid out colour → size (two levels). Skips, saying so,
 * when the data set is missing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { distinguishes, inferAxes, type AxisValues } from '../../src/mapping/axes.js';

const DIR = join(import.meta.dirname, '../../../shared/data/adventureworks');
const missing = !existsSync(join(DIR, 'Product.csv'));
if (missing) console.warn(`[skip] AdventureWorks axis inference: ${DIR}/Product.csv is missing (see ../shared/data/adventureworks/SOURCE.txt).`);

const COLUMNS = ['ProductId', 'Name', 'ProductNumber', 'MakeFlag', 'FinishedGoodsFlag', 'Color', 'SafetyStockLevel', 'ReorderPoint', 'StandardCost', 'ListPrice', 'Size', 'SizeUnitMeasureCode', 'WeightUnitMeasureCode', 'Weight', 'DaysToManufacture', 'ProductLine', 'Class', 'Style', 'ProductSubcategoryId', 'ProductModelId'];
const AXES = ['Color', 'Size', 'Style', 'Class', 'ProductLine'];
const OTHERS = ['ListPrice', 'StandardCost', 'Weight'];

describe.skipIf(missing)('axis inference on AdventureWorks', () => {
  const rows = readFileSync(join(DIR, 'Product.csv'), 'utf8').split('\n').filter(Boolean).map((line) => {
    const cells = line.split('\t');
    return Object.fromEntries(COLUMNS.map((c, i) => [c, cells[i]?.trim() ? cells[i]!.trim().toLowerCase() : null])) as Record<string, string | null>;
  });
  const byModel = new Map<string, AxisValues[]>();
  for (const r of rows) if (r['ProductModelId']) byModel.set(r['ProductModelId'], [...(byModel.get(r['ProductModelId']) ?? []), r]);

  it('lays Mountain-100 out colour then size (list price per colour); Mountain-100 is found by name', () => {
    const key = [...byModel.entries()].find(([, items]) => items.some((i) => i['Name']?.startsWith('mountain-100')))![0];
    const r = inferAxes(byModel.get(key)!, AXES, { otherFields: OTHERS });
    expect(r).toMatchObject({ ok: true, levels: [['Color'], ['Size']] });
    if (r.ok) expect(r.subModelFields).toContain('ListPrice');
  });

  it('every model of several products gets the fewest axes that tell them apart, or is reported with the fields tried', () => {
    let told = 0;
    let twoLevels = 0;
    const reported: string[] = [];
    for (const [key, items] of byModel) {
      if (items.length < 2) continue;
      const r = inferAxes(items, AXES, { otherFields: OTHERS });
      if (r.ok) {
        told++;
        if (r.levels.length === 2) twoLevels++;
        expect(distinguishes(items, r.levels.flat())).toBe(true);
      } else {
        reported.push(key);
        expect(distinguishes(items, r.tried)).toBe(false);
      }
    }
    console.log(`AdventureWorks: ${byModel.size} models, ${told} told apart (${twoLevels} in two levels), ${reported.length} reported as indistinguishable`);
    expect(told).toBeGreaterThan(20);
    expect(twoLevels).toBeGreaterThan(0);
  });
});
