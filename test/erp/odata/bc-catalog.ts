/**
 * The rows the Business Central-shaped test server serves (API v2.0 names): AdventureWorks from
 * ../shared/data/adventureworks turned into BC items, or a generated catalogue when the data is
 * missing. A product model becomes one BC item whose item variants are the model's products
 * (variant code = the AdventureWorks product number); a product without a model is a plain item.
 * Subcategories become item categories. A second, small company checks that reads stay inside
 * the company the config names.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { AW_DIR, hasAdventureWorks } from './catalog.js';

export interface BcCompanyRow {
  id: string;
  name: string;
  displayName: string;
}
export interface BcItemRow {
  id: string;
  companyId: string;
  number: string;
  displayName: string;
  type: string;
  itemCategoryId: string | null;
  itemCategoryCode: string | null;
  blocked: boolean;
  gtin: string | null;
  unitPrice: string;
  baseUnitOfMeasureCode: string;
  lastModifiedDateTime: string;
}
export interface BcVariantRow {
  id: string;
  companyId: string;
  itemId: string;
  itemNumber: string;
  code: string;
  description: string;
  lastModifiedDateTime: string;
}
export interface BcCategoryRow {
  id: string;
  companyId: string;
  code: string;
  displayName: string;
  lastModifiedDateTime: string;
}
export interface BcCatalog {
  source: 'adventureworks' | 'generated';
  /** The company holding the catalogue (the first), and a second small one. */
  companies: BcCompanyRow[];
  items: BcItemRow[];
  variants: BcVariantRow[];
  categories: BcCategoryRow[];
}

export const BC_COMPANY = 'CRONUS USA';
export const BC_OTHER_COMPANY = 'CRONUS CANADA';

function tsv(file: string): string[][] {
  return readFileSync(resolve(AW_DIR, file), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => line.replace(/\r$/, '').split('\t'));
}

function isoOf(awDate: string): string {
  const [day, time = '00:00:00'] = awDate.trim().split(' ');
  const [hms, frac = '0'] = time.split('.');
  return `${day}T${hms}.${frac.padEnd(3, '0').slice(0, 3)}Z`;
}

const blank = (v: string | undefined): string | null => ((v ?? '').trim() === '' ? null : v!.trim());

function companies(): BcCompanyRow[] {
  return [
    { id: randomUUID(), name: BC_COMPANY, displayName: 'CRONUS USA, Inc.' },
    { id: randomUUID(), name: BC_OTHER_COMPANY, displayName: 'CRONUS Canada, Inc.' },
  ];
}

/** The other company holds two items whose numbers also exist in the main one. */
function otherCompanyItems(company: BcCompanyRow, numbers: string[]): BcItemRow[] {
  return numbers.map((number) => ({
    id: randomUUID(),
    companyId: company.id,
    number,
    displayName: `Other company's ${number}`,
    type: 'Inventory',
    itemCategoryId: null,
    itemCategoryCode: null,
    blocked: false,
    gtin: null,
    unitPrice: '1',
    baseUnitOfMeasureCode: 'PCS',
    lastModifiedDateTime: '2020-01-01T00:00:00.000Z',
  }));
}

export function adventureWorksBcCatalog(): BcCatalog {
  const [main, other] = companies() as [BcCompanyRow, BcCompanyRow];
  const categories: BcCategoryRow[] = [];
  const categoryOf = new Map<string, BcCategoryRow>();
  for (const c of tsv('ProductSubcategory.csv')) {
    const row = { id: randomUUID(), companyId: main.id, code: c[2]!.trim().toUpperCase().slice(0, 20), displayName: c[2]!.trim(), lastModifiedDateTime: isoOf(c[4]!) };
    categories.push(row);
    categoryOf.set(String(parseInt(c[0]!, 10)), row);
  }
  // ProductModel.csv holds multi-line XML descriptions: keep the lines that start a row.
  const modelNames = new Map(
    tsv('ProductModel.csv')
      .filter((c) => /^\d+(\.0)?$/.test(c[0] ?? '') && c[1] !== undefined)
      .map((c) => [String(parseInt(c[0]!, 10)), c[1]!.trim()]),
  );
  const items: BcItemRow[] = [];
  const variants: BcVariantRow[] = [];
  const models = new Map<string, BcItemRow>();
  for (const c of tsv('Product.csv')) {
    const [, name, number, , , color, , , , listPrice, size] = c;
    const category = blank(c[18]) === null ? undefined : categoryOf.get(String(parseInt(c[18]!, 10)));
    const modelId = blank(c[19]) === null ? null : String(parseInt(c[19]!, 10));
    const changed = isoOf(c[24]!);
    const base = {
      companyId: main.id,
      type: c[4] === '1' ? 'Inventory' : 'Non-Inventory',
      itemCategoryId: category?.id ?? null,
      itemCategoryCode: category?.code ?? null,
      blocked: blank(c[22]) !== null,
      gtin: null,
      unitPrice: blank(listPrice) ?? '0',
      baseUnitOfMeasureCode: 'PCS',
      lastModifiedDateTime: changed,
    };
    if (!modelId) {
      items.push({ id: randomUUID(), number: number!, displayName: name!.slice(0, 100), ...base });
      continue;
    }
    const modelNumber = `MODEL-${modelId.padStart(3, '0')}`;
    let model = models.get(modelNumber);
    if (!model) {
      model = { id: randomUUID(), number: modelNumber, displayName: (modelNames.get(modelId) ?? name!).slice(0, 100), ...base, blocked: false };
      models.set(modelNumber, model);
      items.push(model);
    }
    const description = [blank(color), blank(size)].filter((v) => v !== null).join(', ') || name!;
    variants.push({ id: randomUUID(), companyId: main.id, itemId: model.id, itemNumber: modelNumber, code: number!, description, lastModifiedDateTime: changed });
  }
  items.push(...otherCompanyItems(other, [items[0]!.number, 'MODEL-001']));
  return { source: 'adventureworks', companies: [main, other], items, variants, categories };
}

/** `count` plain items and `count / 10` items with three variants each, stamped one second apart. */
export function generatedBcCatalog(count: number, start = Date.parse('2024-01-01T00:00:00Z')): BcCatalog {
  const [main, other] = companies() as [BcCompanyRow, BcCompanyRow];
  const categories: BcCategoryRow[] = ['CHAIRS', 'DESKS', 'LAMPS'].map((code) => ({
    id: randomUUID(),
    companyId: main.id,
    code,
    displayName: code.charAt(0) + code.slice(1).toLowerCase(),
    lastModifiedDateTime: new Date(start).toISOString(),
  }));
  const items: BcItemRow[] = [];
  const variants: BcVariantRow[] = [];
  const at = (i: number): string => new Date(start + i * 1000).toISOString();
  for (let i = 1; i <= count + Math.floor(count / 10); i++) {
    const withVariants = i > count;
    const category = categories[i % 3]!;
    const item: BcItemRow = {
      id: randomUUID(),
      companyId: main.id,
      number: withVariants ? `MODEL-${String(i).padStart(6, '0')}` : `GEN-${String(i).padStart(6, '0')}`,
      displayName: `${withVariants ? 'Model' : 'Item'} ${i}`,
      type: 'Inventory',
      itemCategoryId: category.id,
      itemCategoryCode: category.code,
      blocked: false,
      gtin: withVariants ? null : String(4000000000000 + i),
      unitPrice: `${i}.50`,
      baseUnitOfMeasureCode: 'PCS',
      lastModifiedDateTime: at(i),
    };
    items.push(item);
    if (withVariants) {
      for (const code of ['S', 'M', 'L']) {
        variants.push({ id: randomUUID(), companyId: main.id, itemId: item.id, itemNumber: item.number, code, description: `Size ${code}`, lastModifiedDateTime: at(i) });
      }
    }
  }
  items.push(...otherCompanyItems(other, [items[0]!.number, 'MODEL-001']));
  return { source: 'generated', companies: [main, other], items, variants, categories };
}

/** AdventureWorks when present, else a generated catalogue of a similar size. */
export function testBcCatalog(): BcCatalog {
  return hasAdventureWorks() ? adventureWorksBcCatalog() : generatedBcCatalog(300);
}
