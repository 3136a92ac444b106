/**
 * The demo ERP: a realistic SQLite product database generated from a seed. Product lines and
 * templates with 1–12 colour × size variants, units (kg/g/lb, cm/mm/in), names and descriptions
 * in en/fr/de (some translations missing, as in real ERPs), a category tree, EANs, brands, archived
 * items and updated_at stamps — some templates edited after their variants. Deterministic: the same
 * { items, seed } always writes the same rows. Fast enough for 100,000+ items (one transaction,
 * prepared statements).
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { ADJECTIVES, BRANDS, COLORS, MATERIALS, PRODUCT_LINES, USES, type ProductType, type Tr } from './catalog.js';
import { Prng } from './prng.js';

/** Bumped when the schema or the generated content changes, so old files are regenerated. */
export const DEMO_GENERATOR_VERSION = '1';

export interface GenerateDemoOptions {
  path: string;
  items?: number;
  seed?: number;
}

export interface DemoErpSummary {
  path: string;
  items: number;
  templates: number;
  categories: number;
  seed: number;
  generated: boolean;
}

const SCHEMA = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE categories (
  code TEXT PRIMARY KEY, parent_code TEXT REFERENCES categories(code),
  name_en TEXT, name_fr TEXT, name_de TEXT, updated_at TEXT NOT NULL);
CREATE TABLE attributes (
  code TEXT PRIMARY KEY, type TEXT NOT NULL, name_en TEXT, name_fr TEXT, name_de TEXT,
  options TEXT, updated_at TEXT NOT NULL);
CREATE TABLE templates (
  code TEXT PRIMARY KEY, product_line TEXT NOT NULL, product_type TEXT NOT NULL, brand TEXT,
  category_code TEXT REFERENCES categories(code), name_en TEXT, name_fr TEXT, name_de TEXT,
  axes TEXT, updated_at TEXT NOT NULL);
CREATE TABLE translations (
  record_key TEXT NOT NULL, field TEXT NOT NULL, lang TEXT NOT NULL, value TEXT NOT NULL,
  PRIMARY KEY (record_key, field, lang));
CREATE TABLE items (
  sku TEXT PRIMARY KEY, template_code TEXT REFERENCES templates(code),
  name_en TEXT, name_fr TEXT, name_de TEXT, brand TEXT, color TEXT, size TEXT, ean TEXT,
  weight TEXT, weight_unit TEXT, length TEXT, width TEXT, height TEXT, dimension_unit TEXT,
  list_price TEXT, currency TEXT, archived INTEGER NOT NULL DEFAULT 0, updated_at TEXT NOT NULL);
CREATE TABLE item_categories (
  sku TEXT NOT NULL, category_code TEXT NOT NULL, PRIMARY KEY (sku, category_code));
`;
const INDEXES = `
CREATE INDEX items_template ON items(template_code);
CREATE INDEX items_updated ON items(updated_at);
CREATE INDEX templates_updated ON templates(updated_at);
CREATE INDEX item_categories_sku ON item_categories(sku);
`;

/** Stamps like an ERP writes them: naive UTC "YYYY-MM-DD HH:MM:SS". */
function stamp(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/** n / 10^decimals as an exact decimal string (never through a float). */
function fixed(n: number, decimals: number): string {
  if (decimals === 0) return String(n);
  const s = String(n).padStart(decimals + 1, '0');
  return `${s.slice(0, -decimals)}.${s.slice(-decimals)}`;
}

function ean13(seq: number): string {
  const body = `40${String(seq).padStart(10, '0')}`;
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(body[i]) * (i % 2 === 0 ? 1 : 3);
  return body + String((10 - (sum % 10)) % 10);
}

const BASE_TIME = Date.UTC(2024, 0, 1);
const DAY = 86_400_000;

/** Reads the meta table of an existing demo file; null when it is not one of ours. */
export function readDemoMeta(path: string): Record<string, string> | null {
  if (!existsSync(path)) return null;
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    const rows = db.prepare('SELECT key, value FROM meta').all() as { key: string; value: string }[];
    return Object.fromEntries(rows.map((r) => [r.key, r.value]));
  } catch {
    return null;
  } finally {
    db?.close();
  }
}

/** Whether `path` already holds the demo ERP for these options. */
export function isDemoErpCurrent(path: string, items: number, seed: number): boolean {
  const meta = readDemoMeta(path);
  return meta !== null && meta.version === DEMO_GENERATOR_VERSION && meta.items === String(items) && meta.seed === String(seed);
}

/**
 * Writes the demo ERP to `path` (replacing what is there). Written to a temporary file and
 * renamed, so a concurrent reader never sees a half-built database.
 */
export function generateDemoErp(options: GenerateDemoOptions): DemoErpSummary {
  const items = options.items ?? 500;
  const seed = options.seed ?? 42;
  if (!Number.isInteger(items) || items < 1) throw new Error(`demo ERP: items must be a positive integer, got ${items}`);
  const path = resolve(options.path);
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
  const db = new Database(tmp);
  try {
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    db.exec(SCHEMA);
    const counts = fill(db, items, seed);
    db.exec(INDEXES);
    db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('version', DEMO_GENERATOR_VERSION);
    db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('items', String(items));
    db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('seed', String(seed));
    db.pragma('journal_mode = DELETE');
    db.close();
    renameSync(tmp, path);
    return { path, items, templates: counts.templates, categories: counts.categories, seed, generated: true };
  } catch (err) {
    if (db.open) db.close();
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** Generates the demo ERP unless `path` already holds the one for these options. */
export function ensureDemoErp(options: GenerateDemoOptions): DemoErpSummary {
  const items = options.items ?? 500;
  const seed = options.seed ?? 42;
  const path = resolve(options.path);
  if (isDemoErpCurrent(path, items, seed)) {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    try {
      const templates = (db.prepare('SELECT count(*) AS n FROM templates').get() as { n: number }).n;
      const categories = (db.prepare('SELECT count(*) AS n FROM categories').get() as { n: number }).n;
      return { path, items, templates, categories, seed, generated: false };
    } finally {
      db.close();
    }
  }
  return generateDemoErp({ path, items, seed });
}

function fill(db: Database.Database, itemCount: number, seed: number): { templates: number; categories: number } {
  const rnd = new Prng(seed);
  const insCategory = db.prepare('INSERT INTO categories VALUES (?, ?, ?, ?, ?, ?)');
  const insAttribute = db.prepare('INSERT INTO attributes VALUES (?, ?, ?, ?, ?, ?, ?)');
  const insTemplate = db.prepare('INSERT INTO templates VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const insTranslation = db.prepare('INSERT INTO translations VALUES (?, ?, ?, ?)');
  const insItem = db.prepare('INSERT INTO items VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const insItemCategory = db.prepare('INSERT INTO item_categories VALUES (?, ?)');
  let categories = 0;

  const run = db.transaction(() => {
    const catTime = stamp(BASE_TIME - 30 * DAY);
    const category = (code: string, parent: string | null, name: Tr): void => {
      insCategory.run(code, parent, name.en, name.fr, name.de, catTime);
      categories++;
    };
    category('master', null, { en: 'Master catalog', fr: 'Catalogue principal', de: 'Hauptkatalog' });
    category('promotions', 'master', { en: 'Promotions', fr: 'Promotions', de: 'Aktionen' });
    category('sale', 'promotions', { en: 'Sale', fr: 'Soldes', de: 'Ausverkauf' });
    category('new_arrivals', 'promotions', { en: 'New arrivals', fr: 'Nouveautés', de: 'Neuheiten' });
    for (const line of PRODUCT_LINES) {
      category(line.code, 'master', line.name);
      for (const type of line.types) category(`${line.code}_${type.code}`, line.code, type.name);
    }

    const allSizes = [...new Set(PRODUCT_LINES.flatMap((l) => l.types.flatMap((t) => t.sizes ?? [])))];
    insAttribute.run('color', 'select', 'Colour', 'Couleur', 'Farbe', COLORS.map((c) => c.code).join('|'), catTime);
    insAttribute.run('size', 'select', 'Size', 'Taille', 'Größe', allSizes.join('|'), catTime);
    insAttribute.run('brand', 'text', 'Brand', 'Marque', 'Marke', null, catTime);

    let made = 0;
    let templateSeq = 0;
    const types: { line: string; type: ProductType }[] = PRODUCT_LINES.flatMap((l) => l.types.map((type) => ({ line: l.code, type })));
    while (made < itemCount) {
      templateSeq++;
      const { line, type } = rnd.pick(types);
      const code = `${type.prefix}-${String(templateSeq).padStart(6, '0')}`;
      const brand = rnd.pick(BRANDS);
      const adj = rnd.pick(ADJECTIVES);
      const material = rnd.pick(MATERIALS);
      const use = rnd.pick(USES);
      const categoryCode = `${line}_${type.code}`;

      // Variant axes: colour × size, 1–12 combinations.
      const wanted = Math.min(itemCount - made, rnd.int(1, 12));
      let colors = type.colors ? COLORS : [];
      let sizes = type.sizes ?? [];
      if (colors.length > 0 && sizes.length > 0) {
        const nColors = Math.max(1, Math.min(colors.length, rnd.int(1, 3)));
        colors = rnd.sample(colors, nColors);
        sizes = rnd.sample(sizes, Math.max(1, Math.ceil(wanted / nColors)));
      } else if (colors.length > 0) colors = rnd.sample(colors, wanted);
      else if (sizes.length > 0) sizes = rnd.sample(sizes, wanted);
      const combos: { color: (typeof COLORS)[number] | null; size: string | null }[] = [];
      for (const c of colors.length > 0 ? colors : [null]) for (const s of sizes.length > 0 ? sizes : [null]) combos.push({ color: c, size: s });
      const variants = combos.slice(0, wanted);
      const axes = [colors.length > 0 ? 'color' : null, sizes.length > 0 ? 'size' : null].filter(Boolean).join(',');

      const created = BASE_TIME + rnd.int(0, 300) * DAY + rnd.int(0, DAY / 1000 - 1) * 1000;
      const name: Tr = { en: `${brand} ${adj.en} ${type.name.en}`, fr: `${type.name.fr} ${adj.fr} ${brand}`, de: `${brand} ${adj.de} ${type.name.de}` };
      // Some templates were edited after all their variants (the edit must still reach the items).
      const editedLater = rnd.chance(0.05);
      const templateTime = editedLater ? created + rnd.int(40, 60) * DAY : created;
      insTemplate.run(code, line, type.code, brand, categoryCode, name.en, rnd.chance(0.03) ? null : name.fr, rnd.chance(0.06) ? null : name.de, axes, stamp(templateTime));
      insTranslation.run(code, 'description', 'en', `${name.en}: made of ${material.en}, designed for ${use.en}.`);
      if (!rnd.chance(0.05)) insTranslation.run(code, 'description', 'fr', `${name.fr} : en ${material.fr}, conçu pour ${use.fr}.`);
      if (!rnd.chance(0.1)) insTranslation.run(code, 'description', 'de', `${name.de}: aus ${material.de}, gemacht für ${use.de}.`);

      const basePrice = rnd.int(type.price[0], type.price[1]);
      const baseWeight = rnd.int(type.weight.min, type.weight.max);
      const dims = type.dims ? [0, 1, 2].map(() => rnd.int(type.dims!.min, type.dims!.max)) : null;
      // A batch import stamps all variants alike: the ties a delta read must not split.
      const sameStamp = rnd.chance(0.3);
      variants.forEach((v, i) => {
        made++;
        const sku = `${code}-${String(i + 1).padStart(2, '0')}`;
        const suffix = [v.color?.name, v.size].filter(Boolean);
        const itemName = (lang: keyof Tr, base: string | null): string | null =>
          base === null ? null : suffix.length === 0 ? base : `${base} – ${[v.color?.name[lang], v.size].filter(Boolean).join(', ')}`;
        const itemTime = sameStamp ? created : created + rnd.int(0, 30) * DAY + rnd.int(0, 3600) * 1000;
        const weight = fixed(baseWeight + i * Math.max(1, Math.round(baseWeight / 50)), type.weight.decimals);
        const archived = rnd.chance(0.03) ? 1 : 0;
        const price = fixed(basePrice + (v.size ? (type.sizes ?? []).indexOf(v.size) * 100 : 0), 2);
        insItem.run(
          sku,
          code,
          itemName('en', name.en),
          itemName('fr', name.fr),
          rnd.chance(0.04) ? null : itemName('de', name.de),
          brand,
          v.color?.code ?? null,
          v.size,
          rnd.chance(0.02) ? null : ean13(made),
          weight,
          type.weight.unit,
          dims ? fixed(dims[0]!, type.dims!.decimals) : null,
          dims ? fixed(dims[1]!, type.dims!.decimals) : null,
          dims ? fixed(dims[2]!, type.dims!.decimals) : null,
          type.dims?.unit ?? null,
          price,
          'EUR',
          archived,
          stamp(itemTime),
        );
        insItemCategory.run(sku, categoryCode);
        if (rnd.chance(0.08)) insItemCategory.run(sku, 'sale');
        if (itemTime > BASE_TIME + 280 * DAY) insItemCategory.run(sku, 'new_arrivals');
      });
    }
    return templateSeq;
  });
  const templates = run();
  return { templates, categories };
}
