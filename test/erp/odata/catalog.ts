/**
 * The rows the S/4-shaped test server serves: AdventureWorks products from
 * ../shared/data/adventureworks (header-less TSV, column order in COLUMNS.txt) turned into
 * API_PRODUCT_SRV rows, or a generated catalogue when the data is missing. Product models become
 * configurable materials (ProductType KMAT) that their variants name in CrossPlantConfigurableProduct.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export const AW_DIR = resolve(import.meta.dirname, '../../../../shared/data/adventureworks');

export interface ProductRow {
  Product: string;
  ProductType: string;
  CreationDate: string | null;
  LastChangeDateTime: string;
  IsMarkedForDeletion: boolean;
  ProductOldID: string | null;
  GrossWeight: string | null;
  NetWeight: string | null;
  WeightUnit: string | null;
  SizeOrDimensionText: string | null;
  ProductGroup: string | null;
  BaseUnit: string;
  Division: string | null;
  ProductStandardID: string | null;
  CrossPlantConfigurableProduct: string | null;
}
export interface DescriptionRow {
  Product: string;
  Language: string;
  ProductDescription: string;
}
export interface BasicTextRow {
  Product: string;
  Language: string;
  LongText: string;
}
export interface Catalog {
  source: 'adventureworks' | 'generated';
  products: ProductRow[];
  descriptions: DescriptionRow[];
  basicTexts: BasicTextRow[];
}

/** AdventureWorks culture → SAP language key (SAP keys are two letters; ZF is traditional Chinese). */
const SAP_LANGUAGE: Record<string, string> = { en: 'EN', fr: 'FR', ar: 'AR', he: 'HE', th: 'TH', 'zh-cht': 'ZF' };

function tsv(file: string): string[][] {
  return readFileSync(resolve(AW_DIR, file), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => line.replace(/\r$/, '').split('\t'));
}

function isoOf(awDate: string): string {
  // "2014-02-08 10:01:36.827000000" (naive UTC) → "2014-02-08T10:01:36.827Z"
  const [day, time = '00:00:00'] = awDate.trim().split(' ');
  const [hms, frac = '0'] = time.split('.');
  return `${day}T${hms}.${frac.padEnd(3, '0').slice(0, 3)}Z`;
}

function blank(v: string | undefined): string | null {
  const t = (v ?? '').trim();
  return t === '' ? null : t;
}

export function hasAdventureWorks(): boolean {
  return existsSync(resolve(AW_DIR, 'Product.csv')) && existsSync(resolve(AW_DIR, 'COLUMNS.txt'));
}

export function adventureWorksCatalog(): Catalog {
  const products: ProductRow[] = [];
  const descriptions: DescriptionRow[] = [];
  const basicTexts: BasicTextRow[] = [];
  const modelOf = new Map<string, string>();
  const models = new Map<string, { name: string; changed: string; group: string | null }>();
  for (const c of tsv('Product.csv')) {
    const [id, name, number, , finished, color, , , , , size, sizeUnit, weightUnit, weight] = c;
    // Id columns hold floats ("19.0") in this export.
    const subcategory = blank(c[18]) === null ? null : String(parseInt(c[18]!, 10));
    const modelId = blank(c[19]) === null ? null : String(parseInt(c[19]!, 10));
    const changed = isoOf(c[24]!);
    const group = subcategory ? `AW${subcategory.padStart(3, '0')}` : null;
    const model = modelId ? `MODEL-${modelId.padStart(3, '0')}` : null;
    if (model && !models.has(model)) models.set(model, { name: (name ?? '').replace(/,.*$/, '').replace(/ - .*$/, ''), changed, group });
    if (model) modelOf.set(number!, model);
    const sizeText = blank(size) ? `${size!.trim()}${blank(sizeUnit) ? ` ${sizeUnit!.trim()}` : ''}` : null;
    products.push({
      Product: number!,
      ProductType: finished === '1' ? 'FERT' : 'ROH',
      CreationDate: isoOf(c[20]!).slice(0, 10),
      LastChangeDateTime: changed,
      IsMarkedForDeletion: blank(c[22]) !== null,
      ProductOldID: id!,
      GrossWeight: blank(weight),
      NetWeight: null,
      WeightUnit: blank(weightUnit),
      SizeOrDimensionText: sizeText,
      ProductGroup: group,
      BaseUnit: 'EA',
      Division: blank(c[15]),
      ProductStandardID: null,
      CrossPlantConfigurableProduct: model,
    });
    descriptions.push({ Product: number!, Language: 'EN', ProductDescription: name!.slice(0, 40) });
    if (blank(color)) descriptions.push({ Product: number!, Language: 'DE', ProductDescription: `${name!} (${color!.trim()})`.slice(0, 40) });
  }
  for (const [model, m] of models) {
    products.push({
      Product: model,
      ProductType: 'KMAT',
      CreationDate: m.changed.slice(0, 10),
      LastChangeDateTime: m.changed,
      IsMarkedForDeletion: false,
      ProductOldID: null,
      GrossWeight: null,
      NetWeight: null,
      WeightUnit: null,
      SizeOrDimensionText: null,
      ProductGroup: m.group,
      BaseUnit: 'EA',
      Division: null,
      ProductStandardID: null,
      CrossPlantConfigurableProduct: null,
    });
    descriptions.push({ Product: model, Language: 'EN', ProductDescription: m.name.slice(0, 40) });
  }
  // Model descriptions per culture become the long texts of every variant of the model.
  const text = new Map(tsv('ProductDescription.csv').map((c) => [c[0]!, c[1]!]));
  const byModel = new Map<string, { lang: string; text: string }[]>();
  for (const c of tsv('ProductModelProductDescriptionCulture.csv')) {
    const lang = SAP_LANGUAGE[c[2]!.trim()];
    const t = text.get(c[1]!);
    if (!lang || !t) continue;
    const model = `MODEL-${String(parseInt(c[0]!, 10)).padStart(3, '0')}`;
    byModel.set(model, [...(byModel.get(model) ?? []), { lang, text: t }]);
  }
  for (const p of products) {
    const model = p.ProductType === 'KMAT' ? p.Product : modelOf.get(p.Product);
    for (const t of (model && byModel.get(model)) || []) basicTexts.push({ Product: p.Product, Language: t.lang, LongText: t.text });
  }
  return { source: 'adventureworks', products, descriptions, basicTexts };
}

/** `count` extra products (BULK-000001 …) for paging and benchmarks, stamped one second apart. */
export function generatedProducts(count: number, start = Date.parse('2024-01-01T00:00:00Z'), prefix = 'BULK'): Catalog {
  const products: ProductRow[] = [];
  const descriptions: DescriptionRow[] = [];
  const basicTexts: BasicTextRow[] = [];
  for (let i = 1; i <= count; i++) {
    const key = `${prefix}-${String(i).padStart(6, '0')}`;
    products.push({
      Product: key,
      ProductType: 'FERT',
      CreationDate: '2024-01-01',
      LastChangeDateTime: new Date(start + i * 1000).toISOString(),
      IsMarkedForDeletion: false,
      ProductOldID: String(i),
      GrossWeight: `${(i % 997) + 1}.125`,
      NetWeight: `${(i % 997) + 1}.100`,
      WeightUnit: 'KG',
      SizeOrDimensionText: null,
      ProductGroup: `G${String(i % 7).padStart(3, '0')}`,
      BaseUnit: 'EA',
      Division: '01',
      ProductStandardID: null,
      CrossPlantConfigurableProduct: null,
    });
    descriptions.push({ Product: key, Language: 'EN', ProductDescription: `Bulk product ${i}` });
    descriptions.push({ Product: key, Language: 'FR', ProductDescription: `Produit en vrac ${i}` });
    basicTexts.push({ Product: key, Language: 'EN', LongText: `Long text of bulk product ${i}.` });
  }
  return { source: 'generated', products, descriptions, basicTexts };
}

/** AdventureWorks when present, else a generated catalogue of the same size. */
export function testCatalog(extra = 0): Catalog {
  const base = hasAdventureWorks() ? adventureWorksCatalog() : generatedProducts(504, Date.parse('2014-02-08T10:01:36.827Z'), 'GEN');
  if (extra <= 0) return base;
  const more = generatedProducts(extra);
  return {
    source: base.source,
    products: [...base.products, ...more.products],
    descriptions: [...base.descriptions, ...more.descriptions],
    basicTexts: [...base.basicTexts, ...more.basicTexts],
  };
}
